import Foundation

/// Shared state of a running batch: the journal, the instance cache, counters; runs one item's attempts.
final class BatchContext: Sendable {
    let config: BatchConfiguration
    let plan: BatchPlan
    let directory: URL
    let journal: Journal
    let registry: ScorerRegistry
    let launcher: AgentLauncher
    let counters: BatchCounters
    let progress: @Sendable (BatchEvent) -> Void
    let cache: InstanceCache
    let runConfigs: [RunConfiguration]
    let workspaceRoots: [URL]
    let nextAttempt: [String: Int]

    init(config: BatchConfiguration, plan: BatchPlan, directory: URL, scratch: URL, journal: Journal, registry: ScorerRegistry,
         launcher: AgentLauncher, counters: BatchCounters, progress: @escaping @Sendable (BatchEvent) -> Void, nextAttempt: [String: Int],
         executor: JSONValue = ["kind": "local"]) throws {
        self.config = config
        self.plan = plan
        self.directory = directory
        self.journal = journal
        self.registry = registry
        self.launcher = launcher
        self.counters = counters
        self.progress = progress
        self.nextAttempt = nextAttempt
        let store = scratch.appendingPathComponent("instances")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        cache = InstanceCache(planner: InstancePlanner(storeDirectory: store, launcher: launcher, sandbox: config.sandbox, allowDegraded: config.allowDegraded),
                              progress: progress)
        runConfigs = config.agents.map {
            var rc = config.runConfiguration(for: $0, batchDirectory: directory)
            rc.executor = executor
            return rc
        }
        workspaceRoots = config.agents.map { scratch.appendingPathComponent("workspaces").appendingPathComponent($0.name) }
        for root in workspaceRoots { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) }
    }

    /// Writes `DIR/<agent>/run_metadata.json` for every agent.
    func writeAgentMetadata(status: String, startedAt: String) throws {
        for (i, rc) in runConfigs.enumerated() {
            var m = RunMetadata(config: rc, tasks: plan.tasks, startedAt: startedAt, launcher: launcher)
            m.status = status
            if status != "running" { m.finishedAt = BenchmarkRunner.timestamp() }
            m.counts = counters.agentCounts(i)
            try AtomicFile.writeJSON(m, to: rc.outputDirectory.appendingPathComponent("run_metadata.json"))
        }
    }

    /// Runs `item` until it has a final attempt (retrying transient failures up to `retries` times).
    func process(_ item: PlannedItem) async throws {
        try Task.checkCancellation()
        let task = plan.tasks[item.taskIndex]
        let instance = try await cache.instance(task: task, source: item.source, variant: item.variant)
        var attempt = nextAttempt[item.id] ?? 1
        var retriesLeft = config.retries
        counters.started()
        defer { counters.stopped() }
        while true {
            try Task.checkCancellation()
            let (result, step) = try await runAttempt(item, task: task, instance: instance, attempt: attempt)
            let transient = result.outcome == .evaluationInvalid && (step.map(BatchRunner.isTransientRefusal) ?? true)
            if transient && retriesLeft > 0 {
                retriesLeft -= 1
                progress(.retrying(item: item.id, attempt: attempt, reason: result.message ?? result.outcome.rawValue))
                attempt += 1
                continue
            }
            let snapshot = counters.finished(agentIndex: item.agentIndex, result: result)
            progress(.finished(BatchItemReport(item: item.id, agent: item.agent, attempt: attempt, outcome: result.outcome,
                                               agentStatus: result.agentStatus, finalScore: result.finalScore,
                                               wallSeconds: result.resources?.wallSeconds, message: result.message, progress: snapshot)))
            return
        }
    }

    /// One attempt: journal `started`, run, keep the attempt's copy, journal `finished` with the result's sha256.
    func runAttempt(_ item: PlannedItem, task: TaskDefinition, instance: TaskInstance, attempt: Int) async throws -> (InstanceResult, String?) {
        let fm = FileManager.default
        let taskDir = directory.appendingPathComponent(item.agent).appendingPathComponent(item.taskID)
        let attempts = taskDir.appendingPathComponent("attempts")
        try fm.createDirectory(at: attempts, withIntermediateDirectories: true)
        let base = taskDir.appendingPathComponent(item.instanceID).path
        if attempt > 1 {
            // Keep the logs of the superseded attempt beside its result copy.
            for suffix in [".agent_stdout.jsonl", ".agent_stderr.log", ".scorer_stderr.log"] where fm.fileExists(atPath: base + suffix) {
                let dest = attempts.appendingPathComponent("\(item.instanceID).attempt\(attempt - 1)\(suffix)")
                try? fm.removeItem(at: dest)
                try fm.moveItem(atPath: base + suffix, toPath: dest.path)
            }
        }
        try journal.append(["type": "started", "item": .string(item.id), "attempt": .number(Double(attempt)), "time": Journal.now()])
        let runner = ItemRunner(config: runConfigs[item.agentIndex], registry: registry, launcher: launcher,
                                workspaceRoot: workspaceRoots[item.agentIndex], attempt: attempt)
        let run = RunItem(task: task, instance: instance, level: item.level, repeatIndex: item.suffixed ? item.repeatIndex : nil)
        let outcome: (result: InstanceResult, refusalStep: String?)
        do {
            outcome = try await runner.runDetailed(run)
        } catch {
            // Whatever the error looks like when cancellation reaches it (a launcher, Subprocess or I/O error), a
            // started attempt of a cancelled batch is journaled as interrupted.
            if Task.isCancelled || error is CancellationError || (error as? BenchError)?.code == .cancelled {
                try? journal.append(["type": "interrupted", "item": .string(item.id), "attempt": .number(Double(attempt)), "time": Journal.now()])
            }
            throw error
        }
        // Cancelled while the agent was ending: a signal meant for the whole job (Slurm's scancel and time limit
        // signal every process of the job at once) may have killed the agent first, so its result is not its own.
        if Task.isCancelled {
            try? journal.append(["type": "interrupted", "item": .string(item.id), "attempt": .number(Double(attempt)), "time": Journal.now()])
            throw CancellationError()
        }
        let resultURL = URL(fileURLWithPath: base + ".json")
        let data = try Data(contentsOf: resultURL)
        try AtomicFile.write(data, to: attempts.appendingPathComponent("\(item.instanceID).attempt\(attempt).json"))
        let hash = try AtomicFile.sha256(of: resultURL)
        let r = outcome.result
        var finished: [String: JSONValue] = [
            "type": "finished", "item": .string(item.id), "attempt": .number(Double(attempt)), "time": Journal.now(),
            "outcome": .string(r.outcome.rawValue), "agent_status": .string(r.agentStatus.rawValue),
            "final_score": r.finalScore.map { .number($0) } ?? .null, "result": .string(item.resultPath), "sha256": .string(hash.hex),
        ]
        // Lets a Slurm submitter tell a transient refusal (retried) from a final one, as the local loop does.
        if let step = outcome.refusalStep { finished["refused_step"] = .string(step) }
        try journal.append(.object(finished))
        return (r, outcome.refusalStep)
    }
}

/// Generates each instance once, however many agents, levels and repeats use it.
actor InstanceCache {
    let planner: InstancePlanner
    let progress: @Sendable (BatchEvent) -> Void
    var cells: [String: Task<TaskInstance, any Error>] = [:]

    init(planner: InstancePlanner, progress: @escaping @Sendable (BatchEvent) -> Void) {
        self.planner = planner
        self.progress = progress
    }

    /// The instance of `task` from `source`; concurrent callers share one generation.
    func instance(task: TaskDefinition, source: InstanceSource, variant: String) async throws -> TaskInstance {
        let key = "\(task.id)__\(variant)"
        if let cell = cells[key] { return try await cell.value }
        let planner = self.planner
        let progress = self.progress
        let cell = Task<TaskInstance, any Error> {
            switch source {
            case .pregenerated(let dir):
                return try InstanceReader.read(directory: dir, task: task, variant: variant)
            case .seed(let seed):
                progress(.generating(taskID: task.id, variant: variant))
                return try await planner.generate(task: task, seed: seed)
            }
        }
        cells[key] = cell
        return try await withTaskCancellationHandler { try await cell.value } onCancel: { cell.cancel() }
    }
}
