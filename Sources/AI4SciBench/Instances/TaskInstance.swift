import Foundation

/// One generated (or pre-generated) instance of a task: inputs, reference, rendered prompts, parameters.
public struct TaskInstance: Sendable, Equatable {
    /// The task's id.
    public var taskID: String
    /// `seed<N>` or `p<10 hex>`.
    public var variant: String
    /// The instance directory (holds `data/`, `reference/`, `prompt_bN.md`, `instance_meta.json`).
    public var directory: URL
    /// `params_used` from `instance_meta.json`.
    public var parameters: [String: JSONValue]

    /// `<task_id>__<variant>`.
    public var name: String { "\(taskID)__\(variant)" }
    /// The agent inputs.
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// The ground truth; never shown to agents.
    public var referenceDirectory: URL { directory.appendingPathComponent("reference") }
    /// The rendered prompt of one level.
    public func promptFile(_ level: PromptLevel) -> URL { directory.appendingPathComponent("prompt_\(level.rawValue).md") }

    /// Creates an instance value.
    public init(taskID: String, variant: String, directory: URL, parameters: [String: JSONValue]) {
        self.taskID = taskID
        self.variant = variant
        self.directory = directory
        self.parameters = parameters
    }
}

/// Reads instance directories and renders prompt templates.
public enum InstanceReader {
    /// Reads and checks an instance directory; renders any missing `prompt_bN.md` from the task's templates.
    public static func read(directory: URL, task: TaskDefinition, variant: String) throws -> TaskInstance {
        let fm = FileManager.default
        let metaURL = directory.appendingPathComponent("instance_meta.json")
        let display = PathDisplay.relative(metaURL)
        guard let data = fm.contents(atPath: metaURL.path) else {
            throw BenchError(.badInput, "\(display): file is missing", hint: "an instance directory holds instance_meta.json with {\"params_used\": {...}}")
        }
        let meta: JSONValue
        do { meta = try JSONValue.parse(data) } catch {
            throw BenchError(.badInput, "\(display): not valid JSON (\(jsonErrorSummary(error)))", hint: "fix or regenerate the instance")
        }
        guard let object = meta.objectValue else {
            throw BenchError(.badInput, "\(display): expected a JSON object, got \(meta.kindDescription)")
        }
        guard let paramsValue = object["params_used"] else {
            throw BenchError(.badInput, "\(display): params_used: required key is missing", hint: "write the generator's parameters as {\"params_used\": {...}}")
        }
        guard let params = paramsValue.objectValue else {
            throw BenchError(.badInput, "\(display): params_used: expected an object, got \(paramsValue.kindDescription)")
        }
        for key in ["input_files", "reference_files"] {
            if let v = object[key], v.arrayValue == nil {
                throw BenchError(.badInput, "\(display): \(key): expected a list of file names, got \(v.kindDescription)")
            }
        }
        var isDir: ObjCBool = false
        let ref = directory.appendingPathComponent("reference")
        guard fm.fileExists(atPath: ref.path, isDirectory: &isDir), isDir.boolValue else {
            throw BenchError(.badInput, "\(PathDisplay.relative(ref)): reference directory is missing", hint: "the generator must write reference/<name>_ref.<ext>")
        }
        let instance = TaskInstance(taskID: task.id, variant: variant, directory: directory, parameters: params)
        for level in PromptLevel.allCases where !fm.fileExists(atPath: instance.promptFile(level).path) {
            guard let template = task.prompts[level] else { continue }
            let templateURL = task.directory.appendingPathComponent(template)
            guard let text = try? String(contentsOf: templateURL, encoding: .utf8) else {
                throw BenchError(.badInput, "\(PathDisplay.relative(templateURL)): prompt template cannot be read")
            }
            try Data(render(text, parameters: params).utf8).write(to: instance.promptFile(level))
        }
        return instance
    }

    /// Replaces `{{ name }}` placeholders with parameter values; unknown names are left as they are.
    public static func render(_ template: String, parameters: [String: JSONValue]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { rest = rest[open.lowerBound...]; break }
            let key = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if let v = parameters[key] { out += plain(v) } else { out += rest[open.lowerBound..<close.upperBound] }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static func plain(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .number(let d): return v.intValue.map(String.init) ?? String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return v.shortDescription
        }
    }

    static func jsonErrorSummary(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let ctx) = error {
            return (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? ctx.debugDescription
        }
        return "\(error)"
    }
}
