import Foundation
import Synchronization

/// The bridge's first line: what `custom_scorer.py` registered, or why it could not be loaded.
public struct BridgeHello: Sendable, Equatable {
    /// Whether `custom_scorer.py` loaded.
    public var ok: Bool
    /// Names registered (those registered before a failure, when `ok` is false).
    public var scorers: [String]
    /// Python version, interpreter path, numpy version (nil when numpy is absent).
    public var python: String?
    public var executable: String?
    public var numpy: String?
    /// Whether the task folder holds a `custom_scorer.py`.
    public var hasCustomScorer: Bool
    /// Seconds the bridge spent loading the file.
    public var loadSeconds: Double?
    /// The exact load error (`ModuleNotFoundError: No module named 'pandas'`), its type, the missing module.
    public var error: String?
    public var exceptionType: String?
    public var missingModule: String?
    /// The last lines of the traceback.
    public var tracebackTail: [String]
    /// The task's `runtime.packages` as found in this interpreter (`--list` only).
    public var packages: [PackageStatus]

    /// One `runtime.packages` requirement checked against the interpreter (without importing it).
    public struct PackageStatus: Sendable, Equatable {
        public var requirement: String
        public var installed: String?
        public var ok: Bool
        public var problem: String?
    }

    /// Parses the hello line; throws ``ScorerFailure`` when it is not one.
    init(line: String) throws {
        guard let v = try? JSONValue.parse(Data(line.utf8)), let o = v.objectValue, o["type"]?.stringValue == "hello" else {
            throw ScorerFailure("the scorer bridge answered with something else than its hello line: \(line.prefix(200))")
        }
        ok = o["ok"]?.boolValue ?? false
        scorers = o["scorers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        python = o["python"]?.stringValue
        executable = o["executable"]?.stringValue
        numpy = o["numpy"]?.stringValue
        hasCustomScorer = o["has_custom_scorer"]?.boolValue ?? false
        loadSeconds = o["load_seconds"]?.doubleValue
        error = o["error"]?.stringValue
        exceptionType = o["exception_type"]?.stringValue
        missingModule = o["missing_module"]?.stringValue
        tracebackTail = o["traceback_tail"]?.arrayValue?.compactMap(\.stringValue) ?? []
        packages = (o["packages"]?.arrayValue ?? []).compactMap { p in
            guard let p = p.objectValue, let req = p["requirement"]?.stringValue else { return nil }
            return PackageStatus(requirement: req, installed: p["installed"]?.stringValue,
                                 ok: p["ok"]?.boolValue ?? false, problem: p["problem"]?.stringValue)
        }
    }
}

/// One item's custom scorers, served by one bridge process (or failing, all with the same reason).
///
/// Each call sends `{"id", "scorer", "pred_dir", "ref_dir", "config"}` with `config.weight` set to the weight
/// (gates: 1) and `config.prompt_level` to the level, as the Python tool does, and waits for the answer
/// under a watchdog: past ``ScorerBridgeOptions/callTimeoutSeconds`` the bridge's whole tree is killed.
public final class BridgeSession: CustomScoring {
    private let channel: LineChannel?
    private let task: TaskDefinition
    private let options: ScorerBridgeOptions
    private let stderrFile: URL?
    /// Set once the bridge can no longer answer: every later call fails with it.
    private var failure: ScorerFailure?
    private var nextID = 1
    /// The hello, when the bridge started.
    public private(set) var hello: BridgeHello?
    /// Calls made.
    public private(set) var calls = 0

    init(channel: LineChannel, task: TaskDefinition, options: ScorerBridgeOptions, stderrFile: URL) {
        self.channel = channel
        self.task = task
        self.options = options
        self.stderrFile = stderrFile
    }

    init(failure: ScorerFailure, task: TaskDefinition, options: ScorerBridgeOptions) {
        self.channel = nil
        self.task = task
        self.options = options
        self.stderrFile = nil
        self.failure = failure
    }

    /// The names the task uses that are not built in: the bridge answers for these (and says when it does not know one).
    public var names: Set<String> { Set(task.customScorerNames) }

