import Foundation

/// The inline SVG figures of the HTML report.
///
/// Every figure is a standalone, well-formed XML document (`<svg xmlns=…>` with a `<title>`, escaped text, numeric
/// attributes, every element closed), coloured with colour-blind-safe palettes, and deterministic: the same input
/// gives the same bytes.
enum ReportSVG {
    // MARK: Palettes

    /// Okabe–Ito, reordered so the first colours contrast best on white; runs past eight cycle.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]

    static func runColor(_ index: Int) -> String { palette[index % palette.count] }

    /// Viridis anchors (0, 0.125, …, 1).
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    /// Viridis colour of a score 0–100 (clamped).
    static func heatColor(_ score: Double) -> String {
        let t = min(1, max(0, score.isFinite ? score / 100 : 0)) * Double(viridis.count - 1)
        let i = min(viridis.count - 2, Int(t))
        let f = t - Double(i)
        let a = viridis[i], b = viridis[i + 1]
        func c(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02X%02X%02X", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    }

    /// Text colour readable on `heatColor(score)`.
    static func heatText(_ score: Double) -> String { score < 55 ? "#FFFFFF" : "#000000" }

    static let missingFill = "#E4E4E4"
    static let gridColor = "#D9D9D9"
    static let axisColor = "#444444"
    static let softColor = "#999999"

    // MARK: Builder

    /// Accumulates the elements of one figure.
    struct Canvas {
        var width: Double
        var height: Double
        var body = ""

        /// A number for an attribute: one decimal, no negative zero.
        static func n(_ x: Double) -> String {
            let v = x.isFinite ? (x * 10).rounded() / 10 : 0
            let s = String(format: "%.1f", v == 0 ? 0 : v)
            return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
        }

        mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, extra: String = "", tooltip: String? = nil) {
            let attrs = "x=\"\(Canvas.n(x))\" y=\"\(Canvas.n(y))\" width=\"\(Canvas.n(max(0, w)))\" height=\"\(Canvas.n(max(0, h)))\" fill=\"\(fill)\"\(extra)"
            if let tooltip { body += "<rect \(attrs)><title>\(ReportHTML.escape(tooltip))</title></rect>" }
            else { body += "<rect \(attrs)/>" }
        }

        mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, extra: String = "") {
            body += "<line x1=\"\(Canvas.n(x1))\" y1=\"\(Canvas.n(y1))\" x2=\"\(Canvas.n(x2))\" y2=\"\(Canvas.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Canvas.n(width))\"\(extra)/>"
        }

        mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, fill: String, extra: String = "") {
            body += "<circle cx=\"\(Canvas.n(cx))\" cy=\"\(Canvas.n(cy))\" r=\"\(Canvas.n(r))\" fill=\"\(fill)\"\(extra)/>"
        }

