import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How one agent is started: its command line, stdin, network, extra read-only paths and the variables that are secrets.
struct AgentLaunchPlan {
    var arguments: [String]
    var network: NetworkPolicy
    var readOnly: [URL]
    var secretNames: [String]
    var stdinFile: URL?
    var cliVersion: String?
    /// `direct-llm`: the key the runner itself sends to the API (never given to the sandboxed program).
    var apiKey: String?
}

/// Why a built-in agent could not be started (the item is `evaluation_invalid` with this message).
struct AgentNotStarted: Error {
    var message: String
}

extension ItemRunner {
    /// The launch plan of a built-in agent: the CLI found on the agent's PATH, its key passed (by name, from this
    /// environment), the prompt on stdin, and in task/strict mode the proxied network with exactly the adapter's hosts.
    static func adapterPlan(_ adapter: AgentAdapter, environment env: inout [String: String], promptFile: URL,
                            config: RunConfiguration) -> Result<AgentLaunchPlan, AgentNotStarted> {
        let name = adapter.kind.rawValue
        guard let exe = ExecutableLookup.find(adapter.executable, path: env["PATH"]) ?? ExecutableLookup.find(adapter.executable) else {
            let what = adapter.kind == .directLLM ? "interpreter" : "CLI"
            return .failure(AgentNotStarted(message: "\(name): the `\(adapter.executable)` \(what) was not found on PATH; \(adapter.installHint)"))
        }
        let host = ProcessInfo.processInfo.environment
        let keyName = adapter.apiKeyEnv.first(where: { !(host[$0] ?? "").isEmpty })
        if keyName == nil, !adapter.apiKeyEnv.isEmpty {
            let receiver = adapter.kind == .directLLM ? "sent to the API only" : "passed to the agent only"
            return .failure(AgentNotStarted(message: "\(name): no API key: set \(adapter.apiKeyEnv.joined(separator: " or ")) in the environment of ai4sci-bench (it is \(receiver), never written)"
                + (adapter.kind == .directLLM ? "; for a server without keys set \"api_key_env\": null in --agent-config" : "")))
        }
        // The CLI and what it is installed with (a node package: the directory above bin/, the real file's folder).
        let url = URL(fileURLWithPath: exe)
        var readOnly = [url.deletingLastPathComponent()]
        let real = url.resolvingSymlinksInPath()
        if real.path != url.path { readOnly.append(real.deletingLastPathComponent()) }
        let secrets = config.passEnv + (keyName.map { [$0] } ?? [])
        let binds = readOnly.filter { !["/usr/bin", "/bin", "/usr/local/bin"].contains($0.path) }
        let version = cliVersions.withLock { $0[exe] }
        if adapter.kind == .directLLM {
            // The runner calls the API; the model's program runs with the run's own network (none by default).
            return .success(AgentLaunchPlan(arguments: [exe], network: config.network, readOnly: binds, secretNames: secrets,
                                            cliVersion: version, apiKey: keyName.flatMap { host[$0] }))
        }
        if let keyName { env[keyName] = host[keyName] }
        let network = config.isolatesFileSystem ? NetworkPolicy(mode: .proxy, allowedHosts: adapter.hosts) : config.network
        return .success(AgentLaunchPlan(arguments: adapter.arguments(executable: exe), network: network, readOnly: binds,
                                        secretNames: secrets, stdinFile: promptFile, cliVersion: version))
    }

    /// `--version` of each CLI, asked once per process (outside the sandbox, with a 10 s limit).
    static let cliVersions = Mutex<[String: String]>([:])

    static func learnVersion(of adapter: AgentAdapter) async {
        guard let exe = ExecutableLookup.find(adapter.executable), cliVersions.withLock({ $0[exe] }) == nil else { return }
        let version: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                let r = try? await Subprocess.run(.path(FilePath(exe)), arguments: ["--version"], output: .string(limit: 4096), error: .discarded)
                return r?.standardOutput.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let version { cliVersions.withLock { $0[exe] = version } }
    }
}
