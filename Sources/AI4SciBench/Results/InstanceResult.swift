import Foundation

/// How a run item ended, for means: `scored` counts, `agent_failed` counts as 0, `evaluation_invalid` is excluded.
public enum RunOutcome: String, Sendable, Codable, CaseIterable {
    case scored
    case agentFailed = "agent_failed"
    case evaluationInvalid = "evaluation_invalid"
}

/// What the agent process did.
public enum AgentStatus: String, Sendable, Codable, CaseIterable {
    case completed, failed, timeout, refused
}

/// Resource figures of one agent run, read from the launcher (wait4 rusage) — not estimated.
public struct ResourceUsage: Sendable, Codable, Equatable {
    /// Wall-clock seconds from exec to the end of teardown.
    public var wallSeconds: Double
    /// User CPU seconds of the agent and every descendant.
    public var userCPUSeconds: Double
    /// System CPU seconds of the agent and every descendant.
    public var systemCPUSeconds: Double
    /// Peak resident set size of the largest process, in bytes.
    public var peakRSSBytes: Int64?
    /// Exit code, when the agent exited.
    public var exitCode: Int32?
    /// Terminating signal, when the agent was killed.
    public var signal: Int32?
    /// Whether the timeout fired.
    public var timedOut: Bool
    /// Processes still alive after the agent ended, killed by the launcher.
    public var leftoverProcessesKilled: Int
    /// Bytes the agent wrote to stdout.
    public var stdoutBytes: Int64
    /// Whether stdout was cut at the cap.
    public var stdoutTruncated: Bool
    /// Bytes the agent wrote to stderr.
    public var stderrBytes: Int64
    /// Whether stderr was cut at the cap.
    public var stderrTruncated: Bool
    /// Processes the run started inside its pid namespace (namespace modes; nil where not measurable).
    public var processesStarted: Int?
    /// Bytes of regular files in the workspace after the run (what the agent left behind, inputs included).
    public var workspaceBytes: Int64?
    /// Peak memory of the run's cgroup, when a memory controller accounted it.
    public var cgroupPeakMemoryBytes: Int64?
    /// OOM kills in the run's cgroup, when a memory controller accounted them.
    public var oomKills: Int?

    enum CodingKeys: String, CodingKey {
        case processesStarted = "processes_started", workspaceBytes = "workspace_bytes"
        case cgroupPeakMemoryBytes = "cgroup_peak_memory_bytes", oomKills = "oom_kills"
        case wallSeconds = "wall_seconds", userCPUSeconds = "cpu_user_seconds", systemCPUSeconds = "cpu_system_seconds"
        case peakRSSBytes = "peak_rss_bytes", exitCode = "exit_code", signal, timedOut = "timed_out"
        case leftoverProcessesKilled = "leftover_processes_killed", stdoutBytes = "stdout_bytes"
        case stdoutTruncated = "stdout_truncated", stderrBytes = "stderr_bytes", stderrTruncated = "stderr_truncated"
    }
}

/// One file written for a result: path relative to the output root, size and sha256.
public struct ArtifactRecord: Sendable, Codable, Equatable {
    /// Path relative to the output root.
    public var path: String
    /// Size in bytes.
    public var bytes: Int64
    /// Hex sha256 of the content.
    public var sha256: String
}

/// Start and end times plus the duration of each phase.
public struct Timing: Sendable, Codable, Equatable {
    /// Start time, ISO 8601 UTC.
    public var startedAt: String
    /// End time, ISO 8601 UTC.
    public var finishedAt: String
    /// Seconds spent creating the workspace.
    public var workspaceSeconds: Double
    /// Seconds the agent launch took, teardown included.
    public var agentSeconds: Double
    /// Seconds spent scoring and collecting outputs.
    public var scoringSeconds: Double

    enum CodingKeys: String, CodingKey {
        case startedAt = "started_at", finishedAt = "finished_at", workspaceSeconds = "workspace_seconds"
        case agentSeconds = "agent_seconds", scoringSeconds = "scoring_seconds"
    }
}

/// The per-instance result file `<task_id>/<instance_id>.json` (DESIGN.md §6).
public struct InstanceResult: Sendable, Codable, Equatable {
    /// Schema marker of this document.
    public static let schemaName = "ai4sci_bench_instance_result"
    /// Version of this document's layout.
    public static let schemaVersion = 1

