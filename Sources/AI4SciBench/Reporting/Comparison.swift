import Foundation

/// `report --compare BASELINE CURRENT`: paired differences, their bootstrap intervals, McNemar's test, flips,
/// gate changes and the provenance differences that can confound the comparison.
public struct Comparison: Sendable, Codable, Equatable {
    public var baseline: String
    public var current: String
    /// Pairs matched by (task, instance, level, repeat) with a counted score on both sides.
    public var pairs: Int
    /// Pairs left out because either side is evaluation_invalid.
    public var excludedInvalid: Int
    /// Results present on one side only.
    public var baselineOnly: Int
    public var currentOnly: Int
    /// Task-balanced mean difference (current − baseline) over all pairs, with a paired bootstrap interval over tasks.
    public var overall: Delta
    /// The same per level.
    public var levels: [String: Delta]
    /// McNemar's exact test on pass/fail.
    public var mcnemar: McNemar
    /// Pairs that passed in the baseline and fail now, and the reverse (the first `listLimit` of each).
    public var passToFail: [Flip]
    public var failToPass: [Flip]
    /// Hard gates that fail on one side and not the other, by gate.
    public var gateChanges: [GateChange]
    /// Provenance that differs between the two runs.
    public var provenanceDifferences: [ProvenanceDifference]

    /// A mean difference with its interval.
    public struct Delta: Sendable, Codable, Equatable {
        public var baselineMean: Double?
        public var currentMean: Double?
        public var delta: Double?
        public var ci: ReportStatistics.Interval?
        public var pairs: Int
        public var tasks: Int

        enum CodingKeys: String, CodingKey {
            case baselineMean = "baseline_mean", currentMean = "current_mean", delta, ci, pairs, tasks
        }
    }

    /// McNemar's exact test.
    public struct McNemar: Sendable, Codable, Equatable {
        public var threshold: Double
        public var bothPass: Int
        public var bothFail: Int
        /// Discordant: pass in the baseline, fail now.
        public var passToFail: Int
        /// Discordant: fail in the baseline, pass now.
        public var failToPass: Int
        public var pValue: Double

        enum CodingKeys: String, CodingKey {
            case threshold, bothPass = "both_pass", bothFail = "both_fail", passToFail = "pass_to_fail", failToPass = "fail_to_pass"
            case pValue = "p_value"
        }
    }

