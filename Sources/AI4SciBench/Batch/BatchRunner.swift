import Foundation

/// Runs a batch: agents × tasks × instances × levels × repeats, in parallel, journaled and resumable.
///
/// The plan is written to the journal before any agent runs; every attempt is journaled (`started`, then
/// `finished` with the sha256 of its result file); results stream to disk and only counters stay in memory.
public struct BatchRunner: Sendable {
    /// Schema marker of `batch.json`.
    public static let schemaName = "ai4sci_bench_batch"

    let config: BatchConfiguration
    let directory: URL
    let resume: Bool
    let force: Bool
    let registry: ScorerRegistry
    let launcher: AgentLauncher
    /// Where the items run: here, or as Slurm job arrays (not part of the configuration: a batch can be resumed with either).
    let executor: BatchExecutor

    /// Creates a runner writing into `directory`; `resume` continues a batch there, `force` accepts a changed config or plan.
    public init(config: BatchConfiguration, directory: URL, resume: Bool = false, force: Bool = false,
                registry: ScorerRegistry = ScorerRegistry(), launcher: AgentLauncher? = nil, executor: BatchExecutor = .local) throws {
        self.config = config
        self.directory = directory
        self.resume = resume
        self.force = force
        self.registry = registry
        self.launcher = try launcher ?? AgentLauncher()
        self.executor = executor
    }

    /// Refusal steps of the sandbox that may succeed when tried again (resource set-up, not the agent's own start).
    public static func isTransientRefusal(step: String) -> Bool {
        step.hasPrefix("cgroup") || ["clone", "fork", "pipe", "resource_limits"].contains(step)
    }

