import Foundation
import Testing

@testable import AI4SciBench

#if canImport(Glibc)
import Glibc
#endif

/// Whether a Slurm cluster answers (`Scripts/test.sh` starts one on localhost with `Scripts/slurm-local.sh start`).
enum SlurmSupport {
    static let defaultConf = "/tmp/ai4sci-slurm/slurm.conf"

    /// Nil when a cluster answers; else why not (the skip message).
    static let unavailableReason: String? = {
        if ProcessInfo.processInfo.environment["SLURM_CONF"] == nil, FileManager.default.fileExists(atPath: defaultConf) {
            setenv("SLURM_CONF", defaultConf, 1)
        }
        guard let scontrol = ExecutableLookup.find("scontrol") else {
            return "Slurm is not installed (no scontrol on PATH); `bash Scripts/slurm-local.sh start` installs and starts a local cluster"
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: scontrol)
        p.arguments = ["ping"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return "scontrol cannot run: \(error)" }
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return out.contains("UP") ? nil : "no Slurm controller answers (scontrol ping: \(out.trimmingCharacters(in: .whitespacesAndNewlines))); start one with `bash Scripts/slurm-local.sh start`"
    }()

    static var available: Bool { unavailableReason == nil }

    /// Runs a Slurm client command; returns its stdout.
    @discardableResult
    static func command(_ tool: String, _ args: [String]) async throws -> String {
        try await SlurmClient().run(tool, args).out
    }

    /// `JOBID_INDEX STATE` of the array tasks of jobs named `name`.
    static func tasks(named name: String) async throws -> [(id: String, state: String)] {
        try await command("squeue", ["-h", "-r", "-t", "all", "-n", name, "-o", "%i %T"]).split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            return f.count == 2 ? (String(f[0]), String(f[1])) : nil
        }
    }
}

@Suite("batch-run --executor slurm", .serialized, .timeLimit(.minutes(5)))
struct SlurmExecutorTests {
    static let tasks = "chemistry.consecutive_reactions,biology.sir_epidemic"

    static func coarse(prefix: String = "") -> String {
        "\(prefix)python3 \(TestSupport.repo.path)/Agents/coarse.py --task-id {task_id} --tasks-dir \(TestSupport.tasks.path)"
    }

    static func args(out: URL, agent: String, executor: String, extra: [String] = []) -> [String] {
        ["batch-run", "--tasks-dir", TestSupport.tasks.path, "--tasks", tasks, "--prompt-levels", "b1,b2", "--repeats", "2",
         "--agent-cmd", agent, "--agent-name", "coarse", "--sandbox", "seccomp", "--timeout", "120", "--output-dir", out.path,
         "--executor", executor] + extra
    }

