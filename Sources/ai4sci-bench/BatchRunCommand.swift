import AI4SciBench
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `ai4sci-bench batch-run`: many agents × tasks × instances × levels × repeats, parallel, journaled, resumable.
struct BatchRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-run",
        abstract: "Run several agents on many tasks, in parallel, crash-safe and resumable.",
        discussion: """
            The full grid is planned and written to <output-dir>/journal.jsonl before any agent runs. \
            Results go to <output-dir>/<agent>/<task_id>/<instance_id>.json, every attempt to .../attempts/. \
            After a crash or Ctrl-C, `batch-run --resume DIR` re-runs only the items without a valid result.

            Agents file (--agents FILE):
              agents:
                - {name: oracle, cmd: 'python3 Agents/oracle.py --task-id {task_id}', pass_env: [], sandbox: task, timeout: 600}

            A batch file (--config batch.yaml) may hold every setting (keys as the flags, with _ for -); flags override it.

            --executor slurm submits the items as Slurm job arrays (one array task per item, `ai4sci-bench run-item`) and
            follows them from here; the batch directory, the tasks folder, this working directory and this program must be
            on a filesystem every node sees. Example:
              ai4sci-bench batch-run --agents agents.yaml --executor slurm --slurm-partition cpu --slurm-time 30 \
                --slurm-mem 8G --slurm-max-parallel 50 --retries 1 --output-dir /shared/results/b1
            """
    )

    @Option(name: .customLong("config"), help: "Batch YAML file holding any of the settings below.")
    var configFile: String?
    @Option(name: .customLong("agents"), help: "Agents YAML file: agents: [{name, cmd, pass_env, sandbox, timeout, bind_ro}].")
    var agentsFile: String?
    @Option(name: .customLong("agent-cmd"), help: "A single agent's command template (instead of --agents).")
    var agentCmd: String?
    @OptionGroup var builtIn: BuiltInAgentOptions
    @Option(name: .customLong("agent-name"), help: "Name of the --agent-cmd or --agent agent.")
    var agentName: String?
    @Option(name: .customLong("tasks-dir"), help: "Folder holding task directories (default Tasks).")
    var tasksDir: String?
    @Option(name: .customLong("tasks"), help: "Comma-separated task ids (default: all non-abandoned).")
    var tasks: String?
    @Option(name: .customLong("prompt-levels"), help: "Comma-separated prompt levels (default b1,b2,b3,b4).")
    var promptLevels: String?
    @Option(name: .customLong("instances-per-task"), help: "Instances per task (default 1).")
    var instancesPerTask: Int?
    @Option(help: "Base seed (default 42).")
    var seed: Int?
    @Option(name: .customLong("instances-dir"), help: "Pre-generated instance folders instead of generators.")
    var instancesDir: String?
    @Option(help: "Independent repetitions of every item (ids __r1..rK when K > 1).")
    var repeats: Int?
    @Option(help: "Items run at the same time (default: the number of cores).")
    var jobs: Int?
    @Option(help: "Extra attempts for items that ended evaluation_invalid or were refused for a transient reason (default 0).")
    var retries: Int?
    @Option(help: "Default sandbox mode: none, seccomp, task or strict (default task).")
    var sandbox: SandboxMode?
    @Option(help: "Default per-run timeout in seconds.")
    var timeout: Double?
    @Option(name: .customLong("pass-env"), help: "Pass this host variable to the --agent-cmd agent (repeatable).")
    var passEnv: [String] = []
    @Option(name: .customLong("output-dir"), help: "The batch directory (default results/batch).")
    var outputDir: String?
    @Option(name: .customLong("resume"), help: "Continue the batch in DIR: re-run only items without a valid result.")
    var resumeDir: String?
    @Flag(help: "With --resume: continue even though the configuration or plan changed (recorded in batch.json).")
    var force = false
    @Flag(name: .customLong("allow-degraded"), help: "Run with a weaker, labelled sandbox instead of refusing.")
    var allowDegraded = false
    @Flag(name: .customLong("include-abandoned"), help: "Also run abandoned tasks.")
    var includeAbandoned = false
    @Option(name: .customLong("scorer-python"), help: "Python that runs tasks' custom_scorer.py (default python3 on PATH).")
    var scorerPython: String?
    @Option(name: .customLong("scorer-timeout"), help: "Seconds one custom scorer call may take (default 300).")
    var scorerTimeout: Double?
    @Option(name: .customLong("scorer-memory-mb"), help: "Memory of the custom scorer bridge, in MiB (default 4096).")
    var scorerMemoryMB: Int?
    @Flag(name: .customLong("fail-on-error"), help: "Exit 1 when any item failed or could not be evaluated.")
    var failOnError = false
    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false
    @Option(help: "Where items run: local (this machine, --jobs at a time) or slurm (job arrays; see discussion).")
    var executor: ExecutorKind = .local
    @Option(name: .customLong("slurm-partition"), help: "Slurm partition (default: the cluster's default).")
    var slurmPartition: String?
    @Option(name: .customLong("slurm-time"), help: "Time limit per array task in Slurm syntax, e.g. 30 or 1:30:00 (default: the longest agent timeout + scorer timeout + 2 min).")
    var slurmTime: String?
    @Option(name: .customLong("slurm-mem"), help: "Memory per array task in Slurm syntax, e.g. 8G (default: the partition's).")
    var slurmMem: String?
    @Option(name: .customLong("slurm-cpus"), help: "CPUs per array task (default 1).")
    var slurmCpus: Int = 1
    @Option(name: .customLong("slurm-max-parallel"), help: "Array tasks running at once (sbatch --array=0-N%P).")
    var slurmMaxParallel: Int?
    @Option(name: .customLong("slurm-extra"), help: "Extra sbatch arguments, e.g. '--account=abc --qos=normal'.")
    var slurmExtra: String?

    enum ExecutorKind: String, ExpressibleByArgument, CaseIterable { case local, slurm }

    func validate() throws {
        if [agentsFile != nil, agentCmd != nil, builtIn.agent != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --agents FILE, --agent-cmd 'COMMAND' and --agent NAME")
        }
        let slurmFlags = slurmPartition != nil || slurmTime != nil || slurmMem != nil || slurmCpus != 1 || slurmMaxParallel != nil || slurmExtra != nil
        if slurmFlags && executor != .slurm { throw ValidationError("--slurm-* options need --executor slurm") }
        if slurmCpus < 1 { throw ValidationError("--slurm-cpus must be at least 1, got \(slurmCpus)") }
        if let p = slurmMaxParallel, p < 1 { throw ValidationError("--slurm-max-parallel must be at least 1, got \(p)") }
    }

    /// The executor the flags ask for.
    func batchExecutor() throws -> BatchExecutor {
        guard executor == .slurm else { return .local }
        var o = SlurmOptions()
        o.partition = slurmPartition
        o.time = slurmTime
        o.memory = slurmMem
        o.cpus = slurmCpus
        o.maxParallel = slurmMaxParallel
        o.extra = try slurmExtra.map(SlurmOptions.splitArguments) ?? []
        return .slurm(o)
    }

    /// The flags given, as batch-file keys.
    func overrides() -> [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        func set(_ k: String, _ v: JSONValue?) { if let v { o[k] = v } }
        set("agents_file", agentsFile.map { .string($0) })
        set("agent_cmd", agentCmd.map { .string($0) })
        set("agent", builtIn.agent.map { .string($0) })
        set("prices", builtIn.prices.map { .string($0) })
        set("agent_name", agentName.map { .string($0) })
        set("tasks_dir", tasksDir.map { .string($0) })
        set("tasks", tasks.map { .string($0) })
        set("prompt_levels", promptLevels.map { .string($0) })
        set("instances_per_task", instancesPerTask.map { .number(Double($0)) })
        set("seed", seed.map { .number(Double($0)) })
        set("instances_dir", instancesDir.map { .string($0) })
        set("repeats", repeats.map { .number(Double($0)) })
        set("jobs", jobs.map { .number(Double($0)) })
        set("retries", retries.map { .number(Double($0)) })
        set("sandbox", sandbox.map { .string($0.rawValue) })
        set("timeout", timeout.map { .number($0) })
        if !passEnv.isEmpty { o["pass_env"] = .array(passEnv.map { .string($0) }) }
        set("output_dir", outputDir.map { .string($0) })
        if allowDegraded { o["allow_degraded"] = true }
        if includeAbandoned { o["include_abandoned"] = true }
        set("scorer_python", scorerPython.map { .string($0) })
        set("scorer_timeout", scorerTimeout.map { .number($0) })
        set("scorer_memory_mb", scorerMemoryMB.map { .number(Double($0)) })
        return o
    }

    func run() async throws {
        if force && resumeDir == nil { throw BenchError(.badInput, "--force only applies with --resume DIR") }
        var flags = overrides()
        if let text = builtIn.agentConfig { flags["agent_config"] = try BuiltInAgentOptions.loadConfig(text) }
        var config: BatchConfiguration
        let directory: String
        if let dir = resumeDir {
            directory = dir
            flags["output_dir"] = nil
            let selection = Set(flags.keys).subtracting(["jobs", "retries"])
            if configFile == nil && selection.isEmpty {
                config = try BatchRunner.storedConfiguration(batchDirectory: URL(fileURLWithPath: dir))
            } else {
                config = try BatchConfigParser.parse(file: configFile.map { URL(fileURLWithPath: $0) }, overrides: flags).config
            }
            if let j = flags["jobs"]?.intValue { config.jobs = j }
            if let r = flags["retries"]?.intValue { config.retries = r }
        } else {
            let parsed = try BatchConfigParser.parse(file: configFile.map { URL(fileURLWithPath: $0) }, overrides: flags)
            config = parsed.config
            directory = parsed.outputDirectory
        }
        config.commandLine = CommandLine.arguments
        let runner = try BatchRunner(config: config, directory: URL(fileURLWithPath: directory), resume: resumeDir != nil, force: force,
                                     executor: try batchExecutor())
        let renderer = BatchProgressRenderer(quiet: quiet)
        let summary = try await SignalCancellation.run {
            try await runner.run { event in renderer.render(event) }
        }
        renderer.finish()
        let p = summary.progress
        let means = summary.finalMeans.map { "\($0.agent) \($0.mean.map { String(format: "%.2f", $0) } ?? "-")" }.joined(separator: ", ")
        print("\(p.done)/\(p.total) item(s) done (\(p.doneHere) this run): \(p.failed) agent failed, \(p.invalid) invalid; mean score (task-balanced): \(means)")
        print("results: \(PathDisplay.relative(summary.directory))")
        if !summary.interrupted.isEmpty {
            Console.error("\(summary.interrupted.count) item(s) were cancelled outside the batch and have no result; run them with: ai4sci-bench batch-run --resume \(PathDisplay.relative(summary.directory))")
            throw CLIExit(code: 1)
        }
        if failOnError && (p.failed > 0 || p.invalid > 0) { throw CLIExit(code: 1) }
    }
}

