import Foundation

/// The isolation a run asks for with `--sandbox` (DESIGN.md §5).
public enum SandboxMode: String, Sendable, Codable, CaseIterable {
    /// Unsandboxed: the launcher still isolates the session, descriptors and process tree.
    case none
    /// Syscall filter from an OCI profile, no_new_privs, rlimits, no network sockets.
    case seccomp
    /// `seccomp` plus user/pid/net/mount/ipc/uts namespaces, a read-only system view, Landlock and
    /// resource limits.
    case task
    /// `task` with the default-deny allow-list profile `Sandbox/profiles/strict.json`.
    case strict
}

/// Whether the requested sandbox was put in place.
public enum EnforcementStatus: String, Sendable, Codable {
    /// Every setup step of the requested mode succeeded.
    case enforced
    /// The user allowed a downgrade; the run went ahead with a lower mode.
    case degraded
    /// The run was not started because a requirement was unmet.
    case refused
    /// Mode `none`: nothing was requested.
    case notRequested = "not_requested"
}

/// Whether the sandbox in force was confirmed by evidence read back from the kernel.
public enum VerificationStatus: String, Sendable, Codable {
    /// The child's own kernel state (e.g. `/proc/PID/status`) confirmed every primitive.
    case verified
    /// Nothing was read back, so nothing is confirmed.
    case unverified
    /// The read-back contradicts what was set up.
    case mismatch
    /// Nothing to verify (mode `none`, or the run never started).
    case notApplicable = "not_applicable"
}

/// The four provenance fields of every result plus the per-primitive evidence behind them.
public struct SandboxProvenance: Sendable, Codable, Equatable {
    /// What the user asked for.
    public var requestedMode: SandboxMode
    /// What was verified to be in force (may be lower than requested).
    public var effectiveMode: SandboxMode
    /// Whether the requested mode was put in place.
    public var enforcementStatus: EnforcementStatus
    /// Whether kernel evidence confirmed it.
    public var verificationStatus: VerificationStatus
    /// Evidence: read-back `/proc` values, policy sha256, profile path, libseccomp and kernel versions,
    /// the launch steps done. Encoded under the key `sandbox`.
    public var evidence: [String: JSONValue]

    /// Creates provenance.
    public init(
        requestedMode: SandboxMode, effectiveMode: SandboxMode, enforcementStatus: EnforcementStatus,
        verificationStatus: VerificationStatus, evidence: [String: JSONValue] = [:]
    ) {
        self.requestedMode = requestedMode
        self.effectiveMode = effectiveMode
        self.enforcementStatus = enforcementStatus
        self.verificationStatus = verificationStatus
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case requestedMode = "requested_mode"
        case effectiveMode = "effective_mode"
        case enforcementStatus = "enforcement_status"
        case verificationStatus = "verification_status"
        case evidence = "sandbox"
    }
}

/// Per-process resource limits applied with `setrlimit` in the launched child.
///
/// `nil` leaves a limit as inherited. Values above the launcher's own hard limit are lowered to it
/// (stricter, never looser); `/proc/PID/limits` is read back into the evidence.
public struct ResourceLimits: Sendable, Codable, Equatable {
    /// `RLIMIT_AS`: address space in bytes.
    public var addressSpaceBytes: UInt64?
    /// `RLIMIT_CPU`: CPU seconds (SIGXCPU at the limit, SIGKILL one second later).
    public var cpuSeconds: UInt64?
    /// `RLIMIT_NOFILE`: open descriptors.
    public var openFiles: UInt64?
    /// `RLIMIT_FSIZE`: largest file the agent may write, in bytes.
    public var fileSizeBytes: UInt64?
    /// `RLIMIT_NPROC`: processes of the user (no effect for uid 0).
    public var processes: UInt64?
    /// `RLIMIT_CORE`: core dump size; 0 disables core dumps.
    public var coreBytes: UInt64?
    /// Task/strict modes: memory of the whole sandbox (cgroup memory limit, else `RLIMIT_AS`).
    public var memoryBytes: UInt64?
    /// Task/strict modes: processes of the whole sandbox (cgroup pids limit, else `RLIMIT_NPROC`).
    public var maxProcesses: UInt64?
    /// Task/strict modes: CPU bandwidth as a fraction of one CPU (cgroup cpu quota); `nil`: unlimited.
    public var cpuQuota: Double?

    /// Creates limits; by default 4096 open files and no core dumps, the rest inherited.
    public init(
        addressSpaceBytes: UInt64? = nil, cpuSeconds: UInt64? = nil, openFiles: UInt64? = 4096,
        fileSizeBytes: UInt64? = nil, processes: UInt64? = nil, coreBytes: UInt64? = 0,
        memoryBytes: UInt64? = 4 << 30, maxProcesses: UInt64? = 512, cpuQuota: Double? = nil
    ) {
        self.addressSpaceBytes = addressSpaceBytes
        self.cpuSeconds = cpuSeconds
        self.openFiles = openFiles
        self.fileSizeBytes = fileSizeBytes
        self.processes = processes
        self.coreBytes = coreBytes
        self.memoryBytes = memoryBytes
        self.maxProcesses = maxProcesses
        self.cpuQuota = cpuQuota
    }

    /// The launcher's `--rlimit NAME=SOFT:HARD` arguments for these limits.
    var launcherArguments: [String] {
        var specs: [String] = []
        if let v = addressSpaceBytes { specs.append("as=\(v):\(v)") }
        if let v = cpuSeconds { specs.append("cpu=\(v):\(v &+ 1)") }
        if let v = openFiles { specs.append("nofile=\(v):\(v)") }
        if let v = fileSizeBytes { specs.append("fsize=\(v):\(v)") }
        if let v = processes { specs.append("nproc=\(v):\(v)") }
        if let v = coreBytes { specs.append("core=\(v):\(v)") }
        return specs.flatMap { ["--rlimit", $0] }
    }

    /// The launcher's task-mode limit arguments (`--memory`, `--pids`, `--cpu-quota`).
    var taskLauncherArguments: [String] {
        var args: [String] = []
        if let v = memoryBytes { args += ["--memory", String(v)] }
        if let v = maxProcesses { args += ["--pids", String(v)] }
        if let v = cpuQuota { args += ["--cpu-quota", String(v)] }
        return args
    }
}
