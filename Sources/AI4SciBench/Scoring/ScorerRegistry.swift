import Foundation

/// Scorers by name: the built-ins (`numerical`, `file_match`, `code_analysis`, `composite`) plus any
/// registered later (e.g. a task's custom Python scorers). Thread-safe; shared by reference.
public final class ScorerRegistry: @unchecked Sendable {
    /// The names of the built-in scorers.
    public static let builtInNames = ["code_analysis", "composite", "file_match", "numerical"]

    private let lock = NSLock()
    private var scorers: [String: any Scorer] = [:]

    /// Creates a registry holding the built-in scorers (or none, with `includeBuiltIns: false`).
    public init(includeBuiltIns: Bool = true) {
        guard includeBuiltIns else { return }
        let composite = CompositeScorer(lookup: { [weak self] name in self?.scorer(named: name) })
        for s in [NumericalScorer(), FileMatchScorer(), CodeAnalysisScorer(), composite] as [any Scorer] {
            scorers[s.name] = s
        }
    }

    /// The scorer registered under `name`, or `nil`.
    public func scorer(named name: String) -> (any Scorer)? {
        lock.lock()
        defer { lock.unlock() }
        return scorers[name]
    }

    /// Registers `scorer` under its ``Scorer/name``; throws `badInput` if the name is taken and
    /// `replacing` is false (so a custom scorer cannot shadow a built-in by accident).
    public func register(_ scorer: any Scorer, replacing: Bool = false) throws {
        lock.lock()
        defer { lock.unlock() }
        if !replacing, scorers[scorer.name] != nil {
            throw BenchError(.badInput, "a scorer named \"\(scorer.name)\" is already registered",
                             hint: "choose another name for the custom scorer")
        }
        scorers[scorer.name] = scorer
    }

    /// Every registered name, sorted.
    public var knownNames: [String] {
        lock.lock()
        defer { lock.unlock() }
        return scorers.keys.sorted()
    }
}
