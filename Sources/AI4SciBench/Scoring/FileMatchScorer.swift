import Foundation

/// The `file_match` scorer: checks that output files exist, with the expected shape and dtype, and that
/// values are finite or within a range.
///
/// Checks (`checks:` list): `{file, shape?, dtype?}` (dtype compared exactly by numpy name, so `float32`
/// fails a `float64` check), `{check: no_nan_inf}` over every top-level `.npy` of the prediction directory,
/// `{check: value_range, file, min?, max?}` (NaN elements are ignored for the range). `scoring_mode`:
/// `all_or_nothing` (default) or `per_check`. A shape may be a number, a list of numbers or a string `"2,200"`.
public struct FileMatchScorer: Scorer {
    /// `file_match`.
    public let name = "file_match"

    /// Creates the scorer.
    public init() {}

    /// Runs every check over `context.predictionDir`.
    public func score(config: [String: JSONValue], weight: Double, context: ScoringContext) throws -> ScoreDetail {
        let cfg = ScorerConfig(config, scorer: name)
        let mode = try CheckListScoring.mode(cfg)
        var results: [CheckResult] = []
        for (i, item) in (try cfg.array("checks") ?? []).enumerated() {
            guard let check = item.objectValue else { throw cfg.fail("checks[\(i)]", "a mapping", item) }
            let c = ScorerConfig(check, scorer: name, prefix: "checks[\(i)].")
            if let kind = try c.string("check") {
                switch kind {
                case "no_nan_inf": results.append(noNaNInf(context.predictionDir))
                case "value_range": results.append(try valueRange(c, dir: context.predictionDir))
                default:
                    throw BenchError(.evaluationFailed, "file_match config: checks[\(i)].check: unknown check \"\(kind)\"",
                                     hint: "one of: no_nan_inf, value_range (or give file: for an existence check)")
                }
            } else if c.has("file") {
                results.append(try fileCheck(c, dir: context.predictionDir))
            } else {
                throw BenchError(.evaluationFailed, "file_match config: checks[\(i)]: neither file nor check is given")
            }
        }
        return mode.detail(scorer: name, results: results, weight: weight)
    }

    private func fileCheck(_ c: ScorerConfig, dir: URL) throws -> CheckResult {
        let file = try c.string("file") ?? ""
        let url = dir.appendingPathComponent(file)
        var fields: [String: JSONValue] = ["file": .string(file)]
        guard FileManager.default.fileExists(atPath: url.path) else {
            return CheckResult(passed: false, message: "File not found: \(file)", fields)
        }
        let expectedShape = try c.values["shape"].map { try Self.shape($0, c) }
        let expectedDType = try c.string("dtype").map { spelling -> String in
            guard let n = NPYDType.canonicalName(spelling) else {
                throw BenchError(.evaluationFailed, "file_match config: \(c.prefix)dtype: unknown dtype \"\(spelling)\"",
                                 hint: "e.g. float64, float32, int64, bool, complex128")
            }
            return n
        }
        guard file.lowercased().hasSuffix(".npy") else { return CheckResult(passed: true, fields) }
        let array: NPYArray
        do { array = try NPYArray.read(contentsOf: url) } catch let e as BenchError {
            return CheckResult(passed: false, message: "Cannot load \(file): \(e.message)", fields)
        }
        fields["actual_shape"] = .array(array.shape.map { .number(Double($0)) })
        fields["actual_dtype"] = .string(array.dtype.name)
        if let expectedShape {
            fields["expected_shape"] = .array(expectedShape.map { .number(Double($0)) })
            if array.shape != expectedShape {
                return CheckResult(passed: false, message: "\(file): shape \(array.shapeDescription) expected \(NPYArray.describe(shape: expectedShape))", fields)
            }
        }
        if let expectedDType {
            fields["expected_dtype"] = .string(expectedDType)
            if array.dtype.name != expectedDType {
                return CheckResult(passed: false, message: "\(file): dtype \(array.dtype.name) expected \(expectedDType)", fields)
            }
        }
        return CheckResult(passed: true, fields)
    }

    /// Parses a shape written as a number, a list of numbers, or a string such as `"2,200"`, `"{2,200}"`, `"(2, 200)"`.
    static func shape(_ v: JSONValue, _ c: ScorerConfig) throws -> [Int] {
        if let n = v.intValue { return [n] }
        if let list = v.arrayValue {
            let dims = list.compactMap { $0.intValue ?? $0.stringValue.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            if dims.count == list.count { return dims }
        }
        if let s = v.stringValue {
            let body = s.trimmingCharacters(in: CharacterSet(charactersIn: "{}()[] "))
            let parts = body.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let dims = parts.compactMap { Int($0) }
            if dims.count == parts.count { return dims }
        }
        throw c.fail("shape", "a number, a list of numbers or a string like \"2,200\"", v)
    }

    private func noNaNInf(_ dir: URL) -> CheckResult {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.lowercased().hasSuffix(".npy") }.sorted()
        var unreadable: [JSONValue] = []
        for file in files {
            guard let a = try? NPYArray.read(contentsOf: dir.appendingPathComponent(file)) else {
                unreadable.append(.string(file))
                continue
            }
            if a.containsNaN { return CheckResult(passed: false, message: "NaN found in \(file)", ["check": "no_nan_inf"]) }
            if a.containsInfinity { return CheckResult(passed: false, message: "Inf found in \(file)", ["check": "no_nan_inf"]) }
        }
        return CheckResult(passed: true, ["check": "no_nan_inf", "files_checked": .number(Double(files.count - unreadable.count)),
                                          "unreadable": .array(unreadable)])
    }

