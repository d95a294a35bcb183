import Foundation

/// `tasks check`: proves a task scores what it claims, through the real pipeline (generator, sandbox, gates, scorers).
///
/// For each seed the instance is generated once; then, at every prompt level, the task's reference solution
/// (`solution/solve.py`) must score 100, the same solution with `--degrade` strictly between 0 and 100, and an
/// agent that writes nothing 0 by a failed hard gate.
public enum TaskSelfCheck {
    /// The three stand-in agents.
    public enum Role: String, Sendable, CaseIterable {
        case reference, degraded, empty

        /// What the role must score.
        public var expectation: String {
            switch self {
            case .reference: return "100"
            case .degraded: return "strictly between 0 and 100"
            case .empty: return "0 by a failed hard gate"
            }
        }
    }

    /// One checked result.
    public struct Row: Sendable {
        public var taskID: String
        public var role: Role
        public var instanceID: String
        public var score: Double?
        public var passed: Bool
        /// Why it failed (empty when it passed).
        public var problem: String
    }

    /// Options of a check.
    public struct Options: Sendable {
        public var seeds: Int = 5
        public var baseSeed: Int = 1
        public var levels: [PromptLevel] = PromptLevel.allCases
        public var sandbox: SandboxMode = .task
        public var timeoutSeconds: Double = 120
        public init() {}
    }

    /// Progress: (task, role, done so far for the task, total for the task).
    public typealias Progress = @Sendable (String, Role, Int, Int) -> Void

    /// Checks `tasks` (already loaded); throws only when the pipeline itself cannot run.
    public static func run(tasks: [TaskDefinition], tasksDirectory: URL, options: Options,
                           progress: @escaping Progress = { _, _, _, _ in }) async throws -> [Row] {
        var rows: [Row] = []
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ai4sci-taskcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for task in tasks {
            let solution = task.directory.appendingPathComponent("solution")
            let solver = solution.appendingPathComponent("solve.py")
            guard FileManager.default.fileExists(atPath: solver.path) else {
                rows.append(Row(taskID: task.id, role: .reference, instanceID: "", score: nil, passed: false,
                                problem: "no reference solution at \(PathDisplay.relative(solver)) (the check runs it as the agent)"))
                continue
            }
            // Generate every seed once and share the instances between the three roles.
            let instances = scratch.appendingPathComponent("instances-\(task.id)")
            try FileManager.default.createDirectory(at: instances, withIntermediateDirectories: true)
            let planner = InstancePlanner(storeDirectory: instances, launcher: try AgentLauncher(),
                                          sandbox: options.sandbox == .none ? .none : .seccomp)
            for seed in InstancePlanner.seeds(base: options.baseSeed, count: options.seeds) {
                _ = try await planner.generate(task: task, seed: seed)
            }
            for role in Role.allCases {
                let command: String
                switch role {
                case .reference: command = "python3 \(AgentCommand.shellQuote(solver.path))"
                case .degraded: command = "python3 \(AgentCommand.shellQuote(solver.path)) --degrade"
                case .empty: command = "true"
                }
                let config = RunConfiguration(
                    tasksDirectory: tasksDirectory, taskIDs: [task.id], levels: options.levels, instancesPerTask: options.seeds,
                    seed: options.baseSeed, instancesDirectory: instances, agentCommand: try AgentCommand(template: command),
                    agentName: "check-\(role.rawValue)", sandbox: options.sandbox, timeoutSeconds: options.timeoutSeconds,
                    outputDirectory: scratch.appendingPathComponent("\(task.id)-\(role.rawValue)"), includeAbandoned: true,
                    readOnlyBinds: role == .empty ? [] : [solution])
                let total = options.seeds * options.levels.count
                let done = Counter()
                let summary = try await BenchmarkRunner(config: config).run { event in
                    if case .finished = event { progress(task.id, role, done.increment(), total) }
                }
                rows += summary.results.map { judge($0, role: role) }
            }
        }
        return rows
    }

    /// Whether a result meets its role's expectation.
    static func judge(_ r: InstanceResult, role: Role) -> Row {
        let score = r.finalScore
        var problem = ""
        switch role {
        case .reference:
            if r.outcome != .scored || (score ?? 0) < 100 - 1e-9 {
                let weak = r.componentScores.compactMap { c -> String? in
                    guard let s = c["score"]?.doubleValue, let m = c["max_score"]?.doubleValue, s < m - 1e-9 else { return nil }
                    return "\(c["name"]?.stringValue ?? "?") \(String(format: "%.2f", s))/\(String(format: "%.0f", m)): \(c["message"]?.stringValue ?? "")"
                }
                let failedGates = r.gateResults.filter { $0["passed"]?.boolValue == false }.map { "\($0["name"]?.stringValue ?? "gate"): \($0["message"]?.stringValue ?? "")" }
                problem = "reference solution scored \(score.map { String(format: "%.2f", $0) } ?? "nothing") (\(r.outcome.rawValue), agent \(r.agentStatus.rawValue))"
                    + ((weak + failedGates).isEmpty ? (r.message.map { ": \($0)" } ?? "") : ": " + (failedGates + weak).joined(separator: "; "))
            }
        case .degraded:
            if r.outcome != .scored || !((score ?? 0) > 0 && (score ?? 100) < 100) {
                problem = "degraded solution scored \(score.map { String(format: "%.2f", $0) } ?? "nothing") (\(r.outcome.rawValue)); expected strictly between 0 and 100"
            }
        case .empty:
            if r.outcome != .scored || (score ?? 1) != 0 || r.hardGatesPassed != false {
                problem = "an empty workspace scored \(score.map { String(format: "%.2f", $0) } ?? "nothing") (hard gates passed: \(r.hardGatesPassed.map(String.init) ?? "not evaluated")); expected 0 by a failed hard gate"
            }
        }
        return Row(taskID: r.taskID, role: role, instanceID: r.instanceID, score: score, passed: problem.isEmpty, problem: problem)
    }

    /// A thread-safe counter for progress callbacks.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
