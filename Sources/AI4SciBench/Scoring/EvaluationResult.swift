import Foundation

/// The outcome of running an ``EvaluationSpec``: gates, weighted components and the final score.
///
/// Encoded with snake_case keys. When any scorer threw or was unknown, ``invalidReason`` says which and
/// why and ``finalScore`` is `nil` (encoded as `null`): the run is `evaluation_invalid`, never a silent 0.
public struct EvaluationResult: Sendable, Equatable, Codable {
    /// One weighted scorer's result.
    public struct Component: Sendable, Equatable, Codable {
        /// Display name of the spec.
        public var name: String
        /// Scorer name as written in the task (`numerical`).
        public var scorer: String
        /// The weight it ran with (a negative weight in the task counts as 0).
        public var weight: Double
        /// Score in `[0, weight]`.
        public var score: Double
        /// Equal to ``weight``.
        public var maxScore: Double
        /// Whether the scorer reported a pass.
        public var passed: Bool
        /// The scorer's message.
        public var message: String
        /// The scorer's details (non-finite numbers stored as strings).
        public var details: [String: JSONValue]

        enum CodingKeys: String, CodingKey {
            case name, scorer, weight, score, maxScore = "max_score", passed, message, details
        }
    }

    /// One gate's result (gates run with weight 1).
    public struct GateResult: Sendable, Equatable, Codable {
        /// Display name of the gate.
        public var name: String
        /// Scorer name.
        public var scorer: String
        /// Hard or soft.
        public var severity: GateSeverity
        /// Whether the gate passed.
        public var passed: Bool
        /// Score in `[0, 1]`.
        public var score: Double
        /// The scorer's message.
        public var message: String
        /// The scorer's details.
        public var details: [String: JSONValue]
    }

    /// The final score in `[0, maxPossibleScore]`; `nil` when the evaluation is invalid.
    public var finalScore: Double?
    /// Σ max(0, weight) / score_divisor.
    public var maxPossibleScore: Double
    /// Weighted scorers, in task order (empty when a hard gate failed: they are not run).
    public var componentScores: [Component]
    /// Gates, in task order.
    public var gateResults: [GateResult]
    /// Whether every hard gate passed.
    public var hardGatesPassed: Bool
    /// Names of the soft gates that failed.
    public var softGateFailures: [String]
    /// Why the evaluation is invalid (names the scorer and the error); `nil` when valid.
    public var invalidReason: String?

    /// Whether the evaluation produced a score.
    public var isValid: Bool { invalidReason == nil }

    /// Creates a result.
    public init(finalScore: Double?, maxPossibleScore: Double, componentScores: [Component], gateResults: [GateResult],
                hardGatesPassed: Bool, softGateFailures: [String], invalidReason: String?) {
        self.finalScore = finalScore
        self.maxPossibleScore = maxPossibleScore
        self.componentScores = componentScores
        self.gateResults = gateResults
        self.hardGatesPassed = hardGatesPassed
        self.softGateFailures = softGateFailures
        self.invalidReason = invalidReason
    }

    enum CodingKeys: String, CodingKey {
        case finalScore = "final_score", maxPossibleScore = "max_possible_score", componentScores = "component_scores"
        case gateResults = "gate_results", hardGatesPassed = "hard_gates_passed", softGateFailures = "soft_gate_failures"
        case invalidReason = "invalid_reason"
    }

    /// Encodes every key, writing `null` for a missing final score or invalid reason.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(finalScore, forKey: .finalScore)
        try c.encode(maxPossibleScore, forKey: .maxPossibleScore)
        try c.encode(componentScores, forKey: .componentScores)
        try c.encode(gateResults, forKey: .gateResults)
        try c.encode(hardGatesPassed, forKey: .hardGatesPassed)
        try c.encode(softGateFailures, forKey: .softGateFailures)
        try c.encode(invalidReason, forKey: .invalidReason)
    }
}
