import Foundation

/// Everything `ai4sci-bench run` needs, already parsed and checked by the CLI.
public struct RunConfiguration: Sendable {
    /// Folder holding the task directories.
    public var tasksDirectory: URL
    /// Task ids to run; empty = every loadable task that is not abandoned.
    public var taskIDs: [String]
    /// Prompt levels to run.
    public var levels: [PromptLevel]
    /// Instances per task (generated seeds `seed…seed+n-1`, or the first n pre-generated ones).
    public var instancesPerTask: Int
    /// Base seed.
    public var seed: Int
    /// Pre-generated instances, instead of running generators.
    public var instancesDirectory: URL?
    /// The agent command template.
    public var agentCommand: AgentCommand
    /// A label for the agent in results (defaults to the command's program name).
    public var agentName: String
    /// Requested sandbox mode.
    public var sandbox: SandboxMode
    /// Per-run timeout; nil = the task's `runtime.timeout_seconds`, else 600 s.
    public var timeoutSeconds: Double?
    /// Output root.
    public var outputDirectory: URL
    /// Host variables passed to the agent by name.
    public var passEnv: [String]
    /// Host paths the agent may read (same absolute path inside the sandbox), e.g. the agent's own code.
    public var readOnlyBinds: [URL]
    /// Run with a weaker sandbox (labelled `degraded`, reasons listed) instead of refusing when a requirement is unmet.
    public var allowDegraded: Bool
    /// The agent's network (none, or the allow-list proxy; task/strict modes only).
    public var network: NetworkPolicy = .none
    /// Keep workspaces after scoring (for debugging).
    public var keepWorkspaces: Bool
    /// Cap on each captured stream.
    public var outputCapBytes: Int
    /// Run abandoned tasks too.
    public var includeAbandoned: Bool
    /// The command line, for provenance.
    public var commandLine: [String]
    /// The interpreter that runs tasks' `custom_scorer.py` (a name on PATH or a path).
    public var scorerPython = "python3"
    /// Seconds one custom scorer call may take.
    public var scorerTimeoutSeconds: Double = 300
    /// Memory of the custom scorer bridge, in bytes.
    public var scorerMemoryBytes: UInt64 = 4 << 30
    /// Where the item ran, written to results as `executor` by `batch-run` (local, or the Slurm job and node).
    public var executor: JSONValue?
    /// A built-in agent (`--agent claude-code|codex`) instead of the command template.
    public var agentAdapter: AgentAdapter?
    /// USD per million tokens per model, for agents that do not report their cost (`--prices FILE`).
    public var prices: PriceTable?

    /// Creates a configuration with defaults for the optional parts.
    public init(tasksDirectory: URL, taskIDs: [String] = [], levels: [PromptLevel] = PromptLevel.allCases, instancesPerTask: Int = 1,
                seed: Int = 42, instancesDirectory: URL? = nil, agentCommand: AgentCommand, agentName: String? = nil,
                sandbox: SandboxMode = .task, timeoutSeconds: Double? = nil, outputDirectory: URL, passEnv: [String] = [],
                keepWorkspaces: Bool = false, outputCapBytes: Int = 64 << 20, includeAbandoned: Bool = false, commandLine: [String] = [],
                readOnlyBinds: [URL] = [], allowDegraded: Bool = false)
    {
        self.tasksDirectory = tasksDirectory
        self.taskIDs = taskIDs
        self.levels = levels
        self.instancesPerTask = instancesPerTask
        self.seed = seed
        self.instancesDirectory = instancesDirectory
        self.agentCommand = agentCommand
        self.agentName = agentName ?? agentCommand.defaultName
        self.sandbox = sandbox
        self.timeoutSeconds = timeoutSeconds
        self.outputDirectory = outputDirectory
        self.passEnv = passEnv
        self.keepWorkspaces = keepWorkspaces
        self.outputCapBytes = outputCapBytes
        self.includeAbandoned = includeAbandoned
        self.commandLine = commandLine
        self.readOnlyBinds = readOnlyBinds
        self.allowDegraded = allowDegraded
    }

    /// How custom scorers run: the run's sandbox (network none) with the scorer settings.
    public var scorerBridgeOptions: ScorerBridgeOptions {
        ScorerBridgeOptions(python: scorerPython, sandbox: sandbox, allowDegraded: allowDegraded,
                            callTimeoutSeconds: scorerTimeoutSeconds, memoryBytes: scorerMemoryBytes)
    }

    /// Whether the mode runs the agent in namespaces with its own view of the file system.
    public var isolatesFileSystem: Bool { sandbox == .task || sandbox == .strict }
}

/// Progress reported by the runner; the CLI renders it on stderr.
public enum RunEvent: Sendable {
    /// The plan: how many items will run.
    case planned(tasks: Int, items: Int)
    /// An instance is being generated.
    case generating(taskID: String, variant: String)
    /// An item started.
    case started(index: Int, total: Int, instanceID: String)
    /// An item finished with its result.
    case finished(index: Int, total: Int, result: InstanceResult)
    /// A non-fatal note (e.g. a --pass-env variable not set on the host).
    case warning(String)
}

/// What a `run` produced.
public struct RunSummary: Sendable {
    /// Every result, in run order.
    public var results: [InstanceResult]
    /// The output root.
    public var outputDirectory: URL
    /// Items per outcome.
    public var outcomes: [RunOutcome: Int] {
        Dictionary(grouping: results, by: \.outcome).mapValues(\.count)
    }
    /// Items refused by the sandbox.
    public var refusedCount: Int { results.filter { $0.agentStatus == .refused }.count }
    /// Task-balanced mean under the report's rules (agent_failed counts 0, invalid excluded, repeats averaged
    /// within an item, each task weighs the same); nil when nothing was counted.
    public var meanScore: Double? {
        ReportBuilder.taskBalancedMean(results.map { r in
            let score: Double? = r.outcome == .evaluationInvalid ? nil : (r.outcome == .agentFailed ? 0 : r.finalScore ?? 0)
            return (task: r.taskID, item: (r.instance["variant"]?.stringValue ?? r.instanceID) + "\u{0}" + r.promptLevel.rawValue, score: score)
        })
    }
}
