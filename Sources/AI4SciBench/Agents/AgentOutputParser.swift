import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Token usage with honest coverage: a missing count is unknown, never 0.
public struct TokenUsage: Sendable, Codable, Equatable {
    /// `observed` (the agent reported usage), `unknown` (it reported none) or `unsupported`.
    public enum Coverage: String, Sendable, Codable { case observed, unknown, unsupported }
    /// Coverage of the figures below.
    public var coverage: Coverage
    /// Input (prompt) tokens, summed over reports; nil when not observed.
    public var inputTokens: Int?
    /// Output (completion) tokens.
    public var outputTokens: Int?
    /// Cache-read input tokens, when reported.
    public var cacheReadTokens: Int?
    /// Cost in USD as reported by the agent itself.
    public var costUSD: Double?
    /// Which format the figures came from (`claude_code`, `codex`, `generic`).
    public var source: String?
    /// Where `costUSD` comes from: `agent` (the agent's own report) or `prices:<file> sha256:<hex>` (the price table).
    public var costSource: String?

    /// No usage seen.
    public static let unknown = TokenUsage(coverage: .unknown)

    enum CodingKeys: String, CodingKey {
        case coverage, inputTokens = "input_tokens", outputTokens = "output_tokens", cacheReadTokens = "cache_read_tokens", costUSD = "cost_usd", source
        case costSource = "cost_source"
    }
}

/// What the agent's stdout JSONL said, line by line.
public struct AgentOutputSummary: Sendable, Codable, Equatable {
    /// Lines read.
    public var lines = 0
    /// Lines that parsed as JSON objects.
    public var jsonEvents = 0
    /// Lines that did not (kept in the stdout copy, counted, never fatal).
    public var nonJSONLines = 0
    /// Events per `type` value.
    public var eventCounts: [String: Int] = [:]
    /// Token usage.
    public var usage = TokenUsage.unknown
    /// Whether the capture was cut at the size cap.
    public var truncated = false
    /// For the built-in CLI adapters: steps, tool calls, usage per call and errors read from the CLI's own events.
    public var stream: AgentStreamSummary?
    /// Secrets replaced by `[REDACTED]` in the captured stdout and stderr (API keys; known key shapes).
    public var redactions: Int?
    /// For `direct-llm`: each turn's requests, answer and run of the code.
    public var llm: DirectLLMTranscript?

    enum CodingKeys: String, CodingKey {
        case lines, jsonEvents = "json_events", nonJSONLines = "non_json_lines", eventCounts = "event_counts", usage, truncated, stream, redactions
        case llm
    }
}

/// Parses agent stdout: Claude Code `stream-json`, Codex `exec --json` and generic `{"type": ...}` events.
public enum AgentOutputParser {
    /// Parses a captured stdout file.
    public static func parse(file: URL, truncated: Bool = false) -> AgentOutputSummary {
        // An empty capture is not read at all (reading an empty file through Data(contentsOf:) leaks a page per call
        // in this Foundation, which a batch of thousands of quiet agents turns into growing memory).
        var st = stat()
        let empty = stat(file.path, &st) == 0 && st.st_size == 0
        let data = empty ? Data() : ((try? Data(contentsOf: file)) ?? Data())
        var s = parse(data)
        s.truncated = truncated
        return s
    }

    /// Parses JSONL bytes.
    public static func parse(_ data: Data) -> AgentOutputSummary {
        var summary = AgentOutputSummary()
        var claudeFinal: TokenUsage?
        var summed = TokenUsage(coverage: .unknown)
        for rawLine in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            summary.lines += 1
            guard let first = rawLine.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "{"),
                  let event = try? JSONValue.parse(Data(rawLine)), let obj = event.objectValue
            else { summary.nonJSONLines += 1; continue }
            summary.jsonEvents += 1
            let type = obj["type"]?.stringValue ?? obj["msg"]?["type"]?.stringValue ?? "untyped"
            summary.eventCounts[type, default: 0] += 1
            // Claude Code: the final `result` event carries totals and total_cost_usd.
            if type == "result", let u = obj["usage"]?.objectValue {
                var t = AgentStreamParsers.claudeUsage(u)
                t.costUSD = obj["total_cost_usd"]?.doubleValue
                claudeFinal = t
                continue
            }
            // Codex `exec --json`: turn.completed {usage: {input_tokens, cached_input_tokens, output_tokens}};
            // older builds: {"msg": {"type": "token_count", ...}}.
            if type == "turn.completed", let u = obj["usage"]?.objectValue {
                let turn = AgentStreamParsers.codexUsage(u)
                add(&summed, turn.inputTokens, turn.outputTokens, turn.cacheReadTokens, source: "codex")
                continue
            }
            if type == "token_count", let m = obj["msg"]?.objectValue {
                add(&summed, m["input_tokens"]?.intValue, m["output_tokens"]?.intValue, m["cached_input_tokens"]?.intValue, source: "codex")
                continue
            }
            // Generic: {"type": "usage", "input_tokens": .., "output_tokens": .., "cost_usd"?: ..}
            if type == "usage" {
                add(&summed, obj["input_tokens"]?.intValue, obj["output_tokens"]?.intValue, obj["cache_read_tokens"]?.intValue, source: "generic")
                if let c = obj["cost_usd"]?.doubleValue { summed.costUSD = (summed.costUSD ?? 0) + c }
            }
        }
        summary.usage = claudeFinal ?? summed
        return summary
    }

    static func add(_ t: inout TokenUsage, _ input: Int?, _ output: Int?, _ cache: Int?, source: String) {
        guard input != nil || output != nil else { return }
        t.coverage = .observed
        t.source = t.source ?? source
        if let input { t.inputTokens = (t.inputTokens ?? 0) + input }
        if let output { t.outputTokens = (t.outputTokens ?? 0) + output }
        if let cache { t.cacheReadTokens = (t.cacheReadTokens ?? 0) + cache }
    }
}
