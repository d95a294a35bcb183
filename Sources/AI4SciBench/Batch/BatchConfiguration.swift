import Foundation

/// One named agent of a batch: its command template and per-agent overrides.
public struct BatchAgent: Sendable, Equatable {
    /// The agent's name (`[A-Za-z0-9._-]+`), also its directory under the batch directory.
    public var name: String
    /// The agent's shell command template.
    public var command: AgentCommand
    /// Host variables passed to this agent by name.
    public var passEnv: [String]
    /// Sandbox mode for this agent; nil = the batch's mode.
    public var sandbox: SandboxMode?
    /// Per-run timeout for this agent; nil = the batch's timeout.
    public var timeoutSeconds: Double?
    /// Host paths this agent may read inside the sandbox.
    public var readOnlyBinds: [String]
    /// A built-in agent (`agent: claude-code` in the agents file) and its `agent_config`, instead of `cmd`.
    public var adapter: AgentAdapter?
    public var adapterConfig: JSONValue?

    /// Creates an agent entry.
    public init(name: String, command: AgentCommand, passEnv: [String] = [], sandbox: SandboxMode? = nil,
                timeoutSeconds: Double? = nil, readOnlyBinds: [String] = []) {
        self.name = name
        self.command = command
        self.passEnv = passEnv
        self.sandbox = sandbox
        self.timeoutSeconds = timeoutSeconds
        self.readOnlyBinds = readOnlyBinds
    }

    /// The canonical JSON of this entry (part of the batch config hash).
    public var canonical: JSONValue {
        var c: [String: JSONValue] = [
            "name": .string(name), "cmd": .string(command.template), "pass_env": .array(passEnv.map { .string($0) }),
            "sandbox": sandbox.map { .string($0.rawValue) } ?? .null, "timeout": timeoutSeconds.map { .number($0) } ?? .null,
            "bind_ro": .array(readOnlyBinds.map { .string($0) }),
        ]
        if let adapter {
            c["agent"] = .string(adapter.kind.rawValue)
            c["agent_config"] = adapterConfig ?? .null
        }
        return .object(c)
    }
}

/// Everything `ai4sci-bench batch-run` needs: the grid, the agents, scheduling and retries.
public struct BatchConfiguration: Sendable {
    /// Folder holding the task directories.
    public var tasksDirectory: String = "Tasks"
    /// Task ids; empty = every non-abandoned task.
    public var taskIDs: [String] = []
    /// Prompt levels.
    public var levels: [PromptLevel] = PromptLevel.allCases
    /// Instances per task.
    public var instancesPerTask: Int = 1
    /// Base seed.
    public var seed: Int = 42
    /// Pre-generated instances instead of generators.
    public var instancesDirectory: String?
    /// The agents (at least one; unique names).
    public var agents: [BatchAgent] = []
    /// Independent repetitions of every item (ids `__r1..rK` when K > 1).
    public var repeats: Int = 1
    /// Concurrent items.
    public var jobs: Int = BatchConfiguration.activeCores
    /// Extra attempts for items that ended `evaluation_invalid` or were refused for a transient reason.
    public var retries: Int = 0
    /// Default sandbox mode.
    public var sandbox: SandboxMode = .task
    /// Default per-run timeout; nil = the task's.
    public var timeoutSeconds: Double?
    /// The batch directory.
    public var outputDirectory: String = "results/batch"
    /// Run with a weaker, labelled sandbox instead of refusing.
    public var allowDegraded: Bool = false
    /// Run abandoned tasks too.
    public var includeAbandoned: Bool = false
    /// Cap on each captured agent stream, in MiB.
    public var outputCapMB: Int = 64
    /// The command line, for provenance.
    public var commandLine: [String] = []
    /// Custom scorers: interpreter, seconds per call, memory in bytes.
    public var scorerPython = "python3"
    public var scorerTimeoutSeconds: Double = 300
    public var scorerMemoryBytes: UInt64 = 4 << 30
    /// `prices`: the price table file, for agents that report no cost.
    public var pricesFile: String?
    public var prices: PriceTable?

    /// Creates a configuration with defaults.
    public init() {}

    /// The number of cores this process may use.
    public static var activeCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The canonical configuration JSON whose sha256 is the config hash (jobs, retries and paths of the output are excluded).
    public var canonical: JSONValue {
        var c: [String: JSONValue] = [
            "tasks_dir": .string(tasksDirectory), "tasks": .array(taskIDs.map { .string($0) }),
            "prompt_levels": .array(levels.map { .string($0.rawValue) }), "instances_per_task": .number(Double(instancesPerTask)),
            "seed": .number(Double(seed)), "instances_dir": instancesDirectory.map { .string($0) } ?? .null,
            "agents": .array(agents.map(\.canonical)), "repeats": .number(Double(repeats)), "sandbox": .string(sandbox.rawValue),
            "timeout": timeoutSeconds.map { .number($0) } ?? .null, "allow_degraded": .bool(allowDegraded),
            "include_abandoned": .bool(includeAbandoned), "output_cap_mb": .number(Double(outputCapMB)),
        ]
        // Scorer settings enter only when changed, so batches started before they existed keep their hash.
        let defaults = BatchConfiguration()
        if scorerPython != defaults.scorerPython { c["scorer_python"] = .string(scorerPython) }
        if scorerTimeoutSeconds != defaults.scorerTimeoutSeconds { c["scorer_timeout"] = .number(scorerTimeoutSeconds) }
        if let pricesFile { c["prices"] = .string(pricesFile) }
        if scorerMemoryBytes != defaults.scorerMemoryBytes { c["scorer_memory_mb"] = .number(Double(scorerMemoryBytes >> 20)) }
        return .object(c)
    }

    /// sha256 hex of the compact sorted-key JSON of ``canonical``.
    public var configHash: String { CanonicalJSON.sha256(canonical) }

    /// The `run` configuration of one agent, writing into `DIR/<agent>/`.
    public func runConfiguration(for agent: BatchAgent, batchDirectory: URL) -> RunConfiguration {
        var c = RunConfiguration(
            tasksDirectory: URL(fileURLWithPath: tasksDirectory), taskIDs: taskIDs, levels: levels, instancesPerTask: instancesPerTask,
            seed: seed, instancesDirectory: instancesDirectory.map { URL(fileURLWithPath: $0) }, agentCommand: agent.command,
            agentName: agent.name, sandbox: agent.sandbox ?? sandbox, timeoutSeconds: agent.timeoutSeconds ?? timeoutSeconds,
            outputDirectory: batchDirectory.appendingPathComponent(agent.name), passEnv: agent.passEnv,
            outputCapBytes: outputCapMB << 20, includeAbandoned: includeAbandoned, commandLine: commandLine,
            readOnlyBinds: agent.readOnlyBinds.map { URL(fileURLWithPath: $0).standardizedFileURL }, allowDegraded: allowDegraded)
        c.network = .none
        c.scorerPython = scorerPython
        c.agentAdapter = agent.adapter
        c.prices = prices
        c.scorerTimeoutSeconds = scorerTimeoutSeconds
        c.scorerMemoryBytes = scorerMemoryBytes
        return c
    }
}
