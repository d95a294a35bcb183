import Foundation

/// What the `direct-llm` agent did, turn by turn (a result's `agent_output.llm`).
public struct DirectLLMTranscript: Sendable, Codable, Equatable {
    /// How one run of the model's program ended.
    public struct Run: Sendable, Codable, Equatable {
        public var status: String
        public var exitCode: Int32?
        public var signal: Int32?
        public var seconds: Double

        enum CodingKeys: String, CodingKey { case status, exitCode = "exit_code", signal, seconds }
    }

    /// One model call and what followed it.
    public struct Turn: Sendable, Codable, Equatable {
        public var turn: Int
        /// Every HTTP request of this call (more than one when it was retried).
        public var attempts: [ChatHTTPAttempt]
        public var finishReason: String?
        public var usage: TokenUsage?
        /// Fenced blocks in the answer, and the size of the program taken from it (nil: none found).
        public var codeBlocks = 0
        public var codeBytes: Int?
        /// The run of the program (nil when the answer held none or the call failed).
        public var run: Run?
        /// Why the call failed after its retries.
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case turn, attempts, finishReason = "finish_reason", usage, codeBlocks = "code_blocks", codeBytes = "code_bytes", run, error
        }
    }

    /// The task's code output the program was saved as (relative to the workspace).
    public var codeFile: String
    public var turns: [Turn] = []
    /// What the server says about itself: the model that answered, `system_fingerprint`, the `Server` header.
    public var servedModel: String?
    public var systemFingerprint: String?
    public var server: String?
    /// HTTP requests made, and how many of them were retries.
    public var httpRequests = 0
    public var retries = 0
    /// Secrets removed from the saved conversation (counted into `agent_output.redactions`, not written here).
    var redactions = 0

    enum CodingKeys: String, CodingKey {
        case codeFile = "code_file", turns, servedModel = "served_model", systemFingerprint = "system_fingerprint", server
        case httpRequests = "http_requests", retries
    }

    /// Adds a turn and counts its requests.
    mutating func append(_ turn: Turn) {
        turns.append(turn)
        httpRequests += turn.attempts.count
        retries += max(0, turn.attempts.count - 1)
    }

    /// Usage per successful call, in order.
    public var calls: [TokenUsage] { turns.compactMap(\.usage) }

    /// Total usage: observed only when every call reported usage (a call without it makes the total unknown, never a
    /// smaller number); an API-reported cost only when every call reported one.
    public var totalUsage: TokenUsage {
        let calls = calls
        guard !calls.isEmpty, calls.allSatisfy({ $0.coverage == .observed }) else { return TokenUsage(coverage: .unknown, source: "openai_chat") }
        var t = AgentStreamParsers.sum(calls, source: "openai_chat")
        if calls.allSatisfy({ $0.costUSD != nil }) {
            t.costUSD = calls.reduce(0) { $0 + ($1.costUSD ?? 0) }
            t.costSource = "api"
        }
        return t
    }

    /// The stream summary form shared with the CLI agents: steps = model calls.
    public var summary: AgentStreamSummary {
        var s = AgentStreamSummary()
        s.steps = turns.filter { $0.error == nil }.count
        s.calls = calls
        s.errors = turns.compactMap(\.error)
        s.model = servedModel
        let runs = turns.filter { $0.run != nil }.count
        if runs > 0 { s.toolCalls["run_code"] = runs }
        return s
    }
}
