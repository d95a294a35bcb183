import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One message of a chat.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// One HTTP request of a completion (a retried completion has several).
public struct ChatHTTPAttempt: Sendable, Equatable, Codable {
    /// The HTTP status, nil when no response came (connection failure, timeout).
    public var status: Int?
    /// What went wrong, nil for a success.
    public var error: String?
    /// Seconds from sending to the end of the answer.
    public var seconds: Double
    /// Seconds waited before the next attempt (nil for the last one).
    public var waitedSeconds: Double?

    enum CodingKeys: String, CodingKey { case status, error, seconds, waitedSeconds = "waited_seconds" }
}

/// A completed chat answer.
public struct ChatCompletion: Sendable, Equatable {
    public var content: String
    public var finishReason: String?
    /// The model the server says answered (may carry a dated version).
    public var model: String?
    public var systemFingerprint: String?
    /// The `Server` header, as a hint of the serving software.
    public var server: String?
    public var usage: TokenUsage
}

/// Why a completion failed after its retries.
public struct ChatFailure: Error, Sendable, Equatable {
    public enum Kind: String, Sendable { case auth, unreachable, timeout, rateLimited = "rate_limited", server, rejected, badResponse = "bad_response" }
    public var kind: Kind
    public var status: Int?
    public var detail: String
}

/// A minimal client of an OpenAI-compatible `POST {base_url}/chat/completions`: plain or streamed (server-sent events),
/// retries with exponential backoff on 429, 5xx and connection failures, a total timeout per request.
public struct ChatCompletionsClient: Sendable {
    public var settings: DirectLLMSettings
    /// The API key (sent as `Authorization: Bearer`), nil for servers without keys.
    var apiKey: String?

    public init(settings: DirectLLMSettings, apiKey: String?) {
        self.settings = settings
        self.apiKey = apiKey
    }

    /// Asks for one completion; `attempts` lists every HTTP request made, whatever the outcome.
    public func complete(_ messages: [ChatMessage]) async -> (result: Result<ChatCompletion, ChatFailure>, attempts: [ChatHTTPAttempt]) {
        var attempts: [ChatHTTPAttempt] = []
        while true {
            if Task.isCancelled { return (.failure(ChatFailure(kind: .timeout, status: nil, detail: "cancelled")), attempts) }
            let (outcome, attempt, retryAfter) = await once(messages)
            attempts.append(attempt)
            guard case .failure(let f) = outcome, Self.isRetryable(f), attempts.count <= settings.retries else { return (outcome, attempts) }
            let wait = min(retryAfter ?? settings.backoffSeconds * pow(2, Double(attempts.count - 1)), 120)
            attempts[attempts.count - 1].waitedSeconds = wait
            try? await Task.sleep(for: .seconds(wait))
        }
    }

    /// 429, 5xx, no answer and timeouts are worth another try; other statuses (400, 401, 403, 404) are not.
    static func isRetryable(_ f: ChatFailure) -> Bool {
        switch f.kind {
        case .rateLimited, .server, .unreachable, .timeout: return true
        case .auth, .rejected, .badResponse: return false
        }
    }

