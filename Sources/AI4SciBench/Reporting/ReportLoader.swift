import Foundation

/// One agent's results from one directory: the unit the report summarises and compares.
public struct ReportRun: Sendable {
    /// Display label: the agent's name, made unique across directories (`oracle@run2`).
    public var label: String
    /// The agent's name as recorded.
    public var agent: String
    /// The directory as given, for display.
    public var directory: String
    /// The directory, absolute.
    public var url: URL
    /// Path of the agent's folder relative to the directory ("" for a single run).
    public var root: String
    /// Batch or single run.
    public var kind: RunDirectory.Kind
    /// Provenance read from `run_metadata.json` (agent config, framework version, timeout, tasks and hashes).
    public var metadata: RunFacts
    /// What `validate` found in the directory (shared by every agent of the directory).
    public var health: RunHealth
    /// Result files that passed validation, in path order.
    public var items: [ReportItem]
    /// Result files of this agent left out because validation found a problem with them.
    public var rejected: Int
}

/// The provenance of a run that can confound a comparison.
public struct RunFacts: Sendable, Codable, Equatable {
    /// Model named in the agent configuration.
    public var model: String?
    /// Agent command template (identifies the agent's version when nothing else does).
    public var agentCommand: String?
    /// Agent version, when the configuration names one.
    public var agentVersion: String?
    /// Framework version that wrote the results.
    public var frameworkVersion: String?
    /// Benchmark version label.
    public var benchmarkVersion: String?
    /// Requested sandbox mode.
    public var sandbox: String?
    /// Agent timeout in seconds, when recorded.
    public var timeoutSeconds: Double?
    /// Seed of instance sampling.
    public var seed: Double?
    /// Prompt levels planned.
    public var promptLevels: [String]
    /// Instances per task planned.
    public var instancesPerTask: Int?
    /// Repeats planned.
    public var repeats: Int
    /// Planned tasks: id → version and hash.
    public var tasks: [String: TaskFacts]

    /// Version and hash of one task.
    public struct TaskFacts: Sendable, Codable, Equatable {
        public var version: String?
        public var hash: String?
    }

    enum CodingKeys: String, CodingKey {
        case model, agentCommand = "agent_command", agentVersion = "agent_version", frameworkVersion = "framework_version"
        case benchmarkVersion = "benchmark_version", sandbox, timeoutSeconds = "timeout_seconds", seed, promptLevels = "prompt_levels"
        case instancesPerTask = "instances_per_task", repeats, tasks
    }

    /// Reads the facts from a run's `run_metadata.json` (and the batch configuration, for repeats and timeouts).
    static func read(meta: JSONValue?, batch: JSONValue?, agent: String) -> RunFacts {
        let agentConfig = meta?["agent_config"]
        let batchAgent = batch?["config"]?["agents"]?.arrayValue?.first { $0["name"]?.stringValue == agent }
        var tasks: [String: TaskFacts] = [:]
        for t in meta?["tasks"]?.arrayValue ?? [] {
            guard let id = t["id"]?.stringValue else { continue }
            tasks[id] = TaskFacts(version: t["version"]?.stringValue, hash: t["hash"]?.stringValue)
        }
        let timeout = meta?["timeout_seconds"]?.doubleValue ?? agentConfig?["timeout"]?.doubleValue
            ?? batchAgent?["timeout"]?.doubleValue ?? batch?["config"]?["timeout"]?.doubleValue
        return RunFacts(
            model: agentConfig?["model"]?.stringValue,
            agentCommand: agentConfig?["command_template"]?.stringValue ?? batchAgent?["cmd"]?.stringValue,
            agentVersion: agentConfig?["version"]?.stringValue ?? agentConfig?["agent_version"]?.stringValue,
            frameworkVersion: meta?["framework_version"]?.stringValue, benchmarkVersion: meta?["benchmark_version"]?.stringValue,
            sandbox: batchAgent?["sandbox"]?.stringValue ?? meta?["sandbox"]?.stringValue, timeoutSeconds: timeout,
            seed: meta?["seed"]?.doubleValue,
            promptLevels: (meta?["prompt_levels"]?.arrayValue ?? []).compactMap(\.stringValue),
            instancesPerTask: meta?["instances_per_task"]?.intValue,
            repeats: meta?["repeats"]?.intValue ?? batch?["config"]?["repeats"]?.intValue ?? 1,
            tasks: tasks)
    }
}

/// What validation said about a directory, in the terms a reader needs.
public struct RunHealth: Sendable, Codable, Equatable {
    /// Files under the directory.
    public var files: Int
    /// Problems by kind.
    public var problems: [String: Int]
    /// The first problems, for display.
    public var examples: [String]
    /// Result files rejected because validation found a problem with them (changed, score mismatch, unreadable).
    public var rejectedResults: Int
    /// Planned items without a result (batch journal).
    public var plannedMissing: Int

    /// No manifest or planned items missing: the run did not finish.
    public var isIncomplete: Bool { (problems[RunProblem.Kind.noManifest.rawValue] ?? 0) > 0 || plannedMissing > 0 }
    /// Files changed, missing, added or inconsistent since they were written.
    public var isTampered: Bool {
        RunHealth.tamperKinds.contains { (problems[$0.rawValue] ?? 0) > 0 }
    }
    /// Whether validation found nothing.
    public var isClean: Bool { problems.isEmpty }