        /// Text; `anchor` is start, middle or end. `tooltip` adds a `<title>` child (full text of a shortened label).
        mutating func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "start", size: Double = 12, fill: String = "#222222",
                           extra: String = "", tooltip: String? = nil) {
            let tip = tooltip.map { "<title>\(ReportHTML.escape($0))</title>" } ?? ""
            body += "<text x=\"\(Canvas.n(x))\" y=\"\(Canvas.n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(Canvas.n(size))\" fill=\"\(fill)\"\(extra)>\(tip)\(ReportHTML.escape(s))</text>"
        }

        /// The finished `<svg>` element.
        func svg(title: String, description: String? = nil) -> String {
            let w = Canvas.n(width), h = Canvas.n(height)
            let desc = description.map { "<desc>\(ReportHTML.escape($0))</desc>" } ?? ""
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" "
                + "font-family=\"system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif\">"
                + "<title>\(ReportHTML.escape(title))</title>\(desc)" + body + "</svg>"
        }
    }

    /// Approximate rendered width of `s` at `size` px (sans-serif).
    static func textWidth(_ s: String, size: Double = 12) -> Double { Double(s.count) * size * 0.58 }

    /// `s` cut to `limit` characters with an ellipsis.
    static func shorten(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(max(1, limit - 1))) + "…"
    }

    /// Tick step of 1, 2 or 5 × 10^k giving at most `count` ticks up to `maxValue`.
    static func niceStep(_ maxValue: Double, count: Int = 5) -> Double {
        guard maxValue > 0, maxValue.isFinite else { return 1 }
        let raw = maxValue / Double(count)
        let mag = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * mag >= raw { return max(1, m * mag) }
        return max(1, 10 * mag)
    }

    /// Legend: one swatch per run, in a row starting at (x, y).
    static func legend(_ c: inout Canvas, labels: [String], x: Double, y: Double) {
        var cx = x
        for (i, label) in labels.enumerated() {
            c.rect(cx, y - 10, 12, 12, fill: runColor(i))
            let text = shorten(label, 40)
            c.text(cx + 16, y, text, size: 12, tooltip: text == label ? nil : label)
            cx += 16 + textWidth(text) + 18
        }
    }

    /// Width the legend needs.
    static func legendWidth(_ labels: [String]) -> Double {
        labels.reduce(0) { $0 + 16 + textWidth(shorten($1, 40)) + 18 }
    }

    /// A vertical 0–100 axis with gridlines at `left`, from `top` (100) to `bottom` (0), across to `right`.
    static func scoreAxis(_ c: inout Canvas, left: Double, right: Double, top: Double, bottom: Double, label: String) {
        for tick in stride(from: 0, through: 100, by: 20) {
            let y = bottom - (bottom - top) * Double(tick) / 100
            c.line(left, y, right, y, stroke: tick == 0 ? axisColor : gridColor)
            c.line(left - 4, y, left, y, stroke: axisColor)
            c.text(left - 7, y + 4, String(tick), anchor: "end", size: 11)
        }
        c.line(left, top, left, bottom, stroke: axisColor)
        let mid = (top + bottom) / 2
        c.text(16, mid, label, anchor: "middle", size: 12, extra: " transform=\"rotate(-90 16 \(Canvas.n(mid)))\"")
    }

    // MARK: Figures

    /// Score by level: grouped bars (one per run) with bootstrap intervals, plus an `all` group for the overall mean.
    static func levelBars(runs: [AgentRunSummary], levels: [String], threshold: Double) -> String {
        let groups = levels + ["all"]
        let barW = max(10, min(36, 160 / Double(max(1, runs.count))))
        let groupW = barW * Double(runs.count) + 28
        let left = 56.0, top = 44.0, plotH = 240.0
        let labels = runs.map(\.label)
        let right = max(400, left + groupW * Double(groups.count) + 10, left + legendWidth(labels))
        let width = right + 74
        let bottom = top + plotH
        var c = Canvas(width: width, height: bottom + 48)
        scoreAxis(&c, left: left, right: right, top: top, bottom: bottom, label: "mean score (0–100)")
        let ty = bottom - plotH * threshold / 100
        if threshold > 0, threshold <= 100 {
            c.line(left, ty, right, ty, stroke: "#D55E00", width: 1.5, extra: " stroke-dasharray=\"6 4\"")
            c.text(right + 4, ty - 2, "pass", size: 10, fill: "#A04000")
            c.text(right + 4, ty + 10, "threshold \(ReportHTML.fixed(threshold, 0))", size: 10, fill: "#A04000")
        }
        for (g, level) in groups.enumerated() {
            let gx = left + groupW * Double(g) + 14
            if level == "all" { c.line(gx - 14, top, gx - 14, bottom, stroke: "#AAAAAA", extra: " stroke-dasharray=\"2 3\"") }
            for (r, run) in runs.enumerated() {
                let s = level == "all" ? run.overall : run.levels[level]
                let x = gx + barW * Double(r)
                guard let s, let mean = s.mean else {
                    c.text(x + barW / 2, bottom - 4, "–", anchor: "middle", size: 11, fill: "#666666")
                    continue
                }
                let h = plotH * min(100, max(0, mean)) / 100
                let ci = s.ci.map { " [\(ReportHTML.fixed($0.low, 1)), \(ReportHTML.fixed($0.high, 1))]" } ?? ""
                c.rect(x + 1, bottom - h, barW - 2, h, fill: runColor(r),
                       tooltip: "\(run.label) \(level): \(ReportHTML.fixed(mean, 1))\(ci), \(s.tasks) tasks, \(s.items) items")
                if let ci = s.ci {
                    let cx = x + barW / 2
                    let y1 = bottom - plotH * min(100, max(0, ci.low)) / 100, y2 = bottom - plotH * min(100, max(0, ci.high)) / 100
                    c.line(cx, y1, cx, y2, stroke: "#222222", width: 1.5)
                    c.line(cx - 4, y1, cx + 4, y1, stroke: "#222222", width: 1.5)
                    c.line(cx - 4, y2, cx + 4, y2, stroke: "#222222", width: 1.5)
                }
                if barW >= 22 {
                    // The value above the bar (above the interval when there is one, beside it when the bar is full).
                    let top = min(bottom - h, s.ci.map { bottom - plotH * min(100, max(0, $0.high)) / 100 } ?? bottom - h)
                    c.text(x + barW / 2, max(top - 4, 10), ReportHTML.fixed(mean, 1), anchor: "middle", size: 10, fill: "#222222")
                }
            }
            c.text(gx + barW * Double(runs.count) / 2, bottom + 18, level, anchor: "middle", size: 12)
        }
        c.text(left + (width - left) / 2, bottom + 38, "prompt level", anchor: "middle", size: 12)
        legend(&c, labels: labels, x: left, y: 20)
        return c.svg(title: "Mean score by prompt level per run (error bars: bootstrap interval over tasks)")
    }

    /// Task × level heat map of one run; null cells are grey with a dash.
    static func heatMap(run: AgentRunSummary, levels: [String]) -> String {
        let columns = levels + ["mean"]
        let cellW = 58.0, cellH = 22.0
        let labels = run.tasks.map { shorten($0.taskID, 44) }
        let labelW = max(60, (labels.map { textWidth($0, size: 11) }.max() ?? 60) + 12)
        let left = 24 + labelW, top = 46.0
        let rows = max(1, run.tasks.count)
        let gridRight = left + cellW * Double(columns.count) + 6
        // Room for the colour scale below the grid (ten steps, the null swatch and its label).
        let width = max(gridRight + 16, left + 240 + textWidth("– none counted", size: 10) + 12,
                        left + textWidth("cell: mean score of the task's items at that level", size: 10) + 12)
        let bottom = top + cellH * Double(rows)
        var c = Canvas(width: width, height: bottom + 58)
        c.text(left + (gridRight - left) / 2, 16, "prompt level", anchor: "middle", size: 12)
        for (j, col) in columns.enumerated() {
            let x = left + cellW * Double(j) + (col == "mean" ? 6 : 0)
            c.text(x + cellW / 2, top - 8, col, anchor: "middle", size: 12, extra: col == "mean" ? " font-weight=\"bold\"" : "")
        }
        c.text(14, top + (bottom - top) / 2, "task", anchor: "middle", size: 12,
               extra: " transform=\"rotate(-90 14 \(Canvas.n(top + (bottom - top) / 2)))\"")
        if run.tasks.isEmpty {
            c.text(left, top + 15, "no tasks", size: 11, fill: "#666666")
        }
        for (i, task) in run.tasks.enumerated() {
            let y = top + cellH * Double(i)
            c.text(left - 8, y + cellH / 2 + 4, labels[i], anchor: "end", size: 11, tooltip: labels[i] == task.taskID ? nil : task.taskID)
            for (j, col) in columns.enumerated() {
                let x = left + cellW * Double(j) + (col == "mean" ? 6 : 0)
                let value: Double? = col == "mean" ? task.mean : (task.levels[col] ?? nil)
                let n = col == "mean" ? task.n : (task.counts[col] ?? 0)
                if let value {
                    c.rect(x + 1, y + 1, cellW - 2, cellH - 2, fill: heatColor(value),
                           tooltip: "\(task.taskID) \(col): \(ReportHTML.fixed(value, 1)) (n=\(n))")
                    c.text(x + cellW / 2, y + cellH / 2 + 4, ReportHTML.fixed(value, 1), anchor: "middle", size: 11, fill: heatText(value))
                } else {
                    c.rect(x + 1, y + 1, cellW - 2, cellH - 2, fill: missingFill, extra: " data-null=\"1\"",
                           tooltip: "\(task.taskID) \(col): no counted result")
                    c.text(x + cellW / 2, y + cellH / 2 + 4, "–", anchor: "middle", size: 11, fill: "#555555")
                }
            }
        }
        // Colour scale: ten steps plus the null swatch.
        let ly = bottom + 18
        c.text(left, ly + 10, "0", anchor: "end", size: 10)
        for k in 0..<10 {
            c.rect(left + 4 + Double(k) * 18, ly, 18, 12, fill: heatColor(Double(k) * 10 + 5))
        }
        c.text(left + 4 + 180 + 4, ly + 10, "100", size: 10)
        c.rect(left + 4 + 180 + 34, ly, 18, 12, fill: missingFill)
        c.text(left + 4 + 180 + 56, ly + 10, "– none counted", size: 10)
        c.text(left, ly + 30, "cell: mean score of the task's items at that level", size: 10, fill: "#555555")
        return c.svg(title: "Task × prompt level mean score, \(run.label)")
    }

    /// Quantile (linear interpolation) of sorted values.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(sorted.count - 1, lo + 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - Double(lo))
    }

    /// Distribution of item means per level and run: box (quartiles, whiskers to min/max) with the items as points.
    static func distribution(runs: [AgentRunSummary], levels: [String]) -> String {
        let boxW = max(14, min(40, 170 / Double(max(1, runs.count))))
        let slot = boxW + 8
        let groupW = slot * Double(runs.count) + 24
        let left = 56.0, top = 44.0, plotH = 240.0
        let labels = runs.map(\.label)
        let width = max(480, left + groupW * Double(levels.count) + 20, left + legendWidth(labels) + 10)
        let bottom = top + plotH
        var c = Canvas(width: width, height: bottom + 62)
        scoreAxis(&c, left: left, right: width - 10, top: top, bottom: bottom, label: "item mean score (0–100)")
        func y(_ v: Double) -> Double { bottom - plotH * min(100, max(0, v)) / 100 }
        for (g, level) in levels.enumerated() {
            let gx = left + groupW * Double(g) + 12
            for (r, run) in runs.enumerated() {
                let x = gx + slot * Double(r) + 4
                let cx = x + boxW / 2
                let values = (run.levelScores[level] ?? []).filter(\.isFinite).sorted()
                guard !values.isEmpty else {
                    c.text(cx, bottom - 4, "–", anchor: "middle", size: 11, fill: "#666666")
                    continue
                }
                let q1 = quantile(values, 0.25), med = quantile(values, 0.5), q3 = quantile(values, 0.75)
                let color = runColor(r)
                c.line(cx, y(values.first!), cx, y(q1), stroke: color, width: 1.5)
                c.line(cx, y(q3), cx, y(values.last!), stroke: color, width: 1.5)
                c.line(cx - boxW / 4, y(values.first!), cx + boxW / 4, y(values.first!), stroke: color, width: 1.5)
                c.line(cx - boxW / 4, y(values.last!), cx + boxW / 4, y(values.last!), stroke: color, width: 1.5)
                let tip = "\(run.label) \(level): n=\(values.count), min \(ReportHTML.fixed(values.first!, 1)), "
                    + "q1 \(ReportHTML.fixed(q1, 1)), median \(ReportHTML.fixed(med, 1)), q3 \(ReportHTML.fixed(q3, 1)), "
                    + "max \(ReportHTML.fixed(values.last!, 1))"
                c.rect(x, y(q3), boxW, max(1, y(q1) - y(q3)), fill: color,
                       extra: " fill-opacity=\"0.25\" stroke=\"\(color)\" stroke-width=\"1.5\"", tooltip: tip)
                c.line(x, y(med), x + boxW, y(med), stroke: color, width: 2.5)
                // Points, spread deterministically across the box (at most 400 drawn per box).
                let step = max(1, values.count / 400)
                for (k, v) in values.enumerated() where k % step == 0 {
                    let offset = (Double(k % 7) - 3) / 3 * (boxW / 2 - 2)
                    c.circle(cx + offset, y(v), 1.8, fill: color, extra: " fill-opacity=\"0.7\"")
                }
                c.text(cx, bottom + 30, "n=\(values.count)", anchor: "middle", size: 9, fill: "#555555")
            }
            c.text(gx + slot * Double(runs.count) / 2, bottom + 17, level, anchor: "middle", size: 12)
        }
        c.text(left + (width - 10 - left) / 2, bottom + 52, "prompt level", anchor: "middle", size: 12)
        legend(&c, labels: labels, x: left, y: 20)
        return c.svg(title: "Distribution of item mean scores per prompt level and run (box: quartiles; whiskers: min–max)")
    }

    /// Horizontal bars of the most frequent hard gate failures (top 15) and the soft warnings (top 15) of one run;
    /// nil when nothing failed.
    static func gateBars(run: AgentRunSummary, limit: Int = 15) -> String? {
        let hard = Array(run.gates.hard.prefix(limit)), soft = Array(run.gates.soft.prefix(limit))
        guard !hard.isEmpty || !soft.isEmpty else { return nil }
        func label(_ g: GateCount) -> String { g.check.isEmpty ? g.gate : "\(g.gate) · \(g.check)" }
        let rows: [(label: String, count: Int, soft: Bool)] = hard.map { (label($0), $0.count, false) } + soft.map { (label($0), $0.count, true) }
        let shown = rows.map { shorten($0.label, 56) }
        let labelW = max(80, (shown.map { textWidth($0, size: 11) }.max() ?? 80) + 12)
        let left = 12 + labelW, barH = 18.0, plotW = 360.0
        let headerH = 22.0
        let top = 28.0
        let sections = (hard.isEmpty ? 0 : 1) + (soft.isEmpty ? 0 : 1)
        let bottom = top + barH * Double(rows.count) + headerH * Double(sections)
        let width = left + plotW + 60
        var c = Canvas(width: width, height: bottom + 44)
        let maxCount = Double(rows.map(\.count).max() ?? 1)
        let step = niceStep(maxCount)
        let axisMax = max(step, (maxCount / step).rounded(.up) * step)
        var tick = 0.0
        while tick <= axisMax + 1e-9 {
            let x = left + plotW * tick / axisMax
            c.line(x, top, x, bottom, stroke: tick == 0 ? axisColor : gridColor)
            c.text(x, bottom + 14, ReportHTML.fixed(tick, 0), anchor: "middle", size: 10)
            tick += step
        }
        c.text(left + plotW / 2, bottom + 32, "failing results (count)", anchor: "middle", size: 12)
        var y = top
        for (i, row) in rows.enumerated() {
            if i == 0 || (row.soft && !rows[i - 1].soft) {
                c.text(left - labelW, y + 15, row.soft ? "soft warnings (by gate)" : "hard gate failures (gate · check)",
                       size: 11, fill: "#333333", extra: " font-weight=\"bold\"")
                y += headerH
            }
            let w = plotW * Double(row.count) / axisMax
            let fill = row.soft ? softColor : "#D55E00"
            c.text(left - 6, y + barH / 2 + 4, shown[i], anchor: "end", size: 11, tooltip: shown[i] == row.label ? nil : row.label)
            c.rect(left, y + 2, w, barH - 4, fill: fill, tooltip: "\(row.label): \(row.count)")
            c.text(left + w + 4, y + barH / 2 + 4, String(row.count), size: 10)
            y += barH
        }
        c.text(left - labelW, 16, "\(run.gates.hardFailedResults) of \(run.gates.evaluated) evaluated results failed a hard gate",
               size: 11, fill: "#333333")
        return c.svg(title: "Gate failures, \(run.label)")
    }

    /// Per-level mean differences of a comparison with their intervals (dot and whisker around zero).
    static func deltaPlot(_ cmp: Comparison) -> String {
        let rows: [(String, Comparison.Delta)] = cmp.levels.keys.sorted().map { ($0, cmp.levels[$0]!) } + [("all", cmp.overall)]
        var lo = 0.0, hi = 0.0
        for (_, d) in rows {
            for v in [d.delta, d.ci?.low, d.ci?.high].compactMap({ $0 }) where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        }
        let span = max(1, hi - lo)
        let step = niceStep(span, count: 6)
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        if hi - lo < step { hi = lo + step }
        let left = 60.0, plotW = 420.0, top = 20.0, rowH = 26.0
        let bottom = top + rowH * Double(rows.count)
        var c = Canvas(width: left + plotW + 30, height: bottom + 44)
        func x(_ v: Double) -> Double { left + plotW * (v - lo) / (hi - lo) }
        var tick = lo
        while tick <= hi + 1e-9 {
            c.line(x(tick), top, x(tick), bottom, stroke: abs(tick) < 1e-9 ? axisColor : gridColor, width: abs(tick) < 1e-9 ? 1.5 : 1)
            c.text(x(tick), bottom + 14, ReportHTML.signed(tick, 0), anchor: "middle", size: 10)
            tick += step
        }
        c.text(left + plotW / 2, bottom + 34, "Δ mean score (\(cmp.current) − \(cmp.baseline))", anchor: "middle", size: 12)
        for (i, (level, d)) in rows.enumerated() {
            let cy = top + rowH * Double(i) + rowH / 2
            c.text(left - 10, cy + 4, level, anchor: "end", size: 12)
            guard let delta = d.delta else {
                c.text(left + 6, cy + 4, "– no pairs", size: 11, fill: "#666666")
                continue
            }
            let color = delta < 0 ? "#D55E00" : "#0072B2"
            if let ci = d.ci {
                c.line(x(ci.low), cy, x(ci.high), cy, stroke: color, width: 2)
                c.line(x(ci.low), cy - 5, x(ci.low), cy + 5, stroke: color, width: 2)
                c.line(x(ci.high), cy - 5, x(ci.high), cy + 5, stroke: color, width: 2)
            }
            c.circle(x(delta), cy, 5, fill: color)
        }
        return c.svg(title: "Mean score difference per prompt level, \(cmp.current) vs \(cmp.baseline) (bars: paired bootstrap interval)")
    }
}
