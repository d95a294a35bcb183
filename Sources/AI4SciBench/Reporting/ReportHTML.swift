import Foundation

/// The report as one self-contained HTML5 document: inline CSS, a small inline script (table sorting), inline SVG
/// figures, no network and no external asset. Deterministic: the same report (and instances) give the same bytes.
///
/// Every text taken from the data goes through `escape`; links to result files are relative hrefs built from
/// `linkPrefix` (per run label: the path from the HTML file's folder to the directory that was loaded, e.g. `../`).
public enum ReportHTML {
    /// Renders `report`. `instances` (by run label) adds a sortable per-instance table; `linkPrefix` (by run label) is
    /// put before result paths in links (none: paths are relative to the HTML file's folder as they are).
    public static func render(_ report: Report, instances: [String: [ReportItem]] = [:], linkPrefix: [String: String] = [:]) -> String {
        var page = Page(report: report, instances: instances, linkPrefix: linkPrefix)
        return page.render()
    }

    // MARK: Text helpers

    /// HTML/XML escaping of text and attribute values (`& < > " '`); control characters XML cannot carry become U+FFFD.
    static func escape(_ s: String) -> String {
        // Fast path: most ids, paths and numbers hold nothing to escape (no markup byte, no C0/C1 control,
        // no U+FFFE/U+FFFF, whose UTF-8 starts with 0xEF and is checked by the slow path).
        if !s.utf8.contains(where: { b in
            b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 || (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D)
                || b == 0x7F || b == 0xC2 || b == 0xEF
        }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0xFFFE || v == 0xFFFF { out += "\u{FFFD}" }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// `x` with `digits` fixed decimals (no negative zero); a dash for nil or non-finite.
    static func fixed(_ x: Double?, _ digits: Int) -> String {
        guard let x, x.isFinite else { return "–" }
        let s = String(format: "%.\(digits)f", x)
        return s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) ? String(s.dropFirst()) : s
    }

    /// Like `fixed` with an explicit sign for positive values.
    static func signed(_ x: Double?, _ digits: Int) -> String {
        let s = fixed(x, digits)
        guard let x, x.isFinite, !s.hasPrefix("-"), s.contains(where: { $0 != "0" && $0 != "." }) else { return s }
        return x > 0 ? "+" + s : s
    }

    /// An integer with thousands separators.
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A token count (rounded) with thousands separators.
    static func grouped(_ x: Double) -> String { x.isFinite ? grouped(Int(x.rounded())) : "–" }

    /// A 0–1 proportion as a percentage with one decimal.
    static func percent(_ x: Double?) -> String { x.map { fixed($0 * 100, 1) } ?? "–" }

    /// A p-value with four decimals (or an upper bound).
    static func pValue(_ p: Double) -> String { p < 0.0001 ? "< 0.0001" : fixed(p, 4) }

    /// An escaped href: the prefix as given, then the path percent-encoded (ASCII letters, digits and `-._~/`
    /// stay; every other UTF-8 byte becomes `%XX`). Written out byte by byte: a report links every result twice.
    static func href(_ prefix: String, _ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count + 8)
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                bytes.append(b)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            }
        }
        return escape(prefix + String(decoding: bytes, as: UTF8.self))
    }

    /// `k: n` pairs of a count dictionary, keys sorted.
    static func counts(_ d: [String: Int]) -> String {
        d.keys.sorted().map { "\($0) \(d[$0]!)" }.joined(separator: ", ")
    }

    /// Label of a run's health and its CSS class.
    static func health(_ h: RunHealth) -> (word: String, cls: String) {
        if h.isTampered { return ("tampered", "bad") }
        if h.isIncomplete { return ("incomplete", "warn") }
        if h.isClean { return ("clean", "ok") }
        return ("problems", "warn")
    }

    /// Prompt levels named by any run, sorted.
    static func levelNames(_ report: Report) -> [String] {
        var set = Set<String>()
        for run in report.runs {
            set.formUnion(run.levels.keys)
            for t in run.tasks { set.formUnion(t.levels.keys) }
        }
        return set.sorted()
    }

    // MARK: Page

    /// One rendering pass.
    struct Page {
        let report: Report
        let instances: [String: [ReportItem]]
        let linkPrefix: [String: String]
        let levels: [String]
        /// Instance id → item, per run label (links of the comparison's flips).
        let byInstance: [String: [String: ReportItem]]
        var out = ""

        init(report: Report, instances: [String: [ReportItem]], linkPrefix: [String: String]) {
            self.report = report
            self.instances = instances
            self.linkPrefix = linkPrefix
            levels = ReportHTML.levelNames(report)
            var index: [String: [String: ReportItem]] = [:]
            for (label, items) in instances {
                var m: [String: ReportItem] = [:]
                for it in items where m[it.instanceID] == nil { m[it.instanceID] = it }
                index[label] = m
            }
            byInstance = index
        }

        func e(_ s: String) -> String { ReportHTML.escape(s) }

        /// Run labels that have instance rows: the report's runs first, then any other label, sorted.
        var instanceLabels: [String] {
            let known = report.runs.map(\.label).filter { !(instances[$0] ?? []).isEmpty }
            let extra = instances.keys.filter { k in !report.runs.contains { $0.label == k } && !(instances[k] ?? []).isEmpty }.sorted()
            return known + extra
        }

        func link(_ label: String, _ path: String, _ text: String) -> String {
            guard !path.isEmpty else { return e(text) }
            return "<a href=\"\(ReportHTML.href(linkPrefix[label] ?? "", path))\">\(e(text))</a>"
        }

        mutating func render() -> String {
            let labels = report.runs.map(\.label)
            let title = "AI4Sci-Bench report" + (labels.isEmpty ? "" : ": " + labels.joined(separator: ", "))
            out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
            out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            out += "<meta name=\"generator\" content=\"ai4sci-bench \(e(report.frameworkVersion))\">\n"
            out += "<title>\(e(title))</title>\n<style>\n\(ReportHTML.css)</style>\n</head>\n<body>\n"
            header(title)
            overview()
            figures()
            if let cmp = report.comparison { comparison(cmp) }
            for (i, run) in report.runs.enumerated() { runSection(run, index: i) }
            instanceTables()
            definitions()
            out += "<footer>Generated by ai4sci-bench \(e(report.frameworkVersion)) at \(e(report.generatedAt.isEmpty ? "–" : report.generatedAt)). "
            out += "Self-contained file: no network access, no external resources.</footer>\n"
            out += "<script>\n\(ReportHTML.script)</script>\n</body>\n</html>\n"
            return out
        }

        // MARK: Header

        mutating func header(_ title: String) {
            out += "<header>\n<h1>\(e(title))</h1>\n<p class=\"meta\">"
            out += "generated <b>\(e(report.generatedAt.isEmpty ? "–" : report.generatedAt))</b> · framework <b>\(e(report.frameworkVersion))</b>"
            out += " · pass threshold <b>\(e(RecordsFormat.number(report.passThreshold)))</b> · bootstrap "
            out += report.bootstrap.keys.sorted().map { "\(e($0)) <b>\(e(RecordsFormat.number(report.bootstrap[$0]!)))</b>" }.joined(separator: ", ")
            out += " · schema \(e(report.schema)) v\(report.schemaVersion)</p>\n"
            out += "<nav class=\"toc\"><a href=\"#overview\">Overview</a> <a href=\"#figures\">Figures</a>"
            if report.comparison != nil { out += " <a href=\"#comparison\">Comparison</a>" }
            for (i, run) in report.runs.enumerated() { out += " <a href=\"#run-\(i + 1)\">\(e(run.label))</a>" }
            if !instanceLabels.isEmpty { out += " <a href=\"#instances\">Instances</a>" }
            out += " <a href=\"#definitions\">Definitions</a></nav>\n</header>\n"
        }

        mutating func overview() {
            out += "<section id=\"overview\">\n<h2>Overview</h2>\n"
            if report.runs.isEmpty { out += "<p class=\"note\">The report holds no run.</p>\n</section>\n"; return }
            out += "<table class=\"sortable\">\n<thead><tr><th>run</th><th>agent</th><th>model</th><th>health</th>"
            out += "<th class=\"n\">overall</th><th>interval</th>"
            for level in levels { out += "<th class=\"n\">\(e(level))</th>" }
            out += "<th class=\"n\">tasks</th><th class=\"n\">items</th><th class=\"n\">results</th></tr></thead>\n<tbody>\n"
            for (i, run) in report.runs.enumerated() {
                let h = ReportHTML.health(run.health)
                out += "<tr><td><span class=\"swatch\" style=\"background:\(ReportSVG.runColor(i))\"></span><a href=\"#run-\(i + 1)\">\(e(run.label))</a></td>"
                out += "<td>\(e(run.agent))</td><td>\(e(run.facts.model ?? "–"))</td><td><span class=\"badge \(h.cls)\">\(h.word)</span></td>"
                out += numCell(run.overall.mean) + "<td class=\"n\">\(interval(run.overall.ci))</td>"
                for level in levels { out += numCell(run.levels[level]?.mean) }
                out += "<td class=\"n\">\(run.overall.tasks)</td><td class=\"n\">\(run.overall.items)</td><td class=\"n\">\(run.outcomes.results)</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
            for (i, run) in report.runs.enumerated() { status(run, index: i) }
            out += "</section>\n"
        }

        func interval(_ ci: ReportStatistics.Interval?) -> String {
            ci.map { "[\(ReportHTML.fixed($0.low, 1)), \(ReportHTML.fixed($0.high, 1))]" } ?? "–"
        }

        /// A numeric cell; the dash cell for nil.
        func numCell(_ x: Double?, digits: Int = 1) -> String {
            guard let x, x.isFinite else { return "<td class=\"na\" data-v=\"\">–</td>" }
            return "<td class=\"n\">\(ReportHTML.fixed(x, digits))</td>"
        }

        /// The status lines of one run: health, coverage, sandbox, outcomes, usage.
        mutating func status(_ run: AgentRunSummary, index: Int) {
            let h = ReportHTML.health(run.health)
            out += "<div class=\"status\">\n<h3><span class=\"swatch\" style=\"background:\(ReportSVG.runColor(index))\"></span>\(e(run.label))"
            out += " <span class=\"dim\">\(e(run.kind)) · \(e(run.directory))</span></h3>\n<dl>\n"
            // Health
            out += "<dt>health</dt><dd><span class=\"badge \(h.cls)\">\(h.word)</span> \(run.health.files) files"
            if !run.health.problems.isEmpty { out += "; problems: \(e(ReportHTML.counts(run.health.problems)))" }
            if run.health.rejectedResults > 0 { out += "; \(run.health.rejectedResults) results rejected" }
            if run.health.plannedMissing > 0 { out += "; \(run.health.plannedMissing) planned items missing" }
            if !run.health.examples.isEmpty {
                out += "<ul class=\"examples\">" + run.health.examples.map { "<li>\(e($0))</li>" }.joined() + "</ul>"
            }
            out += "</dd>\n"
            // Coverage
            let cov = run.coverage
            let covClass = cov.missing > 0 || cov.rejected > 0 ? "warn" : (cov.invalid > 0 ? "warn" : "ok")
            out += "<dt>coverage</dt><dd><span class=\"badge \(covClass)\">\(cov.present)/\(cov.expected.map(String.init) ?? "?")</span>"
            out += " present/expected · missing \(cov.missing) · invalid \(cov.invalid) · rejected \(cov.rejected)</dd>\n"
            // Sandbox
            let sb = run.sandbox
            let sbClass = sb.unsandboxed > 0 || sb.refused > 0 || sb.mixedModes ? "bad" : (sb.degraded > 0 ? "warn" : "ok")
            out += "<dt>sandbox</dt><dd><span class=\"badge \(sbClass)\">enforced \(sb.enforced)</span> degraded \(sb.degraded) · "
            out += "unsandboxed \(sb.unsandboxed) · refused \(sb.refused)"
            out += "; verification: \(e(ReportHTML.counts(sb.verification).ifEmpty("–")))"
            out += "; requested: \(e(ReportHTML.counts(sb.requested).ifEmpty("–"))); effective: \(e(ReportHTML.counts(sb.effective).ifEmpty("–")))"
            if sb.mixedModes { out += " <span class=\"badge bad\">mixed sandbox modes: results are not comparable</span>" }
            out += "</dd>\n"
            // Outcomes
            let o = run.outcomes
            out += "<dt>outcomes</dt><dd>\(o.results) results: scored \(o.scored) · agent failed \(o.agentFailed)"
            out += " (failed \(o.failed), timeout \(o.timeout), refused \(o.refused)) · evaluation invalid \(o.evaluationInvalid)"
            if let wall = run.medianWallSeconds { out += " · median wall \(ReportHTML.fixed(wall, 1)) s" }
            out += "</dd>\n"
            // Usage
            let u = run.usage
            out += "<dt>usage</dt><dd>"
            if u.observed > 0 {
                out += "tokens in \(ReportHTML.grouped(u.inputTokens)) / out \(ReportHTML.grouped(u.outputTokens)) (observed \(u.observed)/\(u.results) results)"
            } else {
                out += "tokens not reported (observed 0/\(u.results) results)"
            }
            if let cost = u.costUSD { out += " · cost $\(ReportHTML.fixed(cost, 4)) (costed \(u.costed)/\(u.results) results)" }
            else { out += " · cost not reported" }
            out += "</dd>\n"
            // Agent facts
            let f = run.facts
            var facts: [String] = []
            if let v = f.agentVersion { facts.append("version \(v)") }
            if let s = f.sandbox { facts.append("sandbox requested \(s)") }
            if let t = f.timeoutSeconds { facts.append("timeout \(RecordsFormat.number(t)) s") }
            facts.append("repeats \(f.repeats)")
            if let n = f.instancesPerTask { facts.append("instances/task \(n)") }
            if let s = f.seed { facts.append("seed \(RecordsFormat.number(s))") }
            if !f.promptLevels.isEmpty { facts.append("levels \(f.promptLevels.joined(separator: ","))") }
            if let fv = f.frameworkVersion { facts.append("framework \(fv)") }
            out += "<dt>run</dt><dd>\(e(facts.joined(separator: " · ")))"
            if let cmd = f.agentCommand { out += "<br><code>\(e(cmd))</code>" }
            out += "</dd>\n</dl>\n</div>\n"
        }

        // MARK: Figures

        mutating func figures() {
            out += "<section id=\"figures\">\n<h2>Figures</h2>\n"
            guard !report.runs.isEmpty else { out += "<p class=\"note\">No run to plot.</p>\n</section>\n"; return }
            out += "<figure>\(ReportSVG.levelBars(runs: report.runs, levels: levels, threshold: report.passThreshold))"
            out += "<figcaption>Task-balanced mean score per prompt level (and over all levels) with bootstrap intervals over tasks; "
            out += "the dashed line is the pass threshold. A dash marks a level without counted results.</figcaption></figure>\n"
            if report.runs.contains(where: { $0.levelScores.values.contains { !$0.isEmpty } }) {
                out += "<figure>\(ReportSVG.distribution(runs: report.runs, levels: levels))"
                out += "<figcaption>Distribution of item means (task × instance × level, repeats averaged) per level: box from the first "
                out += "to the third quartile, thick line at the median, whiskers to the minimum and maximum, points for the items.</figcaption></figure>\n"
            } else {
                out += "<p class=\"note\">Score distributions are not available (item scores are kept in memory only, not in report.json).</p>\n"
            }
            out += "</section>\n"
        }

        // MARK: Comparison

        mutating func comparison(_ cmp: Comparison) {
            out += "<section id=\"comparison\">\n<h2>Comparison: \(e(cmp.current)) vs \(e(cmp.baseline))</h2>\n"
            out += "<p>Baseline <b>\(e(cmp.baseline))</b>, current <b>\(e(cmp.current))</b>: \(cmp.pairs) pairs matched by task, instance, "
            out += "level and repeat; \(cmp.excludedInvalid) excluded as evaluation_invalid; \(cmp.baselineOnly) baseline-only and "
            out += "\(cmp.currentOnly) current-only results.</p>\n"
            if cmp.provenanceDifferences.isEmpty {
                out += "<p class=\"note\">No provenance difference between the runs.</p>\n"
            } else {
                out += "<div class=\"warnbox\"><h3>Provenance differences (may confound the comparison)</h3>\n"
                out += "<table class=\"warn-table\"><thead><tr><th>field</th><th>\(e(cmp.baseline))</th><th>\(e(cmp.current))</th></tr></thead><tbody>\n"
                for d in cmp.provenanceDifferences {
                    out += "<tr><td>\(e(d.field))</td><td><code>\(e(d.baseline))</code></td><td><code>\(e(d.current))</code></td></tr>\n"
                }
                out += "</tbody></table></div>\n"
            }
            out += "<figure>\(ReportSVG.deltaPlot(cmp))<figcaption>Task-balanced mean difference (current − baseline) per level with paired "
            out += "bootstrap intervals over tasks; orange: current lower.</figcaption></figure>\n"
            out += "<h3>Mean difference by level</h3>\n<table>\n<thead><tr><th>level</th><th class=\"n\">\(e(cmp.baseline))</th>"
            out += "<th class=\"n\">\(e(cmp.current))</th><th class=\"n\">Δ</th><th>interval</th><th class=\"n\">pairs</th><th class=\"n\">tasks</th></tr></thead>\n<tbody>\n"
            let rows = cmp.levels.keys.sorted().map { ($0, cmp.levels[$0]!) } + [("all", cmp.overall)]
            for (level, d) in rows {
                let cls = d.ci.map { $0.high < 0 ? " class=\"neg\"" : ($0.low > 0 ? " class=\"pos\"" : "") } ?? ""
                out += "<tr\(level == "all" ? " class=\"total\"" : "")><td>\(e(level))</td>\(numCell(d.baselineMean))\(numCell(d.currentMean))"
                out += "<td class=\"n\"><span\(cls)>\(ReportHTML.signed(d.delta, 1))</span></td>"
                out += "<td class=\"n\">\(d.ci.map { "[\(ReportHTML.signed($0.low, 1)), \(ReportHTML.signed($0.high, 1))]" } ?? "–")</td>"
                out += "<td class=\"n\">\(d.pairs)</td><td class=\"n\">\(d.tasks)</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
            let m = cmp.mcnemar
            out += "<h3>McNemar's exact test (pass = score ≥ \(e(RecordsFormat.number(m.threshold))))</h3>\n"
            out += "<table class=\"mcnemar\">\n<thead><tr><th></th><th class=\"n\">\(e(cmp.current)) pass</th><th class=\"n\">\(e(cmp.current)) fail</th></tr></thead>\n<tbody>\n"
            out += "<tr><th>\(e(cmp.baseline)) pass</th><td class=\"n\">\(m.bothPass)</td><td class=\"n disc\">\(m.passToFail)</td></tr>\n"
            out += "<tr><th>\(e(cmp.baseline)) fail</th><td class=\"n disc\">\(m.failToPass)</td><td class=\"n\">\(m.bothFail)</td></tr>\n"
            out += "</tbody>\n</table>\n<p>Discordant pairs: \(m.passToFail) pass → fail, \(m.failToPass) fail → pass; "
            out += "two-sided exact p = <b>\(ReportHTML.pValue(m.pValue))</b>.</p>\n"
            flips("Pass → fail", cmp.passToFail, failing: cmp.current, cmp: cmp, total: m.passToFail)
            flips("Fail → pass", cmp.failToPass, failing: cmp.baseline, cmp: cmp, total: m.failToPass)
            out += "<h3>Hard gate changes</h3>\n"
            if cmp.gateChanges.isEmpty {
                out += "<p class=\"note\">No hard gate changed between the runs.</p>\n"
            } else {
                out += "<table class=\"sortable\">\n<thead><tr><th>gate</th><th class=\"n\">newly failing</th><th class=\"n\">newly passing</th></tr></thead>\n<tbody>\n"
                for g in cmp.gateChanges {
                    out += "<tr><td>\(e(g.gate))</td><td class=\"n\">\(g.newlyFailing)</td><td class=\"n\">\(g.newlyPassing)</td></tr>\n"
                }
                out += "</tbody>\n</table>\n"
            }
            out += "</section>\n"
        }

        mutating func flips(_ title: String, _ list: [Comparison.Flip], failing: String, cmp: Comparison, total: Int) {
            out += "<h3>\(title) (\(list.count) of \(total) shown)</h3>\n"
            guard !list.isEmpty else { out += "<p class=\"note\">None.</p>\n"; return }
            out += "<table class=\"sortable\">\n<thead><tr><th>task</th><th>instance</th><th>level</th><th class=\"n\">\(e(cmp.baseline))</th>"
            out += "<th class=\"n\">\(e(cmp.current))</th><th>reasons (\(e(failing)))</th></tr></thead>\n<tbody>\n"
            for f in list {
                var inst = e(f.instanceID)
                if let b = byInstance[cmp.baseline]?[f.instanceID], let c = byInstance[cmp.current]?[f.instanceID] {
                    inst += " <span class=\"links\">" + link(cmp.baseline, b.path, "base") + " " + link(cmp.current, c.path, "current") + "</span>"
                }
                out += "<tr><td>\(e(f.taskID))</td><td>\(inst)</td><td>\(e(f.level))</td>\(numCell(f.baselineScore))\(numCell(f.currentScore))"
                out += "<td>\(reasons(f.reasons))</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }

        func reasons(_ r: [String]) -> String {
            r.isEmpty ? "" : r.map { e($0) }.joined(separator: "<br>")
        }

        // MARK: Runs

        mutating func runSection(_ run: AgentRunSummary, index: Int) {
            out += "<section id=\"run-\(index + 1)\" class=\"run\">\n<h2><span class=\"swatch\" style=\"background:\(ReportSVG.runColor(index))\"></span>"
            out += "\(e(run.label))</h2>\n"
            out += "<p>Overall mean <b>\(ReportHTML.fixed(run.overall.mean, 1))</b> \(interval(run.overall.ci)) over \(run.overall.tasks) tasks and "
            out += "\(run.overall.items) items.</p>\n"
            out += "<figure>\(ReportSVG.heatMap(run: run, levels: levels))</figure>\n"
            // Task × level table
            out += "<h3>Tasks by level</h3>\n<table class=\"sortable tasks\">\n<thead><tr><th>task</th><th>domain</th>"
            for level in levels { out += "<th class=\"n\">\(e(level))</th>" }
            out += "<th class=\"n\">mean</th><th class=\"n\">n</th><th class=\"n\">invalid</th><th class=\"n\">missing</th></tr></thead>\n<tbody>\n"
            for t in run.tasks {
                out += "<tr><td>\(e(t.taskID))</td><td>\(e(t.domain))</td>"
                for level in levels { out += numCell(t.levels[level] ?? nil) }
                out += numCell(t.mean) + "<td class=\"n\">\(t.n)</td>"
                out += "<td class=\"n\(t.invalid > 0 ? " warnc" : "")\">\(t.invalid)</td><td class=\"n\(t.missing > 0 ? " warnc" : "")\">\(t.missing)</td></tr>\n"
            }
            out += "</tbody>\n<tfoot><tr class=\"total\"><td>all (task-balanced)</td><td></td>"
            for level in levels { out += numCell(run.levels[level]?.mean) }
            out += numCell(run.overall.mean) + "<td class=\"n\">\(run.overall.items)</td>"
            out += "<td class=\"n\">\(run.coverage.invalid)</td><td class=\"n\">\(run.coverage.missing)</td></tr></tfoot>\n</table>\n"
            // Domains and pass@k side by side
            out += "<div class=\"row\">\n<div>\n<h3>Domains</h3>\n"
            if run.domains.isEmpty { out += "<p class=\"note\">No domain with a counted result.</p>\n" } else {
                out += "<table>\n<thead><tr><th>domain</th><th class=\"n\">mean</th><th class=\"n\">tasks</th></tr></thead>\n<tbody>\n"
                for d in run.domains { out += "<tr><td>\(e(d.domain))</td>\(numCell(d.mean))<td class=\"n\">\(d.tasks)</td></tr>\n" }
                out += "</tbody>\n</table>\n"
            }
            out += "</div>\n<div>\n<h3>pass@k</h3>\n"
            if run.passAtK.isEmpty { out += "<p class=\"note\">No counted result.</p>\n" } else {
                out += "<table>\n<thead><tr><th class=\"n\">k</th><th class=\"n\">pass@k (%)</th><th class=\"n\">pass^k (%)</th><th class=\"n\">items</th></tr></thead>\n<tbody>\n"
                for p in run.passAtK {
                    out += "<tr><td class=\"n\">\(p.k)</td><td class=\"n\">\(ReportHTML.percent(p.passAtK))</td>"
                    out += "<td class=\"n\">\(ReportHTML.percent(p.passHatK))</td><td class=\"n\">\(p.items)</td></tr>\n"
                }
                out += "</tbody>\n</table>\n"
            }
            out += "</div>\n</div>\n"
            // Gates
            out += "<h3>Gate failures</h3>\n"
            if let svg = ReportSVG.gateBars(run: run) {
                out += "<figure>\(svg)"
                let hidden = max(0, run.gates.hard.count - 15) + max(0, run.gates.soft.count - 15)
                if hidden > 0 { out += "<figcaption>\(hidden) less frequent gate/check combinations are not shown.</figcaption>" }
                out += "</figure>\n"
            } else {
                out += "<p class=\"note\">No gate failed (\(run.gates.evaluated) results evaluated).</p>\n"
            }
            // Low-scoring results
            let threshold = e(RecordsFormat.number(report.passThreshold))
            out += "<h3>Low-scoring results</h3>\n"
            if run.lowScoring.isEmpty { out += "<p class=\"note\">No result below \(threshold), failed or invalid.</p>\n" } else {
                out += "<p>\(run.lowScoringTotal) results below \(threshold), failed or invalid; the lowest \(run.lowScoring.count) are listed.</p>\n"
                out += "<table class=\"sortable low\">\n<thead><tr><th class=\"n\">score</th><th>task</th><th>instance</th><th>level</th>"
                out += "<th class=\"n\">rep</th><th>outcome</th><th>agent</th><th>reasons</th><th>stdout</th></tr></thead>\n<tbody>\n"
                for l in run.lowScoring {
                    out += "<tr>\(numCell(l.score))<td>\(e(l.taskID))</td><td>\(link(run.label, l.result, l.instanceID))</td><td>\(e(l.level))</td>"
                    out += "<td class=\"n\">\(l.repeatIndex)</td><td>\(e(l.outcome))</td><td>\(e(l.agentStatus))</td><td>\(reasons(l.reasons))</td>"
                    out += "<td>\(link(run.label, l.stdout, "stdout"))</td></tr>\n"
                }
                out += "</tbody>\n</table>\n"
            }
            out += "</section>\n"
        }

        // MARK: Instances

        mutating func instanceTables() {
            let labels = instanceLabels
            guard !labels.isEmpty else { return }
            let total = labels.reduce(0) { $0 + (instances[$1]?.count ?? 0) }
            out += "<section id=\"instances\">\n<h2>All results</h2>\n<p>\(ReportHTML.grouped(total)) result files. Click a column header to sort "
            out += "(again to reverse). The instance links to the result file.</p>\n"
            for label in labels {
                let items = instances[label] ?? []
                out += "<details\(total <= 2000 ? " open" : "")><summary>\(e(label)): \(ReportHTML.grouped(items.count)) results</summary>\n"
                out += "<table class=\"sortable inst\">\n<thead><tr><th>task</th><th>instance</th><th>level</th><th class=\"n\">rep</th>"
                out += "<th>outcome</th><th>agent</th><th class=\"n\">score</th><th>reasons</th><th>out</th></tr></thead>\n<tbody>\n"
                for it in items {
                    let score = it.countedScore.map { "<td class=\"n\">\(ReportHTML.fixed($0, 1))</td>" } ?? "<td class=\"na\" data-v=\"\">–</td>"
                    out += "<tr><td>\(e(it.taskID))</td><td>\(link(label, it.path, it.instanceID))</td><td>\(e(it.level))</td>"
                    out += "<td class=\"n\">\(it.repeatIndex)</td><td>\(e(it.outcome.rawValue))</td><td>\(e(it.agentStatus.rawValue))</td>\(score)"
                    out += "<td>\(e(it.reasons.joined(separator: "; ")))</td><td>\(link(label, it.stdoutPath, "stdout"))</td></tr>\n"
                }
                out += "</tbody>\n</table>\n</details>\n"
            }
            out += "</section>\n"
        }

        mutating func definitions() {
            out += "<section id=\"definitions\">\n<h2>Definitions</h2>\n<dl class=\"defs\">\n"
            for key in report.definitions.keys.sorted() {
                out += "<dt>\(e(key))</dt><dd>\(e(report.definitions[key]!))</dd>\n"
            }
            out += "</dl>\n</section>\n"
        }
    }

    // MARK: Assets

    static let css = """
    :root { color-scheme: light; }
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 15px;
      line-height: 1.45; color: #1b1b1b; background: #fff; margin: 0 auto; padding: 20px 32px 48px; max-width: 1360px; }
    h1 { font-size: 1.65em; margin: 0 0 .2em; }
    h2 { font-size: 1.3em; margin: 1.8em 0 .6em; padding-bottom: .2em; border-bottom: 2px solid #e2e5ea; }
    h3 { font-size: 1.05em; margin: 1.3em 0 .45em; }
    a { color: #0b5cad; }
    .meta { color: #444; margin: 0 0 .6em; }
    nav.toc { margin: .4em 0 1em; font-size: .92em; }
    nav.toc a { display: inline-block; margin: 0 .9em .2em 0; }
    table { border-collapse: collapse; margin: .3em 0 1.1em; font-size: .88em; }
    th, td { padding: 3px 9px; border-bottom: 1px solid #e2e5ea; text-align: left; vertical-align: top; }
    thead th { background: #eef1f5; border-bottom: 2px solid #c7cdd6; white-space: nowrap; }
    tbody tr:nth-child(even) { background: #f6f7f9; }
    tfoot td, tr.total td { font-weight: 600; border-top: 2px solid #c7cdd6; }
    .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.na { color: #777; text-align: center; background: #ececec; }
    td.warnc { color: #8a5a00; font-weight: 600; }
    td.disc { font-weight: 700; }
    .neg { color: #b03a00; font-weight: 600; }
    .pos { color: #005a96; font-weight: 600; }
    table.sortable thead th { cursor: pointer; user-select: none; }
    table.sortable thead th:hover { background: #e1e6ee; }
    table.sortable th[aria-sort=ascending]::after { content: " \\25B2"; font-size: .8em; }
    table.sortable th[aria-sort=descending]::after { content: " \\25BC"; font-size: .8em; }
    table.inst { font-size: .8em; }
    table.inst td { padding: 1px 6px; }
    table.low td:nth-child(8), table.inst td:nth-child(8) { max-width: 46em; }
    .badge { display: inline-block; padding: 0 .45em; border-radius: 3px; font-weight: 600; font-size: .86em; }
    .ok { background: #dcefe3; color: #0b5a2a; }
    .warn { background: #fff0c2; color: #6b4a00; }
    .bad { background: #fbdcd6; color: #8a1c0c; }
    .dim { color: #666; font-weight: normal; font-size: .85em; }
    .note { color: #555; font-style: italic; }
    .swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em; border-radius: 2px; vertical-align: baseline; }
    .status { border: 1px solid #e2e5ea; border-radius: 4px; padding: .2em 1em .4em; margin: .8em 0; }
    .status h3 { margin: .5em 0 .3em; }
    .status dl { display: grid; grid-template-columns: 7em 1fr; gap: .15em 1em; margin: 0; font-size: .92em; }
    .status dt { font-weight: 600; color: #333; }
    .status dd { margin: 0; }
    .status code { font-size: .88em; color: #333; word-break: break-all; }
    ul.examples { margin: .2em 0; padding-left: 1.3em; font-size: .92em; color: #5a3a00; }
    .warnbox { border-left: 4px solid #E69F00; background: #fff8e6; padding: .3em 1em .2em; margin: .8em 0; }
    .warnbox h3 { margin-top: .4em; }
    .warnbox table { background: #fff; }
    .links { font-size: .85em; white-space: nowrap; }
    .row { display: flex; flex-wrap: wrap; gap: 0 3em; }
    figure { margin: .8em 0 1.4em; overflow-x: auto; }
    figcaption { font-size: .86em; color: #444; max-width: 62em; }
    svg { max-width: 100%; height: auto; display: block; }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
    details { margin: .5em 0 1em; }
    summary { cursor: pointer; font-weight: 600; }
    dl.defs dt { font-weight: 600; margin-top: .4em; }
    dl.defs dd { margin: 0 0 0 1.5em; color: #333; }
    footer { margin-top: 3em; color: #666; font-size: .85em; border-top: 1px solid #e2e5ea; padding-top: .5em; }
    @media print {
      body { font-size: 10pt; max-width: none; padding: 0; }
      nav.toc { display: none; }
      a { color: inherit; text-decoration: none; }
      h2, h3 { break-after: avoid; }
      figure, .status, tr { break-inside: avoid; }
      thead { display: table-header-group; }
      tbody tr:nth-child(even) { background: #f3f3f3; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      table.sortable th[aria-sort]::after { content: ""; }
    }

    """

    static let script = """
    (function () {
      "use strict";
      function key(row, i) {
        var cell = row.cells[i];
        if (!cell) return "";
        var v = cell.getAttribute("data-v");
        return v === null ? cell.textContent.trim() : v;
      }
      function isNum(s) { return s !== "" && !isNaN(Number(s)); }
      function compare(a, b) {
        if (isNum(a) && isNum(b)) return Number(a) - Number(b);
        if (isNum(a)) return -1;
        if (isNum(b)) return 1;
        return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
      }
      function sortBy(table, th, i) {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        var cells = th.parentNode.cells;
        for (var c = 0; c < cells.length; c++) cells[c].removeAttribute("aria-sort");
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (r, k) { return [key(r, i), k, r]; });
        rows.sort(function (a, b) {
          if (a[0] === "" || b[0] === "") {
            if (a[0] !== b[0]) return a[0] === "" ? 1 : -1;
            return a[1] - b[1];
          }
          var d = compare(a[0], b[0]);
          return (asc ? d : -d) || a[1] - b[1];
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r[2]); });
        body.appendChild(frag);
      }
      var tables = document.querySelectorAll("table.sortable");
      Array.prototype.forEach.call(tables, function (table) {
        if (!table.tHead || !table.tBodies.length) return;
        var ths = table.tHead.rows[0].cells;
        Array.prototype.forEach.call(ths, function (th, i) {
          th.tabIndex = 0;
          th.title = "sort";
          th.addEventListener("click", function () { sortBy(table, th, i); });
          th.addEventListener("keydown", function (ev) {
            if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sortBy(table, th, i); }
          });
        });
      });
      window.addEventListener("beforeprint", function () {
        Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
      });
    })();

    """
}