    /// The request body.
    func body(_ messages: [ChatMessage]) -> JSONValue {
        var o = settings.extraBody
        o["model"] = .string(settings.model)
        o["messages"] = .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) })
        if let t = settings.temperature { o["temperature"] = .number(t) }
        if let m = settings.maxTokens { o["max_tokens"] = .number(Double(m)) }
        if settings.stream {
            o["stream"] = .bool(true)
            o["stream_options"] = .object(["include_usage": .bool(true)])
        }
        return .object(o)
    }

    private func once(_ messages: [ChatMessage]) async -> (Result<ChatCompletion, ChatFailure>, ChatHTTPAttempt, Double?) {
        var request = URLRequest(url: settings.endpoint)
        request.httpMethod = "POST"
        request.timeoutInterval = settings.requestTimeoutSeconds
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(settings.stream ? "text/event-stream" : "application/json", forHTTPHeaderField: "Accept")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(CanonicalJSON.text(body(messages)).utf8)
        let start = ContinuousClock.now
        let (data, response, error) = await Self.send(request, timeout: settings.requestTimeoutSeconds)
        let seconds = (ContinuousClock.now - start).inSeconds
        var attempt = ChatHTTPAttempt(status: nil, error: nil, seconds: seconds, waitedSeconds: nil)
        guard let http = response as? HTTPURLResponse else {
            let f = Self.transportFailure(error, url: settings.endpoint, timeout: settings.requestTimeoutSeconds)
            attempt.error = f.detail
            return (.failure(f), attempt, nil)
        }
        attempt.status = http.statusCode
        let server = http.value(forHTTPHeaderField: "Server")
        guard (200..<300).contains(http.statusCode) else {
            let f = Self.httpFailure(status: http.statusCode, body: data)
            attempt.error = f.detail
            let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return (.failure(f), attempt, retryAfter.map { max(0, $0) })
        }
        let type = http.value(forHTTPHeaderField: "Content-Type")?.lowercased() ?? ""
        var parsed = type.contains("text/event-stream") ? Self.parseStream(data) : Self.parsePlain(data)
        if case .success(var c) = parsed {
            c.server = server
            parsed = .success(c)
        }
        if case .failure(let f) = parsed { attempt.error = f.detail }
        return (parsed, attempt, nil)
    }

    /// Sends with a total deadline (URLRequest's timeout is an idle timeout only).
    static func send(_ request: URLRequest, timeout: Double) async -> (Data, URLResponse?, Error?) {
        let config = URLSessionConfiguration.ephemeral
        config.urlCache = nil
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        final class Box: @unchecked Sendable { var task: URLSessionDataTask? }
        let box = Box()
        return await withCheckedContinuation { (k: CheckedContinuation<(Data, URLResponse?, Error?), Never>) in
            let task = session.dataTask(with: request) { data, response, error in
                k.resume(returning: (data ?? Data(), response, error))
            }
            box.task = task
            task.resume()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [box] in
                if box.task?.state == .running { box.task?.cancel() }
            }
        }
    }

    static func transportFailure(_ error: Error?, url: URL, timeout: Double) -> ChatFailure {
        let ns = error as NSError?
        let code = ns?.code ?? 0
        if code == NSURLErrorTimedOut || code == NSURLErrorCancelled {
            return ChatFailure(kind: .timeout, status: nil, detail: "no complete answer within \(Int(timeout)) s (request_timeout)")
        }
        let why = ns?.localizedDescription ?? "no response"
        return ChatFailure(kind: .unreachable, status: nil, detail: "\(url.host ?? "?"):\(url.port.map(String.init) ?? "default port") could not be reached: \(why)")
    }

    /// The error the server gave (`{"error": {"message": …}}` when it follows the format; else the start of the body).
    static func httpFailure(status: Int, body: Data) -> ChatFailure {
        let json = try? JSONValue.parse(body)
        let message = json?["error"]?["message"]?.stringValue ?? json?["message"]?.stringValue
            ?? String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let detail = "HTTP \(status)" + (message.isEmpty ? "" : ": \(message)")
        switch status {
        case 401, 403: return ChatFailure(kind: .auth, status: status, detail: detail)
        case 429: return ChatFailure(kind: .rateLimited, status: status, detail: detail)
        case 408: return ChatFailure(kind: .timeout, status: status, detail: detail)
        case 500...599: return ChatFailure(kind: .server, status: status, detail: detail)
        default: return ChatFailure(kind: .rejected, status: status, detail: detail)
        }
    }

    static func usage(_ u: JSONValue?) -> TokenUsage {
        guard let u = u?.objectValue, u["prompt_tokens"]?.intValue != nil || u["completion_tokens"]?.intValue != nil else {
            return TokenUsage(coverage: .unknown, source: "openai_chat")
        }
        var t = TokenUsage(coverage: .observed, inputTokens: u["prompt_tokens"]?.intValue, outputTokens: u["completion_tokens"]?.intValue,
                           cacheReadTokens: u["prompt_tokens_details"]?["cached_tokens"]?.intValue, source: "openai_chat")
        // Some gateways (e.g. OpenRouter) report the charge themselves.
        if let cost = u["cost"]?.doubleValue, cost.isFinite, cost >= 0 {
            t.costUSD = cost
            t.costSource = "api"
        }
        return t
    }

    static func parsePlain(_ data: Data) -> Result<ChatCompletion, ChatFailure> {
        guard let json = try? JSONValue.parse(data), json.objectValue != nil else {
            return .failure(ChatFailure(kind: .badResponse, status: nil, detail: "the answer is not JSON: \(String(decoding: data.prefix(120), as: UTF8.self))"))
        }
        guard let choice = json["choices"]?.arrayValue?.first else {
            return .failure(ChatFailure(kind: .badResponse, status: nil, detail: "the answer has no choices"))
        }
        return .success(ChatCompletion(content: choice["message"]?["content"]?.stringValue ?? "", finishReason: choice["finish_reason"]?.stringValue,
                                       model: json["model"]?.stringValue, systemFingerprint: json["system_fingerprint"]?.stringValue,
                                       server: nil, usage: usage(json["usage"])))
    }

    /// A streamed answer: `data:` events of `chat.completion.chunk`, content in `choices[0].delta.content`, usage in a
    /// last chunk when `stream_options.include_usage` was honoured, then `data: [DONE]`.
    static func parseStream(_ data: Data) -> Result<ChatCompletion, ChatFailure> {
        var c = ChatCompletion(content: "", finishReason: nil, model: nil, systemFingerprint: nil, server: nil,
                               usage: TokenUsage(coverage: .unknown, source: "openai_chat"))
        var done = false
        var chunks = 0
        for event in serverSentEvents(data) {
            if event.trimmingCharacters(in: .whitespaces) == "[DONE]" { done = true; continue }
            guard let json = try? JSONValue.parse(Data(event.utf8)) else { continue }
            if let message = json["error"]?["message"]?.stringValue {
                return .failure(ChatFailure(kind: .server, status: nil, detail: "the stream reported an error: \(message)"))
            }
            chunks += 1
            if let m = json["model"]?.stringValue { c.model = m }
            if let f = json["system_fingerprint"]?.stringValue { c.systemFingerprint = f }
            if let choice = json["choices"]?.arrayValue?.first {
                if let piece = choice["delta"]?["content"]?.stringValue { c.content += piece }
                if let f = choice["finish_reason"]?.stringValue { c.finishReason = f }
            }
            if json["usage"]?.objectValue != nil { c.usage = usage(json["usage"]) }
        }
        if chunks == 0 { return .failure(ChatFailure(kind: .badResponse, status: nil, detail: "the stream held no completion chunks")) }
        if !done && c.finishReason == nil {
            return .failure(ChatFailure(kind: .server, status: nil, detail: "the stream ended before the answer was complete (no finish_reason, no [DONE])"))
        }
        return .success(c)
    }

    /// The `data` of each server-sent event (text/event-stream: events end at a blank line, several `data:` lines of one
    /// event are joined by newlines, comments and other fields are skipped; LF, CRLF and CR line ends).
    /// (mattt/EventSource, the listed SSE package, does not build on Linux: it needs URLSession.bytes.)
    static func serverSentEvents(_ data: Data) -> [String] {
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var events: [String] = []
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !lines.isEmpty { events.append(lines.joined(separator: "\n")) }
                lines = []
            } else if line == "data" {
                lines.append("")
            } else if line.hasPrefix("data:") {
                let value = line.dropFirst(5)
                lines.append(value.first == " " ? value.dropFirst() : value)
            }
        }
        if !lines.isEmpty { events.append(lines.joined(separator: "\n")) }
        return events
    }
}
