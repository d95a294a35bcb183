import Foundation
import Testing
@testable import AI4SciBench

/// A scorer that always throws, for invalid-evaluation tests.
struct ThrowingScorer: Scorer {
    let name = "explodes"
    func validate(config: [String: JSONValue]) -> [ValidationIssue] { [] }
    func score(config: [String: JSONValue], weight: Double, context: ScoringContext) throws -> ScoreDetail {
        throw BenchError(.evaluationFailed, "custom_scorer.py raised ValueError")
    }
}

/// A scorer returning a fixed fraction of its weight (or NaN).
struct FixedScorer: Scorer {
    let name: String
    let fraction: Double
    let passed: Bool
    func validate(config: [String: JSONValue]) -> [ValidationIssue] { [] }
    func score(config: [String: JSONValue], weight: Double, context: ScoringContext) throws -> ScoreDetail {
        ScoreDetail(scorerName: name, score: fraction * weight, maxScore: weight, passed: passed, message: passed ? "" : "\(name) failed")
    }
}

@Suite("Evaluator, composite and registry", .timeLimit(.minutes(1)))
struct ScoringEvaluatorTests {
    static func registry() throws -> ScorerRegistry {
        let r = ScorerRegistry()
        try r.register(ThrowingScorer())
        try r.register(FixedScorer(name: "half", fraction: 0.5, passed: true))
        try r.register(FixedScorer(name: "fails", fraction: 0.25, passed: false))
        try r.register(FixedScorer(name: "nan", fraction: .nan, passed: true))
        try r.register(FixedScorer(name: "over", fraction: 3, passed: true))
        return r
    }

    func evaluate(_ spec: EvaluationSpec) async throws -> EvaluationResult {
        try await Evaluator(registry: Self.registry()).evaluate(spec, context: TempDirs().context)
    }

    @Test func registryKnowsBuiltInsAndRefusesShadowing() async throws {
        let r = ScorerRegistry()
        #expect(r.knownNames == ["code_analysis", "composite", "file_match", "numerical"])
        #expect(r.scorer(named: "numerical") is NumericalScorer)
        #expect(r.scorer(named: "allclose") == nil)
        #expect(throws: BenchError.self) { try r.register(FixedScorer(name: "numerical", fraction: 1, passed: true)) }
        try r.register(FixedScorer(name: "numerical", fraction: 1, passed: true), replacing: true)
        #expect(r.scorer(named: "numerical") is FixedScorer)
    }

    @Test func weightedSumDividedAndNegativeWeightClamped() async throws {
        let spec = EvaluationSpec(scoring: [ScorerSpec(scorer: "half", weight: 60), ScorerSpec(name: "neg", scorer: "half", weight: -20),
                                            ScorerSpec(scorer: "over", weight: 40)], scoreDivisor: 2)
        let r = try await evaluate(spec)
        #expect(r.maxPossibleScore == 50)
        #expect(r.finalScore == 35)  // (30 + 0 + 40 clamped) / 2
        #expect(r.componentScores.map(\.weight) == [60, 0, 40])
        #expect(r.componentScores[1].details["declared_weight"] == -20)
        #expect(r.componentScores[2].score == 40)
        #expect(r.isValid && r.hardGatesPassed)
    }

    @Test func hardGateFailureZeroesOrSumsGates() async throws {
        let gates = [ScorerSpec(name: "files", scorer: "fails"), ScorerSpec(name: "style", scorer: "half", severity: .soft)]
        var spec = EvaluationSpec(gates: gates, scoring: [ScorerSpec(scorer: "half", weight: 100)])
        let zero = try await evaluate(spec)
        #expect(zero.finalScore == 0 && !zero.hardGatesPassed)
        #expect(zero.componentScores.isEmpty)
        #expect(zero.gateResults.map(\.score) == [0.25, 0.5])
        spec.hardFailScoreMode = .gateScoreSum
        #expect(try await evaluate(spec).finalScore == 0.75)
    }

    @Test func softGateFailureOnlyWarns() async throws {
        let spec = EvaluationSpec(gates: [ScorerSpec(name: "style", scorer: "fails", severity: .soft)],
                                  scoring: [ScorerSpec(scorer: "half", weight: 100)])
        let r = try await evaluate(spec)
        #expect(r.finalScore == 50 && r.hardGatesPassed)
        #expect(r.softGateFailures == ["style"])
        #expect(r.gateResults[0].severity == .soft && !r.gateResults[0].passed)
    }

