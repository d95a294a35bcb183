import Foundation

/// Gate severity: a failed hard gate zeroes the score; a failed soft gate is a warning.
public enum GateSeverity: String, Sendable, Codable, Equatable, CaseIterable {
    case hard, soft
}

/// One entry of `evaluation.gates` or `evaluation.scoring`, as written in the task file.
///
/// `config` may still hold template strings (`"{n*2}"`); the runner resolves them over the instance
/// parameters (``TemplateResolver``) before a scorer sees them.
public struct ScorerSpec: Sendable, Equatable, Codable {
    /// Display name (`name:` in the file, else the scorer name).
    public var name: String
    /// The scorer to run: a built-in (`numerical`, `file_match`, `code_analysis`, `composite`, `allclose` via
    /// numerical) or a name registered by the task's custom scorer.
    public var scorer: String
    /// Weight: the scorer returns a score in `[0, weight]`. Gates run with weight 1.
    public var weight: Double
    /// Gates only: hard (default) or soft.
    public var severity: GateSeverity
    /// The scorer's configuration.
    public var config: [String: JSONValue]

    /// Creates a spec.
    public init(name: String? = nil, scorer: String, weight: Double = 1, severity: GateSeverity = .hard, config: [String: JSONValue] = [:]) {
        self.name = name ?? scorer
        self.scorer = scorer
        self.weight = weight
        self.severity = severity
        self.config = config
    }
}

/// How the final score is formed when a hard gate fails.
public enum HardFailScoreMode: String, Sendable, Codable, Equatable, CaseIterable {
    /// Final score 0 (the default).
    case zero
    /// Final score = sum of the gate scores.
    case gateScoreSum = "gate_score_sum"
}

/// The `evaluation:` section of a task.
public struct EvaluationSpec: Sendable, Equatable, Codable {
    /// Gates, run first.
    public var gates: [ScorerSpec]
    /// Weighted scorers.
    public var scoring: [ScorerSpec]
    /// What a failed hard gate gives.
    public var hardFailScoreMode: HardFailScoreMode
    /// The sum of scorer scores is divided by this (default 1).
    public var scoreDivisor: Double

    /// Creates a spec.
    public init(gates: [ScorerSpec] = [], scoring: [ScorerSpec] = [], hardFailScoreMode: HardFailScoreMode = .zero, scoreDivisor: Double = 1) {
        self.gates = gates
        self.scoring = scoring
        self.hardFailScoreMode = hardFailScoreMode
        self.scoreDivisor = scoreDivisor
    }

    /// The best possible final score: Σ max(0, weight) / divisor.
    public var maxPossibleScore: Double {
        scoring.reduce(0) { $0 + max(0, $1.weight) } / scoreDivisor
    }
}

/// What one scorer (or gate) returned. Field names follow the Python tool's `ScoreDetail`.
public struct ScoreDetail: Sendable, Equatable, Codable {
    /// The scorer that produced it.
    public var scorerName: String
    /// Score in `[0, maxScore]`.
    public var score: Double
    /// The weight it ran with.
    public var maxScore: Double
    /// Whether it passed (for gates: the gate passed).
    public var passed: Bool
    /// Human-readable reason, concrete (e.g. "density.npy: shape (2,100) expected (2,200)").
    public var message: String
    /// Metric values and per-check results.
    public var details: [String: JSONValue]

    /// Creates a detail.
    public init(scorerName: String, score: Double, maxScore: Double, passed: Bool, message: String = "", details: [String: JSONValue] = [:]) {
        self.scorerName = scorerName
        self.score = score
        self.maxScore = maxScore
        self.passed = passed
        self.message = message
        self.details = details
    }

    enum CodingKeys: String, CodingKey {
        case scorerName = "scorer_name", score, maxScore = "max_score", passed, message, details
    }
}

/// Where a scorer looks: the agent's outputs, the instance's reference, and the instance parameters.
public struct ScoringContext: Sendable {
    /// Directory holding the agent's output files (the workspace after the run).
    public var predictionDir: URL
    /// Directory holding the reference files (the instance's `reference/`).
    public var referenceDir: URL
    /// Instance parameters (`params_used`).
    public var parameters: [String: JSONValue]
    /// The prompt level of the run, passed to custom scorers as `config.prompt_level` (as the Python tool does).
    public var promptLevel: PromptLevel?

    /// Creates a context.
    public init(predictionDir: URL, referenceDir: URL, parameters: [String: JSONValue] = [:], promptLevel: PromptLevel? = nil) {
        self.predictionDir = predictionDir
        self.referenceDir = referenceDir
        self.parameters = parameters
        self.promptLevel = promptLevel
    }
}

/// A scorer: given a resolved config and a weight, returns a ``ScoreDetail`` in `[0, weight]`.
///
/// Throwing means the *evaluation* failed (a broken reference, an unreadable config): the run becomes
/// `evaluation_invalid`. A bad or missing agent output is not an error: it is a low score with a message.
public protocol Scorer: Sendable {
    /// The name used in task files.
    var name: String { get }
    /// Checks a config statically; returns problems with key paths relative to `config`.
    func validate(config: [String: JSONValue]) -> [ValidationIssue]
    /// Scores the outputs in `context` with this config and weight.
    func score(config: [String: JSONValue], weight: Double, context: ScoringContext) throws -> ScoreDetail
}

/// Scorers that live outside the registry: a task's `custom_scorer.py`, run through the Python bridge.
///
/// Not `Sendable`: one provider serves one run item, from the task that evaluates it.
public protocol CustomScoring: AnyObject {
    /// The names it scores (those `custom_scorer.py` registered).
    var names: Set<String> { get }
    /// Scores with the named scorer; the score is in weight units (`config.weight`, as in the Python tool).
    /// Throws ``ScorerFailure`` (or any error) when the evaluation failed: the run becomes `evaluation_invalid`.
    func score(scorer: String, config: [String: JSONValue], weight: Double, context: ScoringContext) async throws -> ScoreDetail
}

/// A scorer that could not produce a score, with details for the result (exception type, traceback tail, hint).
public struct ScorerFailure: Error, CustomStringConvertible, Sendable {
    /// One line: what failed, the exact error, and what to do.
    public var message: String
    /// Merged into the failed component's details.
    public var details: [String: JSONValue]

    /// Creates a failure.
    public init(_ message: String, details: [String: JSONValue] = [:]) {
        self.message = message
        self.details = details
    }

    public var description: String { message }
}