    static let tamperKinds: [RunProblem.Kind] = [.changedFile, .missingFile, .extraFile, .escapingPath, .scoreMismatch,
                                                 .recordMismatch, .journalMismatch, .configMismatch, .unknownSchema, .unreadable]

    enum CodingKeys: String, CodingKey {
        case files, problems, examples, rejectedResults = "rejected_results", plannedMissing = "planned_missing"
        case isIncomplete = "incomplete", isTampered = "tampered", isClean = "clean"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(files, forKey: .files)
        try c.encode(problems, forKey: .problems)
        try c.encode(examples, forKey: .examples)
        try c.encode(rejectedResults, forKey: .rejectedResults)
        try c.encode(plannedMissing, forKey: .plannedMissing)
        try c.encode(isIncomplete, forKey: .isIncomplete)
        try c.encode(isTampered, forKey: .isTampered)
        try c.encode(isClean, forKey: .isClean)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        files = try c.decode(Int.self, forKey: .files)
        problems = try c.decode([String: Int].self, forKey: .problems)
        examples = try c.decode([String].self, forKey: .examples)
        rejectedResults = try c.decode(Int.self, forKey: .rejectedResults)
        plannedMissing = try c.decode(Int.self, forKey: .plannedMissing)
    }

    init(report: RunValidationReport, rejected: Int) {
        files = report.files
        var counts: [String: Int] = [:]
        for p in report.problems { counts[p.kind.rawValue, default: 0] += 1 }
        problems = counts
        examples = report.problems.prefix(5).map(\.description)
        rejectedResults = rejected
        plannedMissing = counts[RunProblem.Kind.plannedItemMissing.rawValue] ?? 0
    }
}

/// Loads runs for the report from stored files only: validates each directory and reads its results in one pass.
public enum ReportLoader {
    /// Problem kinds that make a result file untrustworthy; such results are left out and counted.
    static let rejectingKinds: Set<RunProblem.Kind> = [.changedFile, .scoreMismatch, .unreadable, .unknownSchema, .escapingPath]

    /// Loads every agent of every directory; `agents` (when not empty) keeps only those agents.
    /// `reasonsBelow`: results scoring below it get their reasons read (the report's pass threshold).
    public static func load(directories: [URL], agents: Set<String> = [], reasonsBelow: Double = 100) throws -> [ReportRun] {
        var runs: [ReportRun] = []
        for url in directories {
            var (report, items) = try RunValidator.validate(directory: url, extract: { ReportItem.extract(path: $0, skim: $1, reasonsBelow: reasonsBelow) })
            let dir = try RunDirectory(url)
            let rejectedPaths = Set(report.problems.filter { rejectingKinds.contains($0.kind) }.map(\.path))
            let batch = dir.kind == .batch ? dir.readJSON(dir.url.appendingPathComponent("batch.json")) : nil
            let health = RunHealth(report: report, rejected: items.filter { rejectedPaths.contains($0.path) }.count)
            let roots = dir.resultRoots().filter { agents.isEmpty || agents.contains($0.agent) }
            for root in roots {
                let prefix = root.relativePath.isEmpty ? "" : root.relativePath + "/"
                let metaURL = root.relativePath.isEmpty ? dir.url : dir.url.appendingPathComponent(root.relativePath)
                let meta = dir.readJSON(metaURL.appendingPathComponent("run_metadata.json"))
                // A result of this root sits at `<prefix><task_id>/<instance_id>.json`.
                let belongs = { (item: ReportItem) in
                    item.path.hasPrefix(prefix) && item.path.utf8.dropFirst(prefix.utf8.count).filter({ $0 == 0x2F }).count == 1
                }
                var mine: [ReportItem] = []
                var rejected = 0
                if roots.count == 1, rejectedPaths.isEmpty, items.allSatisfy(belongs) {
                    swap(&mine, &items)  // the common case: hand the array over instead of copying it
                } else {
                    for item in items where belongs(item) {
                        if rejectedPaths.contains(item.path) { rejected += 1 } else { mine.append(item) }
                    }
                }
                runs.append(ReportRun(label: root.agent, agent: root.agent, directory: PathDisplay.relative(dir.url), url: dir.url, root: root.relativePath,
                                      kind: dir.kind, metadata: RunFacts.read(meta: meta, batch: batch, agent: root.agent),
                                      health: health, items: mine, rejected: rejected))
            }
        }
        disambiguateLabels(&runs)
        return runs
    }

    /// Same agent name in several directories: suffix the directory's last path component (then its index).
    public static func disambiguateLabels(_ runs: inout [ReportRun]) {
        let counts = Dictionary(grouping: runs.indices, by: { runs[$0].label })
        for (_, indices) in counts where indices.count > 1 {
            for i in indices { runs[i].label = "\(runs[i].agent)@\(URL(fileURLWithPath: runs[i].directory).lastPathComponent)" }
        }
        var seen: [String: Int] = [:]
        for i in runs.indices {
            seen[runs[i].label, default: 0] += 1
            if seen[runs[i].label]! > 1 { runs[i].label += "#\(seen[runs[i].label]!)" }
        }
    }
}
