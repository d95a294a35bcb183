import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where `batch-run` runs the items: here, or as Slurm job arrays.
public enum BatchExecutor: Sendable, Equatable {
    /// On this machine, `--jobs` at a time.
    case local
    /// As Slurm job arrays, one array task per item (`run-item`), monitored from here.
    case slurm(SlurmOptions)

    /// `local` or `slurm`.
    public var kind: String {
        if case .slurm = self { return "slurm" }
        return "local"
    }
}

/// The submitting side of `batch-run --executor slurm`.
///
/// Generates the instances here (into `DIR/.slurm/instances`, sandboxed as locally), submits the items as job arrays,
/// then polls `squeue` (and `scontrol` for exit codes), merges each attempt's own record file into the journal and maps
/// what Slurm says to outcomes: a result from the node is final (retried like locally when transient); a launch failure,
/// NODE_FAIL, PREEMPTED, OUT_OF_MEMORY or a missing result makes the attempt `evaluation_invalid` with the Slurm state
/// (retried under `--retries`); TIMEOUT is the agent's own timeout when the item reported it, else invalid; CANCELLED
/// is `interrupted` (not retried; `--resume` runs it again). Cancelling this task cancels the jobs (`scancel`).
struct SlurmExecutor {
    let context: BatchContext
    let options: SlurmOptions
    let client = SlurmClient()
    /// The program the array tasks run (`ai4sci-bench`), on a filesystem the nodes share.
    let program: URL
    /// The directory the array tasks start in: the submitter's, so relative task and agent paths mean the same.
    let workingDirectory: URL

    var directory: URL { context.directory }

    /// What happened to the items: how many were interrupted (cancelled outside the batch) and remain to run.
    struct Outcome {
        var interrupted: [String] = []
    }

    /// Runs `todo` (indices into the plan) to the end.
    func run(todo: [Int]) async throws -> Outcome {
        let fm = FileManager.default
        let summary = try await client.check()
        context.progress(.warning("slurm: \(summary); assuming \(PathDisplay.relative(directory)), the tasks folder, the working directory and \(program.path) are on a filesystem every node sees (\(Self.filesystemNote(directory)))"))
        for sub in [SlurmArea.records(directory), SlurmArea.instances(directory), SlurmArea.logs(directory)] {
            try fm.createDirectory(at: sub, withIntermediateDirectories: true)
        }
        // Instances are generated once, here, and read by the nodes.
        let cache = InstanceCache(planner: InstancePlanner(storeDirectory: SlurmArea.instances(directory), launcher: context.launcher,
                                                           sandbox: context.config.sandbox, allowDegraded: context.config.allowDegraded),
                                  progress: context.progress)
        var instances: [String: String] = [:]
        for i in todo {
            let item = context.plan.items[i]
            let instance = try await cache.instance(task: context.plan.tasks[item.taskIndex], source: item.source, variant: item.variant)
            instances[item.id] = instance.directory.path
        }

        var state = MonitorState()
        var outcome = Outcome()
        var queue: [(index: Int, attempt: Int)] = todo.map { ($0, context.nextAttempt[context.plan.items[$0].id] ?? 1) }
        var retriesLeft = [String: Int](uniqueKeysWithValues: todo.map { (context.plan.items[$0].id, context.config.retries) })
        do {
            while !queue.isEmpty || !state.active.isEmpty {
                if !queue.isEmpty {
                    try await submit(queue, instances: instances, state: &state)
                    queue = []
                }
                try await Task.sleep(for: .milliseconds(Int64(options.pollSeconds * 1000)))
                for ended in try await poll(&state) {
                    let item = context.plan.items[ended.index]
                    switch ended.verdict {
                    case .result(let result, let refusedStep):
                        let transient = result.outcome == .evaluationInvalid && (refusedStep.map(BatchRunner.isTransientRefusal) ?? true)
                        if transient, let left = retriesLeft[item.id], left > 0 {
                            retriesLeft[item.id] = left - 1
                            context.progress(.retrying(item: item.id, attempt: ended.attempt, reason: result.message ?? result.outcome.rawValue))
                            queue.append((ended.index, ended.attempt + 1))
                            continue
                        }
                        let snapshot = context.counters.finished(agentIndex: item.agentIndex, result: result)
                        context.progress(.finished(BatchItemReport(
                            item: item.id, agent: item.agent, attempt: ended.attempt, outcome: result.outcome, agentStatus: result.agentStatus,
                            finalScore: result.finalScore, wallSeconds: result.resources?.wallSeconds, message: result.message, progress: snapshot)))
                    case .interrupted(let why, let journaled):
                        if !journaled {
                            try? context.journal.append(["type": "interrupted", "item": .string(item.id), "attempt": .number(Double(ended.attempt)),
                                                         "time": Journal.now(), "reason": .string(why)])
                        }
                        context.progress(.warning("\(item.id): \(why); it stays to run (--resume \(PathDisplay.relative(directory)))"))
                        outcome.interrupted.append(item.id)
                    }
                }
            }
        } catch {
            // SIGINT/SIGTERM on the submitter (or a failure here): cancel every job of this batch, outside the cancelled task.
            let jobs = state.jobs
            let client = self.client
            await Task.detached { await client.cancel(jobs: jobs) }.value
            // Let the array tasks journal their interruption, then close what is still open.
            try? await Task.detached { try await Task.sleep(for: .seconds(2)) }.value
            _ = try? SlurmArea.merge(batch: directory, into: context.journal, everything: true)
            for (_, open) in state.active {
                try? context.journal.append(["type": "interrupted", "item": .string(context.plan.items[open.index].id),
                                             "attempt": .number(Double(open.attempt)), "time": Journal.now(), "reason": "batch cancelled"])
            }
            throw error
        }
        try? fm.removeItem(at: SlurmArea.instances(directory))
        return outcome
    }

