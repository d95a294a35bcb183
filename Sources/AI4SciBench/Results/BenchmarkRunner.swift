import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs tasks × instances × levels: generate, make a workspace, launch the agent, score, write the result.
public struct BenchmarkRunner: Sendable {
    /// The framework version recorded in results.
    public static let frameworkVersion = "0.1.0"

    let config: RunConfiguration
    let registry: ScorerRegistry
    let launcher: AgentLauncher

    /// Creates a runner; throws when the sandbox launcher cannot be found.
    public init(config: RunConfiguration, registry: ScorerRegistry = ScorerRegistry(), launcher: AgentLauncher? = nil) throws {
        self.config = config
        self.registry = registry
        self.launcher = try launcher ?? AgentLauncher()
    }

    /// Loads and selects the tasks, checking the levels each one needs.
    public func selectTasks() throws -> [TaskDefinition] {
        let catalog = try TaskCatalog.load(root: config.tasksDirectory, registry: registry)
        let tasks = try catalog.select(ids: config.taskIDs, includeAbandoned: config.includeAbandoned)
        guard !tasks.isEmpty else {
            throw BenchError(.badInput, "no task to run in \(PathDisplay.relative(config.tasksDirectory))", hint: "add tasks or pass --tasks ID")
        }
        for t in tasks where t.status == .abandoned && !config.includeAbandoned && !config.taskIDs.isEmpty {
            throw BenchError(.badInput, "task \(t.id) is abandoned", hint: "pass --include-abandoned to run it anyway")
        }
        return tasks
    }

    /// Runs everything and returns the results; progress goes to `progress`.
    public func run(progress: @Sendable (RunEvent) -> Void = { _ in }) async throws -> RunSummary {
        let tasks = try selectTasks()
        try await CustomScorerCheck.requireLoadable(tasks, bridge: ScorerBridge(launcher: launcher, options: config.scorerBridgeOptions))
        let fm = FileManager.default
        try fm.createDirectory(at: config.outputDirectory, withIntermediateDirectories: true)
        let scratch = try Self.makeTemporaryDirectory(prefix: "ai4sci-bench-")
        defer { if !config.keepWorkspaces { try? fm.removeItem(at: scratch) } }
        let instanceStore = scratch.appendingPathComponent("instances")
        let workspaceRoot = scratch.appendingPathComponent("workspaces")
        try fm.createDirectory(at: instanceStore, withIntermediateDirectories: true)
        try fm.createDirectory(at: workspaceRoot, withIntermediateDirectories: true)

        for name in config.passEnv where ProcessInfo.processInfo.environment[name] == nil {
            progress(.warning("--pass-env \(name): not set in this environment; the agent will not see it"))
        }
        let started = Self.timestamp()
        var metadata = RunMetadata(config: config, tasks: tasks, startedAt: started, launcher: launcher)
        try AtomicFile.writeJSON(metadata, to: config.outputDirectory.appendingPathComponent("run_metadata.json"))

        let total = tasks.count * config.instancesPerTask * config.levels.count
        progress(.planned(tasks: tasks.count, items: total))
        let planner = InstancePlanner(storeDirectory: instanceStore, launcher: launcher, sandbox: config.sandbox, allowDegraded: config.allowDegraded)
        var results: [InstanceResult] = []
        var index = 0
        do {
            for task in tasks {
                try Task.checkCancellation()
                let instances: [TaskInstance]
                if let dir = config.instancesDirectory {
                    instances = try InstancePlanner.pregenerated(task: task, directory: dir, limit: config.instancesPerTask)
                } else {
                    var generated: [TaskInstance] = []
                    for seed in InstancePlanner.seeds(base: config.seed, count: config.instancesPerTask) {
                        progress(.generating(taskID: task.id, variant: "seed\(seed)"))
                        generated.append(try await planner.generate(task: task, seed: seed))
                    }
                    instances = generated
                }
                for instance in instances {
                    for level in config.levels {
                        try Task.checkCancellation()
                        index += 1
                        let item = RunItem(task: task, instance: instance, level: level)
                        progress(.started(index: index, total: total, instanceID: item.instanceID))
                        let result = try await ItemRunner(config: config, registry: registry, launcher: launcher, workspaceRoot: workspaceRoot).run(item)
                        results.append(result)
                        progress(.finished(index: index, total: total, result: result))
                    }
                }
            }
        } catch {
            // Record how far the run got: the results written so far stay valid.
            metadata.finish(at: Self.timestamp(), results: results, status: error is CancellationError || (error as? BenchError)?.code == .cancelled ? "interrupted" : "failed")
            try? AtomicFile.writeJSON(metadata, to: config.outputDirectory.appendingPathComponent("run_metadata.json"))
            throw error
        }
        metadata.finish(at: Self.timestamp(), results: results)
        try AtomicFile.writeJSON(metadata, to: config.outputDirectory.appendingPathComponent("run_metadata.json"))
        try Manifest.write(batchDirectory: config.outputDirectory)
        return RunSummary(results: results, outputDirectory: config.outputDirectory)
    }

    /// A fresh private directory under TMPDIR (mode 0700).
    static func makeTemporaryDirectory(prefix: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else {
            throw BenchError(.io, "cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))")
        }
        return URL(fileURLWithPath: String(cString: p), isDirectory: true)
    }

    /// Now, ISO 8601 with fractional seconds, UTC.
    public static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}

/// One task instance at one prompt level.
public struct RunItem: Sendable {
    /// The task.
    public var task: TaskDefinition
    /// The instance.
    public var instance: TaskInstance
    /// The level.
    public var level: PromptLevel
    /// The repetition (1…K) when a batch repeats items; nil for a single run (no `__r<k>` suffix).
    public var repeatIndex: Int? = nil
    /// `<task_id>__<variant>__<level>[__r<k>]`.
    public var instanceID: String { "\(instance.name)__\(level.rawValue)" + (repeatIndex.map { "__r\($0)" } ?? "") }
}
