import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `run_metadata.json`: the run's configuration and provenance (field names from the seed `read-results.txt`).
public struct RunMetadata: Sendable, Codable {
    /// Schema marker of this document.
    public static let schemaName = "ai4sci_bench_run_metadata"

    /// Schema marker.
    public var schema = RunMetadata.schemaName
    /// Layout version.
    public var resultSchemaVersion = InstanceResult.schemaVersion
    /// Version of ai4sci-bench.
    public var frameworkVersion = BenchmarkRunner.frameworkVersion
    /// Hash over the selected tasks' content.
    public var benchmarkVersion: String
    /// Agent label, command template and passed variable names.
    public var agent: String
    /// Agent command template and passed variable names.
    public var agentConfig: [String: JSONValue]
    /// Evidence read back from the agent and host facts.
    public var sandbox: SandboxMode
    /// Base seed.
    public var seed: Int
    /// Levels run.
    public var promptLevels: [PromptLevel]
    /// Instances per task.
    public var instancesPerTask: Int
    /// Pre-generated instance folder, if used.
    public var instancesDir: String?
    /// Timeout override, if given.
    public var timeoutSeconds: Double?
    /// Selected tasks with version, hash and status.
    public var tasks: [JSONValue]
    /// Kernel, OS, CPUs, libseccomp.
    public var host: [String: JSONValue]
    /// The command line.
    public var commandLine: [String]
    /// Start time, ISO 8601 UTC.
    public var startedAt: String
    /// End time, ISO 8601 UTC.
    public var finishedAt: String?
    /// running, finished, interrupted or failed.
    public var status: String
    /// Items per outcome and agent status.
    public var counts: [String: Int]

    enum CodingKeys: String, CodingKey {
        case schema, resultSchemaVersion = "result_schema_version", frameworkVersion = "framework_version"
        case benchmarkVersion = "benchmark_version", agent, agentConfig = "agent_config", sandbox, seed
        case promptLevels = "prompt_levels", instancesPerTask = "instances_per_task", instancesDir = "instances_dir"
        case timeoutSeconds = "timeout_seconds", tasks, host, commandLine = "command_line", startedAt = "started_at"
        case finishedAt = "finished_at", status, counts
    }

    init(config: RunConfiguration, tasks: [TaskDefinition], startedAt: String, launcher: AgentLauncher) {
        benchmarkVersion = "tasks:" + String(TaskLoader.combinedHash(tasks.map(\.contentHash)).prefix(12))
        agent = config.agentName
        agentConfig = ["command_template": .string(config.agentCommand.template),
                       "pass_env": .array(config.passEnv.map { .string($0) })]
        sandbox = config.sandbox
        seed = config.seed
        promptLevels = config.levels
        instancesPerTask = config.instancesPerTask
        instancesDir = config.instancesDirectory.map { PathDisplay.relative($0) }
        timeoutSeconds = config.timeoutSeconds
        self.tasks = tasks.map {
            ["id": .string($0.id), "version": .string($0.version), "hash": .string($0.contentHash), "status": .string($0.status.rawValue)]
        }
        host = HostFacts.collect()
        commandLine = config.commandLine
        self.startedAt = startedAt
        status = "running"
        counts = [:]
    }

    mutating func finish(at time: String, results: [InstanceResult], status: String = "finished") {
        finishedAt = time
        self.status = status
        var c: [String: Int] = ["items": results.count]
        for r in results {
            c[r.outcome.rawValue, default: 0] += 1
            c["agent_status_" + r.agentStatus.rawValue, default: 0] += 1  // not "agent_": the outcome agent_failed would collide with status failed
        }
        counts = c
    }
}

/// Facts about the host recorded with every run.
public enum HostFacts {
    /// Kernel, machine, OS name, CPU count, libseccomp version.
    public static func collect() -> [String: JSONValue] {
        var u = utsname()
        uname(&u)
        func field<T>(_ v: T) -> String {
            withUnsafeBytes(of: v) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        var facts: [String: JSONValue] = [
            "kernel": .string(field(u.release)),
            "machine": .string(field(u.machine)),
            "hostname": .string(field(u.nodename)),
            "cpus": .number(Double(ProcessInfo.processInfo.activeProcessorCount)),
            "libseccomp": .string(SeccompProfile.libraryVersion),
        ]
        if let os = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = os.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") })
        {
            facts["os"] = .string(line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        return facts
    }
}

extension TaskLoader {
    /// sha256 over a list of hashes (order-independent: sorted first).
    static func combinedHash(_ hashes: [String]) -> String {
        CanonicalJSON.sha256(.array(hashes.sorted().map { .string($0) }))
    }
}