    static func results(_ dir: URL) throws -> [String: [String: JSONValue]] {
        var out: [String: [String: JSONValue]] = [:]
        for task in ["chemistry.consecutive_reactions", "biology.sir_epidemic"] {
            let folder = dir.appendingPathComponent("coarse/\(task)")
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".json") {
                out[name] = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent(name))).objectValue
            }
        }
        return out
    }

    @Test("the same batch with local and slurm executors: identical scores and provenance apart from the executor",
          .enabled(if: SlurmSupport.available, Comment(rawValue: SlurmSupport.unavailableReason ?? "")))
    func sameResultsBothExecutors() async throws {
        let root = try TestSupport.temporaryDirectory("slurm-same")
        defer { try? FileManager.default.removeItem(at: root) }
        let local = root.appendingPathComponent("local"), slurm = root.appendingPathComponent("slurm")
        let l = try await TestSupport.runCLI(Self.args(out: local, agent: Self.coarse(), executor: "local"))
        #expect(l.code == 0, "\(l.err)")
        let s = try await TestSupport.runCLI(Self.args(out: slurm, agent: Self.coarse(), executor: "slurm", extra: ["--slurm-max-parallel", "2"]))
        #expect(s.code == 0, "\(s.err)")
        #expect(s.err.contains("assuming") && s.err.contains("filesystem every node sees"), "\(s.err)")
        let a = try Self.results(local), b = try Self.results(slurm)
        #expect(a.count == 8 && Set(a.keys) == Set(b.keys))
        let same = ["final_score", "outcome", "agent_status", "component_scores", "gate_results", "hard_gates_passed", "requested_mode",
                    "effective_mode", "enforcement_status", "verification_status", "task_hash", "task_version", "instance", "prompt_level",
                    "attempt", "max_possible_score", "soft_gate_failures", "message"]
        for (name, x) in a {
            let y = try #require(b[name])
            for key in same { #expect(x[key] == y[key], "\(name): \(key) differs: \(x[key]?.shortDescription ?? "nil") vs \(y[key]?.shortDescription ?? "nil")") }
            #expect(x["sandbox"]?["proc_status"] == y["sandbox"]?["proc_status"] && x["sandbox"]?["policy_sha256"] == y["sandbox"]?["policy_sha256"])
            #expect(x["executor"] == ["kind": "local"])
            #expect(y["executor"]?["kind"] == "slurm" && y["executor"]?["node"] == "localhost", "\(y["executor"]?.shortDescription ?? "")")
            #expect(y["executor"]?["job_id"]?.stringValue?.contains("_") == true)
        }
        // The journal went through the per-attempt record files; the directory validates like a local one.
        let finished = try BatchSupport.records(slurm, "finished")
        #expect(finished.count == 8)
        #expect(try BatchSupport.records(slurm, "slurm_submitted").count == 1)
        #expect(try RunValidator.validate(directory: slurm).problems.isEmpty)
        let pending = try FileManager.default.contentsOfDirectory(atPath: SlurmArea.records(slurm).path).filter { $0.hasSuffix(".jsonl") }
        #expect(pending.isEmpty, "unmerged records: \(pending)")
    }

    @Test("a job cancelled from outside is interrupted; --resume (local executor) runs only it",
          .enabled(if: SlurmSupport.available, Comment(rawValue: SlurmSupport.unavailableReason ?? "")))
    func cancelledFromOutside() async throws {
        let root = try TestSupport.temporaryDirectory("slurm-cancel")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("batch")
        let slow = root.appendingPathComponent("slow")   // while it exists, b2 items of sir_epidemic r1 sleep
        try Data().write(to: slow)
        let agent = Self.coarse(prefix: "sh -c 'case $AI4SCI_INSTANCE_ID in biology.sir_epidemic*__b2__r1) test -e \(slow.path) && sleep 120;; esac; exec \"$0\" \"$@\"' ")
        let child = try BatchSupport.spawn(Self.args(out: out, agent: agent, executor: "slurm"), logs: root.appendingPathComponent("first"))
        let name = "ai4sci-batch"
        var target: String?
        #expect(try await BatchSupport.waitUntil(seconds: 60) {
            // The sleeping item is the only one still running once the others finished.
            let running = try Self.syncTasks(name).filter { $0.state == "RUNNING" }
            let finished = (try? BatchSupport.records(out, "finished").count) ?? 0
            if running.count == 1 && finished == 7 { target = running[0].id }
            return target != nil
        })
        let id = try #require(target)
        // Resuming while a job of the batch still runs is refused, naming the job.
        let early = try await TestSupport.runCLI(["batch-run", "--resume", out.path, "--executor", "local"])
        #expect(early.code == 2 && early.err.contains("still has Slurm jobs queued or running: \(id)"), "\(early.err)")
        try await SlurmSupport.command("scancel", [id])
        child.waitUntilExit()
        #expect(child.terminationStatus == 1)
        let err = try String(contentsOf: root.appendingPathComponent("first.err"), encoding: .utf8)
        #expect(err.contains("cancelled outside the batch") && err.contains("--resume"), "\(err)")
        let interrupted = try BatchSupport.items(out, "interrupted")
        #expect(interrupted == ["coarse/biology.sir_epidemic__seed42__b2__r1"], "\(interrupted)")
        #expect(try BatchSupport.records(out, "batch_interrupted").count == 1)

        // Resume here, with the other executor: only the cancelled item runs again.
        try FileManager.default.removeItem(at: slow)
        let resumed = try await TestSupport.runCLI(["batch-run", "--resume", out.path, "--executor", "local"])
        #expect(resumed.code == 0, "\(resumed.err)")
        let started = try BatchSupport.items(out, "started")
        #expect(started.filter { $0 == "coarse/biology.sir_epidemic__seed42__b2__r1" }.count == 2)
        #expect(started.count == 9)
        let result = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("coarse/biology.sir_epidemic/biology.sir_epidemic__seed42__b2__r1.json")))
        #expect(result["outcome"] == "scored" && result["attempt"] == 2 && result["executor"] == ["kind": "local"])
        #expect(try RunValidator.validate(directory: out).problems.isEmpty)
    }

    @Test("a node-level failure (the job's processes killed) is evaluation_invalid with the Slurm state, then retried",
          .enabled(if: SlurmSupport.available, Comment(rawValue: SlurmSupport.unavailableReason ?? "")))
    func nodeFailureRetried() async throws {
        let root = try TestSupport.temporaryDirectory("slurm-kill")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("batch")
        let slow = root.appendingPathComponent("slow")
        try Data().write(to: slow)
        let agent = Self.coarse(prefix: "sh -c 'case $AI4SCI_INSTANCE_ID in chemistry*__b1__r2) test -e \(slow.path) && sleep 120;; esac; exec \"$0\" \"$@\"' ")
        let child = try BatchSupport.spawn(Self.args(out: out, agent: agent, executor: "slurm", extra: ["--retries", "1"]),
                                           logs: root.appendingPathComponent("run"))
        // Kill everything of the array task that runs the sleeping item, as a dying node would.
        var killed = false
        #expect(try await BatchSupport.waitUntil(seconds: 60) {
            let pids = Self.pids(startingWith: "sleep 120")
            guard !pids.isEmpty, let worker = BatchSupport.processes(containing: "run-item \(out.path)").first(where: { Self.isAncestor($0, of: pids[0]) }) else { return false }
            try FileManager.default.removeItem(at: slow)
            let tree = [worker] + Self.descendants(of: worker)
            for p in tree { kill(p, SIGKILL) }
            killed = true
            return true
        })
        #expect(killed)
        child.waitUntilExit()
        #expect(child.terminationStatus == 0, "\((try? String(contentsOf: root.appendingPathComponent("run.err"), encoding: .utf8)) ?? "")")
        let item = "coarse/chemistry.consecutive_reactions__seed42__b1__r2"
        let finished = try BatchSupport.records(out, "finished").filter { $0["item"]?.stringValue == item }
        #expect(finished.map { $0["outcome"]?.stringValue ?? "" } == ["evaluation_invalid", "scored"], "\(finished)")
        #expect(finished.first?["slurm_state"]?.stringValue?.isEmpty == false)
        let lost = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("coarse/chemistry.consecutive_reactions/attempts/chemistry.consecutive_reactions__seed42__b1__r2.attempt1.json")))
        #expect(lost["outcome"] == "evaluation_invalid" && lost["message"]?.stringValue?.hasPrefix("Slurm job ") == true, "\(lost["message"]?.shortDescription ?? "")")
        #expect(lost["verification_status"] == "unverified" && lost["executor"]?["kind"] == "slurm")
        let final = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("coarse/chemistry.consecutive_reactions/chemistry.consecutive_reactions__seed42__b1__r2.json")))
        #expect(final["outcome"] == "scored" && final["attempt"] == 2)
        #expect(try RunValidator.validate(directory: out).problems.isEmpty)
    }

    @Test("SIGINT on the submitter cancels its jobs and exits 130",
          .enabled(if: SlurmSupport.available, Comment(rawValue: SlurmSupport.unavailableReason ?? "")))
    func sigintCancelsJobs() async throws {
        let root = try TestSupport.temporaryDirectory("slurm-sigint")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("batch")
        let child = try BatchSupport.spawn(Self.args(out: out, agent: "sleep 120", executor: "slurm"), logs: root.appendingPathComponent("run"))
        #expect(try await BatchSupport.waitUntil(seconds: 60) { !Self.pids(startingWith: "sleep 120").isEmpty })
        let jobs = try BatchSupport.journal(out).compactMap { $0["type"] == "slurm_submitted" ? $0["job"]?.stringValue : nil }
        #expect(jobs.count == 1)
        kill(child.processIdentifier, SIGINT)
        child.waitUntilExit()
        #expect(child.terminationStatus == 130)
        let states = try await SlurmSupport.command("squeue", ["-h", "-r", "-t", "all", "-j", jobs.joined(separator: ","), "-o", "%T"])
        #expect(!states.contains("RUNNING") && !states.contains("PENDING") && states.contains("CANCELLED"), "\(states)")
        #expect(try BatchSupport.records(out, "batch_interrupted").count == 1)
        #expect(try await BatchSupport.waitUntil(seconds: 15) { Self.pids(startingWith: "sleep 120").isEmpty })
    }

    @Test("--slurm-extra splits like a shell; per-attempt records merge once")
    func optionsAndMerging() throws {
        #expect(try SlurmOptions.splitArguments("--account=abc  --comment 'two words' --x=\"a b\" c\\ d") ==
                ["--account=abc", "--comment", "two words", "--x=a b", "c d"])
        #expect(throws: BenchError.self) { try SlurmOptions.splitArguments("--comment 'open") }
        let dir = try TestSupport.temporaryDirectory("slurm-merge")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: SlurmArea.records(dir), withIntermediateDirectories: true)
        let file = SlurmArea.recordFile(dir, item: "agent/t__seed1__b1", attempt: 2)
        #expect(file.lastPathComponent == "agent%2Ft__seed1__b1.a2.jsonl")
        let attempt = try Journal(url: file)
        try attempt.append(["type": "started", "item": "agent/t__seed1__b1", "attempt": 2])
        let journal = try Journal(url: dir.appendingPathComponent("journal.jsonl"))
        // Still being written (no finished/interrupted record): left where the array task writes it.
        #expect(try SlurmArea.merge(batch: dir, into: journal).isEmpty)
        try attempt.append(["type": "finished", "item": "agent/t__seed1__b1", "attempt": 2])
        #expect(try SlurmArea.merge(batch: dir, into: journal).count == 2)
        #expect(try SlurmArea.merge(batch: dir, into: journal).isEmpty)
        #expect(try BatchSupport.items(dir, "started") == ["agent/t__seed1__b1"])
        #expect(FileManager.default.fileExists(atPath: SlurmArea.merged(dir).appendingPathComponent(file.lastPathComponent).path))
        // An attempt known to be over is merged without its closing record.
        try Journal(url: SlurmArea.recordFile(dir, item: "agent/x", attempt: 1)).append(["type": "started", "item": "agent/x", "attempt": 1])
        #expect(try SlurmArea.merge(batch: dir, into: journal, closing: ["agent%2Fx.a1.jsonl"]).count == 1)
    }

    // MARK: - Helpers

    static func syncTasks(_ name: String) throws -> [(id: String, state: String)] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ExecutableLookup.find("squeue") ?? "/usr/bin/squeue")
        p.arguments = ["-h", "-r", "-t", "all", "-n", name, "-o", "%i %T"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            return f.count == 2 ? (String(f[0]), String(f[1])) : nil
        }
    }

    /// Pids whose command line starts with `text` (the program itself, not a command that mentions it).
    static func pids(startingWith text: String) -> [pid_t] {
        BatchSupport.processes(containing: text).filter { pid in
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).hasPrefix(text)
        }
    }

    /// Every process below `root` (children, grandchildren, …).
    static func descendants(of root: pid_t) -> [pid_t] {
        var parent: [pid_t: pid_t] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let pp = Int32(fields[1]) { parent[pid] = pp }
        }
        var out: [pid_t] = [], frontier = [root]
        while let p = frontier.popLast() {
            let children = parent.filter { $0.value == p }.map(\.key)
            out += children
            frontier += children
        }
        return out
    }

    /// Whether `ancestor` is a parent, grandparent, … of `pid`.
    static func isAncestor(_ ancestor: pid_t, of pid: pid_t) -> Bool {
        var p = pid
        for _ in 0..<32 {
            guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = Int32(fields[1]) else { return false }
            if parent == ancestor { return true }
            if parent <= 1 { return false }
            p = parent
        }
        return false
    }
}
