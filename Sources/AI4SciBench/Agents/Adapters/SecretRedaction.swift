import Foundation

/// Removes secrets from captured agent output before it is hashed, parsed or kept: the values of the variables the
/// agent was given as secrets, and strings shaped like well-known API keys.
public struct SecretRedaction: Sendable {
    /// What replaces a secret.
    public static let marker = "[REDACTED]"

    /// Key shapes removed wherever they appear (Anthropic, OpenAI project/service/user keys, Google, GitHub, Slack,
    /// AWS access key ids, HTTP bearer tokens).
    static let patternSources: [String] = [
        #"sk-ant-[A-Za-z0-9_\-]{20,}"#, #"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}"#, #"\bsk-[A-Za-z0-9]{32,}"#,
        #"AIza[0-9A-Za-z_\-]{35}"#, #"\bgh[pousr]_[A-Za-z0-9]{36,}"#, #"\bxox[abprs]-[A-Za-z0-9\-]{10,}"#, #"\bAKIA[0-9A-Z]{16}\b"#,
        #"(?i)(?<=bearer )[A-Za-z0-9._~+/\-]{20,}=*"#,
    ]
    static let patterns: [NSRegularExpression] = patternSources.map { source in
        // The sources are fixed and tested; a typo here is a programming error.
        try! NSRegularExpression(pattern: source)
    }

    /// Exact values to remove (secrets shorter than 8 characters are not searched for: they would match everywhere).
    public var values: [String]

    /// Creates a redaction for these secret values.
    public init(values: [String]) {
        self.values = values.filter { $0.count >= 8 }.sorted { $0.count > $1.count }
    }

    /// The values of `names` in `environment`, as secrets.
    public init(secretNames names: [String], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(values: names.compactMap { environment[$0] })
    }

    /// `text` with every secret replaced; returns the count replaced.
    public func redact(_ text: String) -> (String, Int) {
        var out = text
        var count = 0
        for v in values where out.contains(v) {
            count += out.components(separatedBy: v).count - 1
            out = out.replacingOccurrences(of: v, with: Self.marker)
        }
        for re in Self.patterns {
            let range = NSRange(out.startIndex..., in: out)
            let n = re.numberOfMatches(in: out, range: range)
            guard n > 0 else { continue }
            count += n
            out = re.stringByReplacingMatches(in: out, range: range, withTemplate: Self.marker)
        }
        return (out, count)
    }

    /// Rewrites `file` with secrets replaced (only when there are any); returns the count. Invalid UTF-8 is left as is.
    @discardableResult
    public func redact(file: URL) throws -> Int {
        guard let data = FileManager.default.contents(atPath: file.path), !data.isEmpty,
              let text = String(data: data, encoding: .utf8) else { return 0 }
        let (clean, n) = redact(text)
        if n > 0 { try AtomicFile.write(Data(clean.utf8), to: file) }
        return n
    }
}

/// USD per million tokens per model (`--prices FILE`), for agents that do not report their cost.
///
/// File (YAML or JSON): `models: {MODEL: {input: 3.0, output: 15.0, cache_read: 0.3}}` — USD per million tokens;
/// `cache_read` is optional (cached input tokens are then priced as input).
public struct PriceTable: Sendable, Equatable {
    public struct Price: Sendable, Equatable {
        public var input: Double
        public var output: Double
        public var cacheRead: Double?
    }

    /// Prices by model name.
    public var models: [String: Price]
    /// `prices:<file name> sha256:<hex>`, recorded with every cost taken from it.
    public var source: String

    /// Loads a price file; every problem names the key.
    public static func load(_ url: URL) throws -> PriceTable {
        let display = PathDisplay.relative(url)
        let root = try YAMLLoading.load(url, displayPath: display)
        guard let models = root["models"]?.objectValue, !models.isEmpty else {
            throw BenchError(.badInput, "\(display): models: expected a mapping MODEL: {input, output}", hint: "e.g. models: {claude-sonnet-4-5: {input: 3, output: 15}}")
        }
        var out: [String: Price] = [:]
        for (name, v) in models {
            guard let input = v["input"]?.doubleValue, let output = v["output"]?.doubleValue, input >= 0, output >= 0 else {
                throw BenchError(.badInput, "\(display): models.\(name): expected {input: USD per million, output: USD per million}")
            }
            out[name] = Price(input: input, output: output, cacheRead: v["cache_read"]?.doubleValue)
        }
        let hash = (try? AtomicFile.sha256(of: url).hex) ?? "?"
        return PriceTable(models: out, source: "prices:\(url.lastPathComponent) sha256:\(hash)")
    }

    /// `usage` with a cost from the table when the agent reported none and the model has a price; unknown stays unknown.
    public func priced(_ usage: TokenUsage, model: String?) -> TokenUsage {
        var u = usage
        guard u.costUSD == nil, u.coverage == .observed, let model, let p = models[model],
              let input = u.inputTokens, let output = u.outputTokens else { return u }
        let cached = u.cacheReadTokens ?? 0
        // Cached input is billed at its own price when the table has one. OpenAI's APIs (Codex, Chat Completions) count
        // it inside the input tokens; Anthropic's input_tokens exclude cache reads.
        let cachedInside = u.source == "codex" || u.source == "openai_chat"
        let plainInput = cachedInside ? max(0, input - cached) : input
        let inputCost: Double = Double(plainInput) * p.input
        let outputCost: Double = Double(output) * p.output
        let cachedCost: Double = Double(cached) * (p.cacheRead ?? p.input)
        let cost: Double = (inputCost + outputCost + cachedCost) / 1_000_000
        u.costUSD = cost
        u.costSource = source
        return u
    }
}
