import Foundation

/// An `--agent-cmd` template: a shell command with `{workspace} {prompt_file} {prompt_level} {task_id}
/// {instance_id}` placeholders, each substituted shell-quoted.
public struct AgentCommand: Sendable, Equatable, Codable {
    /// The placeholders a template may use.
    public static let placeholders = ["workspace", "prompt_file", "prompt_level", "task_id", "instance_id"]

    /// The template as the user wrote it.
    public var template: String

    /// A command description that is not run through the shell (a built-in agent's, for provenance): not checked.
    public init(describing text: String) {
        self.template = text
    }

    /// Checks the template: not empty, only known placeholders, and its program exists.
    public init(template: String) throws {
        let trimmed = template.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw BenchError(.badInput, "--agent-cmd is empty", hint: "e.g. --agent-cmd 'python3 agent.py {prompt_file}'")
        }
        self.template = template
        for name in Self.names(in: template) where !Self.placeholders.contains(name) {
            throw BenchError(.badInput, "--agent-cmd: unknown placeholder {\(name)}", hint: "placeholders are \(Self.placeholders.map { "{\($0)}" }.joined(separator: " "))")
        }
        guard let program = Self.program(of: template) else {
            throw BenchError(.badInput, "--agent-cmd: cannot find the program to run in \"\(template)\"")
        }
        if !program.contains("{"), ExecutableLookup.find(program) == nil {
            let isPath = program.contains("/")
            throw BenchError(.badInput, "--agent-cmd: program \"\(program)\" \(isPath ? "does not exist or is not executable" : "is not on PATH")",
                             hint: isPath ? "check the path, or run it through an interpreter: python3 \(program)" : "install it or give its full path")
        }
    }

    /// Names inside single braces (`{name}`) of a template.
    static func names(in template: String) -> [String] {
        var out: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = String(after[..<close])
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }) { out.append(name) }
            rest = after[after.index(after: close)...]
        }
        return out
    }

    /// The first word of the command (skipping `VAR=value` assignments and `env`/`exec`).
    static func program(of template: String) -> String? {
        for word in template.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let w = String(word).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            if w.contains("=") && !w.hasPrefix("/") && !w.hasPrefix(".") { continue }
            if w == "env" || w == "exec" || w == "nice" { continue }
            return w
        }
        return nil
    }

    /// A label for results: the script run by an interpreter (`python3 agents/oracle.py` → `oracle`), else the program.
    public var defaultName: String {
        let interpreters: Set<String> = ["python", "python3", "bash", "sh", "node", "ruby", "perl", "uv", "env", "exec"]
        let words = template.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
        for w in words where !w.hasPrefix("-") && !(w.contains("=") && !w.hasPrefix("/")) {
            let base = (w as NSString).lastPathComponent
            if interpreters.contains(base) || base.hasPrefix("python3.") { continue }
            let stem = (base as NSString).deletingPathExtension
            return stem.isEmpty || stem.contains("{") ? "agent" : stem
        }
        return "agent"
    }

    /// Folders of the absolute file paths the template names (e.g. `/opt/agents/run.py` → `/opt/agents`).
    ///
    /// The namespace sandbox shows these read-only so the agent's own program can run; nothing else of the host
    /// is visible unless bound with `--bind-ro`.
    public var programDirectories: [URL] {
        var out: [URL] = []
        let fm = FileManager.default
        for word in template.split(whereSeparator: { " \t=".contains($0) }) {
            let w = word.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            guard w.hasPrefix("/"), !w.contains("{") else { continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: w, isDirectory: &isDir), !isDir.boolValue else { continue }
            let dir = URL(fileURLWithPath: w).deletingLastPathComponent().standardizedFileURL
            if ["/", "/usr", "/bin", "/sbin", "/usr/bin", "/usr/local/bin"].contains(dir.path) { continue }
            if !out.contains(dir) { out.append(dir) }
        }
        return out
    }

    /// The command with placeholders replaced by shell-quoted values.
    public func render(_ values: [String: String]) -> String {
        var out = template
        for name in Self.placeholders {
            if let v = values[name] { out = out.replacingOccurrences(of: "{\(name)}", with: Self.shellQuote(v)) }
        }
        return out
    }

    /// `argv` for the launcher: `/bin/sh -c <rendered>`.
    public func argv(_ values: [String: String]) -> [String] { ["/bin/sh", "-c", render(values)] }

    /// POSIX shell single-quoting.
    public static func shellQuote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
