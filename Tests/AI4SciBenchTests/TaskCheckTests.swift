import Foundation
import Testing
@testable import AI4SciBench

/// `tasks check`: every bundled task proves its scoring through the real pipeline (one seed in CI, all four levels).
@Suite("Task check", .serialized)
struct TaskCheckTests {
    @Test(.timeLimit(.minutes(15))) func everyBundledTaskPassesItsSelfCheck() async throws {
        let r = try await TestSupport.runCLI(["tasks", "check", "--tasks-dir", TestSupport.tasks.path, "--seeds", "1", "--quiet"])
        #expect(r.code == 0, "\(r.out)\n\(r.err)")
        #expect(r.out.contains("every expectation holds"), "\(r.out)")
        let catalog = try TaskCatalog.load(root: TestSupport.tasks, registry: ScorerRegistry())
        let tasks = try catalog.select(ids: [], includeAbandoned: false)
        #expect(tasks.count >= 8, "at least 8 bundled tasks")
        #expect(Set(tasks.map(\.domain)).count >= 5, "across at least 5 domains: \(Set(tasks.map(\.domain)).sorted())")
        #expect(catalog.issues.isEmpty, "bundled tasks validate with no warnings: \(catalog.issues)")
        // One row per task and role; every role ran 4 levels and passed them all.
        for t in tasks {
            for role in TaskSelfCheck.Role.allCases {
                let row = r.out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
                    .first { $0.count > 2 && $0[0] == t.id && $0[1] == role.rawValue }
                // The row ends with RUNS PASSED "min – max".
                let counts = row.map { $0.count >= 5 ? [$0[$0.count - 5], $0[$0.count - 4]] : [] } ?? []
                #expect(counts == ["4", "4"], "\(t.id) \(role.rawValue): \(row ?? [])")
            }
        }
    }

    @Test(.timeLimit(.minutes(5))) func aTaskWhoseReferenceMissesFullMarksFails() async throws {
        let tmp = try TestSupport.temporaryDirectory("taskcheck")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("chemistry/consecutive_reactions")
        try FileManager.default.createDirectory(at: dir.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestSupport.tasks.appendingPathComponent("chemistry/consecutive_reactions"), to: dir)
        try FileManager.default.copyItem(at: TestSupport.tasks.appendingPathComponent("_common"), to: tmp.appendingPathComponent("_common"))
        // The "reference" now always answers like the degraded solution.
        let solve = dir.appendingPathComponent("solution/solve.py")
        let text = try String(contentsOf: solve, encoding: .utf8)
        try (text + "\n").replacingOccurrences(of: "if __name__ == \"__main__\":", with: "if __name__ == \"__main__\":\n    import sys\n    sys.argv.append(\"--degrade\")")
            .write(to: solve, atomically: true, encoding: .utf8)
        let r = try await TestSupport.runCLI(["tasks", "check", "chemistry.consecutive_reactions", "--tasks-dir", tmp.path,
                                              "--seeds", "1", "--prompt-levels", "b1", "--sandbox", "seccomp"])
        #expect(r.code == 1, "\(r.out)\n\(r.err)")
        #expect(r.err.contains("FAIL chemistry.consecutive_reactions") && r.err.contains("[reference]: reference solution scored"), "\(r.err)")
    }
}
