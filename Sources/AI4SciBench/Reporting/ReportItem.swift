import Foundation

/// One result file reduced to what the report needs (read from the stored JSON, never re-run).
public struct ReportItem: Sendable, Equatable {
    /// Path of the result relative to the directory that was loaded.
    public var path: String
    /// The task id (`domain.name`).
    public var taskID: String
    /// Instance variant (`seed42`, `p1a2b…`).
    public var variant: String
    /// Prompt level (`b1`…`b4`).
    public var level: String
    /// Repeat number (1 when the instance id has no `__r<k>` suffix).
    public var repeatIndex: Int
    /// The instance id (file stem).
    public var instanceID: String
    /// scored, agent_failed or evaluation_invalid.
    public var outcome: RunOutcome
    /// completed, failed, timeout or refused.
    public var agentStatus: AgentStatus
    /// The stored final score (nil when the evaluation is invalid).
    public var finalScore: Double?
    /// Whether every hard gate passed (nil when not evaluated).
    public var hardGatesPassed: Bool?
    /// Gates that failed, with the checks that failed.
    public var failedGates: [GateFailure]
    /// Concrete reasons the score is not full, most important first (empty for full scores).
    public var reasons: [String]
    /// Wall-clock seconds of the agent, when it ran.
    public var wallSeconds: Double?
    /// Token figures and cost when the agent reported them.
    public var inputTokens: Double?
    public var outputTokens: Double?
    public var costUSD: Double?
    public var cacheReadTokens: Double?
    /// Token usage coverage as recorded (`observed`, `unknown`, …).
    public var usageCoverage: String
    /// Whether token usage was observed.
    public var usageObserved: Bool { usageCoverage == "observed" }
    /// Sandbox provenance, as recorded from the running child.
    public var requestedMode: String
    public var effectiveMode: String
    public var enforcement: String
    public var verification: String
    /// Task version and hash the result was scored against.
    public var taskVersion: String
    public var taskHash: String

    /// The score that enters means: agent failures count 0, invalid evaluations are excluded (nil).
    public var countedScore: Double? {
        switch outcome {
        case .evaluationInvalid: return nil
        case .agentFailed: return 0
        case .scored: return finalScore ?? 0
        }
    }

    /// Domain of the task: the part of the id before the first dot.
    public var domain: String { ReportItem.domain(of: taskID) }

    /// Domain of a task id.
    public static func domain(of taskID: String) -> String {
        taskID.split(separator: ".", maxSplits: 1).first.map(String.init) ?? taskID
    }

    /// Path of the agent's stdout next to the result.
    public var stdoutPath: String {
        String(path.dropLast(".json".count)) + ".agent_stdout.jsonl"
    }
}

/// A failed gate of one result.
public struct GateFailure: Sendable, Equatable, Codable {
    /// Gate name (`file_match`, `file_match#2`).
    public var name: String
    /// hard or soft.
    public var severity: String
    /// Labels of the checks that failed (`density.npy`, `value_range density.npy`, `no_nan_inf`); empty when unknown.
    public var checks: [String]
    /// The gate's message.
    public var message: String
}

extension ReportItem {
    /// Reads one result document; nil for attempts (kept under `attempts/`) or documents lacking the basics.
    ///
    /// Reasons are worked out for results below `reasonsBelow` (and failed or invalid ones): those are the ones
    /// the report lists, and reading every scorer's details of every result would double the cost of a report.
    public static func extract(path: String, skim s: JSONSkim, reasonsBelow: Double = 100) -> ReportItem? {
        if path.split(separator: "/").contains("attempts") { return nil }
        let keys = ["task_id", "instance_id", "instance", "prompt_level", "outcome", "agent_status", "final_score", "hard_gates_passed",
                    "gate_results", "component_scores", "message", "resources", "usage", "requested_mode", "effective_mode",
                    "enforcement_status", "verification_status", "task_version", "task_hash", "max_possible_score"]
        guard let f = s.fields(s.root, keys), let task = s.string(f[0]), let instanceID = s.string(f[1]), let level = s.string(f[3]),
              let outcome = s.string(f[4]).flatMap(RunOutcome.init(rawValue:))
        else { return nil }
        let status = s.string(f[5]).flatMap(AgentStatus.init(rawValue:)) ?? (outcome == .agentFailed ? .failed : .completed)
        var repeatIndex = 1
        if let r = instanceID.range(of: "__r", options: .backwards), let k = Int(instanceID[r.upperBound...]) { repeatIndex = k }
        let variant = s.string(s.field(f[2], "variant"))
            ?? instanceID.components(separatedBy: "__").dropFirst().first ?? instanceID
        let resources = s.fields(f[11], ["wall_seconds", "exit_code", "signal", "timed_out"]) ?? [nil, nil, nil, nil]
        let usage = s.fields(f[12], ["input_tokens", "output_tokens", "cost_usd", "coverage", "cache_read_tokens"]) ?? [nil, nil, nil, nil, nil]
        var item = ReportItem(
            path: path, taskID: task, variant: variant, level: level, repeatIndex: repeatIndex, instanceID: instanceID,
            outcome: outcome, agentStatus: status, finalScore: s.number(f[6]), hardGatesPassed: s.bool(f[7]),
            failedGates: [], reasons: [], wallSeconds: s.number(resources[0]),
            inputTokens: s.number(usage[0]), outputTokens: s.number(usage[1]), costUSD: s.number(usage[2]),
            cacheReadTokens: s.number(usage[4]), usageCoverage: s.string(usage[3]) ?? "unknown",
            requestedMode: s.string(f[13]) ?? "unknown", effectiveMode: s.string(f[14]) ?? "unknown",
            enforcement: s.string(f[15]) ?? "unknown", verification: s.string(f[16]) ?? "unknown",
            taskVersion: s.string(f[17]) ?? "", taskHash: s.string(f[18]) ?? "")
        item.failedGates = s.elementFields(f[8], ReasonReader.gateKeys).compactMap { ReasonReader.failedGate(s, $0) }
        let passing = item.countedScore.map { $0 >= reasonsBelow || $0 >= (s.number(f[19]) ?? 100) } ?? false
        if !passing {
            item.reasons = ReasonReader.reasons(s, item: item, message: s.string(f[10]), components: f[9],
                                                exitCode: s.number(resources[1]), signal: s.number(resources[2]),
                                                timedOut: s.bool(resources[3]) ?? false)
        }
        return item
    }
}