    private func valueRange(_ c: ScorerConfig, dir: URL) throws -> CheckResult {
        var fields: [String: JSONValue] = ["check": "value_range"]
        guard let file = try c.string("file") else {
            throw BenchError(.evaluationFailed, "file_match config: \(c.prefix)file: value_range needs a file")
        }
        fields["file"] = .string(file)
        let lo = try c.double("min"), hi = try c.double("max")
        let url = dir.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            return CheckResult(passed: false, message: "File not found: \(file)", fields)
        }
        let array: NPYArray
        do { array = try NPYArray.read(contentsOf: url) } catch let e as BenchError {
            return CheckResult(passed: false, message: "Cannot load \(file): \(e.message)", fields)
        }
        let finiteOrInf = array.values.filter { !$0.isNaN }
        guard let mn = finiteOrInf.min(), let mx = finiteOrInf.max() else {
            return CheckResult(passed: false, message: "\(file): no values to check the range of", fields)
        }
        fields["actual_min"] = .finite(mn)
        fields["actual_max"] = .finite(mx)
        if let lo, mn < lo {
            return CheckResult(passed: false, message: "\(file): values below minimum \(ConfigChecker.format(lo)): min=\(ErrorScoring.fixed(mn, 6))", fields)
        }
        if let hi, mx > hi {
            return CheckResult(passed: false, message: "\(file): values above maximum \(ConfigChecker.format(hi)): max=\(ErrorScoring.fixed(mx, 6))", fields)
        }
        return CheckResult(passed: true, fields)
    }
}

extension FileMatchScorer {
    /// Checks `checks` entries (kind, file, shape, dtype, min/max) and `scoring_mode`.
    public func validate(config: [String: JSONValue]) -> [ValidationIssue] {
        var c = ConfigChecker()
        c.unknownKeys(config, known: ["checks", "scoring_mode", "weight", "description", "prompt_level"])
        c.oneOf(config, "scoring_mode", CheckListScoring.names)
        guard let checks = config["checks"] else {
            c.warning("checks", "no checks given; the scorer always passes", hint: "add checks: [{file: name.npy}]")
            return c.issues
        }
        guard let list = checks.arrayValue else {
            c.error("checks", "expected a list of checks, got \(checks.shortDescription)")
            return c.issues
        }
        for (i, item) in list.enumerated() {
            let p = "checks[\(i)]."
            guard let check = item.objectValue else {
                c.error("checks[\(i)]", "expected a mapping such as {file: x.npy} or {check: no_nan_inf}, got \(item.shortDescription)")
                continue
            }
            if let kind = check["check"] {
                c.oneOf(check, "check", ["no_nan_inf", "value_range"], prefix: p)
                if kind.stringValue == "value_range" {
                    c.unknownKeys(check, known: ["check", "file", "min", "max"], prefix: p)
                    c.string(check, "file", prefix: p, required: true)
                    c.number(check, "min", prefix: p)
                    c.number(check, "max", prefix: p)
                } else {
                    c.unknownKeys(check, known: ["check"], prefix: p)
                }
            } else if check["file"] != nil {
                c.unknownKeys(check, known: ["file", "shape", "dtype"], prefix: p)
                c.string(check, "file", prefix: p, required: true)
                if let shape = check["shape"], !shape.isNull, !(shape.stringValue.map(ConfigChecker.isTemplate) ?? false),
                   (try? Self.shape(shape, ScorerConfig(check, scorer: name))) == nil,
                   !(shape.arrayValue?.allSatisfy { $0.intValue != nil || ($0.stringValue.map(ConfigChecker.isTemplate) ?? false) } ?? false) {
                    c.error(p + "shape", "expected a number, a list of numbers or a string like \"2,200\", got \(shape.shortDescription)")
                }
                if let d = check["dtype"], !d.isNull {
                    if let s = d.stringValue {
                        if NPYDType.canonicalName(s) == nil {
                            c.error(p + "dtype", "unknown dtype \"\(s)\"", hint: "e.g. float64, float32, int64, int32, bool, complex128")
                        }
                    } else { c.error(p + "dtype", "expected a string, got \(d.shortDescription)") }
                }
            } else {
                c.error("checks[\(i)]", "a check needs file: or check:", hint: "e.g. {file: density.npy} or {check: no_nan_inf}")
            }
        }
        return c.issues
    }
}
