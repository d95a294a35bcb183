import AI4SciBench
import ArgumentParser
import Foundation

/// `ai4sci-bench tasks list|validate`.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List and validate task directories.",
        subcommands: [List.self, Validate.self, Generate.self, Check.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tasks under a tasks directory with their status.",
            discussion: "Example: ai4sci-bench tasks list --tasks-dir Tasks --format json"
        )
        @Option(name: .customLong("tasks-dir"), help: "Folder holding <domain>/<name>/ task directories.")
        var tasksDir: String = "Tasks"
        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() async throws {
            let catalog = try TaskCatalog.load(root: URL(fileURLWithPath: tasksDir), registry: ScorerRegistry())
            if format == .json {
                let rows: [JSONValue] = catalog.outcomes.map { o in
                    var row: [String: JSONValue] = ["directory": .string(PathDisplay.relative(o.directory)),
                                                    "valid": .bool(o.task != nil),
                                                    "errors": .number(Double(o.issues.filter { $0.severity == .error }.count))]
                    if let t = o.task {
                        row["id"] = .string(t.id); row["name"] = .string(t.name); row["version"] = .string(t.version)
                        row["status"] = .string(t.status.rawValue); row["domain"] = .string(t.domain)
                        row["levels"] = .array(t.prompts.keys.sorted().map { .string($0.rawValue) })
                    }
                    return .object(row)
                }
                print(try JSONValue.encodeString(JSONValue.array(rows)))
                return
            }
            var table = [["ID", "STATUS", "VERSION", "LEVELS", "NAME"]]
            for o in catalog.outcomes {
                if let t = o.task {
                    table.append([t.id, t.status.rawValue, t.version, t.prompts.keys.sorted().map(\.rawValue).joined(separator: ","), t.name])
                } else {
                    table.append([PathDisplay.relative(o.directory), "INVALID", "-", "-", "run `ai4sci-bench tasks validate` for details"])
                }
            }
            print(TextTable.render(table))
            Console.info("\(catalog.tasks.count) task(s) valid, \(catalog.outcomes.count - catalog.tasks.count) invalid in \(tasksDir)")
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate task files; report every problem with file, key path and a hint.",
            discussion: """
            Also loads each task's custom_scorer.py in the scorer bridge (sandboxed Python) to list the scorer names it
            registers and report names the task uses but it does not register, and checks runtime.packages against
            that Python (warnings). Exits 2 when any task has an error.
            Example: ai4sci-bench tasks validate Tasks/physics/sod_shock_tube
            """
        )
        @Argument(help: "A task directory or a folder of them.")
        var directory: String = "Tasks"
        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text
        @Option(name: .customLong("scorer-python"), help: "Python that runs custom_scorer.py and whose packages are checked.")
        var scorerPython: String = "python3"
        @Option(help: "Sandbox of the Python checks: none, seccomp, task or strict.")
        var sandbox: SandboxMode = .seccomp
        @Flag(name: .customLong("no-python"), help: "Do not start Python: custom scorer names and runtime.packages stay unchecked.")
        var noPython = false

        func run() async throws {
            let catalog = try TaskCatalog.load(root: URL(fileURLWithPath: directory), registry: ScorerRegistry())
            var issues = catalog.issues
            var registered: [String: BridgeHello] = [:]
            if !noPython {
                let bridge = ScorerBridge(launcher: try AgentLauncher(),
                                          options: ScorerBridgeOptions(python: scorerPython, sandbox: sandbox, callTimeoutSeconds: 120))
                for report in await CustomScorerCheck.check(catalog.tasks, bridge: bridge, packages: true) {
                    issues += report.issues
                    if let h = report.hello, h.hasCustomScorer { registered[report.taskID] = h }
                }
            }
            let failing = Set(issues.filter { $0.severity == .error }.map(\.file))
            if format == .json {
                print(try JSONValue.encodeString(issues))
            } else {
                Console.printIssues(issues)
                if catalog.outcomes.isEmpty { Console.warn("no task directory found under \(directory)") }
                for o in catalog.outcomes {
                    guard let task = o.task else { continue }
                    let own = issues.filter { $0.file.hasPrefix(PathDisplay.relative(task.directory) + "/") }
                    let warnings = own.filter { $0.severity == .warning }.count
                    var line = "\(own.contains { $0.severity == .error } ? "ERR" : "ok ") \(task.id)"
                    if warnings > 0 { line += "  (\(warnings) warning\(warnings == 1 ? "" : "s"))" }
                    if let h = registered[task.id] {
                        line += "  custom_scorer.py registers: \(h.scorers.isEmpty ? "nothing" : h.scorers.joined(separator: ", "))"
                    }
                    print(line)
                }
            }
            if !failing.isEmpty || catalog.outcomes.isEmpty { throw CLIExit(code: 2) }
        }
    }
}

