import Foundation
import Testing

@testable import AI4SciBench

#if arch(x86_64)
let isX86_64 = true
#else
let isX86_64 = false
#endif

/// The default profile, enforced by the real launcher on real agents, against the same probes unsandboxed.
@Suite("Sandbox seccomp enforcement", .serialized, .timeLimit(.minutes(1)))
struct SandboxSeccompTests {
    @Test("under seccomp: network sockets, io_uring, clone3 and namespaces are denied; AF_UNIX works")
    func probesDeniedUnderSeccomp() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await SandboxScratch.launcher().launch(scratch.request(["python3", "-c", syscallProbeScript], mode: .seccomp))
        #expect(result.status == .completed, "stderr: \(scratch.stderr)")
        let outcome = try probeOutcomes(scratch.stdout)
        #expect(outcome["inet"] == "EAFNOSUPPORT")
        #expect(outcome["inet6"] == "EAFNOSUPPORT")
        #expect(outcome["netlink"] == "EAFNOSUPPORT")
        #expect(outcome["packet"] == "EAFNOSUPPORT")
        #expect(outcome["unix"] == "ok")
        #expect(outcome["socketpair_unix"] == "ok")
        #expect(outcome["io_uring_setup"] == "ENOSYS")
        #expect(outcome["clone3"] == "ENOSYS")
        #expect(outcome["unshare_newuser"] == "EPERM")
        #expect(outcome["clone_newuser"] == "EPERM")

        let p = result.provenance
        #expect(p.requestedMode == .seccomp)
        #expect(p.effectiveMode == .seccomp)
        #expect(p.enforcementStatus == .enforced)
        #expect(p.verificationStatus == .verified)
        let status = p.evidence["proc_status"]?.objectValue ?? [:]
        #expect(status["Seccomp"] == 2)
        #expect(status["NoNewPrivs"] == 1)
        #expect((status["Seccomp_filters"]?.intValue ?? 0) >= 1)
        #expect(status["CapEff"]?.stringValue?.isEmpty == false)
        #expect(p.evidence["policy_sha256"]?.stringValue?.count == 64)
        #expect(p.evidence["profile_path"]?.stringValue?.hasSuffix("Sandbox/profiles/default.json") == true)
        #expect(p.evidence["libseccomp_version"]?.stringValue == libseccompVersion())
        #expect(p.evidence["kernel_release"]?.stringValue?.isEmpty == false)
        let steps = p.evidence["launch_steps"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(steps.contains("no_new_privs") && steps.contains("seccomp") && steps.last == "exec")
    }

    @Test("under none: the same probes succeed (so the seccomp test can fail)")
    func probesSucceedUnderNone() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await SandboxScratch.launcher().launch(scratch.request(["python3", "-c", syscallProbeScript], mode: .none))
        #expect(result.status == .completed, "stderr: \(scratch.stderr)")
        let outcome = try probeOutcomes(scratch.stdout)
        for key in ["inet", "inet6", "netlink", "packet", "unix", "socketpair_unix", "io_uring_setup", "unshare_newuser", "clone_newuser"] {
            #expect(outcome[key] == "ok", "\(key): \(outcome[key] ?? "missing")")
        }
        #expect(outcome["clone3"] != "ENOSYS")

        let p = result.provenance
        #expect(p.requestedMode == SandboxMode.none)
        #expect(p.effectiveMode == SandboxMode.none)
        #expect(p.enforcementStatus == .notRequested)
        #expect(p.verificationStatus == .notApplicable)
        #expect(p.evidence["proc_status"]?["Seccomp"] == 0)
        #expect(p.evidence["policy_sha256"] == nil)
    }

    /// i386 `getpid` through `int 0x80`, from machine code in an executable mapping.
    static let int80Script = """
        import ctypes, mmap, sys
        buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        buf.write(bytes([0xb8, 0x14, 0, 0, 0, 0xcd, 0x80, 0xc3]))  # mov eax, 20; int 0x80; ret
        ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(buf)))()
        print('survived'); sys.stdout.flush()
        """
    static let x32Script = "import ctypes, sys; ctypes.CDLL(None).syscall(0x40000000 | 39); print('survived'); sys.stdout.flush()"

    @Test("x32 and i386 (int 0x80) syscalls kill the agent with SIGSYS under seccomp, and do not under none",
          .enabled(if: isX86_64), arguments: [x32Script, int80Script])
    func foreignABIKilled(script: String) async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let launcher = try SandboxScratch.launcher()
        let filtered = try await launcher.launch(scratch.request(["python3", "-c", script], mode: .seccomp))
        #expect(filtered.status == .failed)
        #expect(filtered.signal == SIGSYS)
        #expect(!scratch.stdout.contains("survived"))
        let plain = try await launcher.launch(scratch.request(["python3", "-c", script], mode: .none))
        #expect(plain.status == .completed)
        #expect(plain.signal == nil)
        #expect(scratch.stdout.contains("survived"))
    }

    @Test("a profile that allows everything is verified but lets the probes through (the filter is the profile)")
    func customProfileIsUsed() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let profile = scratch.dir.appendingPathComponent("permissive.json")
        try Data(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["io_uring_setup"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#.utf8)
            .write(to: profile)
        let result = try await SandboxScratch.launcher().launch(
            scratch.request(["python3", "-c", syscallProbeScript], mode: .seccomp, profile: profile))
        let outcome = try probeOutcomes(scratch.stdout)
        #expect(outcome["inet"] == "ok")
        #expect(outcome["io_uring_setup"] == "EACCES")
        #expect(result.provenance.verificationStatus == .verified)
        #expect(result.provenance.evidence["profile_path"]?.stringValue == profile.path)
    }
}
