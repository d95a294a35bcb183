import Foundation

/// Builds the report from loaded runs. Pure: the same runs and options give the same report.
public enum ReportBuilder {
    /// The report over `runs`, with a comparison when `compare` names (baseline, current) indices into `runs`.
    public static func build(runs: [ReportRun], options: ReportOptions, compare: (Int, Int)? = nil) -> Report {
        let summaries = runs.map { summarize($0, options: options) }
        let comparison = compare.map { Comparison.build(baseline: runs[$0.0], current: runs[$0.1], options: options) }
        return Report(generatedAt: options.timestamp, frameworkVersion: BenchmarkRunner.frameworkVersion,
                      passThreshold: options.passThreshold,
                      bootstrap: ["resamples": Double(options.resamples), "seed": Double(options.seed), "confidence": options.confidence],
                      definitions: Report.definitionTexts, runs: summaries, comparison: comparison)
    }

    /// The task-balanced mean of counted scores (nil: excluded), keyed by task and item: repeats are averaged
    /// within an item, items within a task, then tasks weigh the same. Nil when nothing was counted.
    public static func taskBalancedMean(_ scores: [(task: String, item: String, score: Double?)]) -> Double? {
        ReportStatistics.mean(taskMeans(groups(scores.lazy.map { (task: $0.task, item: $0.item, level: "", score: $0.score) })).means)
    }

    /// One item (task × instance × level) with its repeats' counted scores.
    struct ItemGroup {
        var taskID: String
        var level: String
        var scores: [Double] = []
        var invalid = 0
        var mean: Double? { ReportStatistics.mean(scores) }
    }

    /// Groups results into items (task × instance × level), in a stable order.
    static func groups(_ items: [ReportItem]) -> [ItemGroup] {
        groups(items.lazy.map { (task: $0.taskID, item: $0.variant + "\u{0}" + $0.level, level: $0.level, score: $0.countedScore) })
    }

    /// Groups counted scores (nil: invalid) by task and item key, in order of first appearance.
    static func groups<S: Sequence>(_ entries: S) -> [ItemGroup] where S.Element == (task: String, item: String, level: String, score: Double?) {
        var index: [String: Int] = [:]
        var out: [ItemGroup] = []
        for e in entries {
            let key = e.task + "\u{0}" + e.item
            let i: Int
            if let j = index[key] { i = j } else {
                i = out.count
                index[key] = i
                out.append(ItemGroup(taskID: e.task, level: e.level))
            }
            if let s = e.score { out[i].scores.append(s) } else { out[i].invalid += 1 }
        }
        return out
    }

    /// Mean of each task's item means, in task order, and the number of items counted.
    static func taskMeans(_ groups: [ItemGroup]) -> (means: [Double], items: Int) {
        var perTask: [String: [Double]] = [:]
        var items = 0
        for g in groups { if let m = g.mean { perTask[g.taskID, default: []].append(m); items += 1 } }
        return (perTask.keys.sorted().compactMap { ReportStatistics.mean(perTask[$0]!) }, items)
    }

    /// Task-balanced summary of item means: per task mean of its items, then the mean of tasks, with an interval.
    static func taskBalanced(_ groups: [ItemGroup], options: ReportOptions, key: String) -> ScoreSummary {
        let (means, items) = taskMeans(groups)
        return ScoreSummary(mean: ReportStatistics.mean(means),
                            ci: ReportStatistics.bootstrapMean(means, resamples: options.resamples, confidence: options.confidence,
                                                               seed: options.seed, key: key),
                            tasks: means.count, items: items)
    }