    @Test func throwingUnknownOrNonFiniteScorerMakesEvaluationInvalid() async throws {
        let thrown = try await evaluate(EvaluationSpec(scoring: [ScorerSpec(scorer: "half", weight: 50), ScorerSpec(name: "judge", scorer: "explodes", weight: 50)]))
        #expect(thrown.finalScore == nil && !thrown.isValid)
        #expect(thrown.invalidReason == "scorer \"judge\" (scorer explodes): custom_scorer.py raised ValueError")
        let unknown = try await evaluate(EvaluationSpec(gates: [ScorerSpec(scorer: "magic")]))
        #expect(unknown.finalScore == nil && unknown.invalidReason?.contains("unknown scorer \"magic\"") == true)
        let nan = try await evaluate(EvaluationSpec(scoring: [ScorerSpec(scorer: "nan", weight: 10)]))
        #expect(nan.finalScore == nil && nan.invalidReason?.contains("non-finite score") == true)
        let divisor = try await evaluate(EvaluationSpec(scoring: [ScorerSpec(scorer: "half")], scoreDivisor: 0))
        #expect(divisor.finalScore == nil)
        let json = try JSONValue(encoding: thrown)
        #expect(json["final_score"] == .null)
        #expect(json["component_scores"]?[1]?["max_score"] == 50)
        #expect(json["soft_gate_failures"] == [])
    }

    @Test func compositeCombinesFractions() async throws {
        let ctx = try ScoringFixtures.scoringContext()
        let registry = try Self.registry()
        let composite = try #require(registry.scorer(named: "composite"))
        let config: [String: JSONValue] = ["scorers": [
            ["scorer": "half", "weight": 3],
            ["scorer": "numerical", "weight": 1, "config": ["file": "exact.npy", "metric": "exact_match"]],
            ["scorer": "fails", "weight": -5],
        ]]
        let d = try composite.score(config: config, weight: 20, context: ctx)
        let expected: Double = 20 * (0.5 * 3 + 1 * 1) / 4
        #expect(closeRel(d.score, expected))
        #expect(!d.passed && d.message == "fails: fails failed")
        #expect(d.details["sub_results"]?.arrayValue?.count == 3)
        let legacy = try composite.score(config: ["sub_scorers": [["scorer": "half"]]], weight: 2, context: ctx)
        #expect(legacy.score == 1)
        #expect(throws: BenchError.self) { try composite.score(config: ["scorers": [["scorer": "nope"]]], weight: 1, context: ctx) }
        #expect(throws: BenchError.self) { try composite.score(config: ["scorers": [["scorer": "explodes"]]], weight: 1, context: ctx) }
        let issues = composite.validate(config: ["scorers": [["scorer": "numerical", "config": ["metric": "l3", "file": "a.npy"]],
                                                             ["scorer": "nope"]]])
        #expect(Set(issues.filter { $0.severity == .error }.map(\.keyPath)) == ["scorers[0].config.metric", "scorers[1].scorer"])
    }

    @Test func endToEndWithBuiltInsOnNumpyFixtures() async throws {
        let spec = EvaluationSpec(
            gates: [ScorerSpec(scorer: "file_match", config: ["checks": [["file": "field.npy", "shape": "5,40", "dtype": "float64"]]])],
            scoring: [ScorerSpec(scorer: "numerical", weight: 60, config: ["file": "field.npy", "scoring": "linear_interpolation",
                                                                          "full_score_threshold": 0.05, "zero_score_threshold": 0.1]),
                      ScorerSpec(name: "shape", scorer: "numerical", weight: 40, config: ["file": "short.npy"])])
        let r = await Evaluator().evaluate(spec, context: try ScoringFixtures.scoringContext())
        #expect(r.isValid && r.finalScore == 60)
        #expect(r.componentScores[1].message == "short.npy: shape (2,100) expected (2,200)")
        let refGone = EvaluationSpec(scoring: [ScorerSpec(scorer: "numerical", weight: 10, config: ["pred_file": "field.npy", "ref_file": "gone.npy"])])
        let invalid = await Evaluator().evaluate(refGone, context: try ScoringFixtures.scoringContext())
        #expect(invalid.finalScore == nil && invalid.invalidReason?.contains("reference file gone.npy not found") == true)
    }

    @Test func validationPrefixesKeyPaths() async throws {
        let spec = EvaluationSpec(gates: [ScorerSpec(scorer: "nope")],
                                  scoring: [ScorerSpec(scorer: "numerical", weight: -1, config: ["metric": "bogus", "file": "a.npy"]),
                                            ScorerSpec(scorer: "code_analysis", config: ["checks": [["pattern": "(", "required": true]]])],
                                  scoreDivisor: -2)
        let issues = Evaluator().validate(spec, file: "Tasks/x/y/task.yaml")
        let errors = Set(issues.filter { $0.severity == .error }.map(\.keyPath))
        #expect(errors == ["evaluation.score_divisor", "evaluation.gates[0].scorer", "evaluation.scoring[0].config.metric",
                           "evaluation.scoring[1].config.checks[0].pattern"])
        #expect(issues.contains { $0.keyPath == "evaluation.scoring[0].weight" && $0.severity == .warning })
        #expect(issues.allSatisfy { $0.file == "Tasks/x/y/task.yaml" })
    }
}
