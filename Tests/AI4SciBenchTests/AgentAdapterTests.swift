import Foundation
import Testing

@testable import AI4SciBench

/// Built-in agents: the stand-in CLIs' event streams parsed; secrets redacted; prices applied. (WIP for issue 9.)
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
}
