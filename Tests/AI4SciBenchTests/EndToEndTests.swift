import Foundation
import Testing
@testable import AI4SciBench

/// A bundled task run through the whole pipeline with the demo agents, in the seccomp sandbox.
@Suite(.serialized) struct EndToEndTests {
    func run(agent: AgentCommand, levels: [PromptLevel], timeout: Double = 120, sandbox: SandboxMode = .seccomp, out: URL,
             binds: [URL] = []) async throws -> RunSummary {
        let config = RunConfiguration(tasksDirectory: TestSupport.tasks, taskIDs: ["physics.sod_shock_tube"], levels: levels,
                                      instancesPerTask: 1, seed: 3, agentCommand: agent, sandbox: sandbox, timeoutSeconds: timeout,
                                      outputDirectory: out, readOnlyBinds: binds)
        return try await BenchmarkRunner(config: config).run()
    }

    @Test(.timeLimit(.minutes(3))) func oracleScoresFullAtEveryLevelWithVerifiedSeccomp() async throws {
        let out = try TestSupport.temporaryDirectory("e2e-oracle")
        defer { try? FileManager.default.removeItem(at: out) }
        let summary = try await run(agent: try TestSupport.agent("oracle"), levels: PromptLevel.allCases, out: out)
        #expect(summary.results.count == 4)
        for r in summary.results {
            #expect(r.outcome == .scored, "\(r.instanceID): \(r.message ?? "")")
            #expect(abs((r.finalScore ?? -1) - 100) < 1e-9, "\(r.instanceID) scored \(String(describing: r.finalScore))")
            #expect(r.hardGatesPassed == true)
            #expect(r.requestedMode == .seccomp)
            #expect(r.effectiveMode == .seccomp)
            #expect(r.enforcementStatus == .enforced)
            #expect(r.verificationStatus == .verified)
            #expect(r.usage.coverage == .observed)
            #expect(r.resources?.exitCode == 0)
        }
        let ids = summary.results.map(\.instanceID)
        #expect(ids == ["b1", "b2", "b3", "b4"].map { "physics.sod_shock_tube__seed3__\($0)" })
        // The files of the result contract exist and agree with what was returned.
        let task = out.appendingPathComponent("physics.sod_shock_tube")
        let first = task.appendingPathComponent("physics.sod_shock_tube__seed3__b1.json")
        let json = try JSONValue.parse(try Data(contentsOf: first))
        #expect(json["schema"] == "ai4sci_bench_instance_result")
        #expect(json["final_score"]?.doubleValue == summary.results[0].finalScore)
        // Provenance rests on evidence read back from the running agent, recorded beside it.
        #expect(json["sandbox"]?["proc_status"]?["Seccomp"] == 2)
        #expect(json["sandbox"]?["proc_status"]?["NoNewPrivs"] == 1)
        #expect(json["sandbox"]?["policy_sha256"]?.stringValue?.count == 64)
        #expect(json["agent"]?["name"] == "oracle")
        #expect(summary.results[0].gateResults.compactMap { $0["name"]?.stringValue } == ["file_match", "file_match#2", "code_analysis"])
        for suffix in [".agent_stdout.jsonl", ".agent_stderr.log", ".outputs/density.npy", ".outputs/solver.py"] {
            #expect(FileManager.default.fileExists(atPath: task.appendingPathComponent("physics.sod_shock_tube__seed3__b1" + suffix).path), "\(suffix)")
        }
        let meta = try JSONValue.parse(try Data(contentsOf: out.appendingPathComponent("run_metadata.json")))
        #expect(meta["status"] == "finished")
        #expect(meta["seed"] == 3)
        #expect(meta["prompt_levels"] == ["b1", "b2", "b3", "b4"])
        // Artifact hashes match the files on disk.
        for a in summary.results[0].artifacts {
            #expect(try AtomicFile.sha256(of: out.appendingPathComponent(a.path)).hex == a.sha256)
        }
    }

    @Test(.timeLimit(.minutes(2))) func oracleInTheTaskSandboxScoresFullWithVerifiedIsolation() async throws {
        let out = try TestSupport.temporaryDirectory("e2e-task")
        defer { try? FileManager.default.removeItem(at: out) }
        // The oracle reads the reference solution: the tasks folder is bound read-only, as the demo does.
        let summary = try await run(agent: try TestSupport.agent("oracle"), levels: [.b2], sandbox: .task, out: out, binds: [TestSupport.tasks])
        let r = try #require(summary.results.first)
        #expect(r.finalScore == 100, "\(r.message ?? "")")
        #expect(r.effectiveMode == .task)
        #expect(r.enforcementStatus == .enforced)
        #expect(r.verificationStatus == .verified)
        #expect(r.sandbox["proc_status"]?["CapEff"] == "0000000000000000")
        // The run's own processes are counted in its pid namespace: init, the shell, python and the solver.
        #expect((r.resources?.processesStarted ?? 0) >= 3, "\(String(describing: r.resources))")
        #expect((r.resources?.workspaceBytes ?? 0) > 4 * 8 * 200, "outputs of >= 200 cells were written")
        // Without the bind the oracle cannot see the solution: the run fails instead of scoring.
        let hidden = try await run(agent: try TestSupport.agent("oracle"), levels: [.b2], sandbox: .task, out: out.appendingPathComponent("hidden"))
        #expect(hidden.results.first?.outcome == .agentFailed)
    }

