import Foundation
import Testing

@testable import AI4SciBench

/// Task mode through `AgentLauncher`: namespaces, the new root, Landlock, limits, provenance, fallback.
@Suite("Sandbox task mode", .serialized, .timeLimit(.minutes(1)))
struct SandboxTaskTests {
    static let hostPATH = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    func taskRequest(_ scratch: SandboxScratch, _ args: [String], mode: SandboxMode = .task, timeout: Double = 30,
                     allowDegraded: Bool = false, extraEnv: [String: String] = [:]) -> LaunchRequest {
        var r = scratch.request(args, mode: mode, timeout: timeout, grace: 0.5)
        r.readOnlyPaths = SandboxResources.runtimeReadOnlyPaths(forPATH: Self.hostPATH)
        r.allowDegraded = allowDegraded
        r.environment.merge(extraEnv) { $1 }
        return r
    }

    /// A listening TCP socket on the host's 127.0.0.1; returns (fd, port).
    func hostListener() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        #expect(bound)
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    @Test("the agent is uid 1000 without capabilities, under its own PID 1, without network, and sees only its binds")
    func isolation() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let secretDir = try SandboxScratch()
        defer { secretDir.remove() }
        try "42".write(to: secretDir.dir.appendingPathComponent("reference.txt"), atomically: true, encoding: .utf8)
        let (listener, port) = try hostListener()
        defer { close(listener) }
        let script = """
        import os, socket, json
        r = {"uid": os.getuid(), "pid": os.getpid()}
        r["capeff"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
        r["init"] = open("/proc/1/cmdline", "rb").read().split(b"\\0")[0].decode()
        r["ifaces"] = sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:])
        def attempt(key, fn):
            try: fn(); r[key] = "ok"
            except OSError as e: r[key] = e.__class__.__name__
        attempt("connect_host", lambda: socket.create_connection(("127.0.0.1", \(port)), timeout=2))
        attempt("read_reference", lambda: open("\(secretDir.dir.path)/reference.txt").read())
        attempt("write_usr", lambda: open("/usr/agent-was-here", "w"))
        attempt("write_etc", lambda: open("/etc/agent-was-here", "w"))
        attempt("write_workspace", lambda: open("written.txt", "w").write("x"))
        attempt("write_tmp", lambda: open("/tmp/t.txt", "w").write("x"))
        r["shadow"] = open("/etc/shadow").read() if os.path.exists("/etc/shadow") else "absent"
        print(json.dumps(r))
        """
        let result = try await SandboxScratch.launcher().launch(taskRequest(scratch, ["python3", "-c", script]))
        #expect(result.status == .completed, "\(scratch.stderr)")
        let out = try JSONValue.parse(Data(scratch.stdout.utf8)).objectValue ?? [:]
        #expect(out["uid"]?.intValue == 1000)
        #expect(out["pid"]?.intValue ?? 0 < 10)
        #expect(out["capeff"]?.stringValue == "0000000000000000")
        #expect(out["init"]?.stringValue?.hasSuffix("ai4sci-sandbox-exec") == true)
        #expect(out["ifaces"]?.arrayValue?.compactMap(\.stringValue) == ["lo"])
        #expect(out["connect_host"]?.stringValue != "ok")
        #expect(out["read_reference"]?.stringValue == "FileNotFoundError")
        #expect(out["write_usr"]?.stringValue != "ok")
        #expect(out["write_etc"]?.stringValue != "ok")
        #expect(out["write_workspace"]?.stringValue == "ok")
        #expect(out["write_tmp"]?.stringValue == "ok")
        #expect(out["shadow"]?.stringValue == "" || out["shadow"]?.stringValue == "absent")
        #expect(scratch.read("written.txt") == "x")
        #expect(!FileManager.default.fileExists(atPath: "/usr/agent-was-here"))
        // The workspace is the runner's again after the run.
        let owner = try FileManager.default.attributesOfItem(atPath: scratch.dir.appendingPathComponent("written.txt").path)[.ownerAccountID] as? NSNumber
        #expect(owner?.uint32Value == getuid())

