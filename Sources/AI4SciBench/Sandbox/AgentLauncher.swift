import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Starts agents through the C launcher `ai4sci-sandbox-exec` and turns its report into a result.
///
/// The launcher is spawned with exactly the request's environment. Cancelling the calling task sends
/// SIGTERM to the launcher, which tears the agent's whole process tree down (SIGTERM, grace, SIGKILL)
/// and reports `cancelled`; SIGKILL follows if it has not exited after the grace plus five seconds.
public struct AgentLauncher: Sendable {
    /// The launcher binary.
    public let launcherPath: URL
    /// Where `default.json` is looked up when a request names no profile (`nil`: searched per launch).
    public let profilesDirectory: URL?

    /// Locates the launcher: `launcherPath`, else `$AI4SCI_SANDBOX_EXEC`, else `ai4sci-sandbox-exec`
    /// next to the running executable; throws a `BenchError` saying to run `swift build` if none exists.
    public init(launcherPath: URL? = nil, profilesDirectory: URL? = nil) throws {
        if let launcherPath {
            guard FileManager.default.isExecutableFile(atPath: launcherPath.path) else {
                throw BenchError(.sandboxRefused, "\(launcherPath.path): the agent launcher is not an executable file",
                                 hint: "run `swift build`, which builds ai4sci-sandbox-exec")
            }
            self.launcherPath = launcherPath
        } else {
            self.launcherPath = try SandboxResources.locateLauncher()
        }
        self.profilesDirectory = profilesDirectory
    }

    /// Runs the agent described by `request` to the end and returns what happened.
    ///
    /// A failing agent, a timeout or a refused setup step is a result, not an error. Throws only
    /// for bad requests, unusable profiles and a launcher that could not be run.
    public func launch(_ request: LaunchRequest) async throws -> LaunchResult {
        try Self.validate(request)
        return try await withFallback(request) { mode in
            try await self.launchOnce(request, mode: mode) { spawn in
                let outcome = try await Subprocess.run(
                    spawn.executable, arguments: spawn.arguments, environment: spawn.environment,
                    platformOptions: spawn.options, input: .none, output: .discarded, error: .string(limit: 1 << 16))
                return (outcome.terminationStatus, outcome.standardError)
            }
        }
    }

    /// Runs a program that talks over its stdin and stdout (the scorer bridge): `body` gets a ``LineChannel``
    /// to it while it runs; only stderr goes to `request.stderrFile`. When the sandbox refuses and
    /// `allowDegraded` lets a weaker mode try again, `body` is called once per attempt (it sees end of
    /// output at once on a refused attempt). Returns the launch result and the last attempt's value.
    public func launchInteractive<R: Sendable>(
        _ request: LaunchRequest, maxLineBytes: Int = 16 << 20, body: (LineChannel) async throws -> R
    ) async throws -> (result: LaunchResult, value: R?) {
        var request = request
        request.passStdio = true
        try Self.validate(request)
        var value: R?
        let result = try await withFallback(request) { mode in
            try await self.launchOnce(request, mode: mode) { spawn in
                let outcome = try await Subprocess.run(
                    spawn.executable, arguments: spawn.arguments, environment: spawn.environment,
                    platformOptions: spawn.options, input: .inputWriter, output: .sequence, error: .string(limit: 1 << 16)
                ) { execution in
                    let channel = LineChannel(execution: execution, maxLineBytes: maxLineBytes)
                    defer { channel.close() }
                    let v = try await body(channel)
                    await channel.finish()
                    return v
                }
                value = outcome.closureResult
                return (outcome.terminationStatus, outcome.standardError)
            }
        }
        return (result, value)
    }

