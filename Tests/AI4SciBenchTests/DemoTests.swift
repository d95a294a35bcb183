import Foundation
import Subprocess
import Testing
@testable import AI4SciBench

/// The README's main job, reduced (two tasks, two levels), end to end through the real script and CLI.
@Suite("Demo", .serialized)
struct DemoTests {
    @Test(.timeLimit(.minutes(10))) func reducedDemoShowsTheExpectedPattern() async throws {
        let tmp = try TestSupport.temporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("demo")
        let result = try await Subprocess.run(
            .path("/bin/bash"), arguments: [TestSupport.repo.appendingPathComponent("Scripts/demo.sh").path],
            environment: .inherit.updating(["DEMO_BIN": TestSupport.cli.path, "DEMO_OUTPUT": out.path,
                                            "DEMO_TASKS": "physics.sod_shock_tube,chemistry.consecutive_reactions", "DEMO_LEVELS": "b1,b4"]),
            output: .string(limit: 1 << 22), error: .string(limit: 1 << 22))
        let stdout = result.standardOutput
        #expect(result.terminationStatus == .exited(0), "\(stdout.suffix(3000)) \(result.standardError)")
        #expect(stdout.contains("HTML report: \(out.path)/report/report.html"))
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: out.appendingPathComponent("report/summary.json")))
        func run(_ label: String) throws -> AgentRunSummary { try #require(report.runs.first { $0.label == label }, "run \(label)") }

        let oracle = try run("oracle"), coarse = try run("coarse"), lazy = try run("lazy"), cheater = try run("cheater")
        for r in [oracle, coarse, lazy, cheater] {
            #expect(r.outcomes.results == 4, "\(r.label): 2 tasks × 2 levels")
            #expect(r.health.isClean, "\(r.label): \(r.health.examples)")
            #expect(r.sandbox.enforced == 4 && r.sandbox.degraded == 0 && r.sandbox.unsandboxed == 0, "\(r.label): every run enforced")
        }
        #expect(oracle.overall.mean == 100)
        #expect((coarse.overall.mean ?? 0) > 0 && (coarse.overall.mean ?? 100) < 100, "coarse: partial credit, got \(String(describing: coarse.overall.mean))")
        #expect(lazy.overall.mean == 0 && lazy.gates.hardFailedResults == 4, "lazy: 0 by failed hard gates")
        #expect(cheater.overall.mean == 0, "cheater found nothing to copy")
        #expect(cheater.outcomes.scored + cheater.outcomes.agentFailed == 4)
        #expect(oracle.usage.observed == 4 && oracle.usage.inputTokens > 0, "demo agents report token usage")
        let validate = try await TestSupport.runCLI(["validate", out.path])
        #expect(validate.code == 0, "\(validate.out) \(validate.err)")
    }
}
