import Foundation

/// Turns a merged task document into a ``TaskDefinition``, recording every problem with its key path.
struct TaskValidator {
    var reader: FieldReader
    let directory: URL
    let registry: ScorerRegistry

    init(file: String, directory: URL, registry: ScorerRegistry) {
        self.reader = FieldReader(file: file)
        self.directory = directory
        self.registry = registry
    }

    mutating func build(_ doc: [String: JSONValue]) -> TaskDefinition? {
        let expectedID = "\(directory.deletingLastPathComponent().lastPathComponent).\(directory.lastPathComponent)"
        let id = reader.string(doc, "id", path: "", required: true, hint: "write id: \(expectedID)")
        if let id, !id.isEmpty, id != expectedID {
            reader.error("id", "\"\(id)\" does not match the directory (expected \"\(expectedID)\")", hint: "the id is <domain>.<name> of Tasks/<domain>/<name>/")
        }
        let name = reader.string(doc, "name", path: "", required: true)
        var version: String?
        if let v = doc["version"], let d = v.doubleValue {
            version = v.intValue.map(String.init) ?? String(d)
            reader.warning("version", "expected a string, got the number \(version!)", hint: "quote it: version: \"\(version!)\"")
        } else {
            version = reader.string(doc, "version", path: "", required: true, hint: "e.g. version: \"1.0\"")
        }
        let status = reader.enumeration(doc, "status", path: "", as: TaskStatus.self) ?? .final
        let domain = reader.string(doc, "domain", path: "", required: true)
        if let domain, let id, id.contains("."), !id.hasPrefix(domain + ".") {
            reader.error("domain", "\"\(domain)\" is not the prefix of id \"\(id)\"", hint: "the id is <domain>.<name>")
        }

        let prompts = readPrompts(doc)
        let parameters = readGeneration(doc)
        let known = Set(parameters?.parameters.map(\.name) ?? []).union(["seed"])
        let inputFiles = readFiles(doc["input"]?.objectValue?["files"], path: "input.files", required: false, known: known)
        if let input = doc["input"], input.objectValue == nil {
            reader.error("input", "expected a mapping with files:, got \(input.kindDescription)")
        }
        var outputFiles: [OutputFileSpec] = []
        if let output = reader.object(doc, "output", path: "", required: true, hint: "declare output.files: [{name, type}]") {
            outputFiles = readFiles(output["files"], path: "output.files", required: true, known: known)
        }
        let evaluation = readEvaluation(doc, known: known)
        var timeout: Double?
        if let packages = doc["runtime"]?.objectValue?["packages"], !packages.isNull,
           packages.arrayValue == nil || packages.arrayValue!.contains(where: { $0.stringValue == nil }) {
            reader.error("runtime.packages", "expected a list of pip requirement strings, got \(packages.shortDescription)", hint: "e.g. packages: [\"numpy>=1.26\", \"pandas\"]")
        }
        if let runtime = doc["runtime"]?.objectValue, runtime["timeout_seconds"] != nil {
            timeout = reader.number(runtime, "timeout_seconds", path: "runtime", required: false)
            if let t = timeout, t <= 0 { reader.error("runtime.timeout_seconds", "must be greater than 0, got \(t)") }
        }

        guard let id, let name, let version, let domain, let prompts, let evaluation, let parameters else { return nil }
        return TaskDefinition(
            id: id, name: name, version: version, status: status, domain: domain, directory: directory,
            prompts: prompts, inputFiles: inputFiles, outputFiles: outputFiles, evaluation: evaluation,
            generation: parameters, timeoutSeconds: timeout, raw: doc)
    }

    mutating func readPrompts(_ doc: [String: JSONValue]) -> [PromptLevel: String]? {
        guard let map = reader.object(doc, "prompts", path: "", required: true, hint: "prompts: {b1: prompt_b1.md, b2: prompt_b2.md, b3: prompt_b3.md, b4: prompt_b4.md}") else { return nil }
        var out: [PromptLevel: String] = [:]
        for key in map.keys.sorted() {
            guard let level = PromptLevel(rawValue: key) else {
                reader.error("prompts.\(key)", "unknown prompt level", hint: "levels are b1, b2, b3, b4")
                continue
            }
            guard let file = reader.string(map, key, path: "prompts", required: true) else { continue }
            if !FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path) {
                reader.error("prompts.\(key)", "prompt file \"\(file)\" does not exist in \(PathDisplay.relative(directory))", hint: "create it or fix the file name")
            }
            out[level] = file
        }
        for level in PromptLevel.allCases where out[level] == nil && map[level.rawValue] == nil {
            reader.error("prompts.\(level.rawValue)", "required key is missing", hint: "every task has four levels b1..b4")
        }
        return out
    }

    mutating func readFiles(_ value: JSONValue?, path: String, required: Bool, known: Set<String>) -> [OutputFileSpec] {
        guard let value, !value.isNull else {
            if required { reader.error(path, "required key is missing", hint: "a list of {name, type, description}") }
            return []
        }
        guard let list = value.arrayValue else {
            reader.error(path, "expected a list, got \(value.kindDescription)")
            return []
        }
        if required, list.isEmpty { reader.error(path, "must declare at least one file") }
        var out: [OutputFileSpec] = []
        var seen = Set<String>()
        for (i, entry) in list.enumerated() {
            let p = "\(path)[\(i)]"
            guard let e = entry.objectValue else {
                reader.error(p, "expected a mapping {name, type}, got \(entry.kindDescription) \(entry.shortDescription)")
                continue
            }
            let name = reader.string(e, "name", path: p, required: true)
            let type = reader.string(e, "type", path: p, required: true, hint: "code, data, figure or text") ?? "data"
            let description = reader.string(e, "description", path: p, required: false)
            let dtype = reader.string(e, "dtype", path: p, required: false)
            if let shape = e["shape"] {
                for (kp, msg, hint) in TemplateResolver.check(shape, known: known, path: "\(p).shape") { reader.error(kp, msg, hint: hint) }
            }
            guard let name else { continue }
            if name.hasPrefix("/") || name.split(separator: "/").contains("..") {
                reader.error("\(p).name", "\"\(name)\" must be a relative path inside the workspace")
            }
            if !seen.insert(name).inserted { reader.error("\(p).name", "duplicate file name \"\(name)\"") }
            out.append(OutputFileSpec(name: name, type: type, description: description, shape: e["shape"], dtype: dtype))
        }
        return out
    }
}
