import Foundation
import Testing
@testable import AI4SciBench

@Suite("file_match and code_analysis", .timeLimit(.minutes(1)))
struct ScoringChecksTests {
    let fileMatch = FileMatchScorer()
    let code = CodeAnalysisScorer()

    @Test func fileMatchChecksShapeDtypeAndExistence() throws {
        let ctx = try ScoringFixtures.scoringContext()
        let checks: JSONValue = [
            ["file": "field.npy", "shape": "5,40", "dtype": "float64"],
            ["file": "field.npy", "shape": [5, 40]],
            ["file": "energy.npy", "shape": 30],
            ["file": "ints.npy", "dtype": "float64"],
            ["file": "short.npy", "shape": "{2,200}"],
            ["file": "missing.npy"],
            ["file": "series.csv"],
        ]
        let all = try fileMatch.score(config: ["checks": checks], weight: 1, context: ctx)
        #expect(all.score == 0 && !all.passed)
        #expect(all.message == "ints.npy: dtype int32 expected float64; short.npy: shape (2,100) expected (2,200); File not found: missing.npy")
        let per = try fileMatch.score(config: ["checks": checks, "scoring_mode": "per_check"], weight: 7, context: ctx)
        #expect(closeRel(per.score, 7.0 * 4 / 7))
        let results = try #require(per.details["checks"]?.arrayValue)
        #expect(results[0]["actual_dtype"] == "float64" && results[0]["passed"] == true)
        #expect(results[3]["actual_shape"] == [3, 4])
    }