    /// Runs the batch to the end (or until cancelled: then `batch_interrupted` is journaled and the error rethrown).
    public func run(progress: @escaping @Sendable (BatchEvent) -> Void = { _ in }) async throws -> BatchSummary {
        let plan = try BatchPlan.make(config, registry: registry)
        let scorerOptions = ScorerBridgeOptions(python: config.scorerPython, sandbox: config.sandbox, allowDegraded: config.allowDegraded,
                                                callTimeoutSeconds: config.scorerTimeoutSeconds, memoryBytes: config.scorerMemoryBytes)
        try await CustomScorerCheck.requireLoadable(plan.tasks, bridge: ScorerBridge(launcher: launcher, options: scorerOptions))
        let fm = FileManager.default
        let journalURL = directory.appendingPathComponent("journal.jsonl")
        var state = BatchState()
        var forceOverrides: [JSONValue] = []
        var createdAt = BenchmarkRunner.timestamp()
        if resume {
            // Records of Slurm attempts that a submitter did not live to merge belong in the journal first.
            if fm.fileExists(atPath: SlurmArea.records(directory).path) {
                try await SlurmExecutor.refuseWhileQueued(directory)
                _ = try SlurmArea.merge(batch: directory, into: try Journal(url: journalURL), everything: true)
            }
            let previous = try readBatchFile()
            state = try BatchState.rebuild(batchDirectory: directory)
            forceOverrides = previous["force_overrides"]?.arrayValue ?? []
            createdAt = previous["created_at"]?.stringValue ?? createdAt
            let differences = Self.differences(old: previous, newConfig: config.canonical, newPlan: plan)
            if !differences.isEmpty {
                guard force else {
                    throw BenchError(.badInput, "cannot resume \(PathDisplay.relative(directory)): \(differences.joined(separator: "; "))",
                                     hint: "resume with the original settings, or pass --force to continue with the new ones (recorded in batch.json)")
                }
                forceOverrides.append(["time": Journal.now(), "differences": .array(differences.map { .string($0) }),
                                       "old_config_hash": previous["config_hash"] ?? .null, "new_config_hash": .string(config.configHash),
                                       "old_plan_hash": previous["plan_hash"] ?? .null, "new_plan_hash": .string(plan.planHash)])
            }
        } else if fm.fileExists(atPath: journalURL.path) {
            throw BenchError(.badInput, "\(PathDisplay.relative(directory)) already holds a batch",
                             hint: "continue it with --resume \(PathDisplay.relative(directory)), or choose another --output-dir")
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeBatchFile(plan: plan, createdAt: createdAt, forceOverrides: forceOverrides)
        let journal = try Journal(url: journalURL)
        try journal.append(["type": "batch_started", "time": Journal.now(), "config_hash": .string(config.configHash),
                            "plan_hash": .string(plan.planHash), "resume": .bool(resume), "force": .bool(force && !forceOverrides.isEmpty),
                            "executor": .string(executor.kind)])
        for item in plan.items where !state.planned.contains(item.id) { try journal.append(item.plannedRecord) }
        for (id, s) in state.items.sorted(by: { $0.key < $1.key }) {
            for attempt in s.openAttempts {
                try journal.append(["type": "interrupted", "item": .string(id), "attempt": .number(Double(attempt)), "time": Journal.now()])
            }
        }

        let counters = BatchCounters(agents: config.agents.map(\.name), total: plan.items.count)
        let todo = plan.items.indices.filter { !state.isFinished(plan.items[$0].id) }
        counters.alreadyDone(plan.items.count - todo.count)
        progress(.planned(items: plan.items.count, toRun: todo.count, agents: config.agents.count, tasks: plan.tasks.count))
        for name in Set(config.agents.flatMap(\.passEnv)) where ProcessInfo.processInfo.environment[name] == nil {
            progress(.warning("pass_env \(name): not set in this environment; the agents will not see it"))
        }

        let scratch = try BenchmarkRunner.makeTemporaryDirectory(prefix: "ai4sci-batch-")
        defer { try? fm.removeItem(at: scratch) }
        let context = try BatchContext(config: config, plan: plan, directory: directory, scratch: scratch, journal: journal,
                                       registry: registry, launcher: launcher, counters: counters, progress: progress,
                                       nextAttempt: Dictionary(uniqueKeysWithValues: todo.map { (plan.items[$0].id, state.nextAttempt(plan.items[$0].id)) }))
        try context.writeAgentMetadata(status: "running", startedAt: createdAt)
        var interrupted: [String] = []
        do {
            switch executor {
            case .local:
                try await withThrowingTaskGroup(of: Void.self) { group in
                    var next = todo.makeIterator()
                    for _ in 0..<min(config.jobs, todo.count) {
                        if let i = next.next() { group.addTask { try await context.process(plan.items[i]) } }
                    }
                    while try await group.next() != nil {
                        try Task.checkCancellation()
                        if let i = next.next() { group.addTask { try await context.process(plan.items[i]) } }
                    }
                }
            case .slurm(let options):
                let slurm = SlurmExecutor(context: context, options: options, program: try Self.currentProgram(),
                                          workingDirectory: URL(fileURLWithPath: fm.currentDirectoryPath))
                interrupted = try await slurm.run(todo: todo).interrupted
            }
        } catch {
            let cancelled = error is CancellationError || (error as? BenchError)?.code == .cancelled
            try? journal.append(["type": "batch_interrupted", "time": Journal.now(), "counts": counters.countsJSON(),
                                 "reason": .string(cancelled ? "cancelled" : "\(error)")])
            try? context.writeAgentMetadata(status: cancelled ? "interrupted" : "failed", startedAt: createdAt)
            throw error
        }
        if !interrupted.isEmpty {
            // Jobs cancelled outside the batch: the rest finished, these stay to run with --resume.
            try journal.append(["type": "batch_interrupted", "time": Journal.now(), "counts": counters.countsJSON(),
                                "reason": .string("\(interrupted.count) item(s) cancelled outside the batch")])
            try context.writeAgentMetadata(status: "interrupted", startedAt: createdAt)
            var summary = counters.summary(directory: directory)
            summary.interrupted = interrupted
            return summary
        }
        try journal.append(["type": "batch_finished", "time": Journal.now(), "counts": counters.countsJSON()])
        try context.writeAgentMetadata(status: "finished", startedAt: createdAt)
        let records = try BatchRecords.write(batchDirectory: directory)
        try Manifest.write(batchDirectory: directory)
        var summary = counters.summary(directory: directory)
        summary.finalMeans = (records.overview["agents"]?.arrayValue ?? []).map {
            (agent: $0["agent"]?.stringValue ?? "?", mean: $0["mean_score"]?.doubleValue)
        }
        return summary
    }

    /// This program, for Slurm array tasks to run (`/proc/self/exe`).
    static func currentProgram() throws -> URL {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw BenchError(.io, "cannot find this program's path (/proc/self/exe) for the Slurm array tasks")
        }
        return URL(fileURLWithPath: path)
    }

