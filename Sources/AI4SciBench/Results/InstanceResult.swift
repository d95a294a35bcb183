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
    public var wallSeconds: Double
    public var userCPUSeconds: Double
    public var systemCPUSeconds: Double
    public var peakRSSBytes: Int64?
    public var exitCode: Int32?
    public var signal: Int32?
    public var timedOut: Bool
    public var leftoverProcessesKilled: Int
    public var stdoutBytes: Int64
    public var stdoutTruncated: Bool
    public var stderrBytes: Int64
    public var stderrTruncated: Bool

    enum CodingKeys: String, CodingKey {
        case wallSeconds = "wall_seconds", userCPUSeconds = "cpu_user_seconds", systemCPUSeconds = "cpu_system_seconds"
        case peakRSSBytes = "peak_rss_bytes", exitCode = "exit_code", signal, timedOut = "timed_out"
        case leftoverProcessesKilled = "leftover_processes_killed", stdoutBytes = "stdout_bytes"
        case stdoutTruncated = "stdout_truncated", stderrBytes = "stderr_bytes", stderrTruncated = "stderr_truncated"
    }
}

/// One file written for a result: path relative to the output root, size and sha256.
public struct ArtifactRecord: Sendable, Codable, Equatable {
    public var path: String
    public var bytes: Int64
    public var sha256: String
}

/// Start and end times plus the duration of each phase.
public struct Timing: Sendable, Codable, Equatable {
    public var startedAt: String
    public var finishedAt: String
    public var workspaceSeconds: Double
    public var agentSeconds: Double
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

    public var schema = InstanceResult.schemaName
    public var resultSchemaVersion = InstanceResult.schemaVersion
    public var taskID: String
    public var taskVersion: String
    public var taskHash: String
    public var instanceID: String
    public var instance: [String: JSONValue]
    public var promptLevel: PromptLevel
    public var attempt: Int
    public var agent: [String: JSONValue]
    public var outcome: RunOutcome
    public var agentStatus: AgentStatus
    public var finalScore: Double?
    public var maxPossibleScore: Double
    public var componentScores: [JSONValue]
    public var gateResults: [JSONValue]
    public var hardGatesPassed: Bool?
    public var softGateFailures: [String]
    /// Why the result is not scored, or why the agent failed, in one sentence.
    public var message: String?
    public var requestedMode: SandboxMode
    public var effectiveMode: SandboxMode
    public var enforcementStatus: EnforcementStatus
    public var verificationStatus: VerificationStatus
    public var sandbox: [String: JSONValue]
    public var usage: TokenUsage
    public var agentOutput: AgentOutputSummary
    public var resources: ResourceUsage?
    public var timing: Timing
    public var artifacts: [ArtifactRecord]

    enum CodingKeys: String, CodingKey {
        case schema, resultSchemaVersion = "result_schema_version", taskID = "task_id", taskVersion = "task_version"
        case taskHash = "task_hash", instanceID = "instance_id", instance, promptLevel = "prompt_level", attempt, agent
        case outcome, agentStatus = "agent_status", finalScore = "final_score", maxPossibleScore = "max_possible_score"
        case componentScores = "component_scores", gateResults = "gate_results", hardGatesPassed = "hard_gates_passed"
        case softGateFailures = "soft_gate_failures", message, requestedMode = "requested_mode", effectiveMode = "effective_mode"
        case enforcementStatus = "enforcement_status", verificationStatus = "verification_status", sandbox, usage
        case agentOutput = "agent_output", resources, timing, artifacts
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
    }
}
