import Foundation

/// Runs an ``EvaluationSpec`` (gates, then weighted scorers) over a ``ScoringContext``.
///
/// Rules (asibench 0.2.0, minus its known defects):
/// - every gate runs at weight 1; a failed hard gate stops the weighted scorers; a failed soft gate is
///   listed in ``EvaluationResult/softGateFailures``;
/// - weights are clamped: a negative (or non-finite) weight counts as 0;
/// - `final_score = Σ scores / score_divisor` when every hard gate passed, otherwise 0, or with
///   `hard_fail_score_mode: gate_score_sum` the sum of the gate scores; clamped into `[0, max_possible_score]`;
/// - a scorer that throws, an unknown scorer name, a non-finite score or a bad divisor make the
///   evaluation invalid (`final_score` nil, ``EvaluationResult/invalidReason`` set).
///
/// Names the registry does not hold go to `custom` (a task's `custom_scorer.py` through the Python bridge);
/// built-in names always win. Configs are used as given: resolve templates (`"{n*2}"`) before calling
/// ``evaluate(_:context:custom:)``.
public struct Evaluator: Sendable {
    /// Where scorer names are looked up.
    public let registry: ScorerRegistry

    /// Creates an evaluator over `registry` (by default the built-in scorers).
    public init(registry: ScorerRegistry = ScorerRegistry()) {
        self.registry = registry
    }

    /// Evaluates `spec` over `context`. Never throws: failures make the result invalid.
    public func evaluate(_ spec: EvaluationSpec, context: ScoringContext, custom: (any CustomScoring)? = nil) async -> EvaluationResult {
        var invalid: [String] = []
        let divisorOK = spec.scoreDivisor.isFinite && spec.scoreDivisor > 0
        if !divisorOK { invalid.append("score_divisor must be a positive number, got \(spec.scoreDivisor)") }

        var gates: [EvaluationResult.GateResult] = []
        var hardPassed = true
        var softFailures: [String] = []
        for gate in spec.gates {
            let (detail, failure) = await run(gate, weight: 1, context: context, custom: custom, role: "gate")
            if let failure { invalid.append(failure) }
            gates.append(.init(name: gate.name, scorer: gate.scorer, severity: gate.severity, passed: detail.passed,
                               score: detail.score, message: detail.message, details: detail.details))
            if !detail.passed {
                if gate.severity == .hard { hardPassed = false } else { softFailures.append(gate.name) }
            }
        }

        var components: [EvaluationResult.Component] = []
        if hardPassed {
            for item in spec.scoring {
                let weight = Self.effectiveWeight(item.weight)
                var (detail, failure) = await run(item, weight: weight, context: context, custom: custom, role: "scorer")
                if let failure { invalid.append(failure) }
                if weight != item.weight { detail.details["declared_weight"] = .finite(item.weight) }
                components.append(.init(name: item.name, scorer: item.scorer, weight: weight, score: detail.score,
                                        maxScore: weight, passed: detail.passed, message: detail.message, details: detail.details))
            }
        }

        let maxPossible = divisorOK ? spec.maxPossibleScore
            : spec.scoring.reduce(0) { $0 + Self.effectiveWeight($1.weight) }
        var final: Double? = nil
        if invalid.isEmpty {
            let raw: Double
            if hardPassed {
                raw = components.reduce(0) { $0 + $1.score } / spec.scoreDivisor
            } else if spec.hardFailScoreMode == .gateScoreSum {
                raw = gates.reduce(0) { $0 + $1.score }
            } else {
                raw = 0
            }
            final = min(max(raw, 0), maxPossible)
        }
        return EvaluationResult(finalScore: final, maxPossibleScore: maxPossible, componentScores: components,
                                gateResults: gates, hardGatesPassed: hardPassed, softGateFailures: softFailures,
                                invalidReason: invalid.isEmpty ? nil : invalid.joined(separator: "; "))
    }

    /// A weight as used for scoring: negative and non-finite weights count as 0.
    public static func effectiveWeight(_ w: Double) -> Double {
        w.isFinite ? max(0, w) : 0
    }

    /// Runs one spec; returns the (clamped) detail and, when the evaluation became invalid, why.
    private func run(_ spec: ScorerSpec, weight: Double, context: ScoringContext, custom: (any CustomScoring)?,
                     role: String) async -> (ScoreDetail, String?) {
        let label = "\(role) \"\(spec.name)\" (scorer \(spec.scorer))"
        func failed(_ reason: String, _ extra: [String: JSONValue] = [:]) -> (ScoreDetail, String?) {
            var details: [String: JSONValue] = ["scorer_internal_error": true, "error": .string(reason)]
            details.merge(extra) { _, new in new }
            let d = ScoreDetail(scorerName: spec.scorer, score: 0, maxScore: weight, passed: false, message: reason, details: details)
            return (d, "\(label): \(reason)")
        }
        var detail: ScoreDetail
        do {
            if let scorer = registry.scorer(named: spec.scorer) {
                detail = try scorer.score(config: spec.config, weight: weight, context: context)
            } else if let custom, custom.names.contains(spec.scorer) {
                detail = try await custom.score(scorer: spec.scorer, config: spec.config, weight: weight, context: context)
            } else {
                var known = registry.knownNames
                if let custom { known += custom.names.sorted() }
                return failed("unknown scorer \"\(spec.scorer)\" (known: \(known.joined(separator: ", ")))")
            }
        } catch let e as ScorerFailure {
            return failed(e.message, e.details)
        } catch let e as BenchError {
            return failed(e.description)
        } catch {
            return failed(String(describing: error))
        }
        guard detail.score.isFinite else {
            return failed("returned a non-finite score (\(detail.score))")
        }
        let returned = detail.score
        detail.score = min(max(detail.score, 0), weight)
        if detail.score != returned { detail.details["returned_score"] = .finite(returned) }
        detail.maxScore = weight
        return (detail, nil)
    }
}
