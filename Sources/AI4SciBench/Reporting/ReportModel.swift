import Foundation

/// Options that change the numbers of a report.
public struct ReportOptions: Sendable, Equatable {
    /// A counted score at or above this passes (pass@k, McNemar, low-scoring list).
    public var passThreshold: Double = 50
    /// Bootstrap resamples.
    public var resamples: Int = 2000
    /// Bootstrap seed (the report is reproducible for a given seed).
    public var seed: UInt64 = 0
    /// Confidence level of the intervals.
    public var confidence: Double = 0.95
    /// Rows of the low-scoring list (and of the flip lists of a comparison).
    public var listLimit: Int = 20
    /// The generation time written into the report (pin it to make output byte-identical).
    public var timestamp: String = ""

    public init() {}
}

/// A mean with its bootstrap interval and what went into it.
public struct ScoreSummary: Sendable, Codable, Equatable {
    /// Task-balanced mean (nil when nothing was counted).
    public var mean: Double?
    /// 95% (or the configured) interval over tasks; nil below two tasks.
    public var ci: ReportStatistics.Interval?
    /// Tasks with at least one counted item.
    public var tasks: Int
    /// Items (task × instance × level) with at least one counted repeat.
    public var items: Int
}

/// One task's row: means per level and overall, with counts.
public struct TaskRow: Sendable, Codable, Equatable {
    public var taskID: String
    public var domain: String
    /// Mean of the task's items per level (nil where nothing was counted).
    public var levels: [String: Double?]
    /// Counted items per level.
    public var counts: [String: Int]
    /// Mean over the task's items (every level).
    public var mean: Double?
    /// Counted items.
    public var n: Int
    /// Result files excluded as evaluation_invalid.
    public var invalid: Int
    /// Planned results without a file.
    public var missing: Int

    enum CodingKeys: String, CodingKey { case taskID = "task_id", domain, levels, counts, mean, n, invalid, missing }
}

/// Mean of the tasks of one domain.
public struct DomainRow: Sendable, Codable, Equatable {
    public var domain: String
    public var mean: Double?
    public var tasks: Int
}

/// How many result files ended which way.
public struct OutcomeCounts: Sendable, Codable, Equatable {
    public var results = 0
    public var scored = 0
    /// Agent failures of every kind (failed + timeout + refused).
    public var agentFailed = 0
    public var failed = 0
    public var timeout = 0
    public var refused = 0
    public var evaluationInvalid = 0

    enum CodingKeys: String, CodingKey {
        case results, scored, agentFailed = "agent_failed", failed, timeout, refused, evaluationInvalid = "evaluation_invalid"
    }
}

/// Failures of one gate check (hard) or one gate (soft).
public struct GateCount: Sendable, Codable, Equatable {
    public var gate: String
    /// The failing check (`density.npy`, `value_range pressure.npy`); empty when the gate gave none.
    public var check: String
    public var count: Int
}

/// The gate summary of a run.
public struct GateSummary: Sendable, Codable, Equatable {
    /// Results whose hard gates were evaluated.
    public var evaluated: Int
    /// Results with a failed hard gate.
    public var hardFailedResults: Int
    /// Hard failures by gate and check, most frequent first.
    public var hard: [GateCount]
    /// Soft warnings by gate, most frequent first.
    public var soft: [GateCount]

    enum CodingKeys: String, CodingKey { case evaluated, hardFailedResults = "hard_failed_results", hard, soft }
}

/// One low-scoring (or failed, or invalid) result with its reasons.
public struct LowScore: Sendable, Codable, Equatable {
    public var taskID: String
    public var instanceID: String
    public var level: String
    public var repeatIndex: Int
    public var outcome: String
    public var agentStatus: String
    /// Counted score (nil for evaluation_invalid).
    public var score: Double?
    public var reasons: [String]
    /// Result file, relative to the directory.
    public var result: String
    /// Agent stdout, relative to the directory.
    public var stdout: String

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", instanceID = "instance_id", level, repeatIndex = "repeat", outcome, agentStatus = "agent_status"
        case score, reasons, result, stdout
    }
}

/// Sandbox provenance counted over the results.
public struct SandboxSummary: Sendable, Codable, Equatable {
    /// Results whose sandbox was enforced as requested.
    public var enforced: Int
    /// Results that ran with a lower, allowed mode.
    public var degraded: Int
    /// Results that ran with no sandbox (effective mode none).
    public var unsandboxed: Int
    /// Results whose run was refused.
    public var refused: Int
    /// Counts by enforcement status, verification status, requested and effective mode.
    public var enforcement: [String: Int]
    public var verification: [String: Int]
    public var requested: [String: Int]
    public var effective: [String: Int]
    /// More than one effective mode among the results.
    public var mixedModes: Bool

