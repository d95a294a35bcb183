import Foundation

/// The task-mode view of a request: which host paths are bound, and how.
struct TaskPaths {
    var readOnly: [String]
    var writable: [String]
    var workingDirectory: String

    init(_ r: LaunchRequest) {
        readOnly = r.readOnlyPaths.map { $0.standardizedFileURL.path }
        let rw = r.writablePaths.isEmpty ? [r.workingDirectory] : r.writablePaths
        writable = rw.map { $0.standardizedFileURL.path }
        workingDirectory = r.workingDirectory.standardizedFileURL.path
    }

    static func contains(_ dir: String, _ path: String) -> Bool {
        dir == "/" || path == dir || path.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/")
    }

    func validate() throws {
        for p in readOnly + writable where !p.hasPrefix("/") || p == "/" {
            throw BenchError(.badInput, "sandbox path \(p): expected an absolute path other than /",
                             hint: "bind only the directories the agent needs")
        }
        guard (readOnly + writable).contains(where: { Self.contains($0, workingDirectory) }) else {
            throw BenchError(.badInput, "working directory \(workingDirectory) is not inside a read-only or writable path of the sandbox",
                             hint: "add it (or a parent) to writablePaths")
        }
    }

    var launcherArguments: [String] {
        ["--task"] + readOnly.flatMap { ["--ro", $0] } + writable.flatMap { ["--rw", $0] }
    }
}

extension SandboxMode {
    /// Strength order: none < seccomp < task < strict.
    var rank: Int {
        switch self {
        case .none: 0
        case .seccomp: 1
        case .task: 2
        case .strict: 3
        }
    }
}

extension SandboxProvenance {
    /// Turns the provenance of a fallback run into that of a degraded run of `requested`.
    mutating func markDegraded(requested: SandboxMode, reasons: [String]) {
        requestedMode = requested
        enforcementStatus = .degraded
        let previous = evidence["degraded_reasons"]?.arrayValue ?? []
        evidence["degraded_reasons"] = .array(reasons.map { .string($0) } + previous)
    }
}

extension LaunchContext {
    /// Checks the task-mode read-back against what was requested; returns the problems found.
    func taskProblems(setup: [String: JSONValue], evidence: inout [String: JSONValue]) -> [String] {
        var problems: [String] = []
        let status = setup["proc_status"]?.objectValue ?? [:]
        func field(_ k: String) -> String { status[k]?.stringValue ?? "" }
        // Namespaces: all six differ from the launcher's.
        let ns = setup["namespaces"]?.objectValue ?? [:]
        for name in ["user", "pid", "net", "mnt", "ipc", "uts"] {
            let entry = ns[name]?.objectValue ?? [:]
            let mine = entry["launcher"]?.stringValue ?? "", theirs = entry["agent"]?.stringValue ?? ""
            if mine.isEmpty || theirs.isEmpty || mine == theirs { problems.append("\(name) namespace not separate (\(theirs))") }
        }
        if field("CapEff") != "0000000000000000" || field("CapPrm") != "0000000000000000" {
            problems.append("capabilities left: CapEff \(field("CapEff")) CapPrm \(field("CapPrm"))")
        }
        let uid = field("Uid").split(whereSeparator: { $0 == "\t" || $0 == " " }).first.map(String.init) ?? ""
        if uid.isEmpty || uid == "0" { problems.append("the agent's uid is \(uid.isEmpty ? "unknown" : uid)") }
        if field("Seccomp") != "2" { problems.append("Seccomp is \(field("Seccomp")), expected 2") }
        if field("NoNewPrivs") != "1" { problems.append("NoNewPrivs is \(field("NoNewPrivs")), expected 1") }
        // Mounts as the agent sees them: the last entry of a mountpoint is the visible one.
        var flags: [String: String] = [:]
        for line in setup["mountinfo"]?.arrayValue ?? [] {
            let parts = (line.stringValue ?? "").split(separator: " ")
            guard parts.count == 2 else { continue }
            flags[String(parts[0])] = parts[1].split(separator: ",").contains("ro") ? "ro" : "rw"
        }
        var expected: [String: String] = ["/": "ro", "/usr": "ro", "/etc": "ro", "/tmp": "rw", "/proc": "rw"]
        let paths = request.map(TaskPaths.init)
        for p in paths?.readOnly ?? [] { expected[p] = "ro" }
        for p in paths?.writable ?? [] { expected[p] = "rw" }
        for (path, want) in expected.sorted(by: { $0.key < $1.key }) where flags[path] != want {
            problems.append("mount \(path) is \(flags[path] ?? "absent"), expected \(want)")
        }
        if flags["/etc/shadow"] == nil, FileManager.default.fileExists(atPath: "/etc/shadow") { problems.append("/etc/shadow is not masked") }
        evidence["mount_flags"] = .object(flags.mapValues { .string($0) })
        // Landlock: "abi=N fs=0x.. net=0x.. scoped=0x.." as accepted by landlock_restrict_self.
        let landlock = setup["landlock"]?.stringValue ?? ""
        var ll: [String: JSONValue] = [:]
        for part in landlock.split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { ll[String(kv[0])] = .string(String(kv[1])) }
        }
        evidence["landlock"] = .object(ll)
        if (Int(ll["abi"]?.stringValue ?? "") ?? 0) < 1 { problems.append("Landlock was not applied") }
        // Limits read back: cgroup files or /proc/PID/limits for the rlimit fallback.
        let res = setup["resource_limits"]?.objectValue ?? [:]
        let limits = setup["limits"]?.objectValue ?? [:]
        let wanted: [(String, Bool, String)] = [("memory", request?.limits.memoryBytes != nil, "as"),
                                                ("pids", request?.limits.maxProcesses != nil, "nproc"),
                                                ("cpu", request?.limits.cpuQuota != nil, "")]
        for (name, requested, rlimit) in wanted where requested {
            let via = res["\(name)_via"]?.stringValue ?? "none"
            let read = res["\(name)_read"]?.stringValue ?? ""
            switch via {
            case "cgroup_v1", "cgroup_v2": if read.isEmpty { problems.append("\(name) limit not read back from the cgroup") }
            case "rlimit": if limits[rlimit] == nil { problems.append("\(name) rlimit not read back from /proc/PID/limits") }
            default: problems.append("no mechanism for the \(name) limit on this host")
            }
        }
        if requested == .strict, profileSHA256 == nil { problems.append("the strict profile's hash is unknown") }
        return problems
    }

    /// Copies the task-mode read-back into the evidence.
    func taskEvidence(setup: [String: JSONValue], exit: [String: JSONValue]?, into e: inout [String: JSONValue]) {
        for key in ["namespaces", "uid_map", "gid_map", "cgroup_membership", "mountinfo", "resource_limits",
                    "outside_uid", "init_pid", "tmp_size_bytes"] {
            if let v = setup[key] { e[key] = v }
        }
        if let exit {
            for key in ["cleanup", "cgroup_peak_memory_bytes", "cgroup_oom_kills", "sandbox_processes_started"] {
                if let v = exit[key] { e[key] = v }
            }
        }
        let res = setup["resource_limits"]?.objectValue ?? [:]
        e["cgroup_version"] = res["cgroup_version"] ?? .number(0)
    }
}
