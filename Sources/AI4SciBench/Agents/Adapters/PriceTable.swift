import Foundation

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