/// Turns gate and scorer details into one-line reasons a scientist can act on.
enum ReasonReader {
    /// Most reasons kept per result.
    static let limit = 4

    /// Members of a gate result the report reads.
    static let gateKeys = ["name", "severity", "passed", "message", "details", "scorer"]

    /// The failed gate whose members (`gateKeys`) are at `g`, or nil when it passed.
    static func failedGate(_ s: JSONSkim, _ g: [Int?]) -> GateFailure? {
        guard s.bool(g[2]) == false else { return nil }
        var checks: [String] = []
        for cf in s.elementFields(s.field(g[4], "checks"), ["passed", "check", "file", "pattern"]) {
            guard s.bool(cf[0]) == false else { continue }
            checks.append([s.string(cf[1]), s.string(cf[2]) ?? s.string(cf[3])].compactMap { $0 }.joined(separator: " "))
        }
        return GateFailure(name: s.string(g[0]) ?? s.string(g[5]) ?? "gate", severity: s.string(g[1]) ?? "hard",
                           checks: checks, message: s.string(g[3]) ?? "")
    }

    static func reasons(_ s: JSONSkim, item: ReportItem, message: String?, components: Int?, exitCode: Double?, signal: Double?,
                        timedOut: Bool) -> [String] {
        var out: [String] = []
        let wall = item.wallSeconds.map { " after \(seconds($0))" } ?? ""
        switch item.agentStatus {
        case .timeout: out.append("timeout\(wall)\(signal.map { " (killed by signal \(Int($0)))" } ?? "")")
        case .refused: out.append("sandbox refused the run" + (message.map { ": \($0)" } ?? ""))
        case .failed:
            if let exitCode { out.append("agent exited \(Int(exitCode))\(wall)") }
            else if let signal { out.append("agent killed by signal \(Int(signal))\(wall)") }
            else { out.append("agent failed\(wall)") }
        case .completed: break
        }
        if timedOut, item.agentStatus != .timeout { out.append("timeout\(wall)") }
        if item.outcome == .evaluationInvalid { out.append("evaluation invalid" + (message.map { ": \($0)" } ?? "")) }
        else if let message, item.agentStatus == .failed || item.agentStatus == .timeout, !out.contains(where: { $0.contains(message) }) {
            out.append(message)
        }
        for g in item.failedGates where g.severity == "hard" { out.append(gateReason(g)) }
        if item.hardGatesPassed != false {
            for c in s.elementFields(components, componentKeys) { if let r = componentReason(s, c) { out.append(r) } }
        }
        return Array(out.prefix(limit))
    }

    /// The reason of a failed hard gate: its message (the failing checks' messages, e.g. a shape disagreement),
    /// else the labels of the failing checks.
    static func gateReason(_ g: GateFailure) -> String {
        "\(g.name): " + (!g.message.isEmpty ? g.message : (g.checks.isEmpty ? "failed" : g.checks.joined(separator: "; ")))
    }

    /// Members of a component score the report reads.
    static let componentKeys = ["name", "score", "max_score", "message", "details"]

    /// A reason for a component below its maximum (members `componentKeys` at `f`): the metric against its
    /// thresholds, else the scorer's message.
    static func componentReason(_ s: JSONSkim, _ f: [Int?]) -> String? {
        guard let score = s.number(f[1]),
              let maxScore = s.number(f[2]), score < maxScore - 1e-9 else { return nil }
        let name = s.string(f[0]) ?? "component"
        let part = "(\(fixed(score, 1))/\(fixed(maxScore, 0)))"
        let d = s.fields(f[4], ["full_score_threshold", "zero_score_threshold", "metric", "relative_l2", "rmse", "mae", "max_abs_error",
                                "relative_linf", "r2", "error"]) ?? []
        if d.count == 10, let full = s.number(d[0]), let zero = s.number(d[1]) {
            let names = ["relative_l2", "rmse", "mae", "max_abs_error", "relative_linf", "r2"]
            let metric = s.string(d[2]) ?? names.enumerated().first { s.number(d[3 + $0.offset]) != nil }?.element
            if let metric, let idx = names.firstIndex(of: metric), let value = s.number(d[3 + idx]) {
                let higherBetter = zero < full
                let beyondZero = higherBetter ? value <= zero : value >= zero
                let relation = beyondZero ? "\(higherBetter ? "<" : ">") zero threshold \(short(zero))"
                    : "\(higherBetter ? "<" : ">") full-score threshold \(short(full))"
                return "\(name): \(metric) \(short(value)) \(relation) \(part)"
            }
        }
        if d.count == 10, let error = s.string(d[9]) { return "\(name): \(error) \(part)" }
        let message = s.string(f[3]) ?? ""
        return "\(name): \(message.isEmpty ? "below full score" : message) \(part)"
    }

    static func seconds(_ x: Double) -> String { x >= 10 ? "\(Int(x.rounded())) s" : "\(fixed(x, 1)) s" }
    static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    /// Three significant digits.
    static func short(_ x: Double) -> String { String(format: "%.3g", x) }
}