    enum CodingKeys: String, CodingKey {
        case enforced, degraded, unsandboxed, refused, enforcement, verification, requested, effective, mixedModes = "mixed_modes"
    }
}

/// Token usage and cost where the agent reported them.
public struct UsageSummary: Sendable, Codable, Equatable {
    /// Results with observed usage.
    public var observed: Int
    /// Results in all.
    public var results: Int
    public var inputTokens: Double
    public var outputTokens: Double
    /// Cost in USD over the results that reported one; nil when none did.
    public var costUSD: Double?
    /// Results that reported a cost.
    public var costed: Int

    enum CodingKeys: String, CodingKey {
        case observed, results, inputTokens = "input_tokens", outputTokens = "output_tokens", costUSD = "cost_usd", costed
    }
}

/// pass@k and pass^k at one k, task-balanced.
public struct PassAtK: Sendable, Codable, Equatable {
    public var k: Int
    public var passAtK: Double?
    public var passHatK: Double?
    /// Items with at least k counted repeats.
    public var items: Int

    enum CodingKeys: String, CodingKey { case k, passAtK = "pass_at_k", passHatK = "pass_hat_k", items }
}

/// Planned versus present results.
public struct Coverage: Sendable, Codable, Equatable {
    /// Results the run planned (tasks × instances × levels × repeats), when it can be told.
    public var expected: Int?
    /// Result files read.
    public var present: Int
    /// Planned results without a file.
    public var missing: Int
    /// Result files excluded as evaluation_invalid.
    public var invalid: Int
    /// Result files left out because validation found a problem with them.
    public var rejected: Int
}

/// Everything the report says about one run.
public struct AgentRunSummary: Sendable, Codable, Equatable {
    public var label: String
    public var agent: String
    public var directory: String
    public var kind: String
    public var facts: RunFacts
    public var health: RunHealth
    public var overall: ScoreSummary
    public var levels: [String: ScoreSummary]
    public var tasks: [TaskRow]
    public var domains: [DomainRow]
    public var outcomes: OutcomeCounts
    public var gates: GateSummary
    public var lowScoring: [LowScore]
    /// Results below the pass threshold (or failed or invalid), of which `lowScoring` lists the lowest.
    public var lowScoringTotal: Int
    public var sandbox: SandboxSummary
    public var usage: UsageSummary
    public var passAtK: [PassAtK]
    public var coverage: Coverage
    /// Median agent wall time in seconds.
    public var medianWallSeconds: Double?
    /// Counted item scores per level (for distributions in the HTML report; not encoded in JSON).
    public var levelScores: [String: [Double]] = [:]

    enum CodingKeys: String, CodingKey {
        case label, agent, directory, kind, facts, health, overall, levels, tasks, domains, outcomes, gates
        case lowScoring = "low_scoring", lowScoringTotal = "low_scoring_total", sandbox, usage, passAtK = "pass_at_k", coverage
        case medianWallSeconds = "median_wall_seconds"
    }
}

/// The report: one summary per run, the comparison when asked, and the definitions that produced the numbers.
public struct Report: Sendable, Codable, Equatable {
    public static let schemaName = "ai4sci_bench_report"
    public static let schemaVersion = 1

    public var schema = Report.schemaName
    public var schemaVersion = Report.schemaVersion
    public var generatedAt: String
    public var frameworkVersion: String
    public var passThreshold: Double
    public var bootstrap: [String: Double]
    public var definitions: [String: String]
    public var runs: [AgentRunSummary]
    public var comparison: Comparison?

    enum CodingKeys: String, CodingKey {
        case schema, schemaVersion = "schema_version", generatedAt = "generated_at", frameworkVersion = "framework_version"
        case passThreshold = "pass_threshold", bootstrap, definitions, runs, comparison
    }

    /// The rules every rendering follows.
    public static let definitionTexts: [String: String] = [
        "mean": "task-balanced: repeats are averaged within an item (task × instance × level), items within a task, then tasks weigh the same",
        "agent_failed": "counts as 0 (timeouts and sandbox refusals included)",
        "evaluation_invalid": "excluded from means and counted",
        "missing": "planned results without a file are reported as missing, never as 0",
        "ci": "percentile bootstrap over tasks (seeded); null below two tasks",
        "pass": "a counted score at or above pass_threshold",
        "pass_at_k": "unbiased estimator 1 - C(n-c,k)/C(n,k) per item, task-balanced; pass_hat_k = C(c,k)/C(n,k)",
        "rejected": "result files with a validation problem (changed, unreadable, score mismatch) are left out and counted",
    ]
}
