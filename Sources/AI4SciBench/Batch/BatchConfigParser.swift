import Foundation

/// Builds a ``BatchConfiguration`` from a batch YAML file, an agents YAML file and command-line overrides.
///
/// Every key is checked; errors are ``ValidationIssue`` values naming the file (or "command line") and the key path.
public struct BatchConfigParser {
    /// Keys a batch file (and the matching flags) may set.
    public static let keys: Set<String> = [
        "tasks_dir", "tasks", "prompt_levels", "instances_per_task", "seed", "instances_dir", "agents", "agents_file",
        "agent_cmd", "agent_name", "pass_env", "repeats", "jobs", "retries", "sandbox", "timeout", "output_dir",
        "allow_degraded", "include_abandoned", "output_cap_mb", "scorer_python", "scorer_timeout", "scorer_memory_mb",
    ]
    static let commandLine = "command line"

    var issues: [ValidationIssue] = []

    /// Parses `file` (a batch YAML, may be nil) with `overrides` (flag values, same keys) laid over it.
    public static func parse(file: URL?, overrides: [String: JSONValue]) throws -> (config: BatchConfiguration, outputDirectory: String) {
        var merged: [String: JSONValue] = [:]
        var source: [String: String] = [:]
        if let file {
            let name = PathDisplay.relative(file)
            let root = try YAMLLoading.load(file, displayPath: name)
            guard let object = root.objectValue else {
                throw ValidationFailed(issues: [ValidationIssue(file: name, keyPath: "", message: "expected a mapping of batch settings, got \(root.kindDescription)")])
            }
            for (k, v) in object { merged[k] = v; source[k] = name }
        }
        if overrides["agent_cmd"] != nil || overrides["agents_file"] != nil {
            for k in ["agents", "agents_file", "agent_cmd", "agent_name"] { merged[k] = nil }
        }
        for (k, v) in overrides { merged[k] = v; source[k] = commandLine }
        var p = BatchConfigParser()
        let config = p.build(merged, source: source)
        if !p.issues.isEmpty { throw ValidationFailed(issues: p.issues) }
        return (config, merged["output_dir"]?.stringValue ?? "results/batch")
    }

    /// Parses the canonical config stored in `batch.json` (for `--resume` without selection flags).
    public static func parse(stored: JSONValue, file: String) throws -> BatchConfiguration {
        let object = stored.objectValue ?? [:]
        var p = BatchConfigParser()
        let config = p.build(object, source: object.mapValues { _ in file })
        if !p.issues.isEmpty { throw ValidationFailed(issues: p.issues) }
        return config
    }

    mutating func fail(_ file: String, _ key: String, _ message: String, hint: String? = nil) {
        issues.append(ValidationIssue(file: file, keyPath: key, message: message, hint: hint))
    }

