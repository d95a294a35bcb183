import Foundation

extension InstanceResult {
    /// The result of an attempt whose agent never ran here or never reported (no CLI, no key, a Slurm job lost on its
    /// node): `evaluation_invalid` with `message`, no sandbox evidence (`verification_status: unverified`).
    static func notRun(task: TaskDefinition, instanceID: String, variant: String, parameters: [String: JSONValue]?, level: PromptLevel,
                       attempt: Int, agent: [String: JSONValue], requestedMode: SandboxMode, message: String, note: String,
                       executor: JSONValue?) -> InstanceResult {
        let now = BenchmarkRunner.timestamp()
        var instance: [String: JSONValue] = ["name": .string("\(task.id)__\(variant)"), "variant": .string(variant)]
        if let parameters { instance["params_used"] = .object(parameters) }
        return InstanceResult(
            taskID: task.id, taskVersion: task.version, taskHash: task.contentHash, instanceID: instanceID, instance: instance,
            promptLevel: level, attempt: attempt, agent: agent, outcome: .evaluationInvalid, agentStatus: .failed, finalScore: nil,
            maxPossibleScore: task.evaluation.maxPossibleScore, componentScores: [], gateResults: [], hardGatesPassed: nil,
            softGateFailures: [], message: message, requestedMode: requestedMode, effectiveMode: .none, enforcementStatus: .notRequested,
            verificationStatus: .unverified, sandbox: ["not_run": true, "note": .string(note)], usage: .unknown,
            agentOutput: AgentOutputSummary(), resources: nil,
            timing: Timing(startedAt: now, finishedAt: now, workspaceSeconds: 0, agentSeconds: 0, scoringSeconds: 0),
            artifacts: [], executor: executor)
    }
}
