import Foundation

/// The `numerical` scorer: compares a predicted array with the reference using one metric.
///
/// Metrics and their scoring follow asibench 0.2.0 (TASK_FORMAT.md, "Built-in scorers"). Added here:
/// `allclose` (numpy's `isclose` with `rtol` (1e-5), `atol` (1e-8), `equal_nan` (false)); its
/// `scoring_mode` is `all_or_nothing` (default: full weight iff every element is close) or `fraction`
/// (weight × fraction of close elements).
/// A missing or malformed prediction scores 0 with a message; a missing or broken reference throws.
public struct NumericalScorer: Scorer {
    /// `numerical`.
    public let name = "numerical"

    /// Every metric name accepted in `metric`.
    public static let metrics = [
        "relative_l2", "mean_relative_l2", "per_frame_relative_l2", "rmse", "mape", "relative_error",
        "absolute_error", "exact_match", "cosine_similarity", "correlation", "max_ratio", "allclose",
    ]

    /// Creates the scorer.
    public init() {}

    /// Scores `context`'s prediction against its reference with the configured metric.
    public func score(config: [String: JSONValue], weight: Double, context: ScoringContext) throws -> ScoreDetail {
        let cfg = ScorerConfig(config, scorer: name)
        let metric = try cfg.string("metric") ?? "relative_l2"
        guard Self.metrics.contains(metric) else {
            throw BenchError(.evaluationFailed, "numerical config: metric: unknown metric \"\(metric)\"",
                             hint: "one of: \(Self.metrics.joined(separator: ", "))")
        }
        let scorerName = "numerical:\(metric)"
        switch try NumericalInputs.load(cfg, context: context, needsReference: metric != "max_ratio") {
        case .agentFault(let message):
            return ScoreDetail(scorerName: scorerName, score: 0, maxScore: weight, passed: false, message: message,
                               details: ["error": .string(message)])
        case .arrays(let pred, let ref, let predName):
            var m = MetricRun(cfg: cfg, metric: metric, weight: weight, pred: pred, ref: ref)
            m.details["pred_file"] = .string(predName)
            return try m.run()
        }
    }
}

/// One evaluation of one metric over loaded arrays.
private struct MetricRun {
    let cfg: ScorerConfig
    let metric: String
    let weight: Double
    let pred: NPYArray
    let ref: NPYArray
    var details: [String: JSONValue] = [:]

    init(cfg: ScorerConfig, metric: String, weight: Double, pred: NPYArray, ref: NPYArray) {
        self.cfg = cfg
        self.metric = metric
        self.weight = weight
        self.pred = pred
        self.ref = ref
    }

    private var name: String { "numerical:\(metric)" }

    private func detail(_ score: Double, _ passed: Bool, _ message: String, _ extra: [String: JSONValue]) -> ScoreDetail {
        ScoreDetail(scorerName: name, score: score, maxScore: weight, passed: passed, message: message,
                    details: details.merging(extra) { _, b in b })
    }

    /// Scores an error value through ``ErrorScoring``.
    private func scored(_ error: Double, key: String, _ extra: [String: JSONValue] = [:]) throws -> ScoreDetail {
        let o = try ErrorScoring.apply(error: error, config: cfg, weight: weight)
        var d = extra.merging(o.details) { a, _ in a }
        d[key] = .finite(error)
        return detail(o.score, o.passed, ErrorScoring.message(metric: metric, error: error, weight: weight, outcome: o), d)
    }

    /// Full weight iff `passed`.
    private func binary(_ passed: Bool, _ message: String, _ extra: [String: JSONValue]) -> ScoreDetail {
        detail(passed ? weight : 0, passed, message + "; score=\(ErrorScoring.fixed(passed ? weight : 0, 2))/\(ErrorScoring.fixed(weight, 2))", extra)
    }

    private func empty() -> ScoreDetail {
        detail(0, false, "\(metric): the arrays are empty", ["error": "empty array"])
    }

    private func f(_ d: Double, _ n: Int = 6) -> String { ErrorScoring.fixed(d, n) }