    mutating func build(_ object: [String: JSONValue], source: [String: String]) -> BatchConfiguration {
        var c = BatchConfiguration()
        let o = object.filter { $0.value != .null }
        let src = { (k: String) in source[k] ?? BatchConfigParser.commandLine }
        for k in o.keys.sorted() where !Self.keys.contains(k) {
            fail(src(k), k, "unknown key", hint: "known keys: \(Self.keys.sorted().joined(separator: ", "))")
        }
        if let v = o["tasks_dir"] { c.tasksDirectory = string(v, src("tasks_dir"), "tasks_dir") ?? c.tasksDirectory }
        if let v = o["tasks"] { c.taskIDs = list(v, src("tasks"), "tasks") }
        if let v = o["prompt_levels"] {
            let names = list(v, src("prompt_levels"), "prompt_levels")
            do { c.levels = try PromptLevel.parseList(names.joined(separator: ",")) } catch {
                fail(src("prompt_levels"), "prompt_levels", "\(error)", hint: "use b1, b2, b3, b4")
            }
        }
        c.instancesPerTask = int(o["instances_per_task"], src("instances_per_task"), "instances_per_task", min: 1) ?? c.instancesPerTask
        c.seed = int(o["seed"], src("seed"), "seed", min: Int.min) ?? c.seed
        if let v = o["instances_dir"] { c.instancesDirectory = string(v, src("instances_dir"), "instances_dir") }
        c.repeats = int(o["repeats"], src("repeats"), "repeats", min: 1) ?? c.repeats
        c.jobs = int(o["jobs"], src("jobs"), "jobs", min: 1) ?? c.jobs
        c.retries = int(o["retries"], src("retries"), "retries", min: 0) ?? c.retries
        c.outputCapMB = int(o["output_cap_mb"], src("output_cap_mb"), "output_cap_mb", min: 1) ?? c.outputCapMB
        if let v = o["sandbox"] { c.sandbox = mode(v, src("sandbox"), "sandbox") ?? c.sandbox }
        if let v = o["timeout"] { c.timeoutSeconds = seconds(v, src("timeout"), "timeout") }
        if let v = o["allow_degraded"] { c.allowDegraded = bool(v, src("allow_degraded"), "allow_degraded") }
        if let v = o["include_abandoned"] { c.includeAbandoned = bool(v, src("include_abandoned"), "include_abandoned") }
        if let v = o["output_dir"] { _ = string(v, src("output_dir"), "output_dir") }
        if let v = o["scorer_python"] { c.scorerPython = string(v, src("scorer_python"), "scorer_python") ?? c.scorerPython }
        if let v = o["scorer_timeout"] { c.scorerTimeoutSeconds = seconds(v, src("scorer_timeout"), "scorer_timeout") ?? c.scorerTimeoutSeconds }
        if let mb = int(o["scorer_memory_mb"], src("scorer_memory_mb"), "scorer_memory_mb", min: 64) { c.scorerMemoryBytes = UInt64(mb) << 20 }

        if let cmd = o["agent_cmd"] {
            let file = src("agent_cmd")
            if let template = string(cmd, file, "agent_cmd") {
                let name = o["agent_name"]?.stringValue ?? (try? AgentCommand(template: template))?.defaultName ?? "agent"
                let passEnv = o["pass_env"].map { list($0, src("pass_env"), "pass_env") } ?? []
                if let a = agent(["name": .string(name), "cmd": .string(template), "pass_env": .array(passEnv.map { .string($0) })], file, "agent_cmd") {
                    c.agents = [a]
                }
            }
        } else if let path = o["agents_file"] {
            if let p = string(path, src("agents_file"), "agents_file") { c.agents = agentsFile(URL(fileURLWithPath: p)) }
        } else if let v = o["agents"] {
            c.agents = agentList(v, src("agents"), "agents")
        }
        if c.agents.isEmpty && issues.isEmpty {
            fail(BatchConfigParser.commandLine, "agents", "no agent given", hint: "pass --agents FILE or --agent-cmd 'COMMAND'")
        }
        return c
    }

    /// Reads an agents YAML file: `agents: [{name, cmd, pass_env, sandbox, timeout, bind_ro}]`.
    mutating func agentsFile(_ url: URL) -> [BatchAgent] {
        let name = PathDisplay.relative(url)
        let root: JSONValue
        do { root = try YAMLLoading.load(url, displayPath: name) } catch let v as ValidationFailed {
            issues += v.issues
            return []
        } catch {
            fail(name, "", "\(error)")
            return []
        }
        guard let list = root.objectValue?["agents"] ?? (root.arrayValue.map { JSONValue.array($0) }) else {
            fail(name, "agents", "required key is missing", hint: "write agents: [{name: NAME, cmd: 'COMMAND'}]")
            return []
        }
        if let extra = root.objectValue?.keys.filter({ $0 != "agents" }).sorted(), !extra.isEmpty {
            fail(name, extra[0], "unknown key", hint: "an agents file holds only agents: [...]")
        }
        return agentList(list, name, "agents")
    }

