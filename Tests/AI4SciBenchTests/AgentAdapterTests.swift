import Foundation
import Testing

@testable import AI4SciBench

/// Built-in agents: the stand-in CLIs' event streams parsed; secrets redacted; prices applied. And whole batches through the task sandbox.
@Suite("Agent adapters") struct AgentAdapterTests {
    static let fakes = TestSupport.repo.appendingPathComponent("Tests/AI4SciBenchTests/Fixtures/agents")

    /// Runs a stand-in CLI in a temporary folder; returns its stdout.
    static func run(_ tool: String, _ args: [String], scenario: String, key: String? = "sk-test-key-0123456789") throws -> Data {
        let dir = try TestSupport.temporaryDirectory("fake-\(tool)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = fakes.appendingPathComponent(tool)
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ["PATH": "/usr/bin:/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? ""), "FAKE_AGENT_SCENARIO": scenario]
        if let key { env[tool == "claude" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"] = key }
        p.environment = env
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardInput = input
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data("Write 42 to answer.txt".utf8))
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return data
    }

    @Test func claudeCodeStreamUsageToolsAndCost() throws {
        let adapter = try AgentAdapter.make(name: "claude-code", config: ["model": "claude-sonnet-4-5", "max_turns": 10])
        let args = Array(adapter.arguments(executable: "claude").dropFirst())
        let (s, usage) = adapter.parse(try Self.run("claude", args, scenario: "success"))
        #expect(s.steps == 3 && s.calls.count == 3 && s.errors.isEmpty, "\(s)")
        #expect(s.calls.map(\.inputTokens) == [1200, 1500, 1800] && s.calls.map(\.outputTokens) == [150, 90, 60])
        #expect(usage.inputTokens == 4500 && usage.outputTokens == 300 && usage.cacheReadTokens == 3200)
        #expect(usage.costUSD == 0.02196 && usage.costSource == "agent")
        #expect((s.toolCalls["Write"] ?? 0) >= 1 && (s.toolCalls["Bash"] ?? 0) >= 1, "\(s.toolCalls)")
        // A cut last line is counted; the per-call usage still sums, and the cost is unknown without the result event.
        let (t, cut) = adapter.parse(try Self.run("claude", args, scenario: "truncated"))
        #expect(t.truncatedLastLine && cut.inputTokens == 4500 && cut.costUSD == nil)
        let (e, _) = adapter.parse(try Self.run("claude", args, scenario: "auth_expired"))
        #expect(adapter.serviceFailure(e, stderr: "")?.contains("the API refused the key") == true, "\(e.errors)")
    }

    @Test func codexStreamSumsTurnsAndHasNoCost() throws {
        let adapter = try AgentAdapter.make(name: "codex")
        let args = Array(adapter.arguments(executable: "codex").dropFirst())
        let (s, usage) = adapter.parse(try Self.run("codex", args, scenario: "success"))
        #expect(s.steps == 2 && s.calls.count == 2, "\(s)")
        #expect(usage.inputTokens == 12600 && usage.cacheReadTokens == 8192 && usage.outputTokens == 670 && usage.costUSD == nil)
        // Priced from a table: input counts cached tokens inside it (OpenAI), cached billed at its own price.
        let table = PriceTable(models: ["gpt-5-codex": .init(input: 1.25, output: 10, cacheRead: 0.125)], source: "prices:test")
        let priced = table.priced(usage, model: "gpt-5-codex")
        let expected = (Double(12600 - 8192) * 1.25 + 670 * 10 + 8192 * 0.125) / 1_000_000
        #expect(abs((priced.costUSD ?? 0) - expected) < 1e-12 && priced.costSource == "prices:test")
        #expect(table.priced(usage, model: "unknown-model").costUSD == nil)
    }

    @Test func redactionRemovesKeysAndKeyShapes() {
        let r = SecretRedaction(values: ["my-secret-value-123"])
        let (clean, n) = r.redact("a my-secret-value-123 b sk-ant-api03-" + String(repeating: "x", count: 40) + " Bearer abcdefghijklmnopqrstuvwxyz0123")
        #expect(n == 3 && !clean.contains("my-secret") && !clean.contains("sk-ant-") && !clean.contains("abcdefghijklmnop"), "\(clean)")
    }

    @Test func configErrorsNameTheKey() {
        #expect(throws: BenchError.self) { try AgentAdapter.make(name: "gemini") }
        #expect(throws: BenchError.self) { try AgentAdapter.make(name: "codex", config: ["max_turns": 3]) }
        #expect(throws: BenchError.self) { try AgentAdapter.make(name: "claude-code", config: ["colour": "red"]) }
    }

    /// Claude Code and Codex stand-ins in one batch through the task sandbox: usage, cost (reported, or priced from
    /// the table), exactly the API host behind the proxy, keys removed from every file; an expired key and a missing
    /// CLI make their items invalid while the batch goes on.
    @Test(.timeLimit(.minutes(3))) func batchOfCLIAgentsInTheTaskSandbox() async throws {
        let dir = try TestSupport.temporaryDirectory("cli-agents")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fakes = Self.fakes.path
        let expired = dir.appendingPathComponent("bin/claude")
        try FileManager.default.createDirectory(at: expired.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("#!/bin/sh\nFAKE_AGENT_SCENARIO=auth_expired exec \(fakes)/claude \"$@\"\n".utf8).write(to: expired)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: expired.path)
        let agents = dir.appendingPathComponent("agents.yaml")
        try Data("""
            agents:
              - {name: claude, agent: claude-code, agent_config: {executable: \(fakes)/claude, model: claude-sonnet-4-5, max_turns: 12}, pass_env: [FAKE_AGENT_SCENARIO]}
              - {name: codex, agent: codex, agent_config: {executable: \(fakes)/codex, model: gpt-5-codex}}
              - {name: expired, agent: claude-code, agent_config: {executable: \(expired.path)}, bind_ro: [\(fakes)]}
              - {name: missing, agent: codex, agent_config: {executable: /nonexistent/codex}}

            """.utf8).write(to: agents)
        let prices = dir.appendingPathComponent("prices.yaml")
        try Data("models:\n  gpt-5-codex: {input: 1.25, output: 10, cache_read: 0.125}\n".utf8).write(to: prices)
        let claudeKey = "sk-ant-api03-FAKEKEYFAKEKEYFAKEKEY0123456789"
        let codexKey = "sk-proj-FAKEKEYFAKEKEY0123456789abcdefgh"
        let out = dir.appendingPathComponent("batch")
        let run = try await TestSupport.runCLI(
            ["batch-run", "--agents", agents.path, "--tasks", "biology.sir_epidemic", "--prompt-levels", "b4", "--sandbox", "task",
             "--prices", prices.path, "--output-dir", out.path, "--quiet"],
            environment: ["FAKE_AGENT_SCENARIO": "leak_key", "ANTHROPIC_API_KEY": claudeKey, "OPENAI_API_KEY": codexKey])
        #expect(run.code == 0, "\(run.err)")
        func result(_ agent: String) throws -> JSONValue {
            try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("\(agent)/biology.sir_epidemic/biology.sir_epidemic__seed42__b4.json")))
        }
        let claude = try result("claude")
        #expect(claude["outcome"] == "scored" && claude["agent_status"] == "completed")
        #expect(claude["usage"]?["input_tokens"] == 4500 && claude["usage"]?["cost_usd"] == 0.02196 && claude["usage"]?["cost_source"] == "agent")
        #expect(claude["agent_output"]?["stream"]?["steps"] == 3 && (claude["agent_output"]?["redactions"]?.intValue ?? 0) >= 1)
        #expect(claude["sandbox"]?["network"]?["mode"] == "proxy" && claude["sandbox"]?["network"]?["allowed_hosts"] == .array([.string("api.anthropic.com:443")]))
        #expect(claude["agent"]?["adapter"]?["cli_version"] == "1.0.128 (Claude Code)" && claude["agent"]?["adapter"]?["max_turns"] == 12)
        let codex = try result("codex")
        #expect(codex["sandbox"]?["network"]?["allowed_hosts"] == .array([.string("api.openai.com:443")]))
        let expected = (Double(12600 - 8192) * 1.25 + 670 * 10 + 8192 * 0.125) / 1_000_000
        #expect(abs((codex["usage"]?["cost_usd"]?.doubleValue ?? 0) - expected) < 1e-12)
        #expect(codex["usage"]?["cost_source"]?.stringValue?.hasPrefix("prices:") == true)
        let exp = try result("expired")
        #expect(exp["outcome"] == "evaluation_invalid" && exp["message"]?.stringValue?.contains("the API refused the key") == true, "\(exp["message"] ?? .null)")
        let missing = try result("missing")
        #expect(missing["outcome"] == "evaluation_invalid" && missing["message"]?.stringValue?.contains("/nonexistent/codex` CLI was not found") == true)
        #expect(missing["sandbox"]?["not_run"] == true && missing["verification_status"] == "unverified")
        // No file of the batch holds either key.
        for f in FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? [] {
            let text = String(decoding: FileManager.default.contents(atPath: out.appendingPathComponent(f).path) ?? Data(), as: UTF8.self)
            #expect(!text.contains(claudeKey) && !text.contains(codexKey), "\(f) holds a key")
        }
    }
}
