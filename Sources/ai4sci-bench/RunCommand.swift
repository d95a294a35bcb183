import AI4SciBench
import ArgumentParser
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension SandboxMode: ExpressibleByArgument {}
extension NetworkMode: ExpressibleByArgument {}

/// `ai4sci-bench run`: tasks × instances × levels with one agent, scored into per-instance results.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an agent on tasks and score every instance.",
        discussion: """
            Each instance × level gets a fresh workspace (prompt.md, data/, task_info.json); the agent runs \
            there under the sandbox, its stdout (JSONL) and stderr are captured, and the outputs are scored. \
            Results go to <output-dir>/<task_id>/<instance_id>.json.

            The agent command is a shell template; placeholders are substituted shell-quoted:
              {workspace} {prompt_file} {prompt_level} {task_id} {instance_id}

            Example:
              ai4sci-bench run --tasks physics.sod_shock_tube --prompt-levels b1,b3 \\
                --agent-cmd 'python3 Agents/oracle.py --task-id {task_id}' --output-dir results/demo
            """
    )

    @Option(name: .customLong("tasks-dir"), help: "Folder holding <domain>/<name>/ task directories.")
    var tasksDir: String = "Tasks"
    @Option(name: .customLong("tasks"), help: "Comma-separated task ids (default: all non-abandoned tasks).")
    var tasks: String?
    @Option(name: .customLong("prompt-levels"), help: "Comma-separated prompt levels from b1 (full method) to b4 (goal only).")
    var promptLevels: String = "b1,b2,b3,b4"
    @Option(name: .customLong("instances-per-task"), help: "Instances per task (seeds seed … seed+N-1).")
    var instancesPerTask: Int = 1
    @Option(help: "Base seed: the same seed gives the same parameters and instance ids.")
    var seed: Int = 42
    @Option(name: .customLong("instances-dir"), help: "Use pre-generated instance folders (<task_id>__<suffix>/) instead of running generators.")
    var instancesDir: String?
    @Option(name: .customLong("agent-cmd"), help: "The agent's shell command template (see discussion).")
    var agentCmd: String?
    @OptionGroup var builtIn: BuiltInAgentOptions
    @Option(name: .customLong("agent-name"), help: "Label for the agent in results (default: the command's program name).")
    var agentName: String?
    @Option(help: "Sandbox mode: none, seccomp, task (namespaces, read-only system, Landlock, limits) or strict (task + syscall allow-list).")
    var sandbox: SandboxMode = .task
    @Flag(name: .customLong("allow-degraded"), help: "When the requested sandbox cannot be fully set up, run with the strongest mode that works (labelled degraded, reasons listed) instead of refusing.")
    var allowDegraded = false
    @Option(name: .customLong("bind-ro"), help: "Make a host path readable inside the task/strict sandbox at the same path, e.g. the agent's own code (repeatable). Everything else of the host stays invisible.")
    var bindRO: [String] = []
    @Option(help: "The agent's network: none (only loopback, the default) or proxy (outbound only through the runner's HTTP CONNECT proxy to --allow-host hosts; needs --sandbox task or strict).")
    var network: NetworkMode = .none
    @Option(name: .customLong("allow-host"), help: "With --network proxy: a host the agent may reach, HOST[:PORT] (port 443 when omitted; exact match; repeatable). Every attempt is logged in the result.")
    var allowHost: [String] = []
    @Option(help: "Per-run timeout in seconds (default: the task's runtime.timeout_seconds, else 600).")
    var timeout: Double?
    @Option(name: .customLong("output-dir"), help: "Where results are written.")
    var outputDir: String = "results"
    @Option(name: .customLong("pass-env"), help: "Pass this host environment variable to the agent (repeatable).")
    var passEnv: [String] = []
    @Option(name: .customLong("output-cap-mb"), help: "Cap on each captured agent stream, in MiB (the cut is marked).")
    var outputCapMB: Int = 64
    @Flag(name: .customLong("keep-workspaces"), help: "Keep workspaces and generated instances after scoring (paths are printed).")
    var keepWorkspaces = false
    @Flag(name: .customLong("include-abandoned"), help: "Also run tasks whose status is abandoned.")
    var includeAbandoned = false
    @Option(name: .customLong("scorer-python"), help: "Python that runs tasks' custom_scorer.py, in the scorer sandbox (no network, read-only but a scratch folder).")
    var scorerPython: String = "python3"
    @Option(name: .customLong("scorer-timeout"), help: "Seconds one custom scorer call may take; then the bridge is killed and the item is evaluation_invalid.")
    var scorerTimeout: Double = 300
    @Option(name: .customLong("scorer-memory-mb"), help: "Memory of the custom scorer bridge, in MiB.")
    var scorerMemoryMB: Int = 4096
    @Flag(name: .customLong("fail-on-error"), help: "Exit 1 when any item failed or could not be evaluated.")
    var failOnError = false
    @Flag(name: .shortAndLong, help: "Print less progress.")
    var quiet = false

    func validate() throws {
        if let t = timeout, !(t > 0) || !t.isFinite {
            throw ValidationError("--timeout must be a number of seconds greater than 0, got \(t)")
        }
        if instancesPerTask < 1 { throw ValidationError("--instances-per-task must be at least 1, got \(instancesPerTask)") }
        if outputCapMB < 1 { throw ValidationError("--output-cap-mb must be at least 1, got \(outputCapMB)") }
        if (agentCmd == nil) == (builtIn.agent == nil) { throw ValidationError("give exactly one of --agent-cmd 'COMMAND' and --agent NAME") }
        if builtIn.prices != nil && builtIn.agent == nil {
            throw ValidationError("--prices needs --agent: a built-in agent names the model to price (an --agent-cmd agent reports cost_usd itself)")
        }
        if !(scorerTimeout > 0) || !scorerTimeout.isFinite { throw ValidationError("--scorer-timeout must be seconds greater than 0, got \(scorerTimeout)") }
        if scorerMemoryMB < 64 { throw ValidationError("--scorer-memory-mb must be at least 64, got \(scorerMemoryMB)") }
    }

    /// An absolute URL for a `--bind-ro` path that must exist.
    static func existingPath(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw BenchError(.badInput, "--bind-ro \(path) does not exist", hint: "give an existing file or directory")
        }
        return url
    }

    func run() async throws {
        let levels = try PromptLevel.parseList(promptLevels)
        var adapter: AgentAdapter?
        if let agent = builtIn.agent {
            adapter = try AgentAdapter.make(name: agent, config: try builtIn.agentConfig.map(BuiltInAgentOptions.loadConfig))
            if sandbox == .seccomp, adapter?.llm == nil {
                throw BenchError(.badInput, "--agent \(agent) needs the network to its API: --sandbox seccomp blocks it",
                                 hint: "use --sandbox task (the API hosts only, through the runner's proxy) or --sandbox none")
            }
        }
        let command = try adapter.map { AgentCommand(describing: $0.commandDescription) } ?? AgentCommand(template: agentCmd ?? "")
        let ids = tasks.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        if let dir = instancesDir {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw BenchError(.badInput, "--instances-dir \(dir) does not exist or is not a directory")
            }
        }
        let networkPolicy = NetworkPolicy(mode: network, allowedHosts: try allowHost.map(AllowedHost.parse))
        try networkPolicy.validate(sandbox: sandbox)
        var config = RunConfiguration(
            tasksDirectory: URL(fileURLWithPath: tasksDir), taskIDs: ids, levels: levels, instancesPerTask: instancesPerTask,
            seed: seed, instancesDirectory: instancesDir.map { URL(fileURLWithPath: $0) }, agentCommand: command,
            agentName: agentName ?? adapter?.kind.rawValue, sandbox: sandbox, timeoutSeconds: timeout, outputDirectory: URL(fileURLWithPath: outputDir),
            passEnv: passEnv, keepWorkspaces: keepWorkspaces, outputCapBytes: outputCapMB << 20,
            includeAbandoned: includeAbandoned, commandLine: CommandLine.arguments,
            readOnlyBinds: try bindRO.map(Self.existingPath), allowDegraded: allowDegraded)
        config.network = networkPolicy
        config.agentAdapter = adapter
        config.prices = try builtIn.prices.map { try PriceTable.load(URL(fileURLWithPath: $0)) }
        config.scorerPython = scorerPython
        config.scorerTimeoutSeconds = scorerTimeout
        config.scorerMemoryBytes = UInt64(scorerMemoryMB) << 20
        let runner = try BenchmarkRunner(config: config)
        let quiet = self.quiet
        let summary = try await SignalCancellation.run {
            try await runner.run { event in ProgressRenderer.render(event, quiet: quiet) }
        }
        ProgressRenderer.printSummary(summary)
        if summary.refusedCount > 0 {
            Console.error("\(summary.refusedCount) item(s) were refused by the sandbox; see the results' sandbox fields")
            throw CLIExit(code: 3)
        }
        if failOnError, summary.results.contains(where: { $0.outcome != .scored }) { throw CLIExit(code: 1) }
    }
}

