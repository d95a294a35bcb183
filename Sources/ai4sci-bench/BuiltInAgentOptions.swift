import AI4SciBench
import ArgumentParser
import Foundation

/// `--agent`, `--agent-config` and `--prices`, shared by `run` and `batch-run`.
struct BuiltInAgentOptions: ParsableArguments {
    @Option(name: .customLong("agent"), help: "A built-in agent instead of --agent-cmd: claude-code, codex (the CLI and its API key; --sandbox task gives it exactly its API host) or direct-llm (an OpenAI-compatible endpoint called by the runner; the model's program runs without network). See README.")
    var agent: String?
    @Option(name: .customLong("agent-config"), help: "Settings of the --agent: a YAML/JSON file or inline JSON, e.g. '{\"model\": \"claude-sonnet-4-5\", \"max_turns\": 30}'.")
    var agentConfig: String?
    @Option(help: "Price table (YAML/JSON: models: {MODEL: {input, output, cache_read}} in USD per million tokens) for agents that report no cost.")
    var prices: String?

    func validate() throws {
        if agentConfig != nil && agent == nil { throw ValidationError("--agent-config needs --agent") }
    }

    /// `--agent-config`: inline JSON (starts with `{`) or a YAML/JSON file.
    static func loadConfig(_ text: String) throws -> JSONValue {
        if text.trimmingCharacters(in: .whitespaces).hasPrefix("{") {
            do { return try JSONValue.parse(Data(text.utf8)) } catch {
                throw BenchError(.badInput, "--agent-config: not valid JSON: \(text.prefix(80))", hint: "inline JSON, or the path of a YAML/JSON file")
            }
        }
        let url = URL(fileURLWithPath: text)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw BenchError(.badInput, "--agent-config \(text): no such file", hint: "inline JSON, or the path of a YAML/JSON file")
        }
        return try YAMLLoading.load(url, displayPath: PathDisplay.relative(url))
    }
}