    /// Reads the hello. False when the bridge ended without one (refused or died while starting).
    func start() async -> Bool {
        guard let channel else { return false }
        let line: String?
        do {
            line = try await withWatchdog(seconds: options.callTimeoutSeconds) { try await channel.receive() }
        } catch {
            failure = Self.callFailure(error, timeoutWhat: "loading custom_scorer.py", options: options)
            return true
        }
        guard let line else { return false }
        do {
            let h = try BridgeHello(line: line)
            hello = h
            ScorerBridge.rememberExecutable(options.python, h.executable)
            if !h.ok { failure = CustomScorerHints.loadFailure(h, task: task, options: options) }
        } catch {
            failure = ScorerBridge.failure(error)
        }
        return true
    }

    public func score(scorer: String, config: [String: JSONValue], weight: Double, context: ScoringContext) async throws -> ScoreDetail {
        calls += 1
        if let failure { throw failure }
        guard let channel else { throw ScorerFailure("the scorer bridge is not running") }
        var cfg = config
        cfg["weight"] = .number(weight)
        if let level = context.promptLevel { cfg["prompt_level"] = .string(level.rawValue) }
        let id = nextID
        nextID += 1
        let request: JSONValue = .object([
            "id": .number(Double(id)), "scorer": .string(scorer), "pred_dir": .string(context.predictionDir.path),
            "ref_dir": .string(context.referenceDir.path), "config": .object(cfg),
        ])
        let line: String?
        do {
            try await channel.send(try JSONValue.encodeString(request, pretty: false))
            line = try await withWatchdog(seconds: options.callTimeoutSeconds) { try await channel.receive() }
        } catch {
            let f = Self.callFailure(error, timeoutWhat: "custom scorer \"\(scorer)\"", options: options)
            failure = ScorerFailure("not run: \(f.message)", details: f.details)
            throw f
        }
        guard let line else {
            let tail = Self.tail(stderrFile.map { ScorerBridge.readCapped($0) } ?? "")
            var details: [String: JSONValue] = [:]
            if !tail.isEmpty { details["stderr_tail"] = .array(tail.map { .string($0) }) }
            details["hint"] = .string("a crash or the memory limit (\(options.memoryBytes >> 20) MiB, --scorer-memory) can end the bridge; its stderr is in <instance_id>.scorer_stderr.log")
            let f = ScorerFailure("the scorer bridge ended while custom scorer \"\(scorer)\" was running\(tail.last.map { ": \($0)" } ?? "")", details: details)
            failure = ScorerFailure("not run: \(f.message)", details: details)
            throw f
        }
        return try CustomScorerHints.decodeResponse(line, id: id, scorer: scorer, weight: weight, task: task, options: options)
    }

    // MARK: - Watchdog

    /// Runs `operation`; when it has not returned after `seconds`, terminates the bridge (its output then ends)
    /// and throws ``BridgeTimeout``.
    private func withWatchdog<T>(seconds: Double, _ operation: () async throws -> T) async throws -> T {
        guard let channel else { return try await operation() }
        let fired = Flag()
        let terminate = channel.terminate
        let watchdog = Task {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            fired.set()
            terminate()
        }
        defer { watchdog.cancel() }
        let value = try await operation()
        if fired.isSet { throw BridgeTimeout(seconds: seconds) }
        return value
    }

    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
        var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    }

    struct BridgeTimeout: Error {
        var seconds: Double
    }

    static func callFailure(_ error: any Error, timeoutWhat: String, options: ScorerBridgeOptions) -> ScorerFailure {
        if let t = error as? BridgeTimeout {
            return ScorerFailure(
                "\(timeoutWhat) timed out after \(ConfigChecker.format(t.seconds)) s; the bridge and everything it started were killed",
                details: ["timeout_seconds": .number(t.seconds),
                          "hint": "raise --scorer-timeout if the scorer is slow by design, or fix a scorer that never returns"])
        }
        if let f = error as? ScorerFailure { return f }
        return ScorerFailure("the scorer bridge failed while \(timeoutWhat) ran: \(error)")
    }

    /// The last non-empty lines of a text (stderr tails for messages).
    static func tail(_ text: String, lines: Int = 8) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map(String.init)
    }
}
