import Foundation

/// A built-in agent (`--agent NAME`): how to start a coding-agent CLI, what it may reach, how to read what it printed.
///
/// - `claude-code`: `claude -p --output-format stream-json --verbose` with the prompt on stdin; tools restricted by
///   `allowed_tools`; usage per assistant message, totals and `total_cost_usd` from the final `result` event.
/// - `codex`: `codex exec --json --skip-git-repo-check --sandbox danger-full-access -` with the prompt on stdin (the
///   runner's sandbox is the boundary; Codex's own would need privileges the sandbox removes); usage summed over turns.
///
/// Config (`--agent-config FILE|JSON`, or `agent_config:` of an agents-file entry), all optional: `executable`,
/// `model`, `max_turns` (claude), `allowed_tools`/`disallowed_tools` (claude), `api_key_env` (the variable holding the
/// key), `hosts` (replaces the default API host), `extra_hosts` (added), `extra_args`.
public struct AgentAdapter: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case claudeCode = "claude-code", codex, directLLM = "direct-llm" }

    public var kind: Kind
    public var executable: String
    public var model: String?
    public var maxTurns: Int?
    public var allowedTools: [String]
    public var disallowedTools: [String]
    /// The variables that may hold the API key (the first one set is passed); never written anywhere.
    public var apiKeyEnv: [String]
    /// Hosts the agent may reach through the proxy: exactly these.
    public var hosts: [AllowedHost]
    public var extraArgs: [String]
    /// `direct-llm` only: the endpoint and how it is asked.
    public var llm: DirectLLMSettings?

    static let keys: Set<String> = ["executable", "model", "max_turns", "allowed_tools", "disallowed_tools", "api_key_env", "hosts", "extra_hosts", "extra_args"]

    /// Builds an adapter from its name and config; every problem names the key.
    public static func make(name: String, config: JSONValue? = nil) throws -> AgentAdapter {
        guard let kind = Kind(rawValue: name) else {
            throw BenchError(.badInput, "--agent \(name): unknown agent", hint: "built-in agents: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")); or give a command with --agent-cmd")
        }
        let c = config?.objectValue ?? [:]
        if let config, !config.isNull, config.objectValue == nil {
            throw BenchError(.badInput, "--agent-config: expected a mapping, got \(config.kindDescription)")
        }
        let known = kind == .directLLM ? DirectLLMSettings.keys : keys
        for key in c.keys.sorted() where !known.contains(key) {
            throw BenchError(.badInput, "--agent-config: \(key): unknown key for \(name)", hint: "known keys: \(known.sorted().joined(separator: ", "))")
        }
        func strings(_ key: String) throws -> [String]? {
            guard let v = c[key] else { return nil }
            if let s = v.stringValue { return [s] }
            guard let a = v.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else {
                throw BenchError(.badInput, "--agent-config: \(key): expected a string or a list of strings, got \(v.shortDescription)")
            }
            return a.compactMap(\.stringValue)
        }
        var a: AgentAdapter
        switch kind {
        case .directLLM:
            let llm = try DirectLLMSettings.parse(c)
            a = AgentAdapter(kind: kind, executable: llm.python, model: llm.model, allowedTools: [], disallowedTools: [],
                             apiKeyEnv: ["OPENAI_API_KEY"], hosts: [llm.host], extraArgs: [], llm: llm)
        case .claudeCode:
            a = AgentAdapter(kind: kind, executable: "claude", allowedTools: ["Bash", "Read", "Write", "Edit", "Glob", "Grep"],
                             disallowedTools: ["WebFetch", "WebSearch"], apiKeyEnv: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
                             hosts: [AllowedHost(host: "api.anthropic.com", port: 443)], extraArgs: [])
        case .codex:
            a = AgentAdapter(kind: kind, executable: "codex", allowedTools: [], disallowedTools: [], apiKeyEnv: ["OPENAI_API_KEY", "CODEX_API_KEY"],
                             hosts: [AllowedHost(host: "api.openai.com", port: 443)], extraArgs: [])
        }
        if let e = c["executable"] {
            guard let s = e.stringValue, !s.isEmpty else { throw BenchError(.badInput, "--agent-config: executable: expected a program name or path") }
            a.executable = s
        }
        if let m = c["model"] {
            guard let s = m.stringValue, !s.isEmpty else { throw BenchError(.badInput, "--agent-config: model: expected a model name") }
            a.model = s
        }
        if let t = c["max_turns"] {
            guard let n = t.intValue, n > 0, kind == .claudeCode else {
                throw BenchError(.badInput, "--agent-config: max_turns: expected a number > 0 (claude-code only), got \(t.shortDescription)")
            }
            a.maxTurns = n
        }
        if let v = try strings("allowed_tools") { a.allowedTools = v }
        if let v = try strings("disallowed_tools") { a.disallowedTools = v }
        if let v = c["api_key_env"], kind == .directLLM, v.isNull || v.arrayValue?.isEmpty == true {
            a.apiKeyEnv = []  // a server without keys
        } else if let v = try strings("api_key_env") {
            for name in v where !AgentEnvironment.isValidName(name) { throw BenchError(.badInput, "--agent-config: api_key_env: \"\(name)\" is not a variable name") }
            a.apiKeyEnv = v
        }
        if let v = try strings("hosts") { a.hosts = try v.map(AllowedHost.parse) }
        if let v = try strings("extra_hosts") { a.hosts += try v.map(AllowedHost.parse) }
        if let v = try strings("extra_args") { a.extraArgs = v }
        return a
    }

    /// The command line, the executable resolved to `path`.
    public func arguments(executable path: String) -> [String] {
        switch kind {
        case .claudeCode:
            var args = [path, "-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "bypassPermissions"]
            if let m = model { args += ["--model", m] }
            if let n = maxTurns { args += ["--max-turns", String(n)] }
            if !allowedTools.isEmpty { args += ["--allowedTools", allowedTools.joined(separator: " ")] }
            if !disallowedTools.isEmpty { args += ["--disallowedTools", disallowedTools.joined(separator: " ")] }
            return args + extraArgs
        case .codex:
            var args = [path, "exec", "--json", "--skip-git-repo-check", "--sandbox", "danger-full-access"]
            if let m = model { args += ["--model", m] }
            return args + extraArgs + ["-"]
        case .directLLM:
            return [path]
        }
    }

    /// A shell-like rendering of the command, for results and `agent.command_template`.
    public var commandDescription: String {
        if let llm { return "POST \(llm.endpoint.absoluteString) (model \(llm.model)); then \(llm.python) <code file> in the sandbox" }
        return arguments(executable: executable).map(AgentCommand.shellQuote).joined(separator: " ") + " < prompt.md"
    }

    /// Parses the captured stdout.
    public func parse(_ data: Data) -> (AgentStreamSummary, TokenUsage) {
        switch kind {
        case .claudeCode:
            var (s, u) = AgentStreamParsers.claudeCode(data)
            if u.costUSD != nil { u.costSource = "agent" }
            return (s, u)
        case .codex:
            return AgentStreamParsers.codex(data)
        case .directLLM:
            // The program's stdout is not an event stream; the completions are read by the runner itself.
            return (AgentStreamSummary(), .unknown)
        }
    }

    /// The install instruction named in a "not found" message.
    var installHint: String {
        switch kind {
        case .claudeCode: return "install Claude Code (npm install -g @anthropic-ai/claude-code) or set executable in --agent-config"
        case .codex: return "install the Codex CLI (npm install -g @openai/codex) or set executable in --agent-config"
        case .directLLM: return "install Python 3 or set python in --agent-config"
        }
    }

    /// Why the run cannot count as the agent's work, read from its errors: the API refused the key or could not be
    /// reached (then the item is `evaluation_invalid`, not a 0 for the agent).
    public func serviceFailure(_ s: AgentStreamSummary, stderr: String) -> String? {
        let text = (s.errors + [s.finalText ?? "", stderr]).joined(separator: "\n").lowercased()
        let key = apiKeyEnv.first ?? "the API key"
        let authSigns: [String] = ["401", "invalid api key", "authentication_error", "unauthorized", "please run /login", "missing api key", "incorrect api key"]
        if authSigns.contains(where: { text.contains($0) }) {
            return "\(kind.rawValue): the API refused the key (authentication failed); renew or export \(key) and pass it"
        }
        let networkSigns: [String] = ["connection error", "could not resolve", "econnrefused", "getaddrinfo", "network is unreachable", "stream disconnected"]
        if networkSigns.contains(where: { text.contains($0) }) {
            let hostList = hosts.map(\.description).joined(separator: ", ")
            return "\(kind.rawValue): the API at \(hostList) could not be reached; check the network and the hosts in --agent-config"
        }
        return nil
    }

    /// The adapter's part of a result's `agent` provenance (never the key).
    public func provenance(version: String?) -> [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        o["adapter"] = .string(kind.rawValue)
        o["executable"] = .string(executable)
        o["cli_version"] = version.map(JSONValue.string) ?? JSONValue.null
        o["model"] = model.map(JSONValue.string) ?? JSONValue.null
        o["api_key_env"] = JSONValue.array(apiKeyEnv.map(JSONValue.string))
        o["allowed_hosts"] = JSONValue.array(hosts.map { JSONValue.string($0.description) })
        if kind == .claudeCode {
            o["allowed_tools"] = JSONValue.array(allowedTools.map(JSONValue.string))
            o["disallowed_tools"] = JSONValue.array(disallowedTools.map(JSONValue.string))
            o["max_turns"] = maxTurns.map { JSONValue.number(Double($0)) } ?? JSONValue.null
        }
        if !extraArgs.isEmpty { o["extra_args"] = JSONValue.array(extraArgs.map(JSONValue.string)) }
        if let llm {
            o.removeValue(forKey: "executable")
            o.removeValue(forKey: "cli_version")
            for (k, v) in llm.provenance { o[k] = v }
        }
        return o
    }
}
