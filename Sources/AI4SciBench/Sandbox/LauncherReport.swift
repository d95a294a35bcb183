import Foundation

/// The launcher's two JSON-lines records (protocol in Sources/SandboxExec/main.c).
struct LauncherReport {
    /// `{"type":"setup",...}`
    var setup: [String: JSONValue]?
    /// `{"type":"exit",...}`
    var exit: [String: JSONValue]?

    init(output: String) {
        for line in output.split(separator: "\n") {
            guard let value = try? JSONValue.parse(Data(line.utf8)), let object = value.objectValue else { continue }
            switch object["type"]?.stringValue {
            case "setup": setup = object
            case "exit": exit = object
            default: continue
            }
        }
    }
}

/// What one launch knows besides the report: the request's mode, the compiled filter, host facts.
struct LaunchContext {
    var requested: SandboxMode
    var launcher: URL
    var profilePath: String?
    var profileSHA256: String?
    var filter: CompiledSeccompFilter?
    var request: LaunchRequest?

    init(requested: SandboxMode, launcher: URL) {
        self.requested = requested
        self.launcher = launcher
    }

    /// Host facts and policy identity, present in every result.
    private func baseEvidence() -> [String: JSONValue] {
        var e: [String: JSONValue] = [
            "kernel_release": .string(SandboxResources.kernelRelease()),
            "libseccomp_version": .string(libseccompVersion()),
            "launcher": .string(launcher.path),
        ]
        if let profilePath { e["profile_path"] = .string(profilePath) }
        if let profileSHA256 { e["profile_sha256"] = .string(profileSHA256) }
        if let filter {
            e["policy_sha256"] = .string(filter.sha256)
            e["seccomp_architecture"] = .string(filter.architecture)
            e["seccomp_rules"] = .number(Double(filter.ruleCount))
            e["seccomp_bpf_bytes"] = .number(Double(filter.bpf.count))
            e["seccomp_skipped_syscalls"] = .array(filter.skippedSyscalls.map { .string($0) })
        }
        return e
    }

    /// A result for a run refused before anything was started.
    func refusedBeforeStart(step: String, message: String) -> LaunchResult {
        var evidence = baseEvidence()
        evidence["refused_step"] = .string(step)
        let provenance = SandboxProvenance(
            requestedMode: requested, effectiveMode: .none, enforcementStatus: .refused,
            verificationStatus: .notApplicable, evidence: evidence)
        return LaunchResult(status: .refused, refusal: .init(step: step, message: message), provenance: provenance)
    }

    /// Builds the result from the launcher's records.
    func result(from report: LauncherReport) -> LaunchResult {
        let setup = report.setup ?? [:]
        var evidence = baseEvidence()
        var provenance: SandboxProvenance

        if setup["ok"]?.boolValue != true {
            let step = setup["step"]?.stringValue ?? "launcher"
            let detail = setup["detail"]?.stringValue ?? ""
            let error = setup["error"]?.stringValue ?? "unknown error"
            evidence["refused_step"] = .string(step)
            if let errno = setup["errno"] { evidence["refused_errno"] = errno }
            provenance = SandboxProvenance(
                requestedMode: requested, effectiveMode: .none,
                enforcementStatus: requested == .none ? .notRequested : .refused,
                verificationStatus: .notApplicable, evidence: evidence)
            var result = LaunchResult(status: .refused, provenance: provenance)
            result.refusal = .init(step: step, message: Self.refusalMessage(step: step, error: error, detail: detail))
            return result
        }

        let status = setup["proc_status"]?.objectValue ?? [:]
        var readBack: [String: JSONValue] = [:]
        for (key, value) in status {
            if let s = value.stringValue, let n = Int(s), key != "CapEff", key != "CapBnd" { readBack[key] = .number(Double(n)) }
            else { readBack[key] = value }
        }
        evidence["proc_status"] = .object(readBack)
        evidence["launch_steps"] = setup["steps"] ?? .array([])
        if let limits = setup["limits"] { evidence["limits"] = limits }

        switch requested {
        case .task, .strict:
            taskEvidence(setup: setup, exit: report.exit, into: &evidence)
            let problems = taskProblems(setup: setup, evidence: &evidence)
            let (seccompStatus, seccompReason) = verifySeccomp(readBack: readBack, setup: setup)
            if problems.isEmpty {
                evidence["verification"] = .string("read back from /proc/PID/{status,ns,mountinfo,cgroup,limits,uid_map} of the agent, parked after its last setup step and before exec")
                provenance = SandboxProvenance(requestedMode: requested, effectiveMode: requested, enforcementStatus: .enforced,
                                               verificationStatus: .verified, evidence: evidence)
            } else {
                // The agent ran; say exactly what was not confirmed and claim only what was.
                evidence["degraded_reasons"] = .array(problems.map { .string($0) })
                provenance = SandboxProvenance(requestedMode: requested, effectiveMode: seccompStatus == .verified ? .seccomp : .none,
                                               enforcementStatus: .degraded, verificationStatus: .mismatch, evidence: evidence)
                if seccompStatus != .verified { evidence["seccomp_verification"] = .string(seccompReason) }
            }
        case .none:
            provenance = SandboxProvenance(
                requestedMode: requested, effectiveMode: .none, enforcementStatus: .notRequested,
                verificationStatus: .notApplicable, evidence: evidence)
        case .seccomp:
            let (verification, reason) = verifySeccomp(readBack: readBack, setup: setup)
            evidence["verification"] = .string(reason)
            // "enforced" is claimed only with evidence; every setup call succeeding is not enough.
            if verification != .verified { evidence["degraded_reasons"] = .array([.string(reason)]) }
            provenance = SandboxProvenance(
                requestedMode: .seccomp, effectiveMode: verification == .verified ? .seccomp : .none,
                enforcementStatus: verification == .verified ? .enforced : .degraded, verificationStatus: verification, evidence: evidence)
        }

        let pid = setup["pid"]?.intValue.map { Int32($0) }
        guard let exit = report.exit else {
            return LaunchResult(status: .cancelled, provenance: provenance, pid: pid)
        }
        let int64 = { (key: String) -> Int64 in Int64(exit[key]?.doubleValue ?? 0) }
        return LaunchResult(
            status: LaunchResult.Status(rawValue: exit["status"]?.stringValue ?? "") ?? .failed,
            exitCode: exit["exit_code"]?.intValue.map { Int32($0) },
            signal: exit["signal"]?.intValue.map { Int32($0) },
            wallSeconds: exit["wall_seconds"]?.doubleValue ?? 0,
            userCPUSeconds: exit["user_cpu_seconds"]?.doubleValue ?? 0,
            systemCPUSeconds: exit["system_cpu_seconds"]?.doubleValue ?? 0,
            peakRSSBytes: exit["peak_rss_bytes"]?.doubleValue.map { Int64($0) },
            stdoutBytes: int64("stdout_bytes"), stdoutTruncated: exit["stdout_truncated"]?.boolValue ?? false,
            stderrBytes: int64("stderr_bytes"), stderrTruncated: exit["stderr_truncated"]?.boolValue ?? false,
            leftoverProcessesKilled: exit["leftover_processes_killed"]?.intValue ?? 0,
            provenance: provenance, pid: pid)
    }

