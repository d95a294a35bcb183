import Foundation
import Synchronization

/// How custom scorers run: the interpreter, the sandbox and the limits of the bridge process.
public struct ScorerBridgeOptions: Sendable, Equatable {
    /// The Python interpreter (a name on PATH or a path); `python3` by default.
    public var python: String
    /// The bridge's sandbox: the run's mode (`strict` runs the bridge in `task` mode: numpy needs more
    /// system calls than the strict allow-list has). Network is always none.
    public var sandbox: SandboxMode
    /// Fall back to a weaker sandbox instead of refusing (recorded in the result's `scorer_bridge`).
    public var allowDegraded: Bool
    /// Seconds one scorer call may take; past it the bridge's whole process tree is killed.
    public var callTimeoutSeconds: Double
    /// Memory of the bridge: the cgroup limit in task mode, the address-space limit otherwise.
    public var memoryBytes: UInt64
    /// The folder holding `ai4sci_bridge.py`; `nil`: `Sandbox/python` next to the profiles.
    public var bridgeDirectory: URL?

    /// Creates options; the defaults suit the bundled tasks and most published ones.
    public init(python: String = "python3", sandbox: SandboxMode = .seccomp, allowDegraded: Bool = false,
                callTimeoutSeconds: Double = 300, memoryBytes: UInt64 = 4 << 30, bridgeDirectory: URL? = nil) {
        self.python = python
        self.sandbox = sandbox
        self.allowDegraded = allowDegraded
        self.callTimeoutSeconds = callTimeoutSeconds
        self.memoryBytes = memoryBytes
        self.bridgeDirectory = bridgeDirectory
    }
}

/// Runs a task's `custom_scorer.py` in `Sandbox/python/ai4sci_bridge.py`, a child process in the scorer sandbox
/// (no network; read-only but for a scratch folder; timeout; memory limit) that answers JSON lines on stdin/stdout.
///
/// ``listing(task:)`` loads the file and reports what it registers (validation); ``withSession(task:predictionDir:referenceDir:calls:body:)``
/// keeps one bridge process for all custom scorings of one run item. Failures never throw out of a session:
/// they become ``ScorerFailure``s of the calls, so the item is `evaluation_invalid` with the reason.
public struct ScorerBridge: Sendable {
    /// The launcher that starts the bridge.
    public let launcher: AgentLauncher
    /// Interpreter, sandbox and limits.
    public let options: ScorerBridgeOptions

    /// Creates a bridge runner.
    public init(launcher: AgentLauncher, options: ScorerBridgeOptions = ScorerBridgeOptions()) {
        self.launcher = launcher
        self.options = options
    }

    /// The bridge program's file name inside the bridge folder.
    public static let programName = "ai4sci_bridge.py"

    /// Loads `custom_scorer.py` of `task` in the bridge (`--list`) and returns its hello: the names it
    /// registers or the exact load error, the interpreter, and the state of the task's `runtime.packages`.
    /// Throws when the bridge cannot be started at all (no interpreter, sandbox refused, timeout).
    public func listing(task: TaskDefinition) async throws -> BridgeHello {
        let scratch = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let request = try launchRequest(task: task, scratch: scratch, extraReadOnly: [], list: true,
                                        timeout: options.callTimeoutSeconds)
        let (result, hello) = try await launcher.launchInteractive(request) { channel -> BridgeHello? in
            guard let line = try await channel.receive() else { return nil }
            return try BridgeHello(line: line)
        }
        guard let outer = hello, let hello = outer else {
            throw ScorerBridge.startFailure(result, stderr: request.stderrFile, python: options.python)
        }
        Self.rememberExecutable(options.python, hello.executable)
        return hello
    }

