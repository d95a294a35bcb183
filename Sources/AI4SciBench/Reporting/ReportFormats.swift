import Foundation

/// The formats `report` writes on stdout.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, markdown, json, csv
}

extension Report {
    /// The report in `format`.
    public func rendered(_ format: ReportFormat) throws -> String {
        switch format {
        case .text: return ReportDocument.text(ReportDocument.blocks(self))
        case .markdown: return ReportDocument.markdown(ReportDocument.blocks(self))
        case .json: return try JSONValue.encodeString(self) + "\n"
        case .csv: return ReportCSV.render(self)
        }
    }
}

/// One long CSV table: a row per (run, scope), scope being overall, level, domain, task or task_level; with a
/// comparison, `delta` and `delta_level` rows whose `mean` is current − baseline and `items` the pairs.
public enum ReportCSV {
    /// Column order.
    public static let columns = ["run", "agent", "scope", "task_id", "domain", "level", "mean", "ci_low", "ci_high", "tasks", "items",
                                 "invalid", "missing"]

    public static func render(_ report: Report) -> String {
        var rows: [JSONValue] = []
        func row(_ run: String, _ agent: String, _ scope: String, task: String? = nil, domain: String? = nil, level: String? = nil,
                 mean: Double?, ci: ReportStatistics.Interval? = nil, tasks: Int? = nil, items: Int? = nil, invalid: Int? = nil,
                 missing: Int? = nil) {
            func n(_ v: Double?) -> JSONValue { v.map { .number($0) } ?? .null }
            func i(_ v: Int?) -> JSONValue { v.map { .number(Double($0)) } ?? .null }
            func s(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
            rows.append(.object(["run": .string(run), "agent": .string(agent), "scope": .string(scope), "task_id": s(task), "domain": s(domain),
                                 "level": s(level), "mean": n(mean), "ci_low": n(ci?.low), "ci_high": n(ci?.high), "tasks": i(tasks),
                                 "items": i(items), "invalid": i(invalid), "missing": i(missing)]))
        }
        for r in report.runs {
            row(r.label, r.agent, "overall", mean: r.overall.mean, ci: r.overall.ci, tasks: r.overall.tasks, items: r.overall.items,
                invalid: r.coverage.invalid, missing: r.coverage.missing)
            for l in r.levels.keys.sorted() {
                let s = r.levels[l]!
                row(r.label, r.agent, "level", level: l, mean: s.mean, ci: s.ci, tasks: s.tasks, items: s.items)
            }
            for d in r.domains { row(r.label, r.agent, "domain", domain: d.domain, mean: d.mean, tasks: d.tasks) }
            for t in r.tasks {
                row(r.label, r.agent, "task", task: t.taskID, domain: t.domain, mean: t.mean, tasks: 1, items: t.n, invalid: t.invalid, missing: t.missing)
                for l in t.levels.keys.sorted() {
                    row(r.label, r.agent, "task_level", task: t.taskID, domain: t.domain, level: l, mean: t.levels[l] ?? nil, tasks: 1, items: t.counts[l] ?? 0)
                }
            }
        }
        if let c = report.comparison {
            let label = "\(c.current) vs \(c.baseline)"
            row(label, c.current, "delta", mean: c.overall.delta, ci: c.overall.ci, tasks: c.overall.tasks, items: c.overall.pairs, invalid: c.excludedInvalid)
            for l in c.levels.keys.sorted() {
                let d = c.levels[l]!
                row(label, c.current, "delta_level", level: l, mean: d.delta, ci: d.ci, tasks: d.tasks, items: d.pairs)
            }
        }
        return RecordsFormat.csv(rows: rows, columns: columns)
    }
}
