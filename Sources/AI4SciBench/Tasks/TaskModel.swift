import Foundation

/// The four prompt levels: B1 full method … B4 goal plus redundant information.
public enum PromptLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case b1, b2, b3, b4

    public static func < (a: PromptLevel, b: PromptLevel) -> Bool { a.rawValue < b.rawValue }

    /// Parses a comma-separated list such as `b1,b3`; throws naming the bad entry.
    public static func parseList(_ text: String) throws -> [PromptLevel] {
        var out: [PromptLevel] = []
        for raw in text.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard let level = PromptLevel(rawValue: item) else {
                throw BenchError(.badInput, "--prompt-levels: unknown level \"\(item)\"", hint: "use b1, b2, b3 or b4, e.g. --prompt-levels b1,b4")
            }
            if !out.contains(level) { out.append(level) }
        }
        if out.isEmpty { throw BenchError(.badInput, "--prompt-levels: no level given", hint: "e.g. --prompt-levels b1,b2,b3,b4") }
        return out
    }
}

/// Task status; `abandoned` tasks are listed but not run unless asked.
public enum TaskStatus: String, Sendable, Codable, CaseIterable {
    case final, test, sample
    case inDevelopment = "in_development"
    case abandoned
}

/// One declared output file of a task.
public struct OutputFileSpec: Sendable, Equatable, Codable {
    /// File name relative to the workspace.
    public var name: String
    /// `code`, `data`, `figure`, `text`, …
    public var type: String
    /// What the file holds (shown to the agent).
    public var description: String?
    /// Expected shape (may hold template strings), from task_eval; never shown to the agent.
    public var shape: JSONValue?
    /// Expected dtype, from task_eval; never shown to the agent.
    public var dtype: String?

    /// Creates a spec.
    public init(name: String, type: String, description: String? = nil, shape: JSONValue? = nil, dtype: String? = nil) {
        self.name = name
        self.type = type
        self.description = description
        self.shape = shape
        self.dtype = dtype
    }
}

/// One generator parameter of the task's parameter space.
public struct ParameterSpec: Sendable, Equatable, Codable {
    /// `int`, `float`, `choice` or `bool`.
    public enum Kind: String, Sendable, Codable, CaseIterable { case int, float, choice, bool }
    /// Parameter name.
    public var name: String
    /// Its kind.
    public var kind: Kind
    /// Inclusive range for int/float.
    public var range: ClosedRange<Double>?
    /// Options for choice.
    public var options: [JSONValue]
    /// Default value.
    public var defaultValue: JSONValue?

    /// Creates a spec.
    public init(name: String, kind: Kind, range: ClosedRange<Double>? = nil, options: [JSONValue] = [], defaultValue: JSONValue? = nil) {
        self.name = name
        self.kind = kind
        self.range = range
        self.options = options
        self.defaultValue = defaultValue
    }
}

/// The `generation:` section.
public struct GenerationSpec: Sendable, Equatable, Codable {
    /// `infinite` samples parameters from the space; `finite` cycles through `settings`.
    public enum Mode: String, Sendable, Codable, CaseIterable { case infinite, finite }
    /// Script file name relative to the task directory (default `generate_gt.py`).
    public var script: String
    /// Sampling mode.
    public var mode: Mode
    /// The parameter space, in file order.
    public var parameters: [ParameterSpec]
    /// Fixed parameter sets for `finite` mode.
    public var settings: [[String: JSONValue]]
    /// Generator timeout.
    public var timeoutSeconds: Double

    /// Creates a spec.
    public init(script: String = "generate_gt.py", mode: Mode = .infinite, parameters: [ParameterSpec] = [], settings: [[String: JSONValue]] = [], timeoutSeconds: Double = 300) {
        self.script = script
        self.mode = mode
        self.parameters = parameters
        self.settings = settings
        self.timeoutSeconds = timeoutSeconds
    }
}

/// A loaded, validated task.
public struct TaskDefinition: Sendable, Equatable {
    /// `domain.name`.
    public var id: String
    /// Human-readable title.
    public var name: String
    /// Task version (a string).
    public var version: String
    /// Lifecycle status.
    public var status: TaskStatus
    /// Domain, e.g. `physics`.
    public var domain: String
    /// The task directory.
    public var directory: URL
    /// Prompt template file per level, relative to `directory`.
    public var prompts: [PromptLevel: String]
    /// Input files the generator writes to `data/` (descriptions only).
    public var inputFiles: [OutputFileSpec]
    /// Declared outputs.
    public var outputFiles: [OutputFileSpec]
    /// Gates and scorers.
    public var evaluation: EvaluationSpec
    /// Instance generation.
    public var generation: GenerationSpec
    /// Agent run timeout declared by the task, if any (`runtime.timeout_seconds`).
    public var timeoutSeconds: Double?
    /// The merged task document, for provenance.
    public var raw: [String: JSONValue]
    /// sha256 over the task's files (yaml, prompts, generator, scorer), hex.
    public var contentHash: String

    /// Creates a task.
    public init(id: String, name: String, version: String, status: TaskStatus, domain: String, directory: URL,
                prompts: [PromptLevel: String], inputFiles: [OutputFileSpec] = [], outputFiles: [OutputFileSpec],
                evaluation: EvaluationSpec, generation: GenerationSpec, timeoutSeconds: Double? = nil,
                raw: [String: JSONValue] = [:], contentHash: String = "")
    {
        self.id = id
        self.name = name
        self.version = version
        self.status = status
        self.domain = domain
        self.directory = directory
        self.prompts = prompts
        self.inputFiles = inputFiles
        self.outputFiles = outputFiles
        self.evaluation = evaluation
        self.generation = generation
        self.timeoutSeconds = timeoutSeconds
        self.raw = raw
        self.contentHash = contentHash
    }
}