    mutating func agentList(_ v: JSONValue, _ file: String, _ key: String) -> [BatchAgent] {
        guard let items = v.arrayValue, !items.isEmpty else {
            fail(file, key, "expected a non-empty list of agents, got \(v.kindDescription)")
            return []
        }
        var out: [BatchAgent] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let path = "\(key)[\(i)]"
            guard let o = item.objectValue else { fail(file, path, "expected a mapping, got \(item.kindDescription)"); continue }
            guard let a = agent(o, file, path) else { continue }
            if let first = seen[a.name] {
                fail(file, "\(path).name", "duplicate agent name \(a.name) (also \(key)[\(first)])", hint: "give every agent a unique name")
                continue
            }
            seen[a.name] = i
            out.append(a)
        }
        return out
    }

    static let allowedAgentKeys: Set<String> = ["name", "cmd", "builtin", "pass_env", "sandbox", "timeout", "bind_ro"]

    mutating func agent(_ object: [String: JSONValue], _ file: String, _ path: String) -> BatchAgent? {
        let before = issues.count
        let o = object.filter { $0.value != .null }
        for k in o.keys.sorted() where !Self.allowedAgentKeys.contains(k) {
            fail(file, "\(path).\(k)", "unknown key", hint: "agent keys: \(Self.allowedAgentKeys.sorted().joined(separator: ", "))")
        }
        if o["builtin"] != nil {
            fail(file, "\(path).builtin", "built-in agents are not available yet", hint: "give a cmd: template instead")
            return nil
        }
        let name = o["name"].flatMap { string($0, file, "\(path).name") }
        if name == nil && o["name"] == nil { fail(file, "\(path).name", "required key is missing") }
        if let name, name.isEmpty || name.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0))) }) || name == "." || name == ".." {
            fail(file, "\(path).name", "bad agent name \"\(name)\"", hint: "use letters, digits, '.', '_' and '-' only")
        }
        guard let cmdValue = o["cmd"] else {
            fail(file, "\(path).cmd", "required key is missing", hint: "the agent's shell command template, e.g. cmd: 'python3 my_agent.py --workspace {workspace}'")
            return nil
        }
        var command: AgentCommand?
        if let template = string(cmdValue, file, "\(path).cmd") {
            do { command = try AgentCommand(template: template) } catch { fail(file, "\(path).cmd", "\(error)") }
            if let prog = AgentCommand.program(of: template), !prog.contains("{"), !Self.shellWords.contains(prog), ExecutableLookup.find(prog) == nil {
                fail(file, "\(path).cmd", "program \(prog) does not exist or is not executable", hint: "install it or give its full path")
            }
        }
        let passEnv = o["pass_env"].map { list($0, file, "\(path).pass_env") } ?? []
        let sandbox = o["sandbox"].flatMap { mode($0, file, "\(path).sandbox") }
        let timeout = o["timeout"].flatMap { seconds($0, file, "\(path).timeout") }
        let binds = o["bind_ro"].map { list($0, file, "\(path).bind_ro") } ?? []
        for b in binds where !FileManager.default.fileExists(atPath: b) { fail(file, "\(path).bind_ro", "\(b) does not exist") }
        guard issues.count == before, let name, let command else { return nil }
        return BatchAgent(name: name, command: command, passEnv: passEnv, sandbox: sandbox, timeoutSeconds: timeout, readOnlyBinds: binds)
    }

    static let shellWords: Set<String> = ["cd", "exec", "true", "false", ":", "test", "[", "echo", "printf", "set", "export"]

    mutating func string(_ v: JSONValue, _ file: String, _ key: String) -> String? {
        if let s = v.stringValue { return s }
        fail(file, key, "expected a string, got \(v.kindDescription)")
        return nil
    }

    mutating func list(_ v: JSONValue, _ file: String, _ key: String) -> [String] {
        if let s = v.stringValue { return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let a = v.arrayValue, a.allSatisfy({ $0.stringValue != nil }) { return a.compactMap(\.stringValue) }
        fail(file, key, "expected a list of strings, got \(v.kindDescription)")
        return []
    }

    mutating func int(_ v: JSONValue?, _ file: String, _ key: String, min: Int) -> Int? {
        guard let v else { return nil }
        guard let i = v.intValue else { fail(file, key, "expected an integer, got \(v.kindDescription)"); return nil }
        guard i >= min else { fail(file, key, "must be at least \(min), got \(i)"); return nil }
        return i
    }

    mutating func seconds(_ v: JSONValue, _ file: String, _ key: String) -> Double? {
        guard let d = v.doubleValue, d > 0, d.isFinite else { fail(file, key, "expected a number of seconds greater than 0, got \(v.shortDescription)"); return nil }
        return d
    }

    mutating func bool(_ v: JSONValue, _ file: String, _ key: String) -> Bool {
        guard let b = v.boolValue else { fail(file, key, "expected true or false, got \(v.kindDescription)"); return false }
        return b
    }

    mutating func mode(_ v: JSONValue, _ file: String, _ key: String) -> SandboxMode? {
        guard let s = v.stringValue, let m = SandboxMode(rawValue: s) else {
            fail(file, key, "unknown sandbox mode \(v.shortDescription)", hint: "one of \(SandboxMode.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return m
    }
}
