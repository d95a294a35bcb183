import Foundation

/// The report as a sequence of headings, paragraphs and tables, rendered as terminal text or Markdown.
///
/// One description of what the report says, two spellings: the text and Markdown outputs cannot drift apart.
public enum ReportDocument {
    /// A piece of the document.
    public enum Block: Equatable, Sendable {
        case heading(String, level: Int)
        case paragraph(String)
        case table(header: [String], rows: [[String]])
        case bullets([String])
    }

    /// The blocks of `report`.
    public static func blocks(_ report: Report) -> [Block] {
        var out: [Block] = [.heading("ai4sci-bench report", level: 1)]
        let b = report.bootstrap
        out.append(.paragraph("Generated \(report.generatedAt.isEmpty ? "(no timestamp)" : report.generatedAt) by ai4sci-bench \(report.frameworkVersion). "
            + "Means are task-balanced (each task weighs the same; repeats averaged within an item); agent failures count 0; "
            + "invalid evaluations are excluded and counted. Intervals: \(pct(b["confidence"] ?? 0.95)) percentile bootstrap over tasks, "
            + "\(Int(b["resamples"] ?? 0)) resamples, seed \(Int(b["seed"] ?? 0)). Pass: score ≥ \(num(report.passThreshold))."))
        out.append(.table(header: ["run", "directory", "overall", "CI", "tasks", "items", "results", "coverage", "health"],
                          rows: report.runs.map { r in
                              [r.label, r.directory, score(r.overall.mean), ci(r.overall.ci), "\(r.overall.tasks)", "\(r.overall.items)",
                               "\(r.outcomes.results)", coverage(r.coverage), health(r.health)]
                          }))
        let warnings = report.runs.flatMap(runWarnings)
        if !warnings.isEmpty { out.append(.heading("Warnings", level: 2)); out.append(.bullets(warnings)) }
        for r in report.runs { out += runBlocks(r, report: report) }
        if let c = report.comparison { out += comparisonBlocks(c) }
        return out
    }

    /// Plain statements about incomplete, tampered or mixed runs.
    public static func runWarnings(_ r: AgentRunSummary) -> [String] {
        var w: [String] = []
        let h = r.health
        if h.isTampered {
            let kinds = h.problems.keys.sorted().map { "\($0) \(h.problems[$0]!)" }.joined(separator: ", ")
            w.append("\(r.label): validation found problems in \(r.directory) (\(kinds)); \(r.coverage.rejected) result file(s) rejected. First: \(h.examples.first ?? "")")
        }
        if h.isIncomplete {
            w.append("\(r.label): the run is incomplete (\(h.problems[RunProblem.Kind.noManifest.rawValue] != nil ? "no manifest.json; " : "")\(h.plannedMissing) planned item(s) without a result)")
        }
        if r.coverage.missing > 0 { w.append("\(r.label): \(r.coverage.missing) planned result(s) missing of \(r.coverage.expected.map(String.init) ?? "?")") }
        if r.coverage.invalid > 0 { w.append("\(r.label): \(r.coverage.invalid) result(s) with an invalid evaluation (excluded from means)") }
        if r.sandbox.mixedModes {
            w.append("\(r.label): results ran under different sandbox modes (\(r.sandbox.effective.keys.sorted().map { "\($0) \(r.sandbox.effective[$0]!)" }.joined(separator: ", ")))")
        }
        if r.sandbox.degraded + r.sandbox.unsandboxed > 0 {
            w.append("\(r.label): \(r.sandbox.degraded) result(s) ran degraded and \(r.sandbox.unsandboxed) without a sandbox")
        }
        return w
    }