    /// Starts one bridge for a run item and gives `body` a ``BridgeSession`` to score with; stops it afterwards.
    ///
    /// `calls` (the number of custom scorer entries) sizes the bridge's overall time limit. When the bridge cannot
    /// start, `body` still runs, with a session whose every call fails with the reason.
    public func withSession<R: Sendable>(
        task: TaskDefinition, predictionDir: URL, referenceDir: URL, calls: Int,
        body: (BridgeSession) async -> R
    ) async -> (value: R, record: BridgeRecord) {
        let clock = ContinuousClock()
        let started = clock.now
        var record = BridgeRecord()
        // Without a bridge the item is still evaluated: built-ins score, every custom call fails with the reason.
        func withoutBridge(_ failure: ScorerFailure) async -> (value: R, record: BridgeRecord) {
            (await body(BridgeSession(failure: failure, task: task, options: options)), record)
        }
        let scratch: URL
        do { scratch = try Self.scratchDirectory() } catch { return await withoutBridge(Self.failure(error)) }
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The instance folder (not only reference/): published scorers read ref_dir.parent, as the Python tool allows.
        let readable = [predictionDir, referenceDir.deletingLastPathComponent()]
        // The whole bridge may take each call's limit plus the start; each call has its own watchdog.
        let overall = options.callTimeoutSeconds * Double(max(calls, 1) + 1) + 30
        let request: LaunchRequest
        do {
            request = try launchRequest(task: task, scratch: scratch, extraReadOnly: readable, list: false, timeout: overall)
        } catch {
            return await withoutBridge(Self.failure(error))
        }
        var startFailure: ScorerFailure?
        do {
            let launched = try await launcher.launchInteractive(request) { channel -> R? in
                let session = BridgeSession(channel: channel, task: task, options: options, stderrFile: request.stderrFile)
                guard await session.start() else { return nil }
                record.startSeconds = (clock.now - started).inSeconds
                record.hello = session.hello
                let value = await body(session)
                record.calls = session.calls
                return value
            }
            record.launch = launched.result
            record.stderr = Self.readCapped(request.stderrFile)
            if let outer = launched.value, let value = outer { return (value, record) }
            // The bridge never said hello (refused, no interpreter, died while loading): every call fails with why.
            startFailure = Self.startFailure(launched.result, stderr: request.stderrFile, python: options.python)
        } catch {
            startFailure = Self.failure(error)
        }
        return await withoutBridge(startFailure ?? ScorerFailure("the scorer bridge did not start"))
    }

    // MARK: - Launch request

    func launchRequest(task: TaskDefinition, scratch: URL, extraReadOnly: [URL], list: Bool, timeout: Double) throws -> LaunchRequest {
        guard let bridgeDir = options.bridgeDirectory ?? SandboxResources.defaultProfilesDirectory()?
                .deletingLastPathComponent().appendingPathComponent("python", isDirectory: true),
              FileManager.default.fileExists(atPath: bridgeDir.appendingPathComponent(Self.programName).path) else {
            throw ScorerFailure("the scorer bridge Sandbox/python/\(Self.programName) was not found",
                                details: ["hint": "run from the ai4sci-bench checkout or set AI4SCI_HOME to it"])
        }
        let pythonName = Self.rememberedExecutable(options.python) ?? options.python
        guard let python = ExecutableLookup.find(pythonName) else {
            throw ScorerFailure("the Python interpreter \"\(options.python)\" that runs custom scorers was not found on PATH",
                                details: ["hint": "install python3 with numpy (apt-get install -y python3 python3-numpy) or pass --scorer-python PATH"])
        }
        let isolated = options.sandbox == .task || options.sandbox == .strict
        let env = AgentEnvironment.minimal(home: scratch.path, tmp: isolated ? "/tmp" : scratch.path)
        var args = [python, "-B", bridgeDir.appendingPathComponent(Self.programName).path, "--task-dir", task.directory.path]
        if list {
            args.append("--list")
            let packages = JSONValue.array(task.runtimePackages.map { .string($0) })
            args += ["--packages", (try? JSONValue.encodeString(packages, pretty: false)) ?? "[]"]
        }
        var limits = ResourceLimits(memoryBytes: options.memoryBytes, maxProcesses: 256)
        if !isolated { limits.addressSpaceBytes = options.memoryBytes }
        // The tasks folder, not only the task: helper modules and shared data beside it stay importable, as for generators.
        let tasksRoot = task.directory.deletingLastPathComponent().deletingLastPathComponent()
        var readOnly = SandboxResources.runtimeReadOnlyPaths(forPATH: env["PATH"] ?? AgentEnvironment.defaultPath)
        readOnly += [bridgeDir, tasksRoot] + extraReadOnly
        if python.hasPrefix("/"), !python.hasPrefix("/usr/") {
            readOnly.append(URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent())
        }
        return LaunchRequest(
            arguments: args, workingDirectory: scratch, environment: env,
            stdoutFile: scratch.appendingPathComponent("bridge.stdout"), stderrFile: scratch.appendingPathComponent("bridge.stderr"),
            outputCapBytes: 1 << 20, timeoutSeconds: timeout, graceSeconds: 2,
            mode: options.sandbox == .strict ? .task : options.sandbox, limits: limits,
            readOnlyPaths: Self.outermost(readOnly), writablePaths: [scratch], allowDegraded: options.allowDegraded)
    }

