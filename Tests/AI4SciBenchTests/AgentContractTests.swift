import Foundation
import Testing
@testable import AI4SciBench

@Suite struct AgentCommandTests {
    @Test func placeholdersAreShellQuoted() throws {
        let cmd = try AgentCommand(template: "python3 agent.py --ws {workspace} --p {prompt_file} {task_id}")
        let s = cmd.render(["workspace": "/tmp/a b", "prompt_file": "/x/it's.md", "task_id": "physics.sod"])
        #expect(s == "python3 agent.py --ws '/tmp/a b' --p '/x/it'\\''s.md' physics.sod")
        #expect(cmd.argv([:]).prefix(2) == ["/bin/sh", "-c"])
    }

    @Test func defaultNameIsTheScriptNotTheInterpreter() throws {
        #expect(try AgentCommand(template: "python3 /x/Agents/oracle.py --task-id {task_id}").defaultName == "oracle")
        #expect(try AgentCommand(template: "FOO=1 bash run-agent.sh {workspace}").defaultName == "run-agent")
        #expect(try AgentCommand(template: "true").defaultName == "true")
    }

    @Test func badTemplatesAreRefused() {
        #expect(throws: BenchError.self) { try AgentCommand(template: "  ") }
        #expect(throws: BenchError.self) { try AgentCommand(template: "python3 a.py {workdir}") }
        #expect(throws: BenchError.self) { try AgentCommand(template: "no-such-agent-binary-xyz --go") }
        #expect(throws: BenchError.self) { try AgentCommand(template: "/nonexistent/agent --go") }
        #expect(throws: Never.self) { try AgentCommand(template: "FOO=1 env python3 a.py") }
    }

    @Test func environmentIsAnAllowList() throws {
        setenv("AI4SCI_TEST_SECRET", "canary-123", 1)
        defer { unsetenv("AI4SCI_TEST_SECRET") }
        let plain = try AgentEnvironment.agent(home: "/w", tmp: "/t", runFacts: ["prompt_level": "b1"], passEnv: [])
        #expect(plain.env["AI4SCI_TEST_SECRET"] == nil)
        #expect(plain.env["HOME"] == "/w")
        #expect(plain.env["TMPDIR"] == "/t")
        #expect(plain.env["AI4SCI_PROMPT_LEVEL"] == "b1")
        #expect(Set(plain.env.keys).isSubset(of: ["PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR", "PYTHONDONTWRITEBYTECODE", "AI4SCI_PROMPT_LEVEL"]))
        let passed = try AgentEnvironment.agent(home: "/w", tmp: nil, runFacts: [:], passEnv: ["AI4SCI_TEST_SECRET", "AI4SCI_NOT_SET_X"])
        #expect(passed.env["AI4SCI_TEST_SECRET"] == "canary-123")
        #expect(passed.missing == ["AI4SCI_NOT_SET_X"])
        #expect(throws: BenchError.self) { try AgentEnvironment.agent(home: "/w", tmp: nil, runFacts: [:], passEnv: ["1BAD"]) }
    }
}

@Suite struct AgentOutputParserTests {
    @Test func genericEventsAndNonJSONLines() {
        let text = """
            {"type":"step","n":1}
            not json at all
            {"type":"tool_call","name":"bash"}
            {"type":"usage","input_tokens":100,"output_tokens":20}
            {"type":"usage","input_tokens":5,"output_tokens":1,"cost_usd":0.25}
            [1,2]
            """
        let s = AgentOutputParser.parse(Data(text.utf8))
        #expect(s.lines == 6)
        #expect(s.jsonEvents == 4)
        #expect(s.nonJSONLines == 2)
        #expect(s.eventCounts == ["step": 1, "tool_call": 1, "usage": 2])
        #expect(s.usage.coverage == .observed)
        #expect(s.usage.inputTokens == 105)
        #expect(s.usage.outputTokens == 21)
        #expect(s.usage.costUSD == 0.25)
    }

    @Test func claudeCodeResultEventWins() {
        let text = """
            {"type":"system","subtype":"init"}
            {"type":"assistant","message":{"usage":{"input_tokens":3,"output_tokens":4}}}
            {"type":"result","subtype":"success","total_cost_usd":0.0123,"usage":{"input_tokens":1200,"output_tokens":340,"cache_read_input_tokens":50}}
            """
        let s = AgentOutputParser.parse(Data(text.utf8))
        #expect(s.usage == TokenUsage(coverage: .observed, inputTokens: 1200, outputTokens: 340, cacheReadTokens: 50, costUSD: 0.0123, source: "claude_code"))
    }

    @Test func codexTurnsAreSummed() {
        let text = """
            {"type":"thread.started","thread_id":"x"}
            {"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":2,"output_tokens":3}}
            {"type":"item.completed","item":{"type":"agent_message"}}
            {"type":"turn.completed","usage":{"input_tokens":7,"cached_input_tokens":0,"output_tokens":1}}
            """
        let s = AgentOutputParser.parse(Data(text.utf8))
        #expect(s.usage.inputTokens == 17)
        #expect(s.usage.outputTokens == 4)
        #expect(s.usage.cacheReadTokens == 2)
        #expect(s.usage.source == "codex")
    }

    @Test func noUsageIsUnknownNotZero() {
        let s = AgentOutputParser.parse(Data("{\"type\":\"step\"}\n".utf8))
        #expect(s.usage.coverage == .unknown)
        #expect(s.usage.inputTokens == nil)
        #expect(AgentOutputParser.parse(Data()).usage.coverage == .unknown)
    }
}
