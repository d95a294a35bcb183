import Foundation

/// Turns an error value into a score, the asibench 0.2.0 way (`scoring`, `threshold`, proportional).
struct ErrorScoring {
    /// The outcome: score in `[0, weight]`, pass flag, and the details Python records (`scoring_mode`, …).
    struct Outcome {
        var score: Double
        var passed: Bool
        var details: [String: JSONValue]
        var mode: String
        var threshold: Double?
        var full: Double?
        var zero: Double?
    }

    /// The accepted values of `scoring`.
    static let modes = ["linear_interpolation", "threshold", "proportional"]

    /// Scores `error` with weight `weight`:
    /// - non-finite error → 0;
    /// - `scoring: linear_interpolation`: 1 at ≤ `full_score_threshold` (0), 0 at ≥ `zero_score_threshold` (1),
    ///   linear between; always "passes";
    /// - else, if `threshold` is set: `weight · [error ≤ threshold]`;
    /// - else proportional: `weight · max(0, 1 − error)`.
    static func apply(error: Double, config: ScorerConfig, weight: Double) throws -> Outcome {
        guard error.isFinite else {
            return Outcome(score: 0, passed: false,
                           details: ["scoring_mode": "non_finite_error", "raw_fraction": 0], mode: "non_finite_error")
        }
        let scoring = try config.string("scoring")
        if scoring == "linear_interpolation" {
            let full = try config.double("full_score_threshold") ?? 0
            let zero = try config.double("zero_score_threshold") ?? 1
            let raw: Double
            if error <= full { raw = 1 } else if error >= zero { raw = 0 } else { raw = 1 - (error - full) / (zero - full) }
            return Outcome(score: raw * weight, passed: true,
                           details: ["scoring_mode": "linear_interpolation", "raw_fraction": .finite(raw),
                                     "full_score_threshold": .finite(full), "zero_score_threshold": .finite(zero)],
                           mode: "linear_interpolation", full: full, zero: zero)
        }
        if let threshold = try config.double("threshold") {
            let passed = error <= threshold
            return Outcome(score: passed ? weight : 0, passed: passed,
                           details: ["scoring_mode": "threshold", "raw_fraction": passed ? 1 : 0, "threshold": .finite(threshold)],
                           mode: "threshold", threshold: threshold)
        }
        if scoring == "threshold" {
            throw BenchError(.evaluationFailed, "\(config.scorer) config: scoring is \"threshold\" but no threshold is given",
                             hint: "add threshold: <number>")
        }
        let raw = max(0, 1 - error)
        return Outcome(score: raw * weight, passed: true,
                       details: ["scoring_mode": "proportional", "raw_fraction": .finite(raw)], mode: "proportional")
    }

    /// The one-line message Python builds, e.g. `relative_l2=0.012000; score=54.00/60.00; linear interpolation …`.
    static func message(metric: String, error: Double, weight: Double, outcome: Outcome) -> String {
        let e = fixed(error, 6), s = fixed(outcome.score, 2), w = fixed(weight, 2)
        switch outcome.mode {
        case "non_finite_error":
            return "\(metric)=non-finite; score=0.00/\(w)"
        case "linear_interpolation":
            return "\(metric)=\(e); score=\(s)/\(w); linear interpolation with full<=\(fixed(outcome.full ?? 0, 6)), zero>=\(fixed(outcome.zero ?? 1, 6))"
        case "threshold":
            let t = outcome.threshold ?? 0
            return "\(metric)=\(e) \(error <= t ? "<=" : ">") threshold \(fixed(t, 6)); score=\(s)/\(w)"
        default:
            return "\(metric)=\(e); score=\(s)/\(w)"
        }
    }

    /// `%.Nf` formatting.
    static func fixed(_ d: Double, _ digits: Int) -> String {
        d.isFinite ? String(format: "%.\(digits)f", d) : (d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf"))
    }
}