    static func runBlocks(_ r: AgentRunSummary, report: Report) -> [Block] {
        var out: [Block] = [.heading("Run \(r.label)", level: 2)]
        var facts = ["directory \(r.directory) (\(r.kind))"]
        if let m = r.facts.model { facts.append("model \(m)") }
        if let v = r.facts.frameworkVersion { facts.append("framework \(v)") }
        if let s = r.facts.sandbox { facts.append("sandbox \(s)") }
        if let t = r.facts.timeoutSeconds { facts.append("timeout \(num(t)) s") }
        if let w = r.medianWallSeconds { facts.append("median agent time \(String(format: "%.1f", w)) s") }
        out.append(.paragraph(facts.joined(separator: " · ")))
        let levels = r.levels.keys.sorted()
        out.append(.heading("Score by level", level: 3))
        out.append(.table(header: ["level", "mean", "CI", "tasks", "items"],
                          rows: levels.map { l in let s = r.levels[l]!; return [l, score(s.mean), ci(s.ci), "\(s.tasks)", "\(s.items)"] }
                              + [["all", score(r.overall.mean), ci(r.overall.ci), "\(r.overall.tasks)", "\(r.overall.items)"]]))
        out.append(.heading("Tasks", level: 3))
        out.append(.table(header: ["task"] + levels + ["mean", "n", "invalid", "missing"],
                          rows: r.tasks.map { t in
                              [t.taskID] + levels.map { score(t.levels[$0] ?? nil) } + [score(t.mean), "\(t.n)", "\(t.invalid)", "\(t.missing)"]
                          }))
        out.append(.paragraph("Domains: " + (r.domains.isEmpty ? "none" : r.domains.map { "\($0.domain) \(score($0.mean)) (\($0.tasks) task\($0.tasks == 1 ? "" : "s"))" }.joined(separator: " · "))))
        let o = r.outcomes
        out.append(.paragraph("Outcomes: \(o.results) result(s): \(o.scored) scored, \(o.agentFailed) agent_failed (\(o.failed) failed, \(o.timeout) timeout, \(o.refused) refused), \(o.evaluationInvalid) evaluation_invalid."))
        out.append(.heading("Gates", level: 3))
        out.append(.paragraph("Hard gates failed in \(r.gates.hardFailedResults) of \(r.gates.evaluated) evaluated result(s)."))
        if !r.gates.hard.isEmpty {
            out.append(.table(header: ["hard gate", "check", "failures"], rows: r.gates.hard.prefix(15).map { [$0.gate, $0.check.isEmpty ? "–" : $0.check, "\($0.count)"] }))
        }
        if !r.gates.soft.isEmpty {
            out.append(.table(header: ["soft gate", "warnings"], rows: r.gates.soft.map { [$0.gate, "\($0.count)"] }))
        }
        if r.passAtK.count > 1 || (r.passAtK.first.map { $0.items > 0 } ?? false) {
            out.append(.table(header: ["k", "pass@k", "pass^k", "items"],
                              rows: r.passAtK.map { ["\($0.k)", frac($0.passAtK), frac($0.passHatK), "\($0.items)"] }))
        }
        let s = r.sandbox
        out.append(.paragraph("Sandbox: \(s.enforced) enforced, \(s.degraded) degraded, \(s.unsandboxed) unsandboxed, \(s.refused) refused; "
            + "verification \(counts(s.verification)); requested \(counts(s.requested)); effective \(counts(s.effective))."))
        let u = r.usage
        var usage = "Usage: observed in \(u.observed) of \(u.results) result(s)"
        if u.observed > 0 { usage += "; \(Int(u.inputTokens)) input and \(Int(u.outputTokens)) output tokens" }
        usage += u.costUSD.map { String(format: "; cost $%.4f over %d result(s)", $0, u.costed) } ?? "; no cost reported"
        out.append(.paragraph(usage + "."))
        if r.lowScoringTotal > 0 {
            out.append(.heading("Low-scoring results (\(r.lowScoringTotal) below \(num(report.passThreshold)); lowest \(r.lowScoring.count))", level: 3))
            out.append(.table(header: ["score", "level", "instance", "outcome", "reasons"],
                              rows: r.lowScoring.map { l in
                                  [score(l.score), l.level, l.instanceID, l.outcome == "scored" ? l.outcome : "\(l.outcome) (\(l.agentStatus))",
                                   l.reasons.isEmpty ? "–" : l.reasons.joined(separator: "; ")]
                              }))
        }
        return out
    }