    @Test(.timeLimit(.minutes(2))) func degradedGetsPartialCreditAndLazyFailsTheGate() async throws {
        let out = try TestSupport.temporaryDirectory("e2e-partial")
        defer { try? FileManager.default.removeItem(at: out) }
        let degraded = try await run(agent: try TestSupport.agent("coarse"), levels: [.b2], out: out.appendingPathComponent("d"))
        let d = try #require(degraded.results.first)
        #expect(d.outcome == .scored)
        #expect((d.finalScore ?? 0) > 0 && (d.finalScore ?? 100) < 100, "degraded scored \(String(describing: d.finalScore))")
        let lazy = try await run(agent: try TestSupport.agent("lazy"), levels: [.b3], out: out.appendingPathComponent("l"))
        let l = try #require(lazy.results.first)
        #expect(l.outcome == .scored)
        #expect(l.finalScore == 0)
        #expect(l.hardGatesPassed == false)
        #expect(l.gateResults.contains { $0["passed"] == false && ($0["message"]?.stringValue ?? "").contains("solver.py") })
    }

    @Test(.timeLimit(.minutes(2))) func failingAndHangingAgentsAreRecordedNotScored() async throws {
        let out = try TestSupport.temporaryDirectory("e2e-fail")
        defer { try? FileManager.default.removeItem(at: out) }
        let failing = try await run(agent: try AgentCommand(template: "sh -c 'echo oops >&2; exit 3'"), levels: [.b1], out: out.appendingPathComponent("f"))
        let f = try #require(failing.results.first)
        #expect(f.outcome == .agentFailed)
        #expect(f.agentStatus == .failed)
        #expect(f.finalScore == 0)
        #expect(f.resources?.exitCode == 3)
        #expect(f.message?.contains("exited 3") == true)
        let stderr = try String(contentsOf: out.appendingPathComponent("f/physics.sod_shock_tube/physics.sod_shock_tube__seed3__b1.agent_stderr.log"), encoding: .utf8)
        #expect(stderr.contains("oops"))

        let hanging = try await run(agent: try AgentCommand(template: "sleep 30"), levels: [.b1], timeout: 1, out: out.appendingPathComponent("h"))
        let h = try #require(hanging.results.first)
        #expect(h.agentStatus == .timeout)
        #expect(h.outcome == .agentFailed)
        #expect((h.resources?.wallSeconds ?? 99) < 15)
        #expect(h.message?.contains("timeout") == true)
    }

    @Test(.timeLimit(.minutes(2))) func cancellationStopsTheAgentAndMarksTheRunInterrupted() async throws {
        let out = try TestSupport.temporaryDirectory("e2e-cancel")
        defer { try? FileManager.default.removeItem(at: out) }
        let marker = "AI4SCI_CANCEL_MARK=\(UInt32.random(in: 0...UInt32.max))"
        let agent = try AgentCommand(template: "sh -c 'export \(marker); setsid sleep 301 & exec sleep 302'")
        let task = Task { try await run(agent: agent, levels: [.b1, .b2], out: out) }
        // Wait until both sleeps run (the setsid one in its own session), then cancel as SIGINT would.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, Self.processes(withEnvironment: marker).count < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Self.processes(withEnvironment: marker).count >= 2, "the agent never started")
        task.cancel()
        await #expect(throws: (any Error).self) { try await task.value }
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.processes(withEnvironment: marker).isEmpty, "survivors: \(Self.processes(withEnvironment: marker))")
        let meta = try JSONValue.parse(try Data(contentsOf: out.appendingPathComponent("run_metadata.json")))
        #expect(meta["status"] == "interrupted")
    }

    /// PIDs whose environment holds the `NAME=value` entry `entry`.
    static func processes(withEnvironment entry: String) -> [Int32] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.filter { pid in
            guard let raw = fm.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return raw.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == entry }
        }
    }

    @Test(.timeLimit(.minutes(2))) func unsandboxedRunsAreLabelledSo() async throws {
        let out = try TestSupport.temporaryDirectory("e2e-none")
        defer { try? FileManager.default.removeItem(at: out) }
        let s = try await run(agent: try TestSupport.agent("lazy"), levels: [.b1], sandbox: .none, out: out)
        let r = try #require(s.results.first)
        #expect(r.requestedMode == .none)
        #expect(r.effectiveMode == .none)
        #expect(r.enforcementStatus == .notRequested)
        #expect(r.verificationStatus == .notApplicable)
    }
}
