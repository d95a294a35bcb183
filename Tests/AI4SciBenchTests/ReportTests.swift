import Foundation
import Subprocess
import Testing
@testable import AI4SciBench

@Suite("Report")
struct ReportTests {
    func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool { a.map { abs($0 - b) <= tol } ?? false }

    func build(_ dirs: [URL], threshold: Double = 50, compare: (Int, Int)? = nil) throws -> (Report, [ReportRun]) {
        var runs = try ReportLoader.load(directories: dirs)
        ReportLoader.disambiguateLabels(&runs)
        var o = ReportOptions()
        o.passThreshold = threshold
        o.timestamp = "2026-01-01T00:00:00Z"
        return (ReportBuilder.build(runs: runs, options: o, compare: compare), runs)
    }

    @Test func aggregationRulesOnKnownFixture() throws {
        let tmp = try TestSupport.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let (report, _) = try build([try ReportFixture.write(in: tmp)])
        let r = try #require(report.runs.first)
        #expect(r.health.isClean, "fixture validates clean: \(r.health.examples)")
        // Task-balanced: phys.a 40, chem.b 100 → 70 (item-balanced would give 60).
        #expect(close(r.overall.mean, 70))
        #expect(r.overall.tasks == 2 && r.overall.items == 3)
        #expect(close(r.levels["b1"]?.mean, 80))
        #expect(close(r.levels["b2"]?.mean, 20))
        #expect(r.levels["b2"]?.ci == nil, "one task: no interval")
        let phys = try #require(r.tasks.first { $0.taskID == "phys.a" })
        #expect(close(phys.mean, 40) && close(phys.levels["b1"] ?? nil, 60) && close(phys.levels["b2"] ?? nil, 20))
        let chem = try #require(r.tasks.first { $0.taskID == "chem.b" })
        #expect(chem.invalid == 1 && chem.missing == 2 && (chem.levels["b2"] ?? 0) == nil)
        let bio = try #require(r.tasks.first { $0.taskID == "bio.c" }, "planned task without results is listed")
        #expect(bio.mean == nil && bio.missing == 4 && bio.n == 0)
        #expect(r.coverage == Coverage(expected: 12, present: 6, missing: 6, invalid: 1, rejected: 0))
        #expect(r.outcomes.results == 6 && r.outcomes.scored == 4 && r.outcomes.agentFailed == 1 && r.outcomes.timeout == 1
            && r.outcomes.evaluationInvalid == 1)
        #expect(r.domains.map(\.domain) == ["chem", "phys"] && close(r.domains.first?.mean, 100))
        // pass@k at threshold 50.
        let k1 = try #require(r.passAtK.first { $0.k == 1 }), k2 = try #require(r.passAtK.first { $0.k == 2 })
        #expect(close(k1.passAtK, 0.625) && close(k1.passHatK, 0.625) && k1.items == 3)
        #expect(close(k2.passAtK, 0.5) && close(k2.passHatK, 0) && k2.items == 2)
        // Low-scoring: invalid first, then 0 (timeout), then the 40s.
        #expect(r.lowScoringTotal == 4)
        #expect(r.lowScoring.first?.outcome == "evaluation_invalid")
        #expect(r.lowScoring[1].reasons.first?.hasPrefix("timeout after 600 s") == true, "\(r.lowScoring[1].reasons)")
        #expect(r.lowScoring[2].reasons.contains("density: relative_l2 0.31 > zero threshold 0.2 (40.0/100)"), "\(r.lowScoring[2].reasons)")
        #expect(close(r.usage.costUSD, 0.06, 1e-12) && r.usage.observed == 6)
        #expect(r.sandbox.enforced == 6 && !r.sandbox.mixedModes)
    }

    @Test func hardGateReasonsAndGateSummary() throws {
        let tmp = try TestSupport.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let entries = [ReportFixture.Entry(task: "phys.a", level: "b1", repeatIndex: 1, score: 90, hardGateFailed: true),
                       ReportFixture.Entry(task: "phys.a", level: "b1", repeatIndex: 2, score: 90)]
        let (report, _) = try build([try ReportFixture.write(entries, in: tmp)])
        let r = report.runs[0]
        #expect(r.gates.hardFailedResults == 1 && r.gates.evaluated == 2)
        #expect(r.gates.hard == [GateCount(gate: "file_match", check: "dos.npy", count: 1)])
        #expect(r.lowScoring.first?.reasons == ["file_match: dos.npy: shape (2, 100) expected (2, 200)"])
        #expect(close(r.overall.mean, 45))
    }

    @Test func tamperedResultIsRejectedAndSaidPlainly() throws {
        let tmp = try TestSupport.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = try ReportFixture.write(in: tmp)
        // Raise a score after the manifest was written.
        let file = dir.appendingPathComponent("phys.a/phys.a__seed1__b1__r2.json")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "\"final_score\" : 40", with: "\"final_score\" : 100")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (report, _) = try build([dir])
        let r = report.runs[0]
        #expect(r.health.isTampered && r.coverage.rejected == 1 && r.coverage.present == 5)
        #expect(close(r.levels["b1"]?.mean, 90), "the rejected 40→100 result is left out: phys.a b1 = 80, chem.b b1 = 100")
        let text2 = try report.rendered(.text)
        #expect(text2.contains("TAMPERED") && text2.contains("1 result file(s) rejected"))
    }

    @Test func bootstrapIsReproducibleAndSeeded() {
        let values = [10.0, 55, 70, 90, 100, 35]
        let a = ReportStatistics.bootstrapMean(values, resamples: 2000, seed: 7, key: "x")
        let b = ReportStatistics.bootstrapMean(values, resamples: 2000, seed: 7, key: "x")
        let c = ReportStatistics.bootstrapMean(values, resamples: 2000, seed: 8, key: "x")
        #expect(a != nil && a == b)
        #expect(a != c)
        let mean = values.reduce(0, +) / 6
        #expect(a!.low < mean && mean < a!.high && a!.low >= 10 && a!.high <= 100)
        #expect(ReportStatistics.bootstrapMean([42, 42, 42], resamples: 500, seed: 1, key: "k") == .init(low: 42, high: 42))
        #expect(ReportStatistics.bootstrapMean([42], resamples: 500, seed: 1, key: "k") == nil)
    }

    @Test func mcnemarExactAgainstKnownTables() {
        #expect(ReportStatistics.mcnemarExact(b: 0, c: 0) == 1)
        #expect(close(ReportStatistics.mcnemarExact(b: 3, c: 0), 0.25))
        #expect(close(ReportStatistics.mcnemarExact(b: 1, c: 5), 14.0 / 64))
        #expect(close(ReportStatistics.mcnemarExact(b: 10, c: 2), 0.03857421875, 1e-12))  // scipy.stats.binomtest(2, 12)
        #expect(close(ReportStatistics.mcnemarExact(b: 100, c: 140), 0.01166409231767769, 1e-10))  // binomtest(100, 240)
        #expect(ReportStatistics.mcnemarExact(b: 5, c: 5) == 1)
    }

    @Test func passAtKEstimators() {
        #expect(close(ReportStatistics.passAtK(n: 5, c: 2, k: 3), 0.9))
        #expect(close(ReportStatistics.passHatK(n: 5, c: 4, k: 2), 0.6))
        #expect(ReportStatistics.passHatK(n: 5, c: 2, k: 3) == 0)
        #expect(ReportStatistics.passAtK(n: 2, c: 0, k: 1) == 0)
        #expect(ReportStatistics.passAtK(n: 1, c: 1, k: 2) == nil)
    }

    @Test func comparisonPairsFlipsAndProvenance() throws {
        let tmp = try TestSupport.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let base = try ReportFixture.write(in: tmp, name: "base")
        var changed = ReportFixture.standard
        changed[0].score = 30  // phys.a b1 r1: 80 → 30 (pass → fail)
        changed[1].score = 70  // phys.a b1 r2: 40 → 70 (fail → pass)
        changed[3].score = 90  // phys.a b2 r2: 40 → 90 (fail → pass)
        changed[4].hardGateFailed = true  // chem.b b1 r1: 100 → 0 by a gate (pass → fail)
        let cur = try ReportFixture.write(changed, agent: "beta", in: tmp, name: "cur", timeout: 300)
        let (report, _) = try build([base, cur], compare: (0, 1))
        let c = try #require(report.comparison)
        #expect(c.pairs == 5 && c.excludedInvalid == 1 && c.baselineOnly == 0 && c.currentOnly == 0)
        #expect(c.mcnemar.passToFail == 2 && c.mcnemar.failToPass == 2 && c.mcnemar.bothPass == 0 && c.mcnemar.bothFail == 1)
        #expect(close(c.mcnemar.pValue, 1))
        // Task-balanced deltas: phys.a pairs (80→30, 40→70, 0→0, 40→90) mean Δ = +7.5; chem.b (100→0) Δ = −100.
        #expect(close(c.overall.delta, (7.5 - 100) / 2))
        #expect(close(c.levels["b2"]?.delta, 25))
        #expect(c.gateChanges == [.init(gate: "file_match", newlyFailing: 1, newlyPassing: 0)])
        #expect(c.passToFail.first?.reasons == ["file_match: dos.npy: shape (2, 100) expected (2, 200)"])
        let fields = Set(c.provenanceDifferences.map(\.field))
        #expect(fields.contains("timeout (s)") && fields.contains("agent") && fields.contains("agent command"))
    }

    @Test func everyFormatParsesBackAndIsDeterministic() throws {
        let tmp = try TestSupport.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let a = try ReportFixture.write(in: tmp, name: "a")
        let b = try ReportFixture.write(agent: "beta", in: tmp, name: "b")
        let (report, _) = try build([a, b], compare: (0, 1))
        let (again, _) = try build([a, b], compare: (0, 1))
        for f in ReportFormat.allCases { #expect(try report.rendered(f) == again.rendered(f), "\(f) is deterministic") }
        // JSON decodes to the same report (levelScores are in-memory only).
        let decoded = try JSONDecoder().decode(Report.self, from: Data(try report.rendered(.json).utf8))
        var expected = report
        for i in expected.runs.indices { expected.runs[i].levelScores = [:] }
        #expect(decoded == expected)
        // CSV: one header, fixed columns, the overall row carries the task-balanced mean.
        let lines = try report.rendered(.csv).split(separator: "\n").map(String.init)
        #expect(lines.first == ReportCSV.columns.joined(separator: ","))
        let overall = try #require(lines.first { $0.hasPrefix("alpha,alpha,overall,") }).split(separator: ",", omittingEmptySubsequences: false)
        #expect(overall.count == ReportCSV.columns.count && Double(overall[6]) == 70)
        #expect(lines.contains { $0.hasPrefix("beta vs alpha,beta,delta,") })
        // Markdown: every table row has as many cells as its header.
        var cells: Int?
        for line in try report.rendered(.markdown).split(separator: "\n") {
            guard line.hasPrefix("|") else { cells = nil; continue }
            let n = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            if let c = cells { #expect(n == c, "\(line)") } else { cells = n }
        }
        let text = try report.rendered(.text)
        #expect(text.contains("Comparison: beta against alpha") && text.contains("70.00"))
    }

    @Test func repeatedAgentNamesGetDistinctLabels() throws {
        let tmp = try TestSupport.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let (report, _) = try build([try ReportFixture.write(in: tmp, name: "one"), try ReportFixture.write(in: tmp, name: "two")])
        #expect(report.runs.map(\.label) == ["alpha@one", "alpha@two"])
    }
}

@Suite("Report CLI", .serialized)
struct ReportCLITests {
    @Test func writesFilesDeterministicallyAndValidateIgnoresThem() async throws {
        let tmp = try TestSupport.temporaryDirectory("report-cli")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = try ReportFixture.write(in: tmp)
        let args = ["report", "--output-dir", dir.path, "--format", "json", "--timestamp", "2026-01-01T00:00:00Z"]
        let first = try await TestSupport.runCLI(args)
        let second = try await TestSupport.runCLI(args)
        #expect(first.code == 0, "\(first.err)")
        #expect(first.out == second.out && !first.out.isEmpty, "same input, same bytes")
        let report = try JSONDecoder().decode(Report.self, from: Data(first.out.utf8))
        #expect(report.runs.first.map { abs(($0.overall.mean ?? 0) - 70) < 1e-9 } == true)
        for name in ["report.html", "summary.md", "summary.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report/\(name)").path), "\(name) written")
        }
        let html1 = try Data(contentsOf: dir.appendingPathComponent("report/report.html"))
        _ = try await TestSupport.runCLI(args)
        #expect(try Data(contentsOf: dir.appendingPathComponent("report/report.html")) == html1, "HTML is byte-identical with a pinned timestamp")
        let validate = try await TestSupport.runCLI(["validate", dir.path])
        #expect(validate.code == 0, "report/ is not part of the manifest: \(validate.out) \(validate.err)")
    }

    @Test func compareAndFormats() async throws {
        let tmp = try TestSupport.temporaryDirectory("report-cli")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let a = try ReportFixture.write(in: tmp, name: "a")
        var changed = ReportFixture.standard
        changed[0].score = 10
        let b = try ReportFixture.write(changed, agent: "beta", in: tmp, name: "b")
        let csv = try await TestSupport.runCLI(["report", "--compare", a.path, b.path, "--format", "csv", "--no-write"])
        #expect(csv.code == 0, "\(csv.err)")
        #expect(csv.out.contains("beta vs alpha,beta,delta,"))
        let md = try await TestSupport.runCLI(["report", "--compare", a.path, b.path, "--format", "markdown", "--no-write"])
        #expect(md.out.contains("## Comparison: beta against alpha") && md.out.contains("pass→fail 1"))
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent("report").path), "--no-write writes nothing")
        // A folder holding run directories is searched.
        let all = try await TestSupport.runCLI(["report", "--output-dir", tmp.path, "--no-write"])
        #expect(all.code == 0 && all.out.contains("alpha") && all.out.contains("beta"))
    }

    @Test func badInputAndStrict() async throws {
        let tmp = try TestSupport.temporaryDirectory("report-cli")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let missing = try await TestSupport.runCLI(["report", "--output-dir", tmp.appendingPathComponent("nope").path])
        #expect(missing.code == 2 && missing.err.contains("does not exist"))
        let empty = try await TestSupport.runCLI(["report", "--output-dir", tmp.path])
        #expect(empty.code == 2 && empty.err.contains("holds no run directory"))
        let one = try await TestSupport.runCLI(["report", "--compare", tmp.path])
        #expect(one.code == 2 && one.err.contains("--compare takes two runs"))
        let dir = try ReportFixture.write(in: tmp)
        try Data("extra".utf8).write(to: dir.appendingPathComponent("phys.a/stray.txt"))
        let lenient = try await TestSupport.runCLI(["report", "--output-dir", dir.path, "--no-write", "--format", "json"])
        #expect(lenient.code == 0 && lenient.err.contains("validation found problems"), "warnings go to stderr for machine formats")
        let strict = try await TestSupport.runCLI(["report", "--output-dir", dir.path, "--no-write", "--strict"])
        #expect(strict.code == 1 && strict.out.contains("TAMPERED"))
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Headless Chromium renders the HTML report without console errors (Scripts/setup.sh installs it; skipped when absent).
    @Test(.enabled(if: chromium != nil, "chromium is not installed (Scripts/setup.sh installs it when it can)"))
    func htmlRendersInChromiumWithoutConsoleErrors() async throws {
        let tmp = try TestSupport.temporaryDirectory("report-cli")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let a = try ReportFixture.write(in: tmp, name: "a")
        let b = try ReportFixture.write(agent: "beta", in: tmp, name: "b")
        let html = tmp.appendingPathComponent("r.html")
        let made = try await TestSupport.runCLI(["report", "--compare", a.path, b.path, "--html", html.path, "--timestamp", "T"])
        #expect(made.code == 0, "\(made.err)")
        let png = tmp.appendingPathComponent("r.png")
        let result = try await Subprocess.run(.path("/bin/bash"), arguments: [TestSupport.repo.appendingPathComponent("Scripts/report-screenshot.sh").path, html.path, png.path],
                                              output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(result.terminationStatus == .exited(0), "\(result.standardOutput) \(result.standardError)")
        #expect(result.standardOutput.contains("ok: no console error"))
        let size = (try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "a real screenshot was written")
    }
}