/// Turns SIGINT/SIGTERM into task cancellation (which tears the agents down); a second SIGINT exits at once.
enum SignalCancellation {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        // Handlers go in before any work starts, so a signal can never reach the default action mid-run.
        let task = TaskBox<T>()
        var sources: [any DispatchSourceSignal] = []
        let count = Counter()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if count.increment() > 1, sig == SIGINT { Glibc._exit(130) }
                Console.warn("interrupted: stopping agents…")
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        do {
            return try await task.start(body).value
        } catch {
            // Once interrupted, whatever error the teardown surfaced (cancellation, a launcher or I/O error)
            // ends the command as interrupted: the state on disk is consistent and resumable.
            if count.value > 0 || error is CancellationError || (error as? BenchError)?.code == .cancelled {
                throw CLIExit(code: 130)
            }
            throw error
        }
    }

    /// Holds the running task so a signal that arrives before it starts still cancels it.
    final class TaskBox<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var task: Task<T, any Error>?
        private var cancelled = false

        func start(_ body: @escaping @Sendable () async throws -> T) -> Task<T, any Error> {
            lock.lock(); defer { lock.unlock() }
            let t = Task { try await body() }
            task = t
            if cancelled { t.cancel() }
            return t
        }

        func cancel() {
            lock.lock(); defer { lock.unlock() }
            cancelled = true
            task?.cancel()
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
        var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    }
}

