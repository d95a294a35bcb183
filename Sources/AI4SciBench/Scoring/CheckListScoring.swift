import Foundation

/// The result of one check of `file_match` or `code_analysis`.
struct CheckResult {
    var passed: Bool
    var message: String?
    var fields: [String: JSONValue]

    init(passed: Bool, message: String? = nil, _ fields: [String: JSONValue] = [:]) {
        self.passed = passed
        self.message = message
        self.fields = fields
    }

    var json: JSONValue {
        var o = fields
        o["passed"] = .bool(passed)
        if let message { o["message"] = .string(message) }
        return .object(o)
    }
}

/// `scoring_mode` of check-list scorers: `all_or_nothing` (default) or `per_check` (weight · passed / n).
enum CheckListScoring: String {
    case allOrNothing = "all_or_nothing"
    case perCheck = "per_check"

    static let names = ["all_or_nothing", "per_check"]

    /// Reads `scoring_mode`, throwing for an unknown value.
    static func mode(_ cfg: ScorerConfig) throws -> CheckListScoring {
        let raw = try cfg.string("scoring_mode") ?? "all_or_nothing"
        guard let mode = CheckListScoring(rawValue: raw) else {
            throw BenchError(.evaluationFailed, "\(cfg.scorer) config: scoring_mode: unknown value \"\(raw)\"",
                             hint: "one of: \(names.joined(separator: ", "))")
        }
        return mode
    }

    /// The score of `results` at `weight` (no checks at all: full weight).
    func score(_ results: [CheckResult], weight: Double) -> Double {
        switch self {
        case .allOrNothing:
            return results.allSatisfy(\.passed) ? weight : 0
        case .perCheck:
            guard !results.isEmpty else { return weight }
            return weight * Double(results.filter(\.passed).count) / Double(results.count)
        }
    }

    /// Builds the ``ScoreDetail``: message joins the failed checks' messages.
    func detail(scorer: String, results: [CheckResult], weight: Double, extra: [String: JSONValue] = [:]) -> ScoreDetail {
        let allPassed = results.allSatisfy(\.passed)
        let failed = results.filter { !$0.passed }.compactMap(\.message)
        let message = allPassed ? "" : (failed.isEmpty ? "some \(scorer) checks failed" : failed.joined(separator: "; "))
        var details = extra
        details["checks"] = .array(results.map(\.json))
        details["scoring_mode"] = .string(rawValue)
        return ScoreDetail(scorerName: scorer, score: score(results, weight: weight), maxScore: weight,
                           passed: allPassed, message: message, details: details)
    }
}
