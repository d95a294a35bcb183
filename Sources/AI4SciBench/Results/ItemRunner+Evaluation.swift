import Foundation

extension ItemRunner {
    /// Resolves the task's config templates over the instance parameters, then runs gates and scorers; a task
    /// that uses names from its `custom_scorer.py` gets one scorer bridge for the whole item.
    ///
    /// A template that cannot be resolved for this instance makes the evaluation invalid (not a 0).
    func evaluate(_ item: RunItem, predictionDir: URL) async -> (result: EvaluationResult, bridge: BridgeRecord?) {
        var spec = item.task.evaluation
        do {
            spec.gates = try spec.gates.map { try Self.resolved($0, item.instance.parameters) }
            spec.scoring = try spec.scoring.map { try Self.resolved($0, item.instance.parameters) }
        } catch {
            let invalid = EvaluationResult(finalScore: nil, maxPossibleScore: spec.maxPossibleScore, componentScores: [], gateResults: [],
                                           hardGatesPassed: false, softGateFailures: [], invalidReason: "config template: \(error)")
            return (invalid, nil)
        }
        let context = ScoringContext(predictionDir: predictionDir, referenceDir: item.instance.referenceDirectory,
                                     parameters: item.instance.parameters, promptLevel: item.level)
        let evaluator = Evaluator(registry: registry)
        let custom = item.task.customScorerNames
        guard !custom.isEmpty else { return (await evaluator.evaluate(spec, context: context), nil) }
        let calls = (spec.gates + spec.scoring).filter { custom.contains($0.scorer) }.count
        let bridge = ScorerBridge(launcher: launcher, options: config.scorerBridgeOptions)
        let (result, record) = await bridge.withSession(task: item.task, predictionDir: predictionDir,
                                                        referenceDir: item.instance.referenceDirectory, calls: calls) { session in
            await evaluator.evaluate(spec, context: context, custom: session)
        }
        return (result, record)
    }

    static func resolved(_ s: ScorerSpec, _ params: [String: JSONValue]) throws -> ScorerSpec {
        var out = s
        out.config = try TemplateResolver.resolve(s.config, parameters: params)
        return out
    }
}