    /// Seccomp mode is verified only by the child's own `/proc/PID/status`: `Seccomp: 2` (filter mode),
    /// `NoNewPrivs: 1`, at least one filter, and the launcher loaded as many BPF bytes as were compiled.
    private func verifySeccomp(readBack: [String: JSONValue], setup: [String: JSONValue]) -> (VerificationStatus, String) {
        guard setup["proc_status_read"]?.boolValue == true,
              let mode = readBack["Seccomp"]?.intValue, let nnp = readBack["NoNewPrivs"]?.intValue else {
            return (.unverified, "the child's Seccomp/NoNewPrivs could not be read back from /proc")
        }
        var problems: [String] = []
        if mode != 2 { problems.append("Seccomp is \(mode), expected 2 (filter)") }
        if nnp != 1 { problems.append("NoNewPrivs is \(nnp), expected 1") }
        if let filters = readBack["Seccomp_filters"]?.intValue, filters < 1 { problems.append("Seccomp_filters is \(filters)") }
        if let loaded = setup["seccomp_bpf_bytes"]?.intValue, let filter, loaded != filter.bpf.count {
            problems.append("the launcher loaded \(loaded) BPF bytes, \(filter.bpf.count) were compiled")
        }
        if problems.isEmpty { return (.verified, "read back from /proc/PID/status of the agent after exec") }
        return (.mismatch, problems.joined(separator: "; "))
    }

    static func refusalMessage(step: String, error: String, detail: String) -> String {
        switch step {
        case "exec":
            return "the agent program \"\(detail)\" could not be executed: \(error) (check that it exists, is executable and is on the agent's PATH)"
        case "chdir":
            return "cannot enter the working directory \(detail): \(error)"
        case "open_output":
            return "cannot open the output file \(detail): \(error)"
        case "seccomp":
            return "the kernel refused the seccomp filter: \(error)"
        case "verify":
            return "the sandbox's read-back did not confirm the isolation (\(detail)): \(error); the agent was not started"
        case "landlock", "clone_namespaces", "uid_map", "gid_map", "setgroups_deny", "mount_private", "mount_root",
             "mount_setattr", "mount_etc_masks", "mount_tmp", "mount_proc", "mount_dev", "pivot_root", "mount_verify",
             "network_lo", "hostname", "capabilities", "cgroup", "cgroup_attach", "setresuid", "no_new_privs":
            return "the sandbox primitive \(step) could not be applied\(detail.isEmpty ? "" : " (\(detail))"): \(error); run `ai4sci-bench sandbox check`, or pass --allow-degraded to run with a lower mode"
        case "seccomp_program":
            return "the compiled seccomp program \(detail) could not be loaded: \(error)"
        default:
            return "launch step \(step) failed\(detail.isEmpty ? "" : " (\(detail))"): \(error)"
        }
    }
}
