import Foundation

/// Running count, mean, sample variance, min and max of scores (Welford), in constant memory.
struct ScoreStats: Sendable {
    /// Values counted.
    var n = 0
    /// Evaluation-invalid results seen for this group (never counted).
    var invalid = 0
    private(set) var mean = 0.0
    private var m2 = 0.0
    private(set) var min = Double.infinity
    private(set) var max = -Double.infinity

    init() {}

    init(_ values: [Double]) {
        for v in values { add(v) }
    }

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
    /// Sample standard deviation (n − 1), or null below two values.
    var stdValue: JSONValue { n > 1 ? .number((m2 / Double(n - 1)).squareRoot()) : .null }
    var minValue: JSONValue { n > 0 ? .number(min) : .null }
    var maxValue: JSONValue { n > 0 ? .number(max) : .null }
}

/// One agent's results reduced to the records: result counts, and item means grouped by task and level under the
/// report's rules (repeats averaged within an item; agent failures 0; invalid evaluations excluded and counted).
struct AgentRecords {
    var agent: String
    var model: String?
    var items: [ReportItem]
    var groups: [ReportBuilder.ItemGroup]

    init(agent: String, model: String?, items: [ReportItem]) {
        self.agent = agent
        self.model = model
        self.items = items
        groups = ReportBuilder.groups(items)
    }

    /// Item means of one task (all levels, or one level).
    func itemMeans(task: String, level: String? = nil) -> [Double] {
        groups.filter { $0.taskID == task && (level == nil || $0.level == level) }.compactMap(\.mean)
    }

    /// Task ids in order.
    var taskIDs: [String] { Array(Set(items.map(\.taskID))).sorted() }

    /// Task means (tasks with a counted item), in task order.
    func taskMeans(level: String? = nil) -> [Double] {
        ReportBuilder.taskMeans(groups.filter { level == nil || $0.level == level }).means
    }

    /// The agent's entry in `batch_overview.json`.
    var overviewJSON: JSONValue {
        var scored = 0, failed = 0, invalid = 0, refused = 0
        var sandbox: [String: [String: Int]] = [:]
        var coverage: [String: Int] = [:]
        var tokens: [String: Double] = [:]
        for it in items {
            switch it.outcome {
            case .scored: scored += 1
            case .agentFailed: failed += 1
            case .evaluationInvalid: invalid += 1
            }
            if it.agentStatus == .refused { refused += 1 }
            for (key, value) in [("requested_mode", it.requestedMode), ("effective_mode", it.effectiveMode),
                                 ("enforcement_status", it.enforcement), ("verification_status", it.verification)] {
                sandbox[key, default: [:]][value, default: 0] += 1
            }
            coverage[it.usageCoverage, default: 0] += 1
            for (key, v) in [("input_tokens", it.inputTokens), ("output_tokens", it.outputTokens),
                             ("cache_read_tokens", it.cacheReadTokens), ("cost_usd", it.costUSD)] {
                if let v { tokens[key, default: 0] += v }
            }
        }
        let tasks = ScoreStats(taskMeans())
        var levelMeans: [String: JSONValue] = [:]
        for level in PromptLevel.allCases { levelMeans[level.rawValue] = ScoreStats(taskMeans(level: level.rawValue)).meanValue }
        var usage: [String: JSONValue] = ["coverage": .object(coverage.mapValues { .number(Double($0)) })]
        for key in ["input_tokens", "output_tokens", "cache_read_tokens", "cost_usd"] { usage[key] = tokens[key].map { .number($0) } ?? .null }
        return .object([
            "agent": .string(agent), "model": model.map { .string($0) } ?? .null,
            "items": .number(Double(items.count)), "scored": .number(Double(scored)), "agent_failed": .number(Double(failed)),
            "evaluation_invalid": .number(Double(invalid)), "refused": .number(Double(refused)),
            "counted": .number(Double(groups.filter { $0.mean != nil }.count)), "tasks": .number(Double(tasks.n)),
            "mean_score": tasks.meanValue, "std": tasks.stdValue, "level_means": .object(levelMeans),
            "sandbox": .object(sandbox.mapValues { .object($0.mapValues { .number(Double($0)) }) }),
            "usage": .object(usage),
        ])
    }
}