    mutating func run() throws -> ScoreDetail {
        let p = pred.values, r = ref.values
        switch metric {
        case "relative_l2":
            var pp = p, rr = r
            if try cfg.string("nan_policy") == "omit" {
                let keep = zip(p, r).map { $0.isFinite && $1.isFinite }
                pp = zip(p, keep).filter { $1 }.map { $0.0 }
                rr = zip(r, keep).filter { $1 }.map { $0.0 }
                details["omitted"] = .number(Double(p.count - pp.count))
            }
            return try scored(NumericalMetrics.relativeL2(pp, rr), key: "relative_l2")
        case "mean_relative_l2":
            guard let rows = frames() else { return leadingAxisMissing() }
            let errors = rows.map { NumericalMetrics.relativeL2($0.p, $0.r) }
            let mean = errors.isEmpty ? Double.nan : NumericalMetrics.sum(errors) / Double(errors.count)
            return try scored(mean, key: "mean_relative_l2", ["per_frame_errors": .array(errors.map(JSONValue.finite))])
        case "per_frame_relative_l2":
            return try perFrame()
        case "rmse":
            return try scored(NumericalMetrics.rmse(p, r), key: "rmse")
        case "mape":
            return try scored(NumericalMetrics.mape(p, r), key: "mape")
        case "relative_error":
            guard let e = NumericalMetrics.relativeError(p, r) else { return empty() }
            if cfg.has("scoring") || cfg.has("threshold") { return try scored(e, key: "max_relative_error") }
            let tol = try cfg.double("tolerance") ?? 1e-4
            let ok = e <= tol
            return detail(ok ? weight : 0, ok,
                          "max_relative_error=\(f(e)) \(ok ? "<=" : ">") tolerance \(f(tol)); score=\(f(ok ? weight : 0, 2))/\(f(weight, 2))",
                          ["max_relative_error": .finite(e), "scoring_mode": "threshold", "raw_fraction": ok ? 1 : 0, "threshold": .finite(tol)])
        case "absolute_error":
            guard let e = NumericalMetrics.absoluteError(p, r) else { return empty() }
            // Like relative_error (TASK_FORMAT.md): `scoring`/`threshold` apply when given; else pass iff e ≤ tolerance.
            if cfg.has("scoring") || cfg.has("threshold") { return try scored(e, key: "max_absolute_error") }
            let tol = try cfg.double("tolerance") ?? 1e-6
            return binary(e <= tol, "max_absolute_error=\(f(e)) \(e <= tol ? "<=" : ">") tolerance \(f(tol))",
                          ["max_absolute_error": .finite(e), "tolerance": .finite(tol)])
        case "exact_match":
            let match = p == r
            return binary(match, match ? "arrays match exactly" : "arrays differ", ["match": .bool(match)])
        case "cosine_similarity":
            let sim = NumericalMetrics.cosineSimilarity(p, r)
            let t = try cfg.double("threshold") ?? 0.99
            return binary(sim >= t, "cosine_similarity=\(f(sim)) \(sim >= t ? ">=" : "<") threshold \(f(t))",
                          ["cosine_similarity": .finite(sim), "threshold": .finite(t)])
        case "correlation":
            return try correlation()
        case "max_ratio":
            guard let ratio = NumericalMetrics.maxRatio(p) else { return empty() }
            let t = try cfg.double("threshold") ?? 2.0
            let ok = ratio <= t
            return binary(ok, "ke_ratio=\(f(ratio, 4)) \(ok ? "<=" : ">") threshold \(f(t, 4))",
                          ["ke_ratio": .finite(ratio), "max_ratio": .finite(ratio), "threshold": .finite(t)])
        default:
            return try allclose()
        }
    }

    private func leadingAxisMissing() -> ScoreDetail {
        detail(0, false, "\(metric): the array is 0-dimensional; rows are needed", ["error": "0-d array"])
    }

    /// The rows (axis 0) of both arrays; `nil` for 0-d arrays.
    private func frames() -> [(p: [Double], r: [Double])]? {
        guard let n = pred.shape.first else { return nil }
        let size = n == 0 ? 0 : pred.count / n
        return (0..<n).map { i in
            (Array(pred.values[(i * size)..<((i + 1) * size)]), Array(ref.values[(i * size)..<((i + 1) * size)]))
        }
    }

