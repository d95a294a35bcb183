import Foundation
import Testing
@testable import AI4SciBench

#if canImport(Glibc)
import Glibc
#endif

/// `batch-run --resume`: crash points, kill -9, SIGINT, changed configuration.
@Suite(.serialized) struct BatchResumeTests {
    static let levels = "b1,b2,b3,b4"
    func id(_ level: String) -> String { "t/\(BatchSupport.task)__seed42__\(level)" }

    @Test(.timeLimit(.minutes(1))) func resumeRerunsExactlyTheUnfinishedItemsAfterSimulatedCrashes() async throws {
        let dir = try TestSupport.temporaryDirectory("batch-resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let first = try await TestSupport.runCLI(BatchSupport.args(out: out, levels: Self.levels))
        #expect(first.code == 0, "\(first.err)")
        // b1: planned only (crash before it started); b2: started, result file written, no finished line;
        // b3: finished, but its result file changed afterwards (sha256 mismatch); b4: finished cleanly.
        // And a torn half-written last line.
        let b1 = id("b1"), b2 = id("b2"), b3 = id("b3")
        try BatchSupport.rewriteJournal(out, keep: { line in
            if line.contains("\"batch_finished\"") { return false }
            if line.contains("\"item\":\"\(b1)\"") { return line.contains("\"planned\"") }
            if line.contains("\"item\":\"\(b2)\"") { return !line.contains("\"finished\"") }
            return true
        }, append: "{\"type\":\"started\",\"item\":\"\(b1)\",\"att")
        let b3result = out.appendingPathComponent("t/\(BatchSupport.task)/\(BatchSupport.task)__seed42__b3.json")
        try Data((try String(contentsOf: b3result, encoding: .utf8) + " ").utf8).write(to: b3result)
        let b4before = try BatchSupport.records(out, "finished").filter { $0["item"]?.stringValue == id("b4") }

        let state = try BatchState.rebuild(batchDirectory: out)
        #expect(state.skippedLines == 1)
        #expect(!state.isFinished(b1) && !state.isFinished(b2) && !state.isFinished(b3) && state.isFinished(id("b4")))

        let resumed = try await TestSupport.runCLI(["batch-run", "--resume", out.path, "--jobs", "2"])
        #expect(resumed.code == 0, "\(resumed.err)")
        let records = try BatchSupport.journal(out)
        let resumeStart = records.lastIndex { $0["type"]?.stringValue == "batch_started" } ?? 0
        let after = records[resumeStart...]
        #expect(after.first?["resume"]?.boolValue == true)
        let rerun = after.filter { $0["type"]?.stringValue == "started" }.compactMap { $0["item"]?.stringValue }
        #expect(Set(rerun) == [b1, b2, b3] && rerun.count == 3, "\(rerun)")
        // b2's attempt 1 is kept and marked interrupted; it ran again as attempt 2.
        let interrupted = after.filter { $0["type"]?.stringValue == "interrupted" }
        #expect(interrupted.map { $0["item"]?.stringValue } == [b2] && interrupted.first?["attempt"]?.intValue == 1)
        let startedAttempt = { (i: String) in after.first { $0["type"]?.stringValue == "started" && $0["item"]?.stringValue == i }?["attempt"]?.intValue }
        #expect(startedAttempt(b1) == 1 && startedAttempt(b2) == 2 && startedAttempt(b3) == 2)
        let attempts = out.appendingPathComponent("t/\(BatchSupport.task)/attempts")
        #expect(FileManager.default.fileExists(atPath: attempts.appendingPathComponent("\(BatchSupport.task)__seed42__b2.attempt1.json").path))
        #expect(FileManager.default.fileExists(atPath: attempts.appendingPathComponent("\(BatchSupport.task)__seed42__b2.attempt2.json").path))
        #expect(try BatchSupport.records(out, "finished").filter { $0["item"]?.stringValue == id("b4") }.count == b4before.count)
        #expect(try BatchSupport.items(out, "planned").count == 4, "the plan is not written twice")
        #expect(after.last?["type"]?.stringValue == "batch_finished")
        #expect(try BatchSupport.completenessProblems(out).isEmpty)

        // A finished batch resumes to a no-op.
        let again = try await TestSupport.runCLI(["batch-run", "--resume", out.path])
        #expect(again.code == 0)
        #expect(try BatchSupport.journal(out).suffix(2).first?["type"]?.stringValue == "batch_started")
    }

    @Test(.timeLimit(.minutes(1))) func killNineThenResumeLosesAndRepeatsNothing() async throws {
        let dir = try TestSupport.temporaryDirectory("batch-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let p = try BatchSupport.spawn(BatchSupport.args(out: out, agentCmd: "sleep 0.4", levels: Self.levels, extra: ["--repeats", "3", "-q"]),
                                       logs: dir.appendingPathComponent("log"))
        // Kill once a few items have finished and others are running.
        let reached = try await BatchSupport.waitUntil { try BatchSupport.records(out, "finished").count >= 3 }
        #expect(reached)
        kill(p.processIdentifier, SIGKILL)
        #expect(try await BatchSupport.wait(p) == 137)
        let before = try BatchSupport.records(out, "finished")
        #expect(before.count < 12, "killed mid-run")
        let r = try await TestSupport.runCLI(["batch-run", "--resume", out.path, "-q"])
        #expect(r.code == 0, "\(r.err)")
        let after = try BatchSupport.records(out, "finished")
        for old in before { #expect(after.contains { $0["item"] == old["item"] && $0["attempt"] == old["attempt"] }) }
        // Items finished before the kill were not run again.
        let finishedBefore = Set(before.compactMap { $0["item"]?.stringValue })
        #expect(after.filter { finishedBefore.contains($0["item"]?.stringValue ?? "") }.count == before.count)
        #expect(Set(after.compactMap { $0["item"]?.stringValue }).count == 12)
        let problems = try BatchSupport.completenessProblems(out)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(.timeLimit(.minutes(1))) func sigintStopsAgentsWritesTheJournalAndExits130() async throws {
        let dir = try TestSupport.temporaryDirectory("batch-sigint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let marker = "31.\(Int.random(in: 100_000...999_999))"
        let p = try BatchSupport.spawn(BatchSupport.args(out: out, agentCmd: "sleep \(marker)", levels: Self.levels),
                                       logs: dir.appendingPathComponent("log"))
        let running = try await BatchSupport.waitUntil { BatchSupport.processes(containing: "sleep \(marker)").count >= 2 }
        #expect(running)
        kill(p.processIdentifier, SIGINT)
        #expect(try await BatchSupport.wait(p) == 130)
        #expect(BatchSupport.processes(containing: "sleep \(marker)").isEmpty, "no agent left behind")
        let records = try BatchSupport.journal(out)
        #expect(records.last?["type"]?.stringValue == "batch_interrupted")
        #expect(records.filter { $0["type"]?.stringValue == "interrupted" }.count == 2)
        #expect(try BatchSupport.records(out, "finished").isEmpty)
        let state = try BatchState.rebuild(batchDirectory: out)
        #expect(state.items.values.allSatisfy { $0.openAttempts.isEmpty })
    }

    @Test(.timeLimit(.minutes(1))) func changedConfigurationIsRefusedUnlessForced() async throws {
        let dir = try TestSupport.temporaryDirectory("batch-force")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        #expect(try await TestSupport.runCLI(BatchSupport.args(out: out, levels: "b1")).code == 0)
        let resumeArgs = ["batch-run", "--resume", out.path, "--tasks-dir", TestSupport.tasks.path, "--tasks", BatchSupport.task,
                          "--prompt-levels", "b1,b2", "--sandbox", "seccomp", "--agent-cmd", "true", "--agent-name", "t"]
        let refused = try await TestSupport.runCLI(resumeArgs)
        #expect(refused.code == 2)
        #expect(refused.err.contains("prompt_levels") && refused.err.contains("plan differs"), "\(refused.err)")
        #expect(try BatchSupport.records(out, "batch_started").count == 1, "nothing was written")
        let forced = try await TestSupport.runCLI(resumeArgs + ["--force"])
        #expect(forced.code == 0, "\(forced.err)")
        let batch = try JSONValue.parse(try Data(contentsOf: out.appendingPathComponent("batch.json"))).objectValue ?? [:]
        #expect(batch["force_overrides"]?.arrayValue?.count == 1)
        #expect(try BatchSupport.records(out, "batch_started").last?["force"]?.boolValue == true)
        #expect(Set(try BatchSupport.items(out, "started")) == [id("b1"), id("b2")], "only the new item ran")
        // A new batch may not overwrite an existing one.
        #expect(try await TestSupport.runCLI(BatchSupport.args(out: out, levels: "b1")).code == 2)
    }
}