        let p = result.provenance
        #expect(p.requestedMode == .task)
        #expect(p.effectiveMode == .task)
        #expect(p.enforcementStatus == .enforced)
        #expect(p.verificationStatus == .verified, "\(p.evidence["degraded_reasons"] ?? .null)")
        for key in ["namespaces", "uid_map", "mountinfo", "mount_flags", "landlock", "resource_limits", "cgroup_membership",
                    "cleanup", "proc_status", "kernel_release", "libseccomp_version", "policy_sha256"] {
            #expect(p.evidence[key] != nil, "evidence \(key) missing")
        }
        let cleanup = p.evidence["cleanup"]?.objectValue ?? [:]
        #expect(cleanup["pidns_gone"]?.boolValue == true)
        #expect(cleanup["cgroup_empty"]?.boolValue == true)
    }

    @Test("a setsid daemon and the timeout leave nothing alive")
    func timeoutKillsEverything() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let script = #"setsid sh -c 'trap "" TERM; exec sleep 300' & sleep 300"#
        let result = try await SandboxScratch.launcher().launch(taskRequest(scratch, ["sh", "-c", script], timeout: 1.5))
        #expect(result.status == .timeout)
        let cleanup = result.provenance.evidence["cleanup"]?.objectValue ?? [:]
        #expect(cleanup["pidns_gone"]?.boolValue == true)
        #expect(cleanup["cgroup_empty"]?.boolValue == true)
        if let initPid = result.provenance.evidence["init_pid"]?.intValue { #expect(!processAlive(pid_t(initPid))) }
        #expect(result.provenance.effectiveMode == .task)
    }

    @Test("a missing primitive refuses the run, naming the step")
    func missingPrimitiveRefuses() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await SandboxScratch.launcher().launch(
            taskRequest(scratch, ["sh", "-c", "echo ran > ran.txt"], extraEnv: ["AI4SCI_SANDBOX_FAIL_STEP": "landlock"]))
        #expect(result.status == .refused)
        #expect(result.refusal?.step == "landlock")
        #expect(result.provenance.enforcementStatus == .refused)
        #expect(scratch.read("ran.txt") == nil)
    }

    @Test("with allowDegraded a missing primitive falls back to seccomp, with the reason")
    func degradedFallback() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await SandboxScratch.launcher().launch(
            taskRequest(scratch, ["sh", "-c", "echo ran > ran.txt"], allowDegraded: true,
                        extraEnv: ["AI4SCI_SANDBOX_FAIL_STEP": "mount_proc"]))
        #expect(result.status == .completed)
        #expect(scratch.read("ran.txt") == "ran\n")
        let p = result.provenance
        #expect(p.requestedMode == .task)
        #expect(p.effectiveMode == .seccomp)
        #expect(p.enforcementStatus == .degraded)
        let reasons = p.evidence["degraded_reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(reasons.contains { $0.contains("mount_proc") })
    }

    @Test("the process limit is enforced through the cgroup (or RLIMIT_NPROC) and read back")
    func processLimit() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        var request = taskRequest(scratch, ["sh", "-c", "n=0; for i in $(seq 40); do sleep 5 & n=$((n+1)); done; wait; echo done"], timeout: 20)
        request.limits.maxProcesses = 16
        let result = try await SandboxScratch.launcher().launch(request)
        #expect(result.status == .completed || result.status == .failed)   // sh may give up after a failed fork
        #expect(scratch.stderr.contains("fork") || scratch.stderr.contains("Resource temporarily unavailable"), "\(scratch.stderr)")
        let limits = result.provenance.evidence["resource_limits"]?.objectValue ?? [:]
        let via = limits["pids_via"]?.stringValue ?? ""
        #expect(via == "cgroup_v1" || via == "cgroup_v2" || via == "rlimit")
        if via != "rlimit" { #expect(limits["pids_read"]?.stringValue == "16") }
        #expect(result.provenance.verificationStatus == .verified)
    }

    @Test("python3 with numpy runs in task mode with its toolchain bound read-only")
    func pythonNumpy() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await SandboxScratch.launcher().launch(
            taskRequest(scratch, ["python3", "-c", "import numpy; print(int(numpy.arange(4).sum()))"]))
        #expect(result.status == .completed, "\(scratch.stderr)")
        #expect(scratch.stdout == "6\n")
    }

    @Test("strict without Sandbox/profiles/strict.json is refused with a reason")
    func strictWithoutProfile() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let profiles = scratch.dir.appendingPathComponent("profiles")
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: SandboxScratch.profilesDirectory.appendingPathComponent("default.json"),
                                         to: profiles.appendingPathComponent("default.json"))
        let launcher = try AgentLauncher(profilesDirectory: profiles)
        let result = try await launcher.launch(taskRequest(scratch, ["true"], mode: .strict))
        #expect(result.status == .refused)
        #expect(result.refusal?.step == "strict_profile")
    }

    @Test("runtimeReadOnlyPaths returns toolchain roots, never a home directory")
    func runtimePaths() {
        let paths = SandboxResources.runtimeReadOnlyPaths(forPATH: "/root/.pyenv/shims:/root/.pyenv/bin:/usr/bin:/bin:/root:/usr/local/sbin").map(\.path)
        #expect(paths.contains("/root/.pyenv"))
        #expect(!paths.contains("/root"))
        #expect(!paths.contains { $0.hasPrefix("/usr") || $0 == "/bin" })
    }

    @Test("the host probe finds task mode effective here")
    func probe() async throws {
        let report = try await SandboxProbe.run(launcher: SandboxScratch.launcher())
        let task = report.modes.first { $0.requested == .task }
        #expect(task?.effective == .task, "\(task?.gaps ?? [])")
        #expect(report.facts["landlock_abi"]?.intValue ?? 0 >= 1)
    }
}
