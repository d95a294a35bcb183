import Foundation

/// Everything needed to start one agent process through the launcher.
public struct LaunchRequest: Sendable {
    /// The program and its arguments; the program is looked up on the request's `PATH`.
    public var arguments: [String]
    /// The agent's working directory (the workspace).
    public var workingDirectory: URL
    /// The agent's complete environment; nothing of the runner's is added.
    public var environment: [String: String]
    /// Where the agent's stdout is written (truncated first).
    public var stdoutFile: URL
    /// Where the agent's stderr is written (truncated first).
    public var stderrFile: URL
    /// Bytes kept per stream; past it the stream is drained and discarded and a marker line is added.
    public var outputCapBytes: Int
    /// Wall-clock limit; on expiry the whole process tree gets SIGTERM, then SIGKILL after the grace.
    public var timeoutSeconds: Double
    /// Seconds between SIGTERM and SIGKILL on teardown.
    public var graceSeconds: Double
    /// The requested sandbox.
    public var mode: SandboxMode
    /// An OCI seccomp profile; `nil` means `default.json` in the profiles directory.
    public var seccompProfile: URL?
    /// Resource limits for the agent.
    public var limits: ResourceLimits
    /// Task/strict modes: host paths visible read-only at the same absolute path (toolchains, inputs).
    public var readOnlyPaths: [URL]
    /// Task/strict modes: host paths visible read-write at the same path; empty means the working
    /// directory alone. The working directory must lie inside a read-only or writable path.
    public var writablePaths: [URL]
    /// Whether a mode whose requirement cannot be met may fall back (task → seccomp → none) instead
    /// of refusing; the result then says `degraded` with the reasons.
    public var allowDegraded: Bool
    /// Task/strict modes: size of the private /tmp, in bytes.
    public var tmpSizeBytes: UInt64
    /// The agent's network: none, or the runner's allow-list proxy (task/strict modes only).
    public var network: NetworkPolicy
    /// The program keeps the launcher's stdin and stdout (set by ``AgentLauncher/launchInteractive(_:maxLineBytes:body:)``);
    /// `stdoutFile` then stays empty.
    public var passStdio = false
    /// A file the program reads as its stdin (instead of /dev/null), e.g. the prompt of a CLI agent.
    public var stdinFile: URL?

    /// Creates a request.
    public init(
        arguments: [String], workingDirectory: URL, environment: [String: String], stdoutFile: URL,
        stderrFile: URL, outputCapBytes: Int = 64 << 20, timeoutSeconds: Double, graceSeconds: Double = 5,
        mode: SandboxMode, seccompProfile: URL? = nil, limits: ResourceLimits = ResourceLimits(),
        readOnlyPaths: [URL] = [], writablePaths: [URL] = [], allowDegraded: Bool = false,
        tmpSizeBytes: UInt64 = 256 << 20, network: NetworkPolicy = .none
    ) {
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.stdoutFile = stdoutFile
        self.stderrFile = stderrFile
        self.outputCapBytes = outputCapBytes
        self.timeoutSeconds = timeoutSeconds
        self.graceSeconds = graceSeconds
        self.mode = mode
        self.seccompProfile = seccompProfile
        self.limits = limits
        self.readOnlyPaths = readOnlyPaths
        self.writablePaths = writablePaths
        self.allowDegraded = allowDegraded
        self.tmpSizeBytes = tmpSizeBytes
        self.network = network
    }
}

/// What happened to one launched agent: outcome, accounting, and the sandbox provenance.
public struct LaunchResult: Sendable, Codable {
    /// How the run ended.
    public enum Status: String, Sendable, Codable {
        /// The agent exited with code 0.
        case completed
        /// The agent exited non-zero or was killed by a signal it did not get from the launcher.
        case failed
        /// The timeout expired and the tree was torn down.
        case timeout
        /// A setup step failed or the mode is unavailable; the agent never ran.
        case refused
        /// The launch was cancelled (task cancellation, SIGTERM/SIGINT to the launcher).
        case cancelled
    }

    /// Why a run was refused.
    public struct Refusal: Sendable, Codable, Equatable {
        /// The failing step, e.g. `exec`, `seccomp`, `chdir`, `sandbox_mode`.
        public var step: String
        /// A sentence saying what failed and, where known, how to fix it.
        public var message: String

        /// Creates a refusal.
        public init(step: String, message: String) {
            self.step = step
            self.message = message
        }
    }

    /// How the run ended.
    public var status: Status
    /// Exit code, if the agent exited.
    public var exitCode: Int32?
    /// Terminating signal, if the agent was killed.
    public var signal: Int32?
    /// Wall seconds from fork to the agent's exit.
    public var wallSeconds: Double
    /// User CPU seconds of the agent and everything it started.
    public var userCPUSeconds: Double
    /// System CPU seconds of the agent and everything it started.
    public var systemCPUSeconds: Double
    /// Largest resident set of any process of the tree, in bytes.
    public var peakRSSBytes: Int64?
    /// Bytes the agent wrote to stdout (kept or not).
    public var stdoutBytes: Int64
    /// Whether stdout was cut at the cap.
    public var stdoutTruncated: Bool
    /// Bytes the agent wrote to stderr (kept or not).
    public var stderrBytes: Int64
    /// Whether stderr was cut at the cap.
    public var stderrTruncated: Bool
    /// Processes other than the agent itself that were still alive at teardown and were killed.
    public var leftoverProcessesKilled: Int
    /// Set when `status` is `refused`.
    public var refusal: Refusal?
    /// The sandbox provenance of this run.
    public var provenance: SandboxProvenance
    /// The agent's process id, when it was started.
    public var pid: Int32?

    /// Creates a result.
    public init(
        status: Status, exitCode: Int32? = nil, signal: Int32? = nil, wallSeconds: Double = 0,
        userCPUSeconds: Double = 0, systemCPUSeconds: Double = 0, peakRSSBytes: Int64? = nil,
        stdoutBytes: Int64 = 0, stdoutTruncated: Bool = false, stderrBytes: Int64 = 0,
        stderrTruncated: Bool = false, leftoverProcessesKilled: Int = 0, refusal: Refusal? = nil,
        provenance: SandboxProvenance, pid: Int32? = nil
    ) {
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.wallSeconds = wallSeconds
        self.userCPUSeconds = userCPUSeconds
        self.systemCPUSeconds = systemCPUSeconds
        self.peakRSSBytes = peakRSSBytes
        self.stdoutBytes = stdoutBytes
        self.stdoutTruncated = stdoutTruncated
        self.stderrBytes = stderrBytes
        self.stderrTruncated = stderrTruncated
        self.leftoverProcessesKilled = leftoverProcessesKilled
        self.refusal = refusal
        self.provenance = provenance
        self.pid = pid
    }

    enum CodingKeys: String, CodingKey {
        case status, signal, refusal, provenance, pid
        case exitCode = "exit_code"
        case wallSeconds = "wall_seconds"
        case userCPUSeconds = "user_cpu_seconds"
        case systemCPUSeconds = "system_cpu_seconds"
        case peakRSSBytes = "peak_rss_bytes"
        case stdoutBytes = "stdout_bytes"
        case stdoutTruncated = "stdout_truncated"
        case stderrBytes = "stderr_bytes"
        case stderrTruncated = "stderr_truncated"
        case leftoverProcessesKilled = "leftover_processes_killed"
    }
}