    /// Runs `attempt` in the requested mode and, when that is refused for a missing primitive and the
    /// request allows it, in the best weaker mode that works (task/strict → seccomp → none).
    private func withFallback(_ request: LaunchRequest, _ attempt: (SandboxMode) async throws -> LaunchResult) async throws -> LaunchResult {
        let result = try await attempt(request.mode)
        guard request.allowDegraded, result.status == .refused, let refusal = result.refusal,
              request.mode == .task || request.mode == .strict || request.mode == .seccomp,
              !Self.agentSteps.contains(refusal.step) else { return result }
        var reasons = ["\(request.mode.rawValue): step \(refusal.step) failed: \(refusal.message)"]
        for lower in [SandboxMode.seccomp, .none] where lower.rank < request.mode.rank {
            var fallback = try await attempt(lower)
            if fallback.status == .refused, let r = fallback.refusal, !Self.agentSteps.contains(r.step), lower != .none {
                reasons.append("\(lower.rawValue): step \(r.step) failed: \(r.message)")
                continue
            }
            fallback.provenance.markDegraded(requested: request.mode, reasons: reasons)
            return fallback
        }
        return result
    }

    /// Steps whose failure is the agent's or the request's fault, not a missing primitive: no fallback.
    static let agentSteps: Set<String> = ["exec", "chdir", "open_output", "open_paths", "mount_binds"]

    /// What starting the launcher takes: built once per attempt, spawned by the caller's style of run.
    struct Spawn {
        var executable: Executable
        var arguments: Arguments
        var environment: Environment
        var options: PlatformOptions
    }

    /// One attempt in `mode`: compiles the filter, sets the network up, spawns the launcher through `spawn`
    /// (which returns its termination status and stderr) and reads the report back.
    private func launchOnce(
        _ request: LaunchRequest, mode: SandboxMode,
        spawn: (Spawn) async throws -> (TerminationStatus, String)
    ) async throws -> LaunchResult {
        var context = LaunchContext(requested: mode, launcher: launcherPath)
        context.request = request
        switch mode {
        case .none:
            break
        case .seccomp, .task, .strict:
            let dir = profilesDirectory ?? SandboxResources.defaultProfilesDirectory()
            var profileURL = request.seccompProfile ?? dir?.appendingPathComponent("default.json")
            if mode == .strict {
                let strict = dir?.appendingPathComponent("strict.json")
                guard let strict, FileManager.default.fileExists(atPath: strict.path) else {
                    return context.refusedBeforeStart(
                        step: "strict_profile",
                        message: "--sandbox strict needs the allow-list profile Sandbox/profiles/strict.json, which was not found\(dir.map { " in \($0.path)" } ?? ""); use --sandbox task")
                }
                profileURL = strict
            }
            guard let profileURL else {
                throw BenchError(.sandboxRefused, "no seccomp profile: Sandbox/profiles/default.json was not found",
                                 hint: "run from the ai4sci-bench checkout, set AI4SCI_HOME to it, or name a profile")
            }
            context.profilePath = profileURL.path
            let (filter, profileSHA256) = try SeccompCompiler.shared.compileFile(profileURL)
            context.profileSHA256 = profileSHA256
            context.filter = filter
        }
        var network = try NetworkSetup(request.network, mode: mode, context: &context)
        if let refusal = network.refusal {
            var refused = context.refusedBeforeStart(step: "network", message: refusal)
            refused.provenance.evidence["network"] = NetworkProxy.evidence(policy: request.network, log: [])
            return refused
        }
        defer { network.stop() }

        let reportFile = try SandboxResources.privateTemporaryDirectory().appendingPathComponent("report-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: reportFile) }
        var args = [
            "--report-file", reportFile.path,
            "--cwd", request.workingDirectory.path,
            "--stdout", request.stdoutFile.path,
            "--stderr", request.stderrFile.path,
            "--output-cap", String(request.outputCapBytes),
            "--timeout", String(request.timeoutSeconds),
            "--grace", String(request.graceSeconds),
        ]
        args += request.limits.launcherArguments
        if mode == .task || mode == .strict { args += TaskPaths(request).launcherArguments + request.limits.taskLauncherArguments }
        if let filter = context.filter { args += ["--seccomp-bpf", filter.file.path, "--no-new-privs"] }
        if request.passStdio { args.append("--pass-stdio") }
        if let stdin = request.stdinFile { args += ["--stdin", stdin.path] }
        args += network.launcherArguments
        args += ["--"] + request.arguments

        var options = PlatformOptions()
        let patience = Duration.milliseconds(Int64((request.graceSeconds + 5) * 1000))
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: patience)]
        var environment: [Environment.Key: String] = [:]
        for (key, value) in request.environment.merging(network.environment, uniquingKeysWith: { _, proxy in proxy }) {
            environment[Environment.Key(rawValue: key)!] = value
        }