/// Batch progress on stderr: a live line on a TTY, else one plain line per finished item.
final class BatchProgressRenderer: @unchecked Sendable {
    let quiet: Bool
    let live = isatty(2) == 1
    private let lock = NSLock()
    private var lastDraw = 0.0

    init(quiet: Bool) { self.quiet = quiet }

    func render(_ event: BatchEvent) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .planned(let items, let toRun, let agents, let tasks):
            line("planned \(items) item(s) over \(agents) agent(s) and \(tasks) task(s); \(toRun) to run")
        case .generating(let taskID, let variant):
            if !live { line("generating \(taskID)__\(variant)…") }
        case .retrying(let item, let attempt, let reason):
            line("retrying \(item) (attempt \(attempt): \(reason))")
        case .warning(let text):
            line("warning: \(text)")
        case .finished(let r):
            let p = r.progress
            if live {
                if p.elapsedSeconds - lastDraw < 0.2 && p.done < p.total { return }
                lastDraw = p.elapsedSeconds
                let rate = p.doneHere > 0 ? p.elapsedSeconds / Double(p.doneHere) : 0
                let eta = rate * Double(max(0, p.total - p.done))
                let means = p.meanByAgent.map { "\($0.agent) \($0.mean.map { String(format: "%.2f", $0) } ?? "-")" }.joined(separator: " ")
                let text = String(format: "\r\u{1B}[K%d/%d done · %d running · %d failed · %d invalid · %.0f s · ETA %.0f s · %@",
                                  p.done, p.total, p.running, p.failed, p.invalid, p.elapsedSeconds, eta, means)
                FileHandle.standardError.write(Data(text.utf8))
            } else {
                let score = r.finalScore.map { String(format: "%.2f", $0) } ?? "-"
                let wall = r.wallSeconds.map { String(format: "%.1f s", $0) } ?? "-"
                line("[\(p.done)/\(p.total)] \(r.item)  \(score)  \(r.outcome.rawValue)  \(wall)" + (r.attempt > 1 ? "  attempt \(r.attempt)" : "")
                     + (r.message.map { "  (\($0))" } ?? ""))
            }
        }
    }

    func line(_ s: String) {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        Console.info(s)
    }

    func finish() { if live && !quiet { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// `ai4sci-bench run-item DIR --submission K --index I`: what each Slurm array task runs (internal).
struct RunItemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-item",
        abstract: "Run one planned item of a Slurm batch (started by batch-run --executor slurm; not for direct use).",
        shouldDisplay: false)

    @Argument(help: "The batch directory.")
    var directory: String
    @Option(help: "The submission number (DIR/.slurm/submission-K.json).")
    var submission: Int
    @Option(help: "The entry of the submission: the array task index.")
    var index: Int

    func run() async throws {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL
        let result = try await SignalCancellation.run {
            try await SlurmWorker.runItem(batchDirectory: dir, submission: submission, index: index)
        }
        print("\(result.instanceID): \(result.outcome.rawValue) \(result.finalScore.map { String(format: "%.2f", $0) } ?? "-")")
    }
}