    private mutating func perFrame() throws -> ScoreDetail {
        guard let rows = frames() else { return leadingAxisMissing() }
        let threshold = try cfg.double("threshold") ?? 0.30
        let items = try cfg.int("items") ?? rows.count
        guard items >= 0, items <= rows.count else {
            throw BenchError(.evaluationFailed, "numerical config: items: \(items) frames requested but the reference has \(rows.count)")
        }
        let perItem = try cfg.double("per_item_score") ?? (items > 0 ? weight / Double(items) : 0)
        let alignment = try cfg.object("alignment") ?? [:]
        let acfg = ScorerConfig(alignment, scorer: cfg.scorer, prefix: "alignment.")
        let maxShift = (try acfg.bool("enabled") ?? false) ? max(0, try acfg.int("max_shift") ?? 0) : 0
        let frameShape = Array(pred.shape.dropFirst())
        let shiftY = frameShape.count > 1 ? maxShift : 0
        var total = 0.0
        var frameDetails: [String: JSONValue] = [:]
        for i in 0..<items {
            let (pf, rf) = rows[i]
            var best = Double.infinity
            var bestShift = (0, 0)
            if maxShift > 0 {
                for dx in -maxShift...maxShift {
                    for dy in -shiftY...shiftY {
                        let e = NumericalMetrics.relativeL2(NumericalMetrics.roll(pf, shape: frameShape, dx: dx, dy: dy), rf)
                        if e < best { best = e; bestShift = (dx, dy) }
                    }
                }
            } else {
                best = NumericalMetrics.relativeL2(pf, rf)
            }
            let pts = best <= threshold ? perItem : 0
            total += pts
            frameDetails["frame_\(i)"] = ["rel_err": .finite(best), "shift": [.number(Double(bestShift.0)), .number(Double(bestShift.1))],
                                          "pts": .finite(pts)]
        }
        details.merge(frameDetails) { _, b in b }
        details["threshold"] = .finite(threshold)
        details["items"] = .number(Double(items))
        let score = min(max(total, 0), weight)
        return detail(score, true, "per_frame_relative_l2: awarded \(f(score, 2))/\(f(weight, 2)) across \(items) frame(s) with threshold <= \(f(threshold))", [:])
    }

    private func correlation() throws -> ScoreDetail {
        let corr = NumericalMetrics.correlation(pred.values, ref.values)
        if try cfg.string("scoring") == "linear_interpolation" {
            let full = try cfg.double("full_score_threshold") ?? 0.95
            let zero = try cfg.double("zero_score_threshold") ?? 0.50
            let raw: Double
            if !corr.isFinite { raw = 0 } else if corr >= full { raw = 1 } else if corr <= zero { raw = 0 } else { raw = (corr - zero) / (full - zero) }
            return detail(raw * weight, true, "correlation=\(f(corr, 4)); score=\(f(raw * weight, 2))/\(f(weight, 2)); linear interpolation [\(zero), \(full)]",
                          ["correlation": .finite(corr), "scoring_mode": "linear_interpolation", "raw_fraction": .finite(raw),
                           "full_score_threshold": .finite(full), "zero_score_threshold": .finite(zero)])
        }
        let t = try cfg.double("threshold") ?? 0.95
        let ok = corr.isFinite && corr >= t
        return binary(ok, "correlation=\(f(corr, 4)) \(ok ? ">=" : "<") threshold \(f(t, 4))",
                      ["correlation": .finite(corr), "threshold": .finite(t)])
    }

    private func allclose() throws -> ScoreDetail {
        let rtol = try cfg.double("rtol") ?? 1e-5
        let atol = try cfg.double("atol") ?? 1e-8
        let equalNaN = try cfg.bool("equal_nan") ?? false
        let mode = try cfg.string("scoring_mode") ?? "all_or_nothing"
        guard mode == "all_or_nothing" || mode == "fraction" else {
            throw BenchError(.evaluationFailed, "numerical config: scoring_mode: unknown value \"\(mode)\"", hint: "one of: all_or_nothing, fraction")
        }
        let n = pred.values.count
        let close = NumericalMetrics.closeCount(pred.values, ref.values, rtol: rtol, atol: atol, equalNaN: equalNaN)
        let fraction = n == 0 ? 1 : Double(close) / Double(n)
        let all = close == n
        let score = mode == "fraction" ? weight * fraction : (all ? weight : 0)
        return detail(score, all,
                      "allclose: \(close)/\(n) elements within atol=\(atol) + rtol=\(rtol)·|ref|; score=\(f(score, 2))/\(f(weight, 2))",
                      ["fraction_close": .finite(fraction), "n_close": .number(Double(close)), "n_total": .number(Double(n)),
                       "rtol": .finite(rtol), "atol": .finite(atol), "scoring_mode": .string(mode)])
    }
}