extension TasksCommand {
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate instances of a task into a folder, for later runs with --instances-dir.",
            discussion: "Example: ai4sci-bench tasks generate physics.sod_shock_tube --count 3 --seed 42 --output-dir instances"
        )
        @Argument(help: "The task id.")
        var taskID: String
        @Option(name: .customLong("tasks-dir"), help: "Folder holding <domain>/<name>/ task directories.")
        var tasksDir: String = "Tasks"
        @Option(help: "How many instances (seeds seed … seed+count-1).")
        var count: Int = 1
        @Option(help: "Base seed.")
        var seed: Int = 42
        @Option(name: .customLong("output-dir"), help: "Where the instance folders <task_id>__seed<N>/ are written.")
        var outputDir: String
        @Option(help: "Sandbox for the generator: none or seccomp.")
        var sandbox: SandboxMode = .seccomp

        func validate() throws {
            if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        }

        func run() async throws {
            let catalog = try TaskCatalog.load(root: URL(fileURLWithPath: tasksDir), registry: ScorerRegistry())
            guard let task = try catalog.select(ids: [taskID], includeAbandoned: true).first else { return }
            let out = URL(fileURLWithPath: outputDir)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let planner = InstancePlanner(storeDirectory: out, launcher: try AgentLauncher(), sandbox: sandbox)
            for seed in InstancePlanner.seeds(base: seed, count: count) {
                let instance = try await planner.generate(task: task, seed: seed)
                print(PathDisplay.relative(instance.directory))
            }
        }
    }
}

extension TasksCommand {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Self-check tasks through the real pipeline: reference 100, degraded strictly between, empty 0.",
            discussion: """
                For each task and seed the instance is generated once; at every prompt level the task's \
                solution/solve.py must score 100, `solve.py --degrade` strictly between 0 and 100, and an agent that \
                writes nothing 0 by a failed hard gate. Validation warnings count as failures too.
                Exit codes: 0 every expectation holds · 1 some did not · 2 bad input.
                Example: ai4sci-bench tasks check physics.sod_shock_tube --seeds 2
                """
        )
        @Argument(help: ArgumentHelp("Task ids (default: every task that is not abandoned).", valueName: "task-id"))
        var taskIDs: [String] = []
        @Option(name: .customLong("tasks-dir"), help: "Folder holding <domain>/<name>/ task directories.")
        var tasksDir: String = "Tasks"
        @Option(help: "Seeds per task (seeds seed … seed+N-1).")
        var seeds: Int = 5
        @Option(help: "Base seed.")
        var seed: Int = 1
        @Option(name: .customLong("prompt-levels"), help: "Comma-separated levels.")
        var promptLevels: String = "b1,b2,b3,b4"
        @Option(help: "Sandbox of the stand-in agents: none, seccomp, task or strict.")
        var sandbox: SandboxMode = .task
        @Flag(name: .shortAndLong, help: "Print nothing but failures and the summary.")
        var quiet = false

        func validate() throws {
            if seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        }

        func run() async throws {
            let levels = try PromptLevel.parseList(promptLevels)
            let catalog = try TaskCatalog.load(root: URL(fileURLWithPath: tasksDir), registry: ScorerRegistry())
            let tasks = try catalog.select(ids: taskIDs, includeAbandoned: !taskIDs.isEmpty)
            var failures = 0
            for o in catalog.outcomes where o.task.map({ t in tasks.contains { $0.id == t.id } }) ?? false {
                for issue in o.issues {
                    Console.error("\(issue.severity == .error ? "error" : "warning"): \(issue)")
                    failures += 1
                }
            }
            var options = TaskSelfCheck.Options()
            options.seeds = seeds
            options.baseSeed = seed
            options.levels = levels
            options.sandbox = sandbox
            let quiet = self.quiet
            let checkOptions = options
            let rows = try await SignalCancellation.run {
                try await TaskSelfCheck.run(tasks: tasks, tasksDirectory: URL(fileURLWithPath: tasksDir), options: checkOptions) { task, role, done, total in
                    if !quiet, done == total { Console.info("\(task): \(role.rawValue) \(done)/\(total) run") }
                }
            }
            var table = [["TASK", "ROLE", "EXPECTED", "RUNS", "PASSED", "SCORES"]]
            for task in tasks {
                for role in TaskSelfCheck.Role.allCases {
                    let r = rows.filter { $0.taskID == task.id && $0.role == role }
                    let scores = r.compactMap(\.score)
                    let range = scores.isEmpty ? "–" : String(format: "%.2f – %.2f", scores.min()!, scores.max()!)
                    table.append([task.id, role.rawValue, role.expectation, "\(r.count)", "\(r.filter(\.passed).count)", range])
                }
            }
            for r in rows where !r.passed {
                Console.error("FAIL \(r.taskID) \(r.instanceID.isEmpty ? "" : r.instanceID + " ")[\(r.role.rawValue)]: \(r.problem)")
            }
            print(TextTable.render(table))
            failures += rows.filter { !$0.passed }.count
            print("\(tasks.count) task(s), \(seeds) seed(s), levels \(levels.map(\.rawValue).joined(separator: ",")), sandbox \(sandbox.rawValue): "
                + (failures == 0 ? "every expectation holds" : "\(failures) failure(s)"))
            if failures > 0 { throw CLIExit(code: 1) }
        }
    }
}

/// Output formats of listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Plain aligned text tables.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: width)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