    static func summarize(_ run: ReportRun, options: ReportOptions) -> AgentRunSummary {
        let groups = groups(run.items)
        let levelNames = Set(run.items.map(\.level)).union(run.metadata.promptLevels).sorted()
        var levels: [String: ScoreSummary] = [:]
        var levelScores: [String: [Double]] = [:]
        for level in levelNames {
            let g = groups.filter { $0.level == level }
            levels[level] = taskBalanced(g, options: options, key: "\(run.label)|level|\(level)")
            levelScores[level] = g.compactMap(\.mean)
        }
        let overall = taskBalanced(groups, options: options, key: "\(run.label)|overall")
        let tasks = taskRows(run, groups: groups, levels: levelNames)
        var byDomain: [String: [Double]] = [:]
        for t in tasks { if let m = t.mean { byDomain[t.domain, default: []].append(m) } }
        let domains = byDomain.keys.sorted().map { DomainRow(domain: $0, mean: ReportStatistics.mean(byDomain[$0]!), tasks: byDomain[$0]!.count) }
        let lows = run.items.filter { ($0.countedScore ?? -1) < options.passThreshold }
            .sorted { (($0.countedScore ?? -1), $0.path) < (($1.countedScore ?? -1), $1.path) }
        let walls = run.items.compactMap(\.wallSeconds).sorted()
        let present = run.items.count
        let expected = expectedCount(run)
        return AgentRunSummary(
            label: run.label, agent: run.agent, directory: run.directory, kind: run.kind.rawValue, facts: run.metadata, health: run.health,
            overall: overall, levels: levels, tasks: tasks, domains: domains, outcomes: outcomes(run.items), gates: gates(run.items),
            lowScoring: lows.prefix(options.listLimit).map { lowScore($0, root: run.root) }, lowScoringTotal: lows.count,
            sandbox: sandbox(run.items), usage: usage(run.items), passAtK: passAtK(run.items, options: options),
            coverage: Coverage(expected: expected, present: present, missing: max(0, (expected ?? present) - present - run.rejected),
                               invalid: run.items.filter { $0.outcome == .evaluationInvalid }.count, rejected: run.rejected),
            medianWallSeconds: walls.isEmpty ? nil : walls[walls.count / 2], levelScores: levelScores)
    }

    /// Planned results: tasks × instances × levels × repeats, when the metadata says so.
    static func expectedCount(_ run: ReportRun) -> Int? {
        guard let perTask = run.metadata.instancesPerTask, !run.metadata.tasks.isEmpty, !run.metadata.promptLevels.isEmpty else { return nil }
        return run.metadata.tasks.count * perTask * run.metadata.promptLevels.count * max(1, run.metadata.repeats)
    }

    static func taskRows(_ run: ReportRun, groups: [ItemGroup], levels: [String]) -> [TaskRow] {
        var byTask: [String: [ItemGroup]] = [:]
        for g in groups { byTask[g.taskID, default: []].append(g) }
        var present: [String: Int] = [:]
        for it in run.items { present[it.taskID + "\u{0}" + it.level, default: 0] += 1 }
        let perLevelExpected = run.metadata.instancesPerTask.map { $0 * max(1, run.metadata.repeats) }
        let taskIDs = Set(byTask.keys).union(run.metadata.tasks.keys).sorted()
        return taskIDs.map { task in
            let gs = byTask[task] ?? []
            var means: [String: Double?] = [:]
            var counts: [String: Int] = [:]
            var missing = 0
            for level in levels {
                let lg = gs.filter { $0.level == level }
                means[level] = ReportStatistics.mean(lg.compactMap(\.mean))
                counts[level] = lg.filter { $0.mean != nil }.count
                if let e = perLevelExpected, run.metadata.tasks[task] != nil, run.metadata.promptLevels.contains(level) {
                    missing += max(0, e - (present[task + "\u{0}" + level] ?? 0))
                }
            }
            return TaskRow(taskID: task, domain: ReportItem.domain(of: task), levels: means, counts: counts,
                           mean: ReportStatistics.mean(gs.compactMap(\.mean)), n: gs.filter { $0.mean != nil }.count,
                           invalid: gs.reduce(0) { $0 + $1.invalid }, missing: missing)
        }
    }

    static func outcomes(_ items: [ReportItem]) -> OutcomeCounts {
        var o = OutcomeCounts()
        for it in items {
            o.results += 1
            switch it.outcome {
            case .scored: o.scored += 1
            case .agentFailed: o.agentFailed += 1
            case .evaluationInvalid: o.evaluationInvalid += 1
            }
            if it.outcome == .agentFailed {
                switch it.agentStatus {
                case .timeout: o.timeout += 1
                case .refused: o.refused += 1
                default: o.failed += 1
                }
            }
        }
        return o
    }

