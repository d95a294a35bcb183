import Foundation

/// Produces the instances of a task: by running its `generate_gt.py`, or from a pre-generated folder.
public struct InstancePlanner: Sendable {
    /// Where generated instances go (runner-private; never inside a workspace).
    public var storeDirectory: URL
    /// The launcher used to run generators under a timeout with the whole process tree killed on expiry.
    public var launcher: AgentLauncher
    /// Sandbox for generators: the run's mode (network none; read-only but for the instance directory).
    public var sandbox: SandboxMode
    /// Run generators under a weaker sandbox instead of refusing when a requirement is unmet.
    public var allowDegraded: Bool

    /// Creates a planner.
    public init(storeDirectory: URL, launcher: AgentLauncher, sandbox: SandboxMode, allowDegraded: Bool = false) {
        self.storeDirectory = storeDirectory
        self.launcher = launcher
        self.sandbox = sandbox
        self.allowDegraded = allowDegraded
    }

    /// Seeds of the instances of one task: `seed, seed+1, … seed+count-1`.
    public static func seeds(base: Int, count: Int) -> [Int] { (0..<count).map { base + $0 } }

    /// Generates the instance with `seed` by running the task's generator.
    public func generate(task: TaskDefinition, seed: Int) async throws -> TaskInstance {
        let params = ParameterSampler.parameters(for: task, seed: seed)
        return try await generate(task: task, parameters: params, variant: "seed\(seed)")
    }

    /// Generates an instance with explicit parameters (named `p<hash>`).
    public func generate(task: TaskDefinition, parameters: [String: JSONValue], variant: String? = nil) async throws -> TaskInstance {
        let fm = FileManager.default
        let variant = variant ?? "p\(ParameterSampler.parameterHash(parameters))"
        let dir = storeDirectory.appendingPathComponent("\(task.id)__\(variant)")
        try? fm.removeItem(at: dir)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        guard let python = ExecutableLookup.find("python3") else {
            throw BenchError(.badInput, "python3 is not on PATH; it runs the task generators", hint: "install it, e.g. apt-get install -y python3 python3-numpy")
        }
        let script = task.directory.appendingPathComponent(task.generation.script)
        let logs = storeDirectory.appendingPathComponent("\(task.id)__\(variant).generator")
        let env = AgentEnvironment.minimal(home: dir.path, tmp: sandbox == .task || sandbox == .strict ? "/tmp" : dir.path)
        // The generator sees the tasks folder (its own files and shared helpers) read-only and writes only the instance.
        let tasksRoot = task.directory.deletingLastPathComponent().deletingLastPathComponent()
        let request = LaunchRequest(
            arguments: [python, script.path, "--output-dir", dir.path, "--params", ParameterSampler.canonicalJSON(parameters)],
            workingDirectory: task.directory,
            environment: env,
            stdoutFile: URL(fileURLWithPath: logs.path + ".stdout.log"),
            stderrFile: URL(fileURLWithPath: logs.path + ".stderr.log"),
            outputCapBytes: 4 << 20,
            timeoutSeconds: task.generation.timeoutSeconds,
            graceSeconds: 2,
            mode: sandbox == .strict ? .task : sandbox,
            seccompProfile: nil,
            limits: ResourceLimits(),
            readOnlyPaths: SandboxResources.runtimeReadOnlyPaths(forPATH: env["PATH"] ?? AgentEnvironment.defaultPath) + [tasksRoot],
            writablePaths: [dir],
            allowDegraded: allowDegraded)
        let result = try await launcher.launch(request)
        let where_ = "\(PathDisplay.relative(script)) (task \(task.id), \(variant))"
        switch result.status {
        case .completed:
            break
        case .timeout:
            throw BenchError(.generationFailed, "\(where_) timed out after \(Int(task.generation.timeoutSeconds)) s", hint: "raise generation.timeout_seconds or speed up the generator")
        case .cancelled:
            throw BenchError(.cancelled, "\(where_) was cancelled")
        case .refused:
            let step = result.refusal?.step ?? "?"
            if step == "exec" || step == "chdir" {
                throw BenchError(.generationFailed, "\(where_) could not be started: \(result.refusal?.message ?? "refused")")
            }
            throw BenchError(.sandboxRefused, "the \(sandbox.rawValue) sandbox could not be set up for \(where_) (step \(step)): \(result.refusal?.message ?? "refused")",
                             hint: "`ai4sci-bench sandbox check` shows what this host supports; --allow-degraded runs with a weaker, labelled sandbox")
        case .failed:
            let tail = Self.tail(of: request.stderrFile)
            let how = result.exitCode.map { "exited \($0)" } ?? result.signal.map { "was killed by signal \($0)" } ?? "failed"
            throw BenchError(.generationFailed, "\(where_) \(how)\(tail.isEmpty ? "" : ": \(tail)")", hint: "its full stderr is in \(PathDisplay.relative(request.stderrFile))")
        }
        return try InstanceReader.read(directory: dir, task: task, variant: variant)
    }

    /// Reads pre-generated instances of `task` from `directory` (subfolders named `<task_id>__<suffix>`).
    public static func pregenerated(task: TaskDefinition, directory: URL, limit: Int?) throws -> [TaskInstance] {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: directory.path) else {
            throw BenchError(.badInput, "--instances-dir \(PathDisplay.relative(directory)) cannot be read", hint: "pass a folder holding <task_id>__<suffix>/ instance directories")
        }
        let prefix = "\(task.id)__"
        // Instance folders only: the generator's logs (`<name>.generator.stderr.log`) sit beside them.
        var names = entries.filter { name in
            var isDir: ObjCBool = false
            return name.hasPrefix(prefix) && fm.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
        if let limit { names = Array(names.prefix(limit)) }
        guard !names.isEmpty else {
            throw BenchError(.badInput, "--instances-dir \(PathDisplay.relative(directory)) holds no instance of \(task.id)", hint: "expected folders named \(prefix)<suffix>")
        }
        return try names.map {
            try InstanceReader.read(directory: directory.appendingPathComponent($0), task: task, variant: String($0.dropFirst(prefix.count)))
        }
    }

    /// The last few lines of a log file, joined, for error messages.
    static func tail(of url: URL, lines: Int = 3) -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}