/// Progress lines on stderr and the final table on stdout.
enum ProgressRenderer {
    static func render(_ event: RunEvent, quiet: Bool) {
        switch event {
        case .planned(let tasks, let items):
            if !quiet { Console.info("planned \(items) run(s) over \(tasks) task(s)") }
        case .generating(let taskID, let variant):
            if !quiet { Console.info("generating \(taskID)__\(variant)…") }
        case .started:
            break
        case .finished(let index, let total, let r):
            guard !quiet else { return }
            let score = r.finalScore.map { String(format: "%6.2f", $0) } ?? "     -"
            let wall = r.resources.map { String(format: "%.1f s", $0.wallSeconds) } ?? "-"
            Console.info("[\(index)/\(total)] \(r.instanceID)  \(score)  \(r.outcome.rawValue)  \(wall)\(r.message.map { "  (\($0))" } ?? "")")
        case .warning(let text):
            Console.warn("warning: \(text)")
        }
    }

    static func printSummary(_ summary: RunSummary) {
        var rows = [["INSTANCE", "SCORE", "OUTCOME", "AGENT", "SANDBOX", "VERIFIED"]]
        for r in summary.results {
            rows.append([r.instanceID, r.finalScore.map { String(format: "%.2f", $0) } ?? "-", r.outcome.rawValue,
                         r.agentStatus.rawValue, "\(r.effectiveMode.rawValue) (\(r.enforcementStatus.rawValue))", r.verificationStatus.rawValue])
        }
        print(TextTable.render(rows))
        let mean = summary.meanScore.map { String(format: "%.2f", $0) } ?? "-"
        let counts = RunOutcome.allCases.map { "\($0.rawValue) \(summary.outcomes[$0] ?? 0)" }.joined(separator: ", ")
        print("mean score \(mean) over \(summary.results.count) item(s): \(counts)")
        print("results: \(PathDisplay.relative(summary.outputDirectory))")
    }
}