    static func gates(_ items: [ReportItem]) -> GateSummary {
        var hard: [String: Int] = [:], soft: [String: Int] = [:]
        var evaluated = 0, failed = 0
        for it in items {
            if it.hardGatesPassed != nil { evaluated += 1 }
            if it.hardGatesPassed == false { failed += 1 }
            for g in it.failedGates {
                if g.severity == "hard" {
                    if g.checks.isEmpty { hard[g.name + "\u{0}", default: 0] += 1 }
                    for c in Set(g.checks) { hard[g.name + "\u{0}" + c, default: 0] += 1 }
                } else {
                    soft[g.name + "\u{0}", default: 0] += 1
                }
            }
        }
        func rows(_ d: [String: Int]) -> [GateCount] {
            d.map { key, n in
                let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
                return GateCount(gate: String(parts[0]), check: parts.count > 1 ? String(parts[1]) : "", count: n)
            }.sorted { ($1.count, $0.gate, $0.check) < ($0.count, $1.gate, $1.check) }
        }
        return GateSummary(evaluated: evaluated, hardFailedResults: failed, hard: rows(hard), soft: rows(soft))
    }

    static func lowScore(_ it: ReportItem, root: String) -> LowScore {
        LowScore(taskID: it.taskID, instanceID: it.instanceID, level: it.level, repeatIndex: it.repeatIndex, outcome: it.outcome.rawValue,
                 agentStatus: it.agentStatus.rawValue, score: it.countedScore, reasons: it.reasons, result: it.path, stdout: it.stdoutPath)
    }

    static func sandbox(_ items: [ReportItem]) -> SandboxSummary {
        var s = SandboxSummary(enforced: 0, degraded: 0, unsandboxed: 0, refused: 0, enforcement: [:], verification: [:],
                               requested: [:], effective: [:], mixedModes: false)
        var ran: Set<String> = []
        for it in items {
            if it.enforcement != EnforcementStatus.refused.rawValue { ran.insert(it.effectiveMode) }
            s.enforcement[it.enforcement, default: 0] += 1
            s.verification[it.verification, default: 0] += 1
            s.requested[it.requestedMode, default: 0] += 1
            s.effective[it.effectiveMode, default: 0] += 1
            switch it.enforcement {
            case EnforcementStatus.enforced.rawValue: s.enforced += 1
            case EnforcementStatus.degraded.rawValue: s.degraded += 1
            case EnforcementStatus.refused.rawValue: s.refused += 1
            default: break
            }
            if it.effectiveMode == SandboxMode.none.rawValue, it.enforcement != EnforcementStatus.refused.rawValue { s.unsandboxed += 1 }
        }
        s.mixedModes = ran.subtracting(["unknown"]).count > 1  // refused runs (effective none) ran under no mode
        return s
    }

    static func usage(_ items: [ReportItem]) -> UsageSummary {
        var u = UsageSummary(observed: 0, results: items.count, inputTokens: 0, outputTokens: 0, costUSD: nil, costed: 0)
        for it in items {
            if it.usageObserved {
                u.observed += 1
                u.inputTokens += it.inputTokens ?? 0
                u.outputTokens += it.outputTokens ?? 0
            }
            if let c = it.costUSD {
                u.costUSD = (u.costUSD ?? 0) + c
                u.costed += 1
            }
        }
        return u
    }

    /// pass@k and pass^k for k = 1 … the largest number of counted repeats of an item.
    static func passAtK(_ items: [ReportItem], options: ReportOptions) -> [PassAtK] {
        let gs = groups(items)
        let maxK = gs.map(\.scores.count).max() ?? 0
        guard maxK >= 1 else { return [] }
        return (1...maxK).map { k in
            var atK: [String: [Double]] = [:], hatK: [String: [Double]] = [:]
            var n = 0
            for g in gs {
                let c = g.scores.filter { $0 >= options.passThreshold }.count
                guard let a = ReportStatistics.passAtK(n: g.scores.count, c: c, k: k),
                      let h = ReportStatistics.passHatK(n: g.scores.count, c: c, k: k) else { continue }
                atK[g.taskID, default: []].append(a)
                hatK[g.taskID, default: []].append(h)
                n += 1
            }
            let tasks = atK.keys.sorted()
            return PassAtK(k: k, passAtK: ReportStatistics.mean(tasks.compactMap { ReportStatistics.mean(atK[$0]!) }),
                           passHatK: ReportStatistics.mean(tasks.compactMap { ReportStatistics.mean(hatK[$0]!) }), items: n)
        }
    }
}