    /// Paths with those inside another removed (the launcher binds each once).
    static func outermost(_ urls: [URL]) -> [URL] {
        let paths = urls.map { $0.standardizedFileURL.path }
        var kept: [String] = []
        for p in paths where !kept.contains(p) {
            if paths.contains(where: { $0 != p && TaskPaths.contains($0, p) }) { continue }
            kept.append(p)
        }
        return kept.map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// A fresh scratch folder: the bridge's HOME, working directory and (outside task mode) TMPDIR.
    static func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ai4sci-scorer-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    // MARK: - Failures

    static func failure(_ error: any Error) -> ScorerFailure {
        if let f = error as? ScorerFailure { return f }
        if let b = error as? BenchError {
            return ScorerFailure("the scorer bridge could not start: \(b.message)", details: b.hint.map { ["hint": .string($0)] } ?? [:])
        }
        return ScorerFailure("the scorer bridge could not start: \(error)")
    }

    /// Why a bridge ended without its hello: the sandbox refused, it timed out, or Python died while loading.
    static func startFailure(_ result: LaunchResult, stderr: URL, python: String) -> ScorerFailure {
        let tail = BridgeSession.tail(readCapped(stderr))
        var details: [String: JSONValue] = ["launch_status": .string(result.status.rawValue)]
        if !tail.isEmpty { details["stderr_tail"] = .array(tail.map { .string($0) }) }
        let why: String
        switch result.status {
        case .refused:
            let r = result.refusal
            why = "the scorer sandbox refused to start the bridge at step \(r?.step ?? "?"): \(r?.message ?? "")"
            details["hint"] = "`ai4sci-bench sandbox check` shows what this host supports; --allow-degraded runs scorers with a weaker, labelled sandbox"
        case .timeout:
            why = "the scorer bridge did not finish loading custom_scorer.py within \(Int(result.wallSeconds)) s"
        default:
            let how = result.exitCode.map { "exited \($0)" } ?? result.signal.map { "was killed by signal \($0)" } ?? "ended"
            why = "the scorer bridge (\(python)) \(how) before loading custom_scorer.py\(tail.isEmpty ? "" : ": \(tail.last!)")"
        }
        return ScorerFailure(why, details: details)
    }

    static func readCapped(_ url: URL, limit: Int = 1 << 20) -> String {
        guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty else { return "" }
        return String(decoding: data.prefix(limit), as: UTF8.self)
    }

    // MARK: - Interpreter cache

    /// The interpreter behind a name such as `python3` (a pyenv shim costs ~70 ms per start), learnt from a
    /// hello; later launches in this process start it directly.
    private static let executables = Mutex<[String: String]>([:])

    static func rememberExecutable(_ name: String, _ executable: String?) {
        guard let executable, executable.hasPrefix("/"), FileManager.default.isExecutableFile(atPath: executable) else { return }
        executables.withLock { $0[name] = executable }
    }

    static func rememberedExecutable(_ name: String) -> String? {
        executables.withLock { $0[name] }
    }
}

/// What one item's bridge did, for the result's `scorer_bridge` object.
public struct BridgeRecord: Sendable {
    /// The bridge's hello (interpreter, registered names), when it started.
    public var hello: BridgeHello?
    /// Seconds from the launch to the hello (sandbox setup, interpreter start, imports).
    public var startSeconds: Double?
    /// Scorer calls answered or attempted.
    public var calls = 0
    /// How the bridge process ended and the sandbox it had.
    public var launch: LaunchResult?
    /// What the bridge and the scorers wrote to stderr (capped at 1 MiB).
    public var stderr = ""

    /// The `scorer_bridge` object of a result.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["calls": .number(Double(calls))]
        if let h = hello {
            o["python"] = h.python.map { .string($0) } ?? .null
            o["executable"] = h.executable.map { .string($0) } ?? .null
            o["numpy"] = h.numpy.map { .string($0) } ?? .null
            o["scorers"] = .array(h.scorers.map { .string($0) })
        }
        o["start_seconds"] = startSeconds.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
        if let l = launch {
            o["status"] = .string(l.status.rawValue)
            o["exit_code"] = l.exitCode.map { .number(Double($0)) } ?? .null
            o["signal"] = l.signal.map { .number(Double($0)) } ?? .null
            o["requested_mode"] = .string(l.provenance.requestedMode.rawValue)
            o["effective_mode"] = .string(l.provenance.effectiveMode.rawValue)
            o["enforcement_status"] = .string(l.provenance.enforcementStatus.rawValue)
            o["verification_status"] = .string(l.provenance.verificationStatus.rawValue)
            o["peak_rss_bytes"] = l.peakRSSBytes.map { .number(Double($0)) } ?? .null
            o["stderr_bytes"] = .number(Double(l.stderrBytes))
        }
        return .object(o)
    }
}