    static func comparisonBlocks(_ c: Comparison) -> [Block] {
        var out: [Block] = [.heading("Comparison: \(c.current) against \(c.baseline)", level: 2)]
        out.append(.paragraph("\(c.pairs) pair(s) matched by task, instance, level and repeat; \(c.excludedInvalid) excluded (invalid on either side); "
            + "\(c.baselineOnly) only in the baseline, \(c.currentOnly) only in the current run. Δ = current − baseline, task-balanced, paired bootstrap over tasks."))
        let rows = c.levels.keys.sorted().map { ($0, c.levels[$0]!) } + [("all", c.overall)]
        out.append(.table(header: ["level", "baseline", "current", "Δ", "CI", "pairs", "tasks"],
                          rows: rows.map { l, d in [l, score(d.baselineMean), score(d.currentMean), signed(d.delta), ci(d.ci, signed: true), "\(d.pairs)", "\(d.tasks)"] }))
        let m = c.mcnemar
        out.append(.paragraph("McNemar exact test (pass = score ≥ \(num(m.threshold))): both pass \(m.bothPass), both fail \(m.bothFail), "
            + "pass→fail \(m.passToFail), fail→pass \(m.failToPass); p = \(pvalue(m.pValue))."))
        for (title, flips) in [("Pass → fail", c.passToFail), ("Fail → pass", c.failToPass)] where !flips.isEmpty {
            out.append(.heading(title, level: 3))
            out.append(.table(header: ["instance", "baseline", "current", "reasons"],
                              rows: flips.map { [$0.instanceID, score($0.baselineScore), score($0.currentScore), $0.reasons.isEmpty ? "–" : $0.reasons.joined(separator: "; ")] }))
        }
        if !c.gateChanges.isEmpty {
            out.append(.heading("Hard gate changes", level: 3))
            out.append(.table(header: ["gate", "newly failing", "newly passing"], rows: c.gateChanges.map { [$0.gate, "\($0.newlyFailing)", "\($0.newlyPassing)"] }))
        }
        if !c.provenanceDifferences.isEmpty {
            out.append(.heading("Provenance differences (may confound the comparison)", level: 3))
            out.append(.table(header: ["field", "baseline", "current"], rows: c.provenanceDifferences.map { [$0.field, $0.baseline, $0.current] }))
        }
        return out
    }

    // MARK: Rendering

    /// Terminal text: underlined headings, aligned columns, wrapped nothing (terminals wrap).
    public static func text(_ blocks: [Block]) -> String {
        var out = ""
        for block in blocks {
            switch block {
            case .heading(let t, let level):
                if !out.isEmpty { out += "\n" }
                out += t + "\n" + String(repeating: level == 1 ? "=" : (level == 2 ? "-" : "·"), count: t.count) + "\n"
            case .paragraph(let p): out += p + "\n"
            case .bullets(let items): out += items.map { "  ! " + $0 }.joined(separator: "\n") + "\n"
            case .table(let header, let rows): out += alignedTable([header] + rows) + "\n"
            }
        }
        return out
    }

    /// GitHub-flavoured Markdown.
    public static func markdown(_ blocks: [Block]) -> String {
        var out = ""
        for block in blocks {
            switch block {
            case .heading(let t, let level): out += (out.isEmpty ? "" : "\n") + String(repeating: "#", count: level) + " " + mdEscape(t) + "\n\n"
            case .paragraph(let p): out += mdEscape(p) + "\n\n"
            case .bullets(let items): out += items.map { "- " + mdEscape($0) }.joined(separator: "\n") + "\n\n"
            case .table(let header, let rows): out += RecordsFormat.table(header.map(mdEscape), rows.map { $0.map(mdEscape) }) + "\n"
            }
        }
        return out
    }

    static func alignedTable(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: width)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Escapes Markdown's inline syntax characters that occur in ids, paths and messages.
    static func mdEscape(_ s: String) -> String {
        var out = ""
        for ch in s {
            if "\\`*_[]<>|#".contains(ch) { out.append("\\") }
            if ch == "\n" { out += " "; continue }
            out.append(ch)
        }
        return out
    }

    // MARK: Number formats

    static func score(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "–" }
    static func signed(_ v: Double?) -> String { v.map { String(format: "%+.2f", $0) } ?? "–" }
    static func frac(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
    static func num(_ v: Double) -> String { RecordsFormat.number(v) }
    static func pct(_ v: Double) -> String { "\(RecordsFormat.number(v * 100))%" }
    static func pvalue(_ p: Double) -> String { p < 0.0001 ? String(format: "%.1e", p) : String(format: "%.4f", p) }
    static func ci(_ i: ReportStatistics.Interval?, signed s: Bool = false) -> String {
        guard let i else { return "–" }
        return s ? "[\(signed(i.low)), \(signed(i.high))]" : "[\(score(i.low)), \(score(i.high))]"
    }
    static func counts(_ d: [String: Int]) -> String {
        d.isEmpty ? "none" : d.keys.sorted().map { "\($0) \(d[$0]!)" }.joined(separator: ", ")
    }
    static func coverage(_ c: Coverage) -> String {
        guard let e = c.expected else { return "\(c.present) present" }
        return "\(c.present)/\(e)" + (c.missing > 0 ? " (\(c.missing) missing)" : "")
    }
    static func health(_ h: RunHealth) -> String {
        if h.isClean { return "valid" }
        var parts: [String] = []
        if h.isTampered { parts.append("TAMPERED") }
        if h.isIncomplete { parts.append("incomplete") }
        parts.append("\(h.problems.values.reduce(0, +)) problem(s)")
        return parts.joined(separator: ", ")
    }
}
