import Foundation

/// The `composite` scorer: `weight · Σᵢ (sᵢ/maxᵢ)·wᵢ / Σᵢ wᵢ` over sub-scorers, each run at weight 1.
///
/// Config: `scorers: [{scorer, weight (default 1), config}]` (asibench's `sub_scorers` is accepted as an
/// alias). Negative sub-weights count as 0. Sub-scorers are looked up in the registry the composite
/// belongs to, so registered custom scorers work inside a composite. An unknown sub-scorer, an empty list
/// or a sub-scorer that throws makes the evaluation fail (throws).
public struct CompositeScorer: Scorer {
    /// `composite`.
    public let name = "composite"
    private let lookup: @Sendable (String) -> (any Scorer)?

    /// Creates a composite resolving sub-scorer names with `lookup`.
    public init(lookup: @escaping @Sendable (String) -> (any Scorer)?) {
        self.lookup = lookup
    }

    private func entries(_ config: [String: JSONValue]) -> (key: String, value: JSONValue?) {
        if let v = config["scorers"] { return ("scorers", v) }
        return ("sub_scorers", config["sub_scorers"])
    }

    /// Runs every sub-scorer at weight 1 and combines their fractions by weight.
    public func score(config: [String: JSONValue], weight: Double, context: ScoringContext) throws -> ScoreDetail {
        let cfg = ScorerConfig(config, scorer: name)
        let (key, _) = entries(config)
        guard let list = try cfg.array(key), !list.isEmpty else {
            throw BenchError(.evaluationFailed, "composite config: scorers: no sub-scorers given",
                             hint: "scorers: [{scorer: numerical, weight: 1, config: {...}}]")
        }
        var total = 0.0, weighted = 0.0
        var subResults: [JSONValue] = []
        var allPassed = true
        var failures: [String] = []
        for (i, item) in list.enumerated() {
            guard let entry = item.objectValue else { throw cfg.fail("\(key)[\(i)]", "a mapping", item) }
            let c = ScorerConfig(entry, scorer: name, prefix: "\(key)[\(i)].")
            guard let scorerName = try c.string("scorer") else {
                throw BenchError(.evaluationFailed, "composite config: \(key)[\(i)].scorer: missing")
            }
            guard let scorer = lookup(scorerName) else {
                throw BenchError(.evaluationFailed, "composite config: \(key)[\(i)].scorer: unknown scorer \"\(scorerName)\"")
            }
            let w = max(0, try c.double("weight") ?? 1)
            let result: ScoreDetail
            do {
                result = try scorer.score(config: try c.object("config") ?? [:], weight: 1, context: context)
            } catch let e as BenchError {
                throw BenchError(e.code, "composite \(key)[\(i)] (\(scorerName)): \(e.message)", hint: e.hint)
            }
            total += w
            if result.maxScore > 0, result.score.isFinite { weighted += (result.score / result.maxScore) * w }
            allPassed = allPassed && result.passed
            if !result.passed, !result.message.isEmpty { failures.append("\(scorerName): \(result.message)") }
            subResults.append(["scorer": .string(scorerName), "weight": .finite(w), "score": .finite(result.score),
                               "max_score": .finite(result.maxScore), "passed": .bool(result.passed),
                               "message": .string(result.message), "details": .object(result.details)])
        }
        let score = total > 0 ? weighted / total * weight : 0
        return ScoreDetail(scorerName: name, score: score, maxScore: weight, passed: allPassed,
                           message: failures.joined(separator: "; "), details: ["sub_results": .array(subResults)])
    }

    /// Checks the sub-scorer list and each sub-config (issues keyed `scorers[i].config.<key>`).
    public func validate(config: [String: JSONValue]) -> [ValidationIssue] {
        var c = ConfigChecker()
        c.unknownKeys(config, known: ["scorers", "sub_scorers", "weight", "description", "prompt_level"])
        let (key, value) = entries(config)
        guard let value, let list = value.arrayValue, !list.isEmpty else {
            c.error("scorers", "expected a non-empty list of sub-scorers", hint: "scorers: [{scorer: numerical, weight: 1, config: {...}}]")
            return c.issues
        }
        for (i, item) in list.enumerated() {
            let p = "\(key)[\(i)]."
            guard let entry = item.objectValue else {
                c.error("\(key)[\(i)]", "expected a mapping {scorer, weight, config}, got \(item.shortDescription)")
                continue
            }
            c.unknownKeys(entry, known: ["scorer", "weight", "config", "name"], prefix: p)
            c.number(entry, "weight", prefix: p, minimum: 0)
            guard let scorerName = entry["scorer"]?.stringValue else {
                c.error(p + "scorer", "missing scorer name")
                continue
            }
            guard let scorer = lookup(scorerName) else {
                c.error(p + "scorer", "unknown scorer \"\(scorerName)\"")
                continue
            }
            if let sub = entry["config"], !sub.isNull, sub.objectValue == nil {
                c.error(p + "config", "expected a mapping, got \(sub.shortDescription)")
                continue
            }
            c.append(scorer.validate(config: entry["config"]?.objectValue ?? [:]), prefix: p + "config.")
        }
        return c.issues
    }
}
