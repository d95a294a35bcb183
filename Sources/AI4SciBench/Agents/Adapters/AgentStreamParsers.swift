import Foundation

/// What a coding-agent CLI's event stream says: steps, tool calls, usage per model call and in total, cost, errors.
public struct AgentStreamSummary: Sendable, Equatable, Codable {
    /// Model turns (Claude Code `assistant` messages; Codex turns).
    public var steps = 0
    /// Tool calls by tool name (Claude Code `tool_use`; Codex items such as `command_execution`, `file_change`).
    public var toolCalls: [String: Int] = [:]
    /// Token usage of each model call, in order.
    public var calls: [TokenUsage] = []
    /// Error messages the stream reported (error events, an `is_error` result, a failed turn).
    public var errors: [String] = []
    /// The model named by the stream, when it names one.
    public var model: String?
    /// The final answer text, when the stream has one.
    public var finalText: String?
    /// A last line cut off in the middle (no newline, not JSON).
    public var truncatedLastLine = false

    enum CodingKeys: String, CodingKey {
        case steps, toolCalls = "tool_calls", calls, errors, model, finalText = "final_text", truncatedLastLine = "truncated_last_line"
    }
}

/// Parsers of the event streams of the coding-agent CLIs (each line one JSON object).
public enum AgentStreamParsers {
    /// Splits stdout into JSON objects; a last line without a newline that is not JSON counts as truncated.
    static func events(_ data: Data, summary: inout AgentStreamSummary) -> [[String: JSONValue]] {
        var out: [[String: JSONValue]] = []
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
        for (i, line) in lines.enumerated() {
            if let o = (try? JSONValue.parse(Data(line)))?.objectValue { out.append(o); continue }
            if i == lines.count - 1, data.last != 0x0A, line.first == UInt8(ascii: "{") { summary.truncatedLastLine = true }
        }
        return out
    }

    /// Claude Code `--output-format stream-json`: `system/init`, `assistant` messages (content text / tool_use, usage per
    /// message), `user` tool results, and a final `result` with totals, `total_cost_usd` and `is_error`.
    public static func claudeCode(_ data: Data) -> (AgentStreamSummary, TokenUsage) {
        var s = AgentStreamSummary()
        var total = TokenUsage.unknown
        var seenMessages = Set<String>()
        for e in events(data, summary: &s) {
            switch e["type"]?.stringValue {
            case "system":
                if let m = e["model"]?.stringValue { s.model = m }
            case "assistant":
                guard let m = e["message"]?.objectValue else { continue }
                if let model = m["model"]?.stringValue { s.model = model }
                for block in m["content"]?.arrayValue ?? [] where block["type"] == "tool_use" {
                    s.toolCalls[block["name"]?.stringValue ?? "?", default: 0] += 1
                }
                // One API call may be streamed as several assistant events with the same message id: count it once.
                let id = m["id"]?.stringValue ?? UUID().uuidString
                guard seenMessages.insert(id).inserted else { continue }
                s.steps += 1
                if let u = m["usage"]?.objectValue {
                    s.calls.append(claudeUsage(u))
                }
            case "result":
                let subtype: String = e["subtype"]?.stringValue ?? "error"
                let isError: Bool = e["is_error"]?.boolValue ?? false
                if isError || subtype != "success" {
                    let text: String = e["result"]?.stringValue ?? (e["error"]?.stringValue ?? "")
                    s.errors.append(subtype + ": " + text)
                }
                s.finalText = e["result"]?.stringValue
                if let u = e["usage"]?.objectValue {
                    total = claudeUsage(u)
                    total.costUSD = e["total_cost_usd"]?.doubleValue
                } else if let c = e["total_cost_usd"]?.doubleValue {
                    total.costUSD = c
                }
            default:
                break
            }
        }
        // Without a final result (killed, truncated) the per-call usage is all there is: sum it, cost unknown.
        if total.coverage != .observed, !s.calls.isEmpty { total = sum(s.calls, source: "claude_code") }
        return (s, total)
    }

    /// Codex `exec --json`: `thread.started`, per turn `turn.started` … `item.*` … `turn.completed {usage}` (summed over
    /// turns; Codex reports no cost), `turn.failed {error}` and `error {message}`.
    public static func codex(_ data: Data) -> (AgentStreamSummary, TokenUsage) {
        var s = AgentStreamSummary()
        for e in events(data, summary: &s) {
            switch e["type"]?.stringValue {
            case "turn.started":
                s.steps += 1
            case "turn.completed":
                if let u = e["usage"]?.objectValue {
                    s.calls.append(codexUsage(u))
                }
            case "item.completed":
                guard let item = e["item"]?.objectValue, let type = item["type"]?.stringValue else { continue }
                if type == "agent_message" { s.finalText = item["text"]?.stringValue }
                else if type != "reasoning" { s.toolCalls[type, default: 0] += 1 }
            case "turn.failed":
                let message: String = e["error"]?["message"]?.stringValue ?? ""
                s.errors.append("turn failed: " + message)
            case "error":
                s.errors.append(e["message"]?.stringValue ?? "error")
            default:
                break
            }
        }
        return (s, s.calls.isEmpty ? .unknown : sum(s.calls, source: "codex"))
    }

    /// A Claude Code `usage` object (Anthropic's names; cache reads are not part of `input_tokens`).
    static func claudeUsage(_ u: [String: JSONValue]) -> TokenUsage {
        TokenUsage(coverage: .observed, inputTokens: u["input_tokens"]?.intValue, outputTokens: u["output_tokens"]?.intValue,
                   cacheReadTokens: u["cache_read_input_tokens"]?.intValue, source: "claude_code")
    }

    /// A Codex `turn.completed` `usage` object (cached input is part of `input_tokens`).
    static func codexUsage(_ u: [String: JSONValue]) -> TokenUsage {
        TokenUsage(coverage: .observed, inputTokens: u["input_tokens"]?.intValue, outputTokens: u["output_tokens"]?.intValue,
                   cacheReadTokens: u["cached_input_tokens"]?.intValue, source: "codex")
    }

    static func sum(_ calls: [TokenUsage], source: String) -> TokenUsage {
        func add(_ k: KeyPath<TokenUsage, Int?>) -> Int? {
            let values = calls.compactMap { $0[keyPath: k] }
            return values.isEmpty ? nil : values.reduce(0, +)
        }
        return TokenUsage(coverage: .observed, inputTokens: add(\.inputTokens), outputTokens: add(\.outputTokens),
                          cacheReadTokens: add(\.cacheReadTokens), source: source)
    }
}
