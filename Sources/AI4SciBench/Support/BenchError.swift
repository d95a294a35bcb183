import Foundation

/// The error type of the library: a stable code plus a sentence naming the file, the field and the fix.
public struct BenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable categories; the CLI maps them to exit codes (DESIGN.md §7).
    public enum Code: String, Sendable {
        /// Bad input from the user: flags, task files, agent commands, instance directories. Exit 2.
        case badInput = "bad_input"
        /// The sandbox could not be set up as requested. Exit 3.
        case sandboxRefused = "sandbox_refused"
        /// A scorer or the evaluation failed for reasons that are not the agent's fault.
        case evaluationFailed = "evaluation_failed"
        /// Generating an instance failed (generator exited non-zero, timed out, wrote an incomplete instance).
        case generationFailed = "generation_failed"
        /// An I/O or system error while running.
        case io = "io"
        /// The run was cancelled (SIGINT/SIGTERM). Exit 130.
        case cancelled = "cancelled"
    }

    /// The category.
    public var code: Code
    /// What went wrong, naming the file and field where there is one.
    public var message: String
    /// How to fix it, when known.
    public var hint: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String {
        if let hint { return "\(message) (\(hint))" }
        return message
    }
}

/// One problem found while validating a task or a run directory.
public struct ValidationIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// How serious the problem is.
    public enum Severity: String, Sendable, Codable { case error, warning }
    /// The file that holds the problem (path as given by the caller).
    public var file: String
    /// The key path inside the file, e.g. `evaluation.scoring[2].weight`; empty for the whole file.
    public var keyPath: String
    /// What is wrong.
    public var message: String
    /// How to fix it.
    public var hint: String?
    /// Error or warning.
    public var severity: Severity

    /// Creates an issue.
    public init(file: String, keyPath: String, message: String, hint: String? = nil, severity: Severity = .error) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.hint = hint
        self.severity = severity
    }

    public var description: String {
        var s = file
        if !keyPath.isEmpty { s += ": \(keyPath)" }
        s += ": \(message)"
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}

/// Thrown when validation found at least one error; carries every issue found, not just the first.
public struct ValidationFailed: Error, Sendable, CustomStringConvertible {
    /// All issues, errors and warnings.
    public var issues: [ValidationIssue]
    /// Creates the error.
    public init(issues: [ValidationIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
