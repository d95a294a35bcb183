import Foundation
import Testing
@testable import AI4SciBench

/// `batch-run`: planning, agents files, repeats, shared generation, retries.
@Suite(.serialized) struct BatchRunTests {
    @Test(.timeLimit(.minutes(1))) func plansEverythingFirstWithRepeatIdsAndSharedGeneration() async throws {
        let dir = try TestSupport.temporaryDirectory("batch-plan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let agents = dir.appendingPathComponent("agents.yaml")
        try """
            agents:
              - {name: a1, cmd: 'true'}
              - {name: a2, cmd: "sh -c 'echo hi >&2'", timeout: 30}
            """.write(to: agents, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try await TestSupport.runCLI(["batch-run", "--tasks-dir", TestSupport.tasks.path, "--tasks", BatchSupport.task,
                                               "--prompt-levels", "b1,b3", "--repeats", "2", "--sandbox", "seccomp",
                                               "--agents", agents.path, "--jobs", "2", "--output-dir", out.path])
        #expect(r.code == 0, "\(r.err)")
        let types = try BatchSupport.journal(out).compactMap { $0["type"]?.stringValue }
        #expect(types.first == "batch_started")
        #expect(types.last == "batch_finished")
        let lastPlanned = types.lastIndex(of: "planned") ?? -1
        let firstStarted = types.firstIndex(of: "started") ?? -1
        #expect(lastPlanned >= 0 && firstStarted > lastPlanned, "every planned line precedes the first start")
        let planned = try BatchSupport.items(out, "planned")
        let expected = ["a1", "a2"].flatMap { a in ["b1", "b3"].flatMap { l in (1...2).map { "\(a)/\(BatchSupport.task)__seed42__\(l)__r\($0)" } } }
        #expect(planned == expected)
        #expect(Set(try BatchSupport.items(out, "finished")) == Set(expected))
        // One instance (one task, one seed) serves 2 agents × 2 levels × 2 repeats: generated once.
        #expect(r.err.components(separatedBy: "generating ").count - 1 == 1, "\(r.err)")
        for id in expected {
            let parts = id.split(separator: "/")
            let result = out.appendingPathComponent("\(parts[0])/\(BatchSupport.task)/\(parts[1]).json")
            let json = try JSONValue.parse(try Data(contentsOf: result)).objectValue ?? [:]
            #expect(json["instance_id"]?.stringValue == String(parts[1]))
            #expect(json["attempt"]?.intValue == 1)
        }
        let batch = try JSONValue.parse(try Data(contentsOf: out.appendingPathComponent("batch.json"))).objectValue ?? [:]
        #expect(batch["schema"]?.stringValue == "ai4sci_bench_batch")
        #expect(batch["items"]?.intValue == 8)
        #expect(batch["config_hash"]?.stringValue?.count == 64)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("a2/run_metadata.json").path))
        #expect(try BatchSupport.completenessProblems(out).isEmpty)
    }

    @Test(.timeLimit(.minutes(1))) func badAgentFilesStopBeforeAnythingStarts() async throws {
        let dir = try TestSupport.temporaryDirectory("batch-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String)] = [
            ("agents:\n  - {name: x, cmd: 'true'}\n  - {name: x, cmd: 'true'}\n", "agents[1].name"),
            ("agents:\n  - {name: 'bad name', cmd: 'true'}\n", "agents[0].name"),
            ("agents:\n  - {name: x}\n", "agents[0].cmd"),
            ("agents:\n  - {name: x, cmd: 'no-such-program-xyz --flag'}\n", "agents[0].cmd"),
            ("agents:\n  - {name: x, builtin: oracle}\n", "agents[0].builtin"),
            ("agents:\n  - {name: x, cmd: 'true', sandbox: tight}\n", "agents[0].sandbox"),
            ("agents: [\n", "agents.yaml"),
        ]
        for (i, (text, key)) in cases.enumerated() {
            let file = dir.appendingPathComponent("agents.yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent("out\(i)")
            let r = try await TestSupport.runCLI(["batch-run", "--tasks-dir", TestSupport.tasks.path, "--tasks", BatchSupport.task,
                                                   "--agents", file.path, "--output-dir", out.path])
            #expect(r.code == 2, "case \(i): \(r.err)")
            #expect(r.err.contains("agents.yaml"), "case \(i) names the file: \(r.err)")
            #expect(r.err.contains(key), "case \(i) names \(key): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "case \(i): nothing started")
        }
        // A batch file: the error names it and the key; a flag overrides a bad value in it.
        let config = dir.appendingPathComponent("batch.yaml")
        try "agent_cmd: 'true'\nrepeats: zero\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try await TestSupport.runCLI(["batch-run", "--config", config.path, "--tasks-dir", TestSupport.tasks.path,
                                                 "--output-dir", dir.appendingPathComponent("c").path])
        #expect(bad.code == 2 && bad.err.contains("batch.yaml") && bad.err.contains("repeats"), "\(bad.err)")
        let unknown = try await TestSupport.runCLI(BatchSupport.args(out: dir.appendingPathComponent("u")) + ["--tasks", "no.such_task"])
        #expect(unknown.code == 2, "\(unknown.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("u").path))
    }

    @Test(.timeLimit(.minutes(1))) func batchFileSettingsAreOverriddenByFlags() throws {
        let dir = try TestSupport.temporaryDirectory("batch-cfg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("batch.yaml")
        try "agent_cmd: 'true'\nrepeats: 3\njobs: 1\nprompt_levels: [b1, b4]\nsandbox: none\n".write(to: file, atomically: true, encoding: .utf8)
        let (c, _) = try BatchConfigParser.parse(file: file, overrides: ["repeats": 2, "sandbox": "seccomp"])
        #expect(c.repeats == 2 && c.jobs == 1 && c.levels == [.b1, .b4] && c.sandbox == .seccomp)
        #expect(c.agents.map(\.name) == ["true"])
    }

    @Test(.timeLimit(.minutes(1))) func retriesKeepEveryAttempt() async throws {
        let dir = try TestSupport.temporaryDirectory("batch-retry")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A pre-generated instance whose params_used lacks n_cells, which the gates' templates need:
        // the evaluation is invalid every time.
        let instances = dir.appendingPathComponent("instances")
        let gen = try await TestSupport.runCLI(["tasks", "generate", BatchSupport.task, "--tasks-dir", TestSupport.tasks.path,
                                                 "--output-dir", instances.path, "--sandbox", "seccomp"])
        #expect(gen.code == 0, "\(gen.err)")
        let meta = instances.appendingPathComponent("\(BatchSupport.task)__seed42/instance_meta.json")
        var object = try JSONValue.parse(try Data(contentsOf: meta)).objectValue ?? [:]
        var params = object["params_used"]?.objectValue ?? [:]
        params["n_cells"] = nil
        object["params_used"] = .object(params)
        try AtomicFile.writeJSON(JSONValue.object(object), to: meta)
        let out = dir.appendingPathComponent("out")
        let r = try await TestSupport.runCLI(BatchSupport.args(out: out, levels: "b1", extra: ["--retries", "2", "--instances-dir", instances.path]))
        #expect(r.code == 0, "\(r.err)")
        let id = "t/\(BatchSupport.task)__seed42__b1"
        let finished = try BatchSupport.records(out, "finished")
        #expect(finished.compactMap { $0["attempt"]?.intValue } == [1, 2, 3])
        #expect(finished.allSatisfy { $0["outcome"]?.stringValue == "evaluation_invalid" })
        let attempts = out.appendingPathComponent("t/\(BatchSupport.task)/attempts")
        for n in 1...3 {
            #expect(FileManager.default.fileExists(atPath: attempts.appendingPathComponent("\(BatchSupport.task)__seed42__b1.attempt\(n).json").path))
        }
        for n in 1...2 {
            #expect(FileManager.default.fileExists(atPath: attempts.appendingPathComponent("\(BatchSupport.task)__seed42__b1.attempt\(n).agent_stdout.jsonl").path))
        }
        let final = try JSONValue.parse(try Data(contentsOf: out.appendingPathComponent("t/\(BatchSupport.task)/\(BatchSupport.task)__seed42__b1.json")))
        #expect(final.objectValue?["attempt"]?.intValue == 3)
        #expect(try BatchState.rebuild(batchDirectory: out).isFinished(id))
        #expect(BatchRunner.isTransientRefusal(step: "cgroup_attach") && !BatchRunner.isTransientRefusal(step: "exec"))
    }
}