    /// One pair whose pass/fail changed.
    public struct Flip: Sendable, Codable, Equatable {
        public var taskID: String
        public var instanceID: String
        public var level: String
        public var baselineScore: Double
        public var currentScore: Double
        /// Reasons of the failing side.
        public var reasons: [String]

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id", instanceID = "instance_id", level, baselineScore = "baseline_score", currentScore = "current_score", reasons
        }
    }

    /// How often a hard gate started or stopped failing between the runs.
    public struct GateChange: Sendable, Codable, Equatable {
        public var gate: String
        /// Pairs where the gate passed in the baseline and fails now.
        public var newlyFailing: Int
        /// Pairs where the gate failed in the baseline and passes now.
        public var newlyPassing: Int

        enum CodingKeys: String, CodingKey { case gate, newlyFailing = "newly_failing", newlyPassing = "newly_passing" }
    }

    /// A provenance field whose value differs.
    public struct ProvenanceDifference: Sendable, Codable, Equatable {
        public var field: String
        public var baseline: String
        public var current: String
    }

    enum CodingKeys: String, CodingKey {
        case baseline, current, pairs, excludedInvalid = "excluded_invalid", baselineOnly = "baseline_only", currentOnly = "current_only"
        case overall, levels, mcnemar, passToFail = "pass_to_fail", failToPass = "fail_to_pass", gateChanges = "gate_changes"
        case provenanceDifferences = "provenance_differences"
    }

    static func key(_ it: ReportItem) -> String {
        [it.taskID, it.variant, it.level, String(it.repeatIndex)].joined(separator: "\u{0}")
    }

    /// Pairs and tests `current` against `baseline`.
    static func build(baseline: ReportRun, current: ReportRun, options: ReportOptions) -> Comparison {
        var baseIndex: [String: Int] = [:]
        for (i, it) in baseline.items.enumerated() { baseIndex[key(it)] = i }
        var pairs: [(ReportItem, ReportItem)] = []
        var excluded = 0, currentOnly = 0
        var matched = Set<Int>()
        for it in current.items {
            guard let j = baseIndex[key(it)] else { currentOnly += 1; continue }
            matched.insert(j)
            let b = baseline.items[j]
            if b.countedScore == nil || it.countedScore == nil { excluded += 1; continue }
            pairs.append((b, it))
        }
        let levelNames = Set(pairs.map(\.0.level)).sorted()
        var levels: [String: Delta] = [:]
        for level in levelNames {
            levels[level] = delta(pairs.filter { $0.0.level == level }, options: options, key: "compare|\(level)")
        }
        var m = McNemar(threshold: options.passThreshold, bothPass: 0, bothFail: 0, passToFail: 0, failToPass: 0, pValue: 1)
        var p2f: [Flip] = [], f2p: [Flip] = []
        var gateNew: [String: Int] = [:], gateFixed: [String: Int] = [:]
        for (b, c) in pairs {
            let bp = b.countedScore! >= options.passThreshold, cp = c.countedScore! >= options.passThreshold
            switch (bp, cp) {
            case (true, true): m.bothPass += 1
            case (false, false): m.bothFail += 1
            case (true, false):
                m.passToFail += 1
                p2f.append(Flip(taskID: c.taskID, instanceID: c.instanceID, level: c.level, baselineScore: b.countedScore!,
                                currentScore: c.countedScore!, reasons: c.reasons))
            case (false, true):
                m.failToPass += 1
                f2p.append(Flip(taskID: c.taskID, instanceID: c.instanceID, level: c.level, baselineScore: b.countedScore!,
                                currentScore: c.countedScore!, reasons: b.reasons))
            }
            let bg = Set(b.failedGates.filter { $0.severity == "hard" }.map(\.name))
            let cg = Set(c.failedGates.filter { $0.severity == "hard" }.map(\.name))
            for g in cg.subtracting(bg) { gateNew[g, default: 0] += 1 }
            for g in bg.subtracting(cg) { gateFixed[g, default: 0] += 1 }
        }
        m.pValue = ReportStatistics.mcnemarExact(b: m.passToFail, c: m.failToPass)
        let byDrop: (Flip, Flip) -> Bool = { (abs($0.currentScore - $0.baselineScore), $1.taskID, $1.instanceID) > (abs($1.currentScore - $1.baselineScore), $0.taskID, $0.instanceID) }
        let gateChanges = Set(gateNew.keys).union(gateFixed.keys).sorted().map {
            GateChange(gate: $0, newlyFailing: gateNew[$0] ?? 0, newlyPassing: gateFixed[$0] ?? 0)
        }
        return Comparison(
            baseline: baseline.label, current: current.label, pairs: pairs.count, excludedInvalid: excluded,
            baselineOnly: baseline.items.count - matched.count, currentOnly: currentOnly,
            overall: delta(pairs, options: options, key: "compare|overall"), levels: levels, mcnemar: m,
            passToFail: Array(p2f.sorted(by: byDrop).prefix(options.listLimit)), failToPass: Array(f2p.sorted(by: byDrop).prefix(options.listLimit)),
            gateChanges: gateChanges, provenanceDifferences: provenance(baseline, current))
    }

    /// Task-balanced mean difference with a paired bootstrap over tasks (pairs stay together).
    static func delta(_ pairs: [(ReportItem, ReportItem)], options: ReportOptions, key: String) -> Delta {
        var byTask: [String: (b: [Double], c: [Double])] = [:]
        for (b, c) in pairs { byTask[b.taskID, default: ([], [])].b.append(b.countedScore!); byTask[b.taskID]!.c.append(c.countedScore!) }
        let tasks = byTask.keys.sorted()
        let bm = tasks.map { ReportStatistics.mean(byTask[$0]!.b)! }
        let cm = tasks.map { ReportStatistics.mean(byTask[$0]!.c)! }
        let d = zip(cm, bm).map { $0 - $1 }
        return Delta(baselineMean: ReportStatistics.mean(bm), currentMean: ReportStatistics.mean(cm), delta: ReportStatistics.mean(d),
                     ci: ReportStatistics.bootstrapMean(d, resamples: options.resamples, confidence: options.confidence, seed: options.seed, key: key),
                     pairs: pairs.count, tasks: tasks.count)
    }

    /// Agent, task, sandbox, timeout and framework differences.
    static func provenance(_ b: ReportRun, _ c: ReportRun) -> [ProvenanceDifference] {
        var out: [ProvenanceDifference] = []
        func add(_ field: String, _ x: String?, _ y: String?) {
            if (x ?? "") != (y ?? "") { out.append(ProvenanceDifference(field: field, baseline: x ?? "–", current: y ?? "–")) }
        }
        let bf = b.metadata, cf = c.metadata
        add("agent", b.agent, c.agent)
        add("agent version", bf.agentVersion, cf.agentVersion)
        add("agent command", bf.agentCommand, cf.agentCommand)
        add("model", bf.model, cf.model)
        add("framework version", bf.frameworkVersion, cf.frameworkVersion)
        add("benchmark version", bf.benchmarkVersion, cf.benchmarkVersion)
        add("timeout (s)", bf.timeoutSeconds.map { RecordsFormat.number($0) }, cf.timeoutSeconds.map { RecordsFormat.number($0) })
        add("requested sandbox", modes(b.items.map(\.requestedMode)), modes(c.items.map(\.requestedMode)))
        add("effective sandbox", modes(b.items.map(\.effectiveMode)), modes(c.items.map(\.effectiveMode)))
        add("seed", bf.seed.map { RecordsFormat.number($0) }, cf.seed.map { RecordsFormat.number($0) })
        for task in Set(bf.tasks.keys).intersection(cf.tasks.keys).sorted() {
            add("\(task) version", bf.tasks[task]!.version, cf.tasks[task]!.version)
            if bf.tasks[task]!.hash != cf.tasks[task]!.hash {
                add("\(task) hash", bf.tasks[task]!.hash.map { String($0.prefix(12)) }, cf.tasks[task]!.hash.map { String($0.prefix(12)) })
            }
        }
        return out
    }

    /// Distinct values, sorted, comma-separated.
    static func modes(_ values: [String]) -> String {
        Set(values).sorted().joined(separator: ",")
    }
}