    @Test func noNaNInfScansEveryTopLevelNPY() throws {
        let tmp = try TempDirs()
        try tmp.writeNPY([1, 2], shape: [2], "a.npy")
        try tmp.write("not npy", "junk.npy")
        let ok = try fileMatch.score(config: ["checks": [["check": "no_nan_inf"]]], weight: 1, context: tmp.context)
        #expect(ok.passed && ok.score == 1)
        #expect(ok.details["checks"]?[0]?["unreadable"] == ["junk.npy"])
        try FileManager.default.createDirectory(at: tmp.pred.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try tmp.writeNPY([.nan], shape: [1], "hidden.npy", in: tmp.pred.appendingPathComponent("sub"))
        #expect(try fileMatch.score(config: ["checks": [["check": "no_nan_inf"]]], weight: 1, context: tmp.context).passed)
        try tmp.writeNPY([1, .infinity], shape: [2], "b.npy")
        let inf = try fileMatch.score(config: ["checks": [["check": "no_nan_inf"]]], weight: 1, context: tmp.context)
        #expect(!inf.passed && inf.message == "Inf found in b.npy")
        try tmp.writeNPY([.nan], shape: [1], "0first.npy")
        let nan = try fileMatch.score(config: ["checks": [["check": "no_nan_inf"]]], weight: 1, context: tmp.context)
        #expect(nan.message == "NaN found in 0first.npy")
    }

    @Test func valueRange() throws {
        let ctx = try ScoringFixtures.scoringContext()
        func run(_ c: JSONValue) throws -> ScoreDetail {
            try fileMatch.score(config: ["checks": [c]], weight: 1, context: ctx)
        }
        #expect(try run(["check": "value_range", "file": "range.npy", "min": -1, "max": 2]).passed)
        let low = try run(["check": "value_range", "file": "range.npy", "min": 0])
        #expect(!low.passed && low.message == "range.npy: values below minimum 0: min=-1.000000")
        let high = try run(["check": "value_range", "file": "range.npy", "max": 1.5])
        #expect(!high.passed && high.message.contains("above maximum 1.5"))
        #expect(try !run(["check": "value_range", "file": "absent.npy"]).passed)
        #expect(throws: BenchError.self) { try run(["check": "sparkle"]) }
    }

    @Test func fileMatchValidation() {
        let issues = fileMatch.validate(config: ["scoring_mode": "most", "checks": [
            ["file": "a.npy", "dtype": "float65", "shape": "two"], ["check": "value_range"], ["check": "odd"], "x", ["nothing": 1],
        ]])
        let paths = Set(issues.filter { $0.severity == .error }.map(\.keyPath))
        #expect(paths == ["scoring_mode", "checks[0].dtype", "checks[0].shape", "checks[1].file", "checks[2].check", "checks[3]", "checks[4]"])
        #expect(fileMatch.validate(config: ["checks": [["file": "a.npy", "shape": ["{n}", 3], "dtype": "f8"]]]).isEmpty)
    }

    static let source = #"""
    """Solver. Uses scipy? No: we avoid scipy here."""
    import numpy as np  # not scipy
    import os.path, json as j
    from numpy import linalg as la
    from . import local_helper
    from .sibling import thing
    if True: import matplotlib.pyplot as plt
    from collections import (
        OrderedDict,
        defaultdict as dd,
    )
    text = "import scipy"
    # import torch

    def flux(u):
        '''godunov flux; never call np.linalg.solve here'''
        return np.linalg.solve(u, u)
    s = 'scipy' ; t = r"\"" ; "standalone"
    """#

    func analyse(_ config: [String: JSONValue]) throws -> ScoreDetail {
        let tmp = try TempDirs()
        try tmp.write(Self.source, "simulation.py")
        try tmp.writeNPY([1], shape: [1], "overview.png")
        return try code.score(config: config, weight: 4, context: tmp.context)
    }

    @Test func importsAreParsedNotGrepped() throws {
        let imports = Set(PythonSource(Self.source).importedModules())
        #expect(imports == ["numpy", "os.path", "json", "numpy.linalg", "matplotlib.pyplot", "collections",
                            "collections.OrderedDict", "collections.defaultdict"])
        let d = try analyse(["checks": [["forbidden_imports": ["numpy.linalg", "torch", "scipy"]]]])
        #expect(!d.passed && d.message == "Forbidden import found: numpy.linalg")
        let ok = try analyse(["checks": [["forbidden_imports": ["torch", "scipy", "os.pathlib"]]]])
        #expect(ok.passed && ok.score == 4)
        let prefix = try analyse(["checks": [["forbidden_imports": ["matplotlib"]]]])
        #expect(prefix.message == "Forbidden import found: matplotlib.pyplot")
    }

    @Test func forbiddenPatternsIgnoreCommentsAndDocstrings() throws {
        let stripped = PythonSource(Self.source).stripped()
        #expect(!stripped.contains("avoid scipy"))
        #expect(!stripped.contains("# not scipy"))
        #expect(!stripped.contains("godunov"))
        #expect(!stripped.contains("standalone"))
        #expect(stripped.contains("\"import scipy\""))
        #expect(stripped.split(separator: "\n", omittingEmptySubsequences: false).count
                == Self.source.split(separator: "\n", omittingEmptySubsequences: false).count)
        let torch = try analyse(["checks": [["pattern": "torch", "forbidden": true]]])
        #expect(torch.passed && torch.details["checks"]?[0]?["message"]?.stringValue?.contains("only in comments") == true)
        let scipy = try analyse(["checks": [["pattern": "scipy", "forbidden": true]]])
        #expect(!scipy.passed && scipy.message == "Forbidden pattern found: scipy (2 occurrences in code)")
        let strict = try analyse(["strip_strings": true, "checks": [["pattern": "scipy", "forbidden": true]]])
        #expect(strict.passed)
        let solve = try analyse(["checks": [["pattern": #"np\.linalg\.solve"#, "forbidden": true]]])
        #expect(!solve.passed && solve.message.contains("(1 occurrences in code)"))
    }

    @Test func requiredMinCountLinesAndModes() throws {
        let checks: JSONValue = [
            ["pattern": "flux|godunov", "required": true],
            ["pattern": "def \\w+", "min_count": 2],
            ["pattern": "overview\\.png", "required": true],
            ["pattern": "riemann", "required": true],
        ]
        let all = try analyse(["checks": checks, "min_lines": 5, "max_lines": 10])
        #expect(!all.passed && all.score == 0)
        #expect(all.message == "Pattern 'def \\w+' found 1 times, need >= 2; Required pattern not found: riemann; Too many lines: 18 > 10")
        #expect(all.details["checks"]?[2]?["satisfied_by_file"] == "overview.png")
        let per = try analyse(["checks": checks, "scoring_mode": "per_check", "min_lines": 5])
        #expect(per.score == 4 * 3.0 / 5)
        #expect(CodeAnalysisScorer.lineCount("a\nb\n") == 2 && CodeAnalysisScorer.lineCount("") == 0
                && CodeAnalysisScorer.lineCount("a\r\n\nb") == 3)
        let missing = try code.score(config: ["target_file": "solver.py"], weight: 4, context: TempDirs().context)
        #expect(missing.score == 0 && missing.message == "Target file not found: solver.py")
    }

    @Test func codeAnalysisValidation() {
        let issues = code.validate(config: ["checks": [["pattern": "([a-"], ["forbidden_imports": "scipy"],
                                                       ["required": true], ["pattern": "x", "min_count": "many"]],
                                            "max_lines": -1])
        let paths = Set(issues.filter { $0.severity == .error }.map(\.keyPath))
        #expect(paths == ["checks[0].pattern", "checks[1].forbidden_imports", "checks[2].pattern", "checks[3].min_count", "max_lines"])
    }
}