    /// Schema marker.
    public var schema = InstanceResult.schemaName
    /// Layout version.
    public var resultSchemaVersion = InstanceResult.schemaVersion
    /// The task id.
    public var taskID: String
    /// The task version.
    public var taskVersion: String
    /// sha256 over the task files.
    public var taskHash: String
    /// `<task_id>__<variant>__<level>`.
    public var instanceID: String
    /// Instance name, variant and `params_used`.
    public var instance: [String: JSONValue]
    /// The prompt level.
    public var promptLevel: PromptLevel
    /// Attempt number (1 for a single run).
    public var attempt: Int
    /// Agent label, command template and passed variable names.
    public var agent: [String: JSONValue]
    /// scored, agent_failed or evaluation_invalid.
    public var outcome: RunOutcome
    /// What the agent process did.
    public var agentStatus: AgentStatus
    /// 0-100; nil when the evaluation is invalid.
    public var finalScore: Double?
    /// The best score the task allows.
    public var maxPossibleScore: Double
    /// Weighted scorers with score, message and details.
    public var componentScores: [JSONValue]
    /// Gates with severity, pass/fail, message and details.
    public var gateResults: [JSONValue]
    /// Whether every hard gate passed (nil when not evaluated).
    public var hardGatesPassed: Bool?
    /// Names of failed soft gates.
    public var softGateFailures: [String]
    /// Why the result is not scored, or why the agent failed, in one sentence.
    public var message: String?
    /// Sandbox mode the user asked for.
    public var requestedMode: SandboxMode
    /// Mode verified to be in force.
    public var effectiveMode: SandboxMode
    /// enforced, degraded, refused or not_requested.
    public var enforcementStatus: EnforcementStatus
    /// verified, unverified, mismatch or not_applicable.
    public var verificationStatus: VerificationStatus
    /// Evidence read back from the agent and host facts.
    public var sandbox: [String: JSONValue]
    /// Token usage with coverage.
    public var usage: TokenUsage
    /// What the agent's stdout JSONL held.
    public var agentOutput: AgentOutputSummary
    /// Resource figures from the launcher; nil when the run was refused.
    public var resources: ResourceUsage?
    /// Times of the phases.
    public var timing: Timing
    /// Files written for this result.
    public var artifacts: [ArtifactRecord]
    /// How the task's custom scorers ran (interpreter, registered names, scorer sandbox, calls); absent when
    /// the task uses built-in scorers only.
    public var scorerBridge: JSONValue? = nil
    /// Where a `batch-run` item ran: `{"kind": "local"}` or the Slurm job, array task and node.
    public var executor: JSONValue? = nil

    enum CodingKeys: String, CodingKey {
        case schema, resultSchemaVersion = "result_schema_version", taskID = "task_id", taskVersion = "task_version"
        case taskHash = "task_hash", instanceID = "instance_id", instance, promptLevel = "prompt_level", attempt, agent
        case outcome, agentStatus = "agent_status", finalScore = "final_score", maxPossibleScore = "max_possible_score"
        case componentScores = "component_scores", gateResults = "gate_results", hardGatesPassed = "hard_gates_passed"
        case softGateFailures = "soft_gate_failures", message, requestedMode = "requested_mode", effectiveMode = "effective_mode"
        case enforcementStatus = "enforcement_status", verificationStatus = "verification_status", sandbox, usage
        case agentOutput = "agent_output", resources, timing, artifacts, scorerBridge = "scorer_bridge", executor
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(resultSchemaVersion, forKey: .resultSchemaVersion)
        try c.encode(taskID, forKey: .taskID)
        try c.encode(taskVersion, forKey: .taskVersion)
        try c.encode(taskHash, forKey: .taskHash)
        try c.encode(instanceID, forKey: .instanceID)
        try c.encode(instance, forKey: .instance)
        try c.encode(promptLevel, forKey: .promptLevel)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(agent, forKey: .agent)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(agentStatus, forKey: .agentStatus)
        try c.encode(finalScore, forKey: .finalScore)  // explicit null when evaluation_invalid
        try c.encode(maxPossibleScore, forKey: .maxPossibleScore)
        try c.encode(componentScores, forKey: .componentScores)
        try c.encode(gateResults, forKey: .gateResults)
        try c.encode(hardGatesPassed, forKey: .hardGatesPassed)
        try c.encode(softGateFailures, forKey: .softGateFailures)
        try c.encode(message, forKey: .message)
        try c.encode(requestedMode, forKey: .requestedMode)
        try c.encode(effectiveMode, forKey: .effectiveMode)
        try c.encode(enforcementStatus, forKey: .enforcementStatus)
        try c.encode(verificationStatus, forKey: .verificationStatus)
        try c.encode(sandbox, forKey: .sandbox)
        try c.encode(usage, forKey: .usage)
        try c.encode(agentOutput, forKey: .agentOutput)
        try c.encode(resources, forKey: .resources)
        try c.encode(timing, forKey: .timing)
        try c.encode(artifacts, forKey: .artifacts)
        try c.encodeIfPresent(scorerBridge, forKey: .scorerBridge)
        try c.encodeIfPresent(executor, forKey: .executor)
    }
}