    // MARK: - Submission

    struct Active {
        var index: Int
        var attempt: Int
        /// When the task was first seen in a terminal state without a record from the node (NFS may show files late).
        var terminalSince: ContinuousClock.Instant?
    }

    struct MonitorState {
        var submissions = 0
        var jobs: [String] = []
        /// Array task id (`JOB_INDEX`) → what it runs.
        var active: [String: Active] = [:]
        /// Item id → attempt → merged records.
        var records: [String: [Int: [[String: JSONValue]]]] = [:]
        /// Array tasks seen running (for the progress line's running count).
        var running: Set<String> = []
    }

    func submit(_ items: [(index: Int, attempt: Int)], instances: [String: String], state: inout MonitorState) async throws {
        var start = 0
        while start < items.count {
            let chunk = Array(items[start..<min(items.count, start + options.maxArraySize)])
            start += chunk.count
            let k = state.submissions
            state.submissions += 1
            let entries = chunk.map { SubmittedItem(item: context.plan.items[$0.index].id, attempt: $0.attempt, instance: instances[context.plan.items[$0.index].id] ?? "") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try AtomicFile.write(try encoder.encode(entries), to: SlurmArea.submission(directory, k))
            let script = SlurmArea.script(directory, k)
            let body = """
                #!/bin/sh
                # Written by ai4sci-bench batch-run --executor slurm: array task I runs item I of submission-\(k).json.
                exec \(Self.quote(program.path)) run-item \(Self.quote(directory.path)) --submission \(k) --index "$SLURM_ARRAY_TASK_ID"

                """
            try AtomicFile.write(Data(body.utf8), to: script)
            _ = chmod(script.path, 0o755)
            let jobID = try await client.submit(script: script, count: chunk.count, arguments: sbatchArguments(count: chunk.count))
            state.jobs.append(jobID)
            for (i, c) in chunk.enumerated() { state.active["\(jobID)_\(i)"] = Active(index: c.index, attempt: c.attempt) }
            try context.journal.append(["type": "slurm_submitted", "time": Journal.now(), "job": .string(jobID), "submission": .number(Double(k)),
                                        "items": .number(Double(chunk.count))])
        }
    }

    func sbatchArguments(count: Int) -> [String] {
        var args = ["--job-name", "ai4sci-\(directory.lastPathComponent)", "--array", "0-\(count - 1)" + (options.maxParallel.map { "%\($0)" } ?? ""),
                    "--output", SlurmArea.logs(directory).appendingPathComponent("%A_%a.log").path, "--chdir", workingDirectory.path,
                    "--cpus-per-task", String(options.cpus), "--time", options.time ?? defaultTimeLimit()]
        if let home = SandboxResources.defaultProfilesDirectory()?.deletingLastPathComponent().deletingLastPathComponent() {
            args += ["--export", "ALL,AI4SCI_HOME=\(home.path)"]
        }
        if let p = options.partition { args += ["--partition", p] }
        if let m = options.memory { args += ["--mem", m] }
        return args + options.extra
    }

    /// The longest agent timeout plus room for generation-free start-up and scoring, in whole minutes.
    func defaultTimeLimit() -> String {
        let agentTimeouts = context.config.agents.map { $0.timeoutSeconds ?? context.config.timeoutSeconds }
        let taskTimeouts = context.plan.tasks.map { $0.timeoutSeconds ?? 600 }
        let longest = agentTimeouts.compactMap { $0 }.max() ?? taskTimeouts.max() ?? 600
        return SlurmOptions.timeLimit(forSeconds: longest + context.config.scorerTimeoutSeconds + 120)
    }

    // MARK: - Monitoring

    enum Verdict {
        case result(InstanceResult, refusedStep: String?)
        /// `journaled`: the array task recorded its interruption itself.
        case interrupted(String, journaled: Bool)
    }

    struct Ended {
        var index: Int
        var attempt: Int
        var verdict: Verdict
    }

    /// One look: queue states first, then the records (a task that ended before the look wrote its records before it
    /// ended); returns the attempts that are over.
    func poll(_ state: inout MonitorState) async throws -> [Ended] {
        let queue = try await client.states(jobs: state.jobs)
        for r in try SlurmArea.merge(batch: directory, into: context.journal) {
            guard let id = r["item"]?.stringValue, let attempt = r["attempt"]?.intValue else { continue }
            state.records[id, default: [:]][attempt, default: []].append(r)
        }
        for (taskID, t) in queue where state.active[taskID] != nil && t.state == "RUNNING" && !state.running.contains(taskID) {
            state.running.insert(taskID)
            context.counters.started()
        }
        var ended: [Ended] = []
        func retire(_ taskID: String) {
            state.active[taskID] = nil
            if state.running.remove(taskID) != nil { context.counters.stopped() }
        }
        for (taskID, var active) in state.active {
            let item = context.plan.items[active.index]
            let records = state.records[item.id]?[active.attempt] ?? []
            if let finished = records.last(where: { $0["type"]?.stringValue == "finished" }) {
                // The node reported: its result is the attempt's outcome, whatever Slurm says about the job afterwards.
                retire(taskID)
                ended.append(Ended(index: active.index, attempt: active.attempt, verdict: try verdict(finished, item: item)))
                continue
            }
            // Terminal or gone from the queue: scontrol has the exit code (and knows tasks squeue no longer lists).
            var task = queue[taskID]
            if task == nil || task!.isTerminal { task = await client.detail(taskID) ?? task }
            let t = task ?? SlurmTaskState(id: taskID, state: "UNKNOWN", reason: "no longer known to Slurm")
            guard t.isTerminal || t.state == "UNKNOWN" else { continue }
            let since = active.terminalSince ?? .now
            active.terminalSince = since
            let interrupted = records.contains { $0["type"]?.stringValue == "interrupted" }
            let stateName = String(t.state.split(separator: " ").first ?? "")
            // A node's last records may reach this host a little after the job ended (NFS attribute caching).
            if ContinuousClock.now - since < .seconds(stateName == "COMPLETED" ? 10 : 3) {
                state.active[taskID] = active
                continue
            }
            retire(taskID)
            // Whatever the attempt journaled before it ended (its `started`) goes in before the verdict.
            let file = SlurmArea.recordFile(directory, item: item.id, attempt: active.attempt).lastPathComponent
            _ = try SlurmArea.merge(batch: directory, into: context.journal, closing: [file])
            let what = "Slurm job \(taskID) ended \(stateName) (reason \(t.reason)\(t.exitCode.map { ", exit \($0)" } ?? "")\(t.node.map { ", node \($0)" } ?? ""))"
            if stateName == "CANCELLED" {
                ended.append(Ended(index: active.index, attempt: active.attempt, verdict: .interrupted("\(what): cancelled outside the batch", journaled: interrupted)))
                continue
            }
            var message = what
            if stateName == "TIMEOUT" {
                message += "; the job's time limit (--slurm-time \(options.time ?? defaultTimeLimit()) min) ended it before the item's own timeout fired; raise --slurm-time"
            } else if interrupted {
                message += "; the item was stopped on the node before it reported"
            } else {
                message += "; no result from the node" + logTail(taskID).map { ": \($0)" }.orEmpty
            }
            let result = try writeLostAttempt(item: item, attempt: active.attempt, message: message, slurm: t)
            ended.append(Ended(index: active.index, attempt: active.attempt, verdict: .result(result, refusedStep: nil)))
        }
        return ended
    }

    func verdict(_ finished: [String: JSONValue], item: PlannedItem) throws -> Verdict {
        let url = directory.appendingPathComponent(item.resultPath)
        let data = try Data(contentsOf: url)
        let result = try JSONDecoder().decode(InstanceResult.self, from: data)
        return .result(result, refusedStep: finished["refused_step"]?.stringValue)
    }

    /// The last line the array task wrote to its log (the worker's own error, e.g. a missing tasks folder on the node).
    func logTail(_ taskID: String) -> String? {
        let log = SlurmArea.logs(directory).appendingPathComponent("\(taskID).log")
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last.map { String($0.prefix(300)) }
    }

    /// Writes the result of an attempt that ended on the node without reporting: `evaluation_invalid` with the Slurm
    /// state, no sandbox evidence (none was read back), journaled like any finished attempt.
    func writeLostAttempt(item: PlannedItem, attempt: Int, message: String, slurm: SlurmTaskState) throws -> InstanceResult {
        let task = context.plan.tasks[item.taskIndex]
        let rc = context.runConfigs[item.agentIndex]
        let base = directory.appendingPathComponent(item.agent).appendingPathComponent(item.taskID)
        try FileManager.default.createDirectory(at: base.appendingPathComponent("attempts"), withIntermediateDirectories: true)
        var executor: [String: JSONValue] = ["kind": "slurm", "job_id": .string(slurm.id), "state": .string(slurm.state), "reason": .string(slurm.reason)]
        if let n = slurm.node { executor["node"] = .string(n) }
        if let e = slurm.exitCode { executor["exit_code"] = .string(e) }
        let result = InstanceResult.notRun(
            task: task, instanceID: item.instanceID, variant: item.variant, parameters: nil, level: item.level, attempt: attempt,
            agent: ["name": .string(rc.agentName), "command_template": .string(rc.agentCommand.template)], requestedMode: rc.sandbox,
            message: message, note: "no sandbox evidence: the attempt ended on the node before it reported", executor: .object(executor))
        let url = directory.appendingPathComponent(item.resultPath)
        try AtomicFile.writeJSON(result, to: url)
        let data = try Data(contentsOf: url)
        try AtomicFile.write(data, to: base.appendingPathComponent("attempts/\(item.instanceID).attempt\(attempt).json"))
        try context.journal.append([
            "type": "finished", "item": .string(item.id), "attempt": .number(Double(attempt)), "time": Journal.now(),
            "outcome": .string(result.outcome.rawValue), "agent_status": .string(result.agentStatus.rawValue), "final_score": .null,
            "result": .string(item.resultPath), "sha256": .string(try AtomicFile.sha256(of: url).hex), "slurm_state": .string(slurm.state),
        ])
        return result
    }

    // MARK: - Helpers

    /// Before resuming a batch that ran on Slurm: refuses while any of its jobs is still queued or running (their
    /// results would race the resumed run). Without Slurm commands here there is nothing to ask, and nothing runs.
    static func refuseWhileQueued(_ directory: URL) async throws {
        let client = SlurmClient()
        guard ExecutableLookup.find("squeue") != nil,
              let (records, _) = try? Journal.read(directory.appendingPathComponent("journal.jsonl")) else { return }
        let jobs = records.compactMap { $0.objectValue?["type"]?.stringValue == "slurm_submitted" ? $0.objectValue?["job"]?.stringValue : nil }
        guard !jobs.isEmpty, let states = try? await client.states(jobs: jobs) else { return }
        let live = states.values.filter { !$0.isTerminal }.map(\.id).sorted()
        if !live.isEmpty {
            throw BenchError(.badInput, "\(PathDisplay.relative(directory)) still has Slurm jobs queued or running: \(live.prefix(10).joined(separator: ", "))\(live.count > 10 ? ", …" : "")",
                             hint: "wait for them to end, or cancel them with scancel \(Set(live.map { String($0.prefix { $0 != "_" }) }).sorted().joined(separator: " ")), then resume")
        }
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// What kind of filesystem holds `url` (from /proc/self/mountinfo: the longest mount point above it), for the note.
    static func filesystemNote(_ url: URL) -> String {
        let path = url.standardizedFileURL.resolvingSymlinksInPath().path
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return "filesystem type unknown" }
        var best: (mount: String, type: String)?
        for line in text.split(separator: "\n") {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS
            let parts = line.split(separator: " ")
            guard parts.count > 4, let dash = parts.firstIndex(of: "-"), dash + 1 < parts.count else { continue }
            let mount = String(parts[4]).replacingOccurrences(of: "\\040", with: " ")
            let inside = mount == "/" || path == mount || path.hasPrefix(mount + "/")
            if inside, mount.count >= (best?.mount.count ?? -1) { best = (mount, String(parts[dash + 1])) }
        }
        guard let best else { return "filesystem type unknown" }
        let shared = ["nfs", "nfs4", "lustre", "gpfs", "beegfs", "cephfs", "ceph", "cifs", "smb3", "glusterfs", "fuse.glusterfs", "panfs", "wekafs"]
        return shared.contains(best.type) ? "\(best.type) at \(best.mount)"
            : "\(best.type) at \(best.mount), local: fine for a single-node cluster, a multi-node cluster needs a shared filesystem"
    }
}

private extension Optional where Wrapped == String {
    var orEmpty: String { self ?? "" }
}
