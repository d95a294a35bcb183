import Foundation

extension ItemRunner {
    /// Resolves the task's config templates over the instance parameters, then runs gates and scorers.
    ///
    /// A template that cannot be resolved for this instance makes the evaluation invalid (not a 0).
    func evaluate(_ item: RunItem, predictionDir: URL) -> EvaluationResult {
        var spec = item.task.evaluation
        do {
            spec.gates = try spec.gates.map { try Self.resolved($0, item.instance.parameters) }
            spec.scoring = try spec.scoring.map { try Self.resolved($0, item.instance.parameters) }
        } catch {
            return EvaluationResult(finalScore: nil, maxPossibleScore: spec.maxPossibleScore, componentScores: [], gateResults: [],
                                    hardGatesPassed: false, softGateFailures: [], invalidReason: "config template: \(error)")
        }
        let context = ScoringContext(predictionDir: predictionDir, referenceDir: item.instance.referenceDirectory,
                                     parameters: item.instance.parameters)
        return Evaluator(registry: registry).evaluate(spec, context: context)
    }

    static func resolved(_ s: ScorerSpec, _ params: [String: JSONValue]) throws -> ScorerSpec {
        var out = s
        out.config = try TemplateResolver.resolve(s.config, parameters: params)
        return out
    }
}