        // The report goes to a file, not a pipe: on cancellation the pipe readers stop early, but the
        // launcher still writes its exit record after tearing the agent down, and run() waits for it.
        let termination: TerminationStatus
        let launcherStderr: String
        do {
            (termination, launcherStderr) = try await spawn(Spawn(
                executable: .path(FilePath(launcherPath.path)), arguments: Arguments(args),
                environment: .custom(environment), options: options))
        } catch let error as SubprocessError {
            throw BenchError(.io, "could not run the agent launcher \(launcherPath.path): \(error)",
                             hint: "rebuild it with `swift build`")
        }
        let report = LauncherReport(output: (try? String(contentsOf: reportFile, encoding: .utf8)) ?? "")
        guard report.exit != nil else {
            // Cancelled and killed before it could write the exit record: still a cancelled run.
            if Task.isCancelled, report.setup != nil { return network.attach(to: context.result(from: report)) }
            let stderr = launcherStderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw BenchError(.io, "the agent launcher \(launcherPath.path) ended (\(termination)) without its exit record\(stderr.isEmpty ? "" : ": \(stderr)")",
                             hint: "this is a bug in the launcher or a mismatch between it and the library; rebuild with `swift build`")
        }
        return network.attach(to: context.result(from: report))
    }

    static func validate(_ r: LaunchRequest) throws {
        guard let program = r.arguments.first, !program.isEmpty else {
            throw BenchError(.badInput, "the agent command is empty", hint: "give a program and its arguments")
        }
        guard r.timeoutSeconds > 0, r.timeoutSeconds.isFinite else {
            throw BenchError(.badInput, "timeout: expected seconds > 0, got \(r.timeoutSeconds)", hint: "e.g. --timeout 600")
        }
        guard r.graceSeconds >= 0, r.graceSeconds.isFinite else {
            throw BenchError(.badInput, "grace: expected seconds >= 0, got \(r.graceSeconds)")
        }
        guard r.outputCapBytes >= 0 else {
            throw BenchError(.badInput, "output cap: expected bytes >= 0, got \(r.outputCapBytes)")
        }
        for key in r.environment.keys where key.isEmpty || key.contains("=") || key.contains("\0") {
            throw BenchError(.badInput, "environment: invalid variable name \"\(key)\"")
        }
        if r.mode == .task || r.mode == .strict { try TaskPaths(r).validate() }
    }
}

/// A line-based request/response channel to a program started by ``AgentLauncher/launchInteractive(_:maxLineBytes:body:)``:
/// its stdin and stdout. Valid only inside the body; not `Sendable` (one user at a time).
public final class LineChannel {
    private let writer: StandardInputWriter
    private var lines: SubprocessOutputSequence.StringSequence<UTF8>.AsyncIterator
    private var closed = false
    /// Sends SIGTERM to the launcher, which tears the program's whole tree down; the output then ends.
    /// Safe to call from any task (e.g. a timeout watchdog).
    public let terminate: @Sendable () -> Void

    init<E>(execution: Execution<CustomWriteInput, SequenceOutput, E>, maxLineBytes: Int) {
        writer = execution.standardInputWriter
        lines = execution.standardOutput.strings(bufferingPolicy: .maxLineLength(maxLineBytes)).makeAsyncIterator()
        terminate = { try? execution.send(signal: .terminate) }
    }

    /// Writes one line (a newline is appended).
    public func send(_ line: String) async throws {
        guard !closed else { throw BenchError(.io, "the channel is closed") }
        _ = try await writer.write(line + "\n")
    }

    /// The next line of output, or `nil` at its end (the program exited or was torn down).
    public func receive() async throws -> String? {
        guard !closed else { return nil }
        return try await lines.next()
    }

    /// Closes the program's stdin (it sees end of input).
    public func finish() async {
        try? await writer.finish()
    }

    func close() { closed = true }
}
