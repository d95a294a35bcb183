import Foundation

/// Settings of the `direct-llm` agent: an OpenAI-compatible Chat Completions endpoint that answers with code, which the
/// runner writes to the task's code output and runs in the sandbox.
///
/// Config keys (`--agent-config`): `model` (required), `base_url` (default `https://api.openai.com/v1`), `api_key_env`
/// (default `OPENAI_API_KEY`; `null` or `[]` for a server without keys), `temperature`, `max_tokens` (not sent when
/// unset: the server's default), `retries` (default 4, on 429/5xx and connection failures), `backoff_seconds` (first
/// wait, doubled each retry, default 2; a `Retry-After` header wins), `request_timeout` (seconds per request, default
/// 600), `stream` (default false), `repair_turns` (default 0), `python` (interpreter for the code, default `python3`),
/// `system_prompt` (replaces the built-in one), `extra_body` (a mapping merged into each request).
public struct DirectLLMSettings: Sendable, Equatable {
    public var baseURL: URL
    public var model: String
    public var temperature: Double?
    public var maxTokens: Int?
    public var retries = 4
    public var backoffSeconds = 2.0
    public var requestTimeoutSeconds = 600.0
    public var stream = false
    public var repairTurns = 0
    public var python = "python3"
    public var systemPrompt: String?
    public var extraBody: [String: JSONValue] = [:]

    static let keys: Set<String> = ["model", "base_url", "api_key_env", "temperature", "max_tokens", "retries", "backoff_seconds",
                                    "request_timeout", "stream", "repair_turns", "python", "system_prompt", "extra_body"]
    static let defaultBaseURL = "https://api.openai.com/v1"

    /// Parses the config mapping (keys already checked against `keys`).
    static func parse(_ c: [String: JSONValue]) throws -> DirectLLMSettings {
        func bad(_ key: String, _ what: String) -> BenchError {
            BenchError(.badInput, "--agent-config: \(key): expected \(what), got \(c[key]?.shortDescription ?? "nothing")")
        }
        guard let model = c["model"]?.stringValue, !model.isEmpty else {
            throw BenchError(.badInput, "--agent-config: model: direct-llm needs the model name the endpoint serves",
                             hint: "e.g. --agent-config '{\"model\": \"gpt-4.1\"}' or, for a local vLLM server, '{\"model\": \"Qwen/Qwen2.5-Coder-32B-Instruct\", \"base_url\": \"http://127.0.0.1:8000/v1\", \"api_key_env\": null}'")
        }
        let base = c["base_url"]?.stringValue ?? defaultBaseURL
        if c["base_url"] != nil, c["base_url"]?.stringValue == nil { throw bad("base_url", "a URL such as https://api.openai.com/v1") }
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else {
            throw BenchError(.badInput, "--agent-config: base_url: \"\(base)\" is not an http(s) URL with a host",
                             hint: "the part before /chat/completions, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1")
        }
        var s = DirectLLMSettings(baseURL: url, model: model)
        if let v = c["temperature"] {
            guard let d = v.doubleValue, d >= 0, d <= 2 else { throw bad("temperature", "a number from 0 to 2") }
            s.temperature = d
        }
        if let v = c["max_tokens"] {
            guard let n = v.intValue, n > 0 else { throw bad("max_tokens", "a whole number > 0") }
            s.maxTokens = n
        }
        if let v = c["retries"] {
            guard let n = v.intValue, (0...20).contains(n) else { throw bad("retries", "a whole number from 0 to 20") }
            s.retries = n
        }
        if let v = c["backoff_seconds"] {
            guard let d = v.doubleValue, d >= 0, d <= 300 else { throw bad("backoff_seconds", "seconds from 0 to 300") }
            s.backoffSeconds = d
        }
        if let v = c["request_timeout"] {
            guard let d = v.doubleValue, d > 0, d.isFinite else { throw bad("request_timeout", "seconds > 0") }
            s.requestTimeoutSeconds = d
        }
        if let v = c["stream"] {
            guard let b = v.boolValue else { throw bad("stream", "true or false") }
            s.stream = b
        }
        if let v = c["repair_turns"] {
            guard let n = v.intValue, (0...10).contains(n) else { throw bad("repair_turns", "a whole number from 0 to 10") }
            s.repairTurns = n
        }
        if let v = c["python"] {
            guard let p = v.stringValue, !p.isEmpty else { throw bad("python", "an interpreter name or path") }
            s.python = p
        }
        if let v = c["system_prompt"] {
            guard let p = v.stringValue, !p.isEmpty else { throw bad("system_prompt", "text") }
            s.systemPrompt = p
        }
        if let v = c["extra_body"] {
            guard let o = v.objectValue else { throw bad("extra_body", "a mapping merged into each request") }
            let reserved = Set(["model", "messages", "stream", "stream_options"]).intersection(o.keys)
            if let k = reserved.sorted().first { throw BenchError(.badInput, "--agent-config: extra_body: \(k) is set by the runner and cannot be overridden") }
            s.extraBody = o
        }
        return s
    }

    /// The host the runner contacts (the only one): `base_url`'s host and port.
    public var host: AllowedHost {
        let port = baseURL.port ?? (baseURL.scheme?.lowercased() == "http" ? 80 : 443)
        return AllowedHost(host: baseURL.host ?? "", port: port)
    }

    /// `{base_url}/chat/completions`.
    public var endpoint: URL { baseURL.appendingPathComponent("chat").appendingPathComponent("completions") }

    /// The settings for provenance (never a key).
    public var provenance: [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        o["api"] = .string("openai-chat-completions")
        o["base_url"] = .string(baseURL.absoluteString)
        o["temperature"] = temperature.map(JSONValue.number) ?? JSONValue.null
        o["max_tokens"] = maxTokens.map { JSONValue.number(Double($0)) } ?? JSONValue.null
        o["retries"] = .number(Double(retries))
        o["backoff_seconds"] = .number(backoffSeconds)
        o["request_timeout"] = .number(requestTimeoutSeconds)
        o["stream"] = .bool(stream)
        o["repair_turns"] = .number(Double(repairTurns))
        o["python"] = .string(python)
        o["system_prompt"] = systemPrompt == nil ? .string("built-in") : .string("custom")
        if !extraBody.isEmpty { o["extra_body"] = .object(extraBody) }
        return o
    }
}
