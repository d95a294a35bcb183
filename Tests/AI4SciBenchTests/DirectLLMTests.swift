import Foundation
import Testing

@testable import AI4SciBench

/// The loopback stand-in for an OpenAI-compatible server (Fixtures/agents/fake_openai.py), started per test.
final class FakeOpenAIServer {
    let process = Process()
    let port: Int
    let log: URL
    let dir: URL

    /// Starts the server; `code` is the program its answers carry (`bad`: the first answer of the `repair` scenario).
    init(code: String? = nil, bad: String? = nil, requireKey: String? = nil, slowSeconds: Double = 5) throws {
        dir = try TestSupport.temporaryDirectory("fake-openai")
        log = dir.appendingPathComponent("requests.jsonl")
        var args = [AgentAdapterTests.fakes.appendingPathComponent("fake_openai.py").path, "--port", "0", "--log", log.path,
                    "--slow-seconds", String(slowSeconds)]
        if let code {
            try Data(code.utf8).write(to: dir.appendingPathComponent("good.py"))
            args += ["--code-file", dir.appendingPathComponent("good.py").path]
        }
        if let bad {
            try Data(bad.utf8).write(to: dir.appendingPathComponent("bad.py"))
            args += ["--bad-code-file", dir.appendingPathComponent("bad.py").path]
        }
        if let requireKey { args += ["--require-key", requireKey] }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let b = try out.fileHandleForReading.read(upToCount: 1), !b.isEmpty, b != Data("\n".utf8) { line.append(b) }
        guard let port = Int(String(decoding: line, as: UTF8.self).replacingOccurrences(of: "PORT ", with: "")) else {
            process.terminate()
            throw BenchError(.io, "fake_openai.py did not print its port: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The requests the server logged, in order.
    func requests() throws -> [JSONValue] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
    }

    func stop() {
        // SIGKILL: the test process may pass a blocked SIGTERM on to its children.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// `direct-llm`: the Chat Completions client against the loopback server (plain, streamed, 429/500 retries, timeouts,
/// refused keys), the code taken from answers, and whole runs through the task sandbox with repair turns.
@Suite(.serialized) struct DirectLLMTests {
    static func settings(_ server: FakeOpenAIServer, model: String, _ extra: [String: JSONValue] = [:]) throws -> DirectLLMSettings {
        var c: [String: JSONValue] = ["model": .string(model), "base_url": .string(server.baseURL), "backoff_seconds": 0.01]
        for (k, v) in extra { c[k] = v }
        return try #require(try AgentAdapter.make(name: "direct-llm", config: .object(c)).llm)
    }

    @Test func plainAndStreamedAnswersCarryTheSameContentAndUsage() async throws {
        let server = try FakeOpenAIServer(code: "print(1)\n")
        defer { server.stop() }
        let plain = ChatCompletionsClient(settings: try Self.settings(server, model: "ok", ["temperature": 0.2, "max_tokens": 2048]), apiKey: "sk-test-client-key-000")
        let messages = [ChatMessage(role: "system", content: "s"), ChatMessage(role: "user", content: "u")]
        let (r1, a1) = await plain.complete(messages)
        let c1 = try r1.get()
        #expect(a1.count == 1 && a1[0].status == 200)
        #expect(c1.content.contains("```python\nprint(1)\n```") && c1.finishReason == "stop")
        #expect(c1.model == "ok-2026-01-01" && c1.systemFingerprint == "fp_fake" && c1.server == "fake-openai/1.0")
        #expect(c1.usage == TokenUsage(coverage: .observed, inputTokens: 1000, outputTokens: 300, cacheReadTokens: 0, source: "openai_chat"))

        let streamed = ChatCompletionsClient(settings: try Self.settings(server, model: "ok", ["stream": true]), apiKey: nil)
        let c2 = try await streamed.complete(messages + [ChatMessage(role: "assistant", content: "a"), ChatMessage(role: "user", content: "v")]).result.get()
        #expect(c2.content == c1.content && c2.finishReason == "stop" && c2.model == "ok-2026-01-01")
        // Two more messages: 500 more prompt tokens; the second request of the model reads 512 from the cache.
        #expect(c2.usage.inputTokens == 2000 && c2.usage.outputTokens == 300 && c2.usage.cacheReadTokens == 512 && c2.usage.coverage == .observed)

        let log = try server.requests()
        #expect(log.count == 2)
        #expect(log[0]["authorization"] == "Bearer sk-test-client-key-000" && log[1]["authorization"] == .null)
        #expect(log[0]["temperature"] == 0.2 && log[0]["max_tokens"] == 2048 && log[0]["stream"] == false)
        #expect(log[1]["stream"] == true && log[1]["stream_options"]?["include_usage"] == true)
    }

    @Test func rateLimitsAndServerErrorsAreRetriedWithBackoff() async throws {
        let server = try FakeOpenAIServer()
        defer { server.stop() }
        let messages = [ChatMessage(role: "user", content: "u")]
        let (r429, a429) = await ChatCompletionsClient(settings: try Self.settings(server, model: "flaky-429", ["retries": 3]), apiKey: nil).complete(messages)
        #expect((try? r429.get()) != nil)
        #expect(a429.map(\.status) == [429, 429, 200])
        // Retry-After: 0 from the server wins over the configured backoff.
        #expect(a429.map(\.waitedSeconds) == [0, 0, nil])
        #expect(a429[0].error?.contains("HTTP 429") == true)

        let (r500, a500) = await ChatCompletionsClient(settings: try Self.settings(server, model: "flaky-500", ["retries": 1, "stream": true]), apiKey: nil).complete(messages)
        #expect((try? r500.get()) != nil && a500.map(\.status) == [500, 200])
        #expect(a500[0].waitedSeconds == 0.01)

        let (down, aDown) = await ChatCompletionsClient(settings: try Self.settings(server, model: "down", ["retries": 2]), apiKey: nil).complete(messages)
        #expect(aDown.map(\.status) == [503, 503, 503])
        #expect(aDown.map(\.waitedSeconds) == [0.01, 0.02, nil], "exponential backoff")
        guard case .failure(let f) = down else { Issue.record("503 forever must fail"); return }
        #expect(f.kind == .server && f.status == 503 && f.detail == "HTTP 503: The engine is currently overloaded")

        // A refused key is not retried.
        let (auth, aAuth) = await ChatCompletionsClient(settings: try Self.settings(server, model: "auth", ["retries": 3]), apiKey: "sk-wrong-key-123456").complete(messages)
        #expect(aAuth.count == 1)
        guard case .failure(let fa) = auth else { Issue.record("401 must fail"); return }
        #expect(fa.kind == .auth && fa.status == 401)
        #expect(try server.requests().count == 3 + 2 + 3 + 1)
    }

    @Test func timeoutsAndUnreachableServersFail() async throws {
        let server = try FakeOpenAIServer(slowSeconds: 20)
        defer { server.stop() }
        let messages = [ChatMessage(role: "user", content: "u")]
        let start = ContinuousClock.now
        let (slow, aSlow) = await ChatCompletionsClient(settings: try Self.settings(server, model: "slow", ["retries": 0, "request_timeout": 1]), apiKey: nil).complete(messages)
        #expect((ContinuousClock.now - start) < .seconds(10))
        guard case .failure(let f) = slow else { Issue.record("a 20 s answer with a 1 s timeout must fail"); return }
        #expect(f.kind == .timeout && aSlow.count == 1 && aSlow[0].status == nil)

        var closed = try Self.settings(server, model: "ok", ["retries": 1])
        closed.baseURL = URL(string: "http://127.0.0.1:1/v1")!
        let (gone, aGone) = await ChatCompletionsClient(settings: closed, apiKey: nil).complete(messages)
        guard case .failure(let g) = gone else { Issue.record("port 1 must be unreachable"); return }
        #expect(g.kind == .unreachable && aGone.count == 2 && g.detail.contains("127.0.0.1:1"))
    }

    @Test func serverSentEventsAndCodeExtraction() throws {
        let sse = Data("data: {\"a\":1}\r\n\r\n: comment\nevent: x\ndata: line1\ndata: line2\n\ndata:[DONE]\n".utf8)
        #expect(ChatCompletionsClient.serverSentEvents(sse) == ["{\"a\":1}", "line1\nline2", "[DONE]"])
        // A stream cut before its end is not an answer.
        let cut = Data("data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n".utf8)
        guard case .failure(let f) = ChatCompletionsClient.parseStream(cut) else { Issue.record("a cut stream must fail"); return }
        #expect(f.detail.contains("ended before"))

        let answer = "Plan:\n```text\nnot code\n```\nFirst try:\n```python\nprint(1)\n```\nBetter:\n```py\nprint(2)\n```\n"
        #expect(ModelAnswer.extractCode(answer).code == "print(2)\n" && ModelAnswer.extractCode(answer).blocks == 3)
        #expect(ModelAnswer.extractCode("```\nx = 1\n```").code == "x = 1\n")
        #expect(ModelAnswer.extractCode("no code here").code == nil)
        #expect(ModelAnswer.extractCode("```python\nimport numpy\n# cut off").code == "import numpy\n# cut off\n")
        #expect(ModelAnswer.extractCode("````python\nprint('```')\n````").code == "print('```')\n")
    }

    @Test func configErrorsNameTheKey() throws {
        #expect(throws: BenchError.self) { try AgentAdapter.make(name: "direct-llm") }
        #expect(throws: BenchError.self) { try AgentAdapter.make(name: "direct-llm", config: ["model": "m", "base_url": "ftp://x"]) }
        #expect(throws: BenchError.self) { try AgentAdapter.make(name: "direct-llm", config: ["model": "m", "max_turns": 3]) }
        #expect(throws: BenchError.self) { try AgentAdapter.make(name: "direct-llm", config: ["model": "m", "extra_body": ["messages": []]]) }
        let local = try AgentAdapter.make(name: "direct-llm", config: ["model": "m", "base_url": "http://10.0.0.5:8000/v1/", "api_key_env": .null])
        #expect(local.apiKeyEnv.isEmpty && local.hosts == [AllowedHost(host: "10.0.0.5", port: 8000)])
        #expect(local.llm?.endpoint.absoluteString == "http://10.0.0.5:8000/v1/chat/completions")
        #expect(try AgentAdapter.make(name: "direct-llm", config: ["model": "m"]).hosts == [AllowedHost(host: "api.openai.com", port: 443)])
    }

    @Test func pricesWithoutABuiltInAgentIsRefused() async throws {
        // A command-template agent names no model, so a price table would be silently ignored: refuse it instead.
        let run = try await TestSupport.runCLI(["run", "--agent-cmd", "true", "--prices", "prices.yaml"])
        #expect(run.code == 2 && run.err.contains("--prices needs --agent"), "\(run.code) \(run.err)")
    }

    /// The SIR reference solution, minus the line that copies itself to solver.py (the runner saves the program there).
    static func sirProgram() throws -> String {
        let text = try String(contentsOf: TestSupport.tasks.appendingPathComponent("biology/sir_epidemic/solution/solve.py"), encoding: .utf8)
        let line = "shutil.copyfile(__file__, \"solver.py\")"
        #expect(text.contains(line))
        return text.replacingOccurrences(of: line, with: "pass")
    }

    static func runCLI(_ server: FakeOpenAIServer, out: URL, model: String, extra: String = "", prices: URL? = nil,
                       key: String? = "sk-proj-TestKeyForDirectLLM0123456789abcd") async throws -> (code: Int32, out: String, err: String) {
        var args = ["run", "--tasks", "biology.sir_epidemic", "--prompt-levels", "b2", "--seed", "7", "--sandbox", "task", "--output-dir", out.path,
                    "--agent", "direct-llm",
                    "--agent-config", "{\"model\": \"\(model)\", \"base_url\": \"\(server.baseURL)\", \"api_key_env\": \"AI4SCI_TEST_LLM_KEY\", \"backoff_seconds\": 0.01\(extra)}"]
        if let prices { args += ["--prices", prices.path] }
        return try await TestSupport.runCLI(args, environment: ["AI4SCI_TEST_LLM_KEY": key])
    }

    @Test(.timeLimit(.minutes(3))) func repairTurnFeedsStderrBackAndTheRepairedProgramScores() async throws {
        let server = try FakeOpenAIServer(code: try Self.sirProgram())
        defer { server.stop() }
        let out = try TestSupport.temporaryDirectory("llm-repair")
        defer { try? FileManager.default.removeItem(at: out) }
        let prices = out.appendingPathComponent("prices.yaml")
        try Data("models:\n  repair: {input: 2.0, output: 8.0, cache_read: 0.5}\n".utf8).write(to: prices)
        let run = try await Self.runCLI(server, out: out, model: "repair", extra: ", \"repair_turns\": 2, \"stream\": true", prices: prices)
        #expect(run.code == 0, "\(run.err)")
        let id = "biology.sir_epidemic__seed7__b2"
        let dir = out.appendingPathComponent("biology.sir_epidemic")
        let r = try JSONValue.parse(Data(contentsOf: dir.appendingPathComponent("\(id).json")))
        #expect(r["outcome"] == "scored" && r["final_score"] == 100, "\(r["message"] ?? .null)")
        #expect(r["effective_mode"] == "task" && r["verification_status"] == "verified")
        let llm = try #require(r["agent_output"]?["llm"])
        #expect(llm["code_file"] == "solver.py" && llm["http_requests"] == 2 && llm["retries"] == 0)
        #expect(llm["turns"]?[0]?["run"]?["exit_code"] == 1 && llm["turns"]?[1]?["run"]?["exit_code"] == 0)
        // The second request carries the failed run's stderr.
        let requests = try server.requests()
        let repair = requests[1]["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        #expect(repair.contains("boom: the model's first try") && repair.contains("exited 1"), "\(repair)")
        #expect(requests[0]["messages"]?[1]?["content"]?.stringValue?.contains("saved as `solver.py`") == true)
        // Usage per call and in total; priced from the table (input minus cached at the input price).
        #expect(r["usage"]?["input_tokens"] == 3000 && r["usage"]?["output_tokens"] == 600 && r["usage"]?["cache_read_tokens"] == 512)
        let cost = (Double(3000 - 512) * 2.0 + 600 * 8.0 + 512 * 0.5) / 1_000_000
        #expect(abs((r["usage"]?["cost_usd"]?.doubleValue ?? 0) - cost) < 1e-12)
        #expect(r["usage"]?["cost_source"]?.stringValue?.hasPrefix("prices:") == true)
        // Provenance: what was asked and what answered; the only host is the API, contacted by the runner.
        let adapter = try #require(r["agent"]?["adapter"])
        #expect(adapter["model"] == "repair" && adapter["served_model"] == "repair-2026-01-01" && adapter["server"] == "fake-openai/1.0")
        #expect(adapter["allowed_hosts"] == .array([.string("127.0.0.1:\(server.port)")]) && adapter["stream"] == true && adapter["repair_turns"] == 2)
        // The conversation and both runs' stderr are kept; the saved program is the repaired one.
        let md = try String(contentsOf: dir.appendingPathComponent("\(id).agent_model_output.md"), encoding: .utf8)
        #expect(md.contains("## Turn 1") && md.contains("## Turn 2") && md.contains("boom: the model's first try"))
        let stderr = try String(contentsOf: dir.appendingPathComponent("\(id).agent_stderr.log"), encoding: .utf8)
        #expect(stderr.contains("[ai4sci-bench] turn 1") && stderr.contains("[ai4sci-bench] turn 2") && stderr.contains("RuntimeError"))
        let solver = try String(contentsOf: dir.appendingPathComponent("\(id).outputs/solver.py"), encoding: .utf8)
        #expect(solver.contains("STEPS_PER_DAY = 32"))
        #expect(r["artifacts"]?.arrayValue?.contains { $0["path"]?.stringValue == "biology.sir_epidemic/\(id).agent_model_output.md" } == true)
    }

    @Test(.timeLimit(.minutes(3))) func keysNeverReachFilesAndServiceFailuresAreInvalid() async throws {
        let key = "sk-proj-TestKeyForDirectLLM0123456789abcd"
        let server = try FakeOpenAIServer(code: try Self.sirProgram(), requireKey: key)
        defer { server.stop() }
        let out = try TestSupport.temporaryDirectory("llm-invalid")
        defer { try? FileManager.default.removeItem(at: out) }
        let id = "biology.sir_epidemic__seed7__b2"
        func result(_ sub: String) throws -> JSONValue {
            try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("\(sub)/biology.sir_epidemic/\(id).json")))
        }

        // The model echoes the key: the saved conversation has it replaced, and it is counted.
        _ = try await Self.runCLI(server, out: out.appendingPathComponent("leak"), model: "leak", key: key)
        let leak = try result("leak")
        #expect(leak["outcome"] == "scored" && (leak["agent_output"]?["redactions"]?.intValue ?? 0) >= 2)
        // Nothing in any file of the run holds the key.
        let files = FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []
        for f in files {
            let data = FileManager.default.contents(atPath: out.appendingPathComponent(f).path) ?? Data()
            #expect(!String(decoding: data, as: UTF8.self).contains(key), "\(f) holds the key")
        }

        // A wrong key: 401, not retried, evaluation_invalid with what to fix; the CLI still exits 0 (the run completed).
        let wrong = try await Self.runCLI(server, out: out.appendingPathComponent("wrong"), model: "ok", key: "sk-proj-WrongKey00000000000000000000000")
        let w = try result("wrong")
        #expect(w["outcome"] == "evaluation_invalid" && w["final_score"] == .null, "\(wrong.err)")
        #expect(w["message"]?.stringValue?.contains("refused the key") == true && w["message"]?.stringValue?.contains("AI4SCI_TEST_LLM_KEY") == true)
        #expect(w["agent_output"]?["llm"]?["http_requests"] == 1)

        // No key at all: not started.
        _ = try await Self.runCLI(server, out: out.appendingPathComponent("nokey"), model: "ok", key: nil)
        let n = try result("nokey")
        #expect(n["outcome"] == "evaluation_invalid" && n["message"]?.stringValue?.contains("no API key: set AI4SCI_TEST_LLM_KEY") == true)

        // Always overloaded: retried, then invalid; an answer without a program is the model's failure (0).
        _ = try await Self.runCLI(server, out: out.appendingPathComponent("down"), model: "down", extra: ", \"retries\": 2", key: key)
        let d = try result("down")
        #expect(d["outcome"] == "evaluation_invalid" && d["agent_output"]?["llm"]?["http_requests"] == 3)
        #expect(d["message"]?.stringValue?.contains("failed after 3 requests (HTTP 503") == true)
        _ = try await Self.runCLI(server, out: out.appendingPathComponent("nocode"), model: "nocode", key: key)
        let nc = try result("nocode")
        #expect(nc["outcome"] == "agent_failed" && nc["final_score"] == 0)
        #expect(nc["usage"]?["input_tokens"] == 1000)
    }

    /// `batch-run --agent direct-llm --agent-config JSON` plans and runs like any agent, in the seccomp sandbox (the
    /// program needs no network: the runner calls the API).
    @Test(.timeLimit(.minutes(3))) func batchRunWithTheAgentFlags() async throws {
        let server = try FakeOpenAIServer(code: try Self.sirProgram())
        defer { server.stop() }
        let out = try TestSupport.temporaryDirectory("llm-batch")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try await TestSupport.runCLI(
            ["batch-run", "--agent", "direct-llm", "--agent-config", "{\"model\": \"flaky-429\", \"base_url\": \"\(server.baseURL)\", \"api_key_env\": null, \"backoff_seconds\": 0.01}",
             "--tasks", "biology.sir_epidemic", "--prompt-levels", "b1,b4", "--sandbox", "seccomp", "--output-dir", out.path, "--quiet"])
        #expect(run.code == 0, "\(run.err)")
        for level in ["b1", "b4"] {
            let r = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("direct-llm/biology.sir_epidemic/biology.sir_epidemic__seed42__\(level).json")))
            #expect(r["outcome"] == "scored" && r["final_score"] == 100 && r["effective_mode"] == "seccomp", "\(r["message"] ?? .null)")
        }
        // The model's first two requests were rate-limited; each item's calls are recorded with their retries.
        let retries = try [("b1"), ("b4")].map { level in
            try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("direct-llm/biology.sir_epidemic/biology.sir_epidemic__seed42__\(level).json")))["agent_output"]?["llm"]?["retries"]?.intValue ?? -1
        }
        let requests = try server.requests()
        #expect(retries.reduce(0, +) == 2 && requests.count == 4)
        #expect(requests.allSatisfy { $0["authorization"] == .null }, "api_key_env: null sends no key")
        let b1 = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("direct-llm/biology.sir_epidemic/biology.sir_epidemic__seed42__b1.json")))
        #expect(b1["agent"]?["adapter"]?["model"] == "flaky-429" && b1["agent"]?["adapter"]?["api_key_env"] == .array([]))
    }
}