    /// What differs between a stored batch and this configuration and plan (empty = the same).
    static func differences(old: [String: JSONValue], newConfig: JSONValue, newPlan: BatchPlan) -> [String] {
        var out: [String] = []
        if old["config_hash"]?.stringValue != CanonicalJSON.sha256(newConfig) {
            let a = old["config"]?.objectValue ?? [:], b = newConfig.objectValue ?? [:]
            let keys = Set(a.keys).union(b.keys).filter { CanonicalJSON.text(a[$0] ?? .null) != CanonicalJSON.text(b[$0] ?? .null) }
            out.append("the configuration differs (\(keys.sorted().map { "\($0): \((a[$0] ?? .null).shortDescription) → \((b[$0] ?? .null).shortDescription)" }.joined(separator: ", ")))")
        }
        if old["plan_hash"]?.stringValue != newPlan.planHash {
            out.append("the plan differs (\(old["items"]?.intValue ?? 0) planned item(s) before, \(newPlan.items.count) now)")
        }
        return out
    }

    func readBatchFile() throws -> [String: JSONValue] {
        let url = directory.appendingPathComponent("batch.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BenchError(.badInput, "\(PathDisplay.relative(url)) is missing: \(PathDisplay.relative(directory)) is not a batch directory",
                             hint: "--resume takes a directory written by batch-run")
        }
        guard let o = (try? JSONValue.parse(data))?.objectValue, o["schema"]?.stringValue == Self.schemaName else {
            throw BenchError(.badInput, "\(PathDisplay.relative(url)) is not a batch file (schema \(Self.schemaName) expected)")
        }
        return o
    }

    /// Reads the configuration stored in `DIR/batch.json` (for `--resume DIR` without selection flags).
    public static func storedConfiguration(batchDirectory: URL) throws -> BatchConfiguration {
        let url = batchDirectory.appendingPathComponent("batch.json")
        guard let data = FileManager.default.contents(atPath: url.path), let o = (try? JSONValue.parse(data))?.objectValue,
              o["schema"]?.stringValue == schemaName, let stored = o["config"] else {
            throw BenchError(.badInput, "\(PathDisplay.relative(url)) is missing or not a batch file", hint: "--resume takes a directory written by batch-run")
        }
        return try BatchConfigParser.parse(stored: stored, file: PathDisplay.relative(url))
    }

    func writeBatchFile(plan: BatchPlan, createdAt: String, forceOverrides: [JSONValue]) throws {
        let agents: [JSONValue] = config.agents.map {
            ["name": .string($0.name), "cmd": .string($0.command.template), "sandbox": .string(($0.sandbox ?? config.sandbox).rawValue),
             "timeout": ($0.timeoutSeconds ?? config.timeoutSeconds).map { .number($0) } ?? .null]
        }
        let file: JSONValue = [
            "schema": .string(Self.schemaName), "version": 1, "config": config.canonical, "config_hash": .string(config.configHash),
            "plan_hash": .string(plan.planHash), "items": .number(Double(plan.items.count)), "agents": .array(agents),
            "framework_version": .string(BenchmarkRunner.frameworkVersion), "host": .object(HostFacts.collect()),
            "created_at": .string(createdAt), "force_overrides": .array(forceOverrides),
            "jobs": .number(Double(config.jobs)), "retries": .number(Double(config.retries)),
        ]
        try AtomicFile.writeJSON(file, to: directory.appendingPathComponent("batch.json"))
    }
}
