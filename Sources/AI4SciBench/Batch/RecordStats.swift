import Foundation

/// Running count, mean, sample variance, min and max of scores (Welford), in constant memory.
struct ScoreStats: Sendable {
    /// Scores counted (agent failures as 0; invalid evaluations never enter).
    var n = 0
    /// Evaluation-invalid items seen for this group.
    var invalid = 0
    private(set) var mean = 0.0
    private var m2 = 0.0
    private(set) var min = Double.infinity
    private(set) var max = -Double.infinity

    mutating func add(_ x: Double) {
        n += 1
        let d = x - mean
        mean += d / Double(n)
        m2 += d * (x - mean)
        min = Swift.min(min, x)
        max = Swift.max(max, x)
    }

    /// Mean, or null when nothing was counted.
    var meanValue: JSONValue { n > 0 ? .number(mean) : .null }
    /// Sample standard deviation (n − 1), or null below two scores.
    var stdValue: JSONValue { n > 1 ? .number((m2 / Double(n - 1)).squareRoot()) : .null }
    var minValue: JSONValue { n > 0 ? .number(min) : .null }
    var maxValue: JSONValue { n > 0 ? .number(max) : .null }
}

/// What one result contributes to the records, read from its JSON.
struct ResultFacts {
    var taskID: String
    var level: String
    var outcome: String
    var agentStatus: String
    var finalScore: Double?
    var hardGatesPassed: Bool?
    var model: String?
    var requestedMode: String
    var effectiveMode: String
    var enforcement: String
    var verification: String
    var usage: JSONValue?

    /// Reads the facts of one result document; nil when it is not a result.
    init?(_ doc: JSONValue) {
        guard doc["schema"]?.stringValue == InstanceResult.schemaName, let task = doc["task_id"]?.stringValue,
              let level = doc["prompt_level"]?.stringValue, let outcome = doc["outcome"]?.stringValue
        else { return nil }
        taskID = task
        self.level = level
        self.outcome = outcome
        agentStatus = doc["agent_status"]?.stringValue ?? "unknown"
        finalScore = doc["final_score"]?.doubleValue
        hardGatesPassed = doc["hard_gates_passed"]?.boolValue
        model = doc["agent"]?["model"]?.stringValue
        requestedMode = doc["requested_mode"]?.stringValue ?? "unknown"
        effectiveMode = doc["effective_mode"]?.stringValue ?? "unknown"
        enforcement = doc["enforcement_status"]?.stringValue ?? "unknown"
        verification = doc["verification_status"]?.stringValue ?? "unknown"
        usage = doc["usage"]
    }

    /// The score that enters means: agent failures count as 0, invalid evaluations are excluded (nil).
    var countedScore: Double? {
        switch outcome {
        case RunOutcome.evaluationInvalid.rawValue: return nil
        case RunOutcome.agentFailed.rawValue: return 0
        default: return finalScore ?? 0
        }
    }
}

/// Per-agent totals for `batch_overview.json`.
struct AgentTally {
    var agent: String
    var model: String?
    var items = 0
    var scored = 0
    var agentFailed = 0
    var invalid = 0
    var refused = 0
    var all = ScoreStats()
    var levels: [String: ScoreStats] = [:]
    var sandbox: [String: [String: Int]] = [:]
    var coverage: [String: Int] = [:]
    var tokens: [String: Double] = [:]

    mutating func add(_ f: ResultFacts) {
        items += 1
        if model == nil { model = f.model }
        switch f.outcome {
        case RunOutcome.scored.rawValue: scored += 1
        case RunOutcome.agentFailed.rawValue: agentFailed += 1
        default: invalid += 1
        }
        if f.agentStatus == AgentStatus.refused.rawValue { refused += 1 }
        if let s = f.countedScore {
            all.add(s)
            levels[f.level, default: ScoreStats()].add(s)
        }
        for (key, value) in [("requested_mode", f.requestedMode), ("effective_mode", f.effectiveMode),
                             ("enforcement_status", f.enforcement), ("verification_status", f.verification)] {
            sandbox[key, default: [:]][value, default: 0] += 1
        }
        coverage[f.usage?["coverage"]?.stringValue ?? "unknown", default: 0] += 1
        for key in ["input_tokens", "output_tokens", "cache_read_tokens", "cost_usd"] {
            if let v = f.usage?[key]?.doubleValue { tokens[key, default: 0] += v }
        }
    }

    /// The agent's entry in `batch_overview.json`.
    var json: JSONValue {
        var levelMeans: [String: JSONValue] = [:]
        for level in PromptLevel.allCases { levelMeans[level.rawValue] = levels[level.rawValue]?.meanValue ?? .null }
        var usage: [String: JSONValue] = ["coverage": .object(coverage.mapValues { .number(Double($0)) })]
        for key in ["input_tokens", "output_tokens", "cache_read_tokens", "cost_usd"] { usage[key] = tokens[key].map { .number($0) } ?? .null }
        return .object([
            "agent": .string(agent), "model": model.map { .string($0) } ?? .null,
            "items": .number(Double(items)), "scored": .number(Double(scored)), "agent_failed": .number(Double(agentFailed)),
            "evaluation_invalid": .number(Double(invalid)), "refused": .number(Double(refused)),
            "counted": .number(Double(all.n)), "mean_score": all.meanValue, "std": all.stdValue, "level_means": .object(levelMeans),
            "sandbox": .object(sandbox.mapValues { .object($0.mapValues { .number(Double($0)) }) }),
            "usage": .object(usage),
        ])
    }
}

/// Per (task, agent) totals for the scoreboard and the long table.
struct TaskTally {
    var taskID: String
    var agent: String
    var model: String?
    var all = ScoreStats()
    var levels: [String: ScoreStats] = [:]
    var gateKnown = 0
    var gatePassed = 0

    mutating func add(_ f: ResultFacts) {
        if model == nil { model = f.model }
        if let s = f.countedScore {
            all.add(s)
            levels[f.level, default: ScoreStats()].add(s)
        } else {
            all.invalid += 1
            levels[f.level, default: ScoreStats()].invalid += 1
        }
        if let g = f.hardGatesPassed {
            gateKnown += 1
            if g { gatePassed += 1 }
        }
    }
}
