import Foundation
import Testing

@testable import AI4SciBench

/// `Sandbox/profiles/strict.json`, the default-deny allow-list, enforced by the real launcher on real
/// agent runtimes (python3 with numpy through the pyenv shim, bash with coreutils, node) and on probes.
@Suite("Strict seccomp profile", .serialized, .timeLimit(.minutes(1)))
struct StrictProfileTests {
    static let strictURL = SandboxScratch.profilesDirectory.appendingPathComponent("strict.json")
    static let nodeAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/node")

    /// Launches `arguments` in mode `.seccomp` with the strict profile.
    func runStrict(_ arguments: [String], in scratch: SandboxScratch) async throws -> LaunchResult {
        try await SandboxScratch.launcher().launch(
            scratch.request(arguments, mode: .seccomp, timeout: 45, profile: Self.strictURL))
    }

    @Test("strict.json parses, is default-deny and compiles for the native architecture")
    func compiles() throws {
        let profile = try SeccompProfile.load(from: Self.strictURL)
        #expect(profile.defaultAction == .errno(UInt16(ENOSYS)))
        let allowed = Set(profile.rules.filter { $0.action == .allow && $0.conditions.isEmpty }.flatMap(\.names))
        for needed in ["execve", "read", "write", "openat", "mmap", "futex", "exit_group", "rt_sigreturn", "wait4"] {
            #expect(allowed.contains(needed), "\(needed) missing from the allow-list")
        }
        let dangerous = ["socket", "socketpair", "clone", "clone3", "unshare", "setns", "mount", "umount2", "pivot_root",
                         "chroot", "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "keyctl",
                         "add_key", "request_key", "userfaultfd", "open_by_handle_at", "io_uring_setup", "io_uring_enter",
                         "kexec_load", "init_module", "finit_module", "reboot", "swapon", "acct", "quotactl", "syslog"]
        for name in dangerous {
            #expect(!allowed.contains(name), "\(name) is allowed without conditions")
        }
        // The conditional allows: AF_UNIX sockets only, clone without namespace flags.
        let socketAllow = profile.rules.first { $0.action == .allow && $0.names.contains("socket") }
        #expect(socketAllow?.conditions == [.init(index: 0, value: 1, valueTwo: 0, op: .equal)])
        let cloneAllow = profile.rules.first { $0.action == .allow && $0.names.contains("clone") }
        #expect(cloneAllow?.conditions.first?.op == .maskedEqual)
        #expect(cloneAllow?.conditions.first.map { $0.value & 0x1000_0000 != 0 && $0.valueTwo == 0 } == true)

        let filter = try profile.compile()
        #expect(filter.architecture == SeccompCompiler.nativeArchitecture)
        #expect(filter.ruleCount > 150)
        #expect(filter.bpf.count > 0 && filter.bpf.count % 8 == 0)
        #expect(!filter.skippedSyscalls.contains("execve") && !filter.skippedSyscalls.contains("openat"))
    }

    static let numpyScript = #"""
    import numpy as np, os, subprocess, threading
    rng = np.random.default_rng(1)
    a = rng.standard_normal((60, 60)) + 60 * np.eye(60); b = rng.standard_normal(60)
    x = np.linalg.solve(a, b)
    np.save("a.npy", a); back = np.load("a.npy")
    spec = np.fft.fft(np.cos(2 * np.pi * 5 * np.arange(64) / 64))
    box = []
    t = threading.Thread(target=lambda: box.append(round(float(np.linalg.det(np.eye(3) * 2)), 6))); t.start(); t.join()
    child = subprocess.run(["python3", "-c", "print(6 * 7)"], capture_output=True, text=True, check=True)
    import scipy.linalg
    print("solve", bool(np.allclose(a @ x, b)), "load", bool(np.array_equal(back, a)),
          "fft", int(np.argmax(np.abs(spec[:32]))), "thread", box[0], "child", child.stdout.strip(),
          "scipy", float(scipy.linalg.norm(np.ones(4))))
    """#

    @Test("python3 (pyenv shim) with numpy, scipy, a thread and a subprocess runs under strict")
    func pythonNumpy() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await runStrict(["python3", "-c", Self.numpyScript], in: scratch)
        #expect(result.status == .completed, "stderr: \(scratch.stderr)")
        #expect(result.exitCode == 0)
        #expect(scratch.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            == "solve True load True fft 5 thread 8.0 child 42 scipy 2.0")
        #expect(result.provenance.evidence["proc_status"]?["Seccomp"] == 2)
        #expect(result.provenance.evidence["profile_path"]?.stringValue?.hasSuffix("Sandbox/profiles/strict.json") == true)
    }

    static let bashScript = #"""
    set -euo pipefail
    mkdir -p d/e && printf 'pear 3\napple 1\nfig 2\n' > d/in.txt
    cp d/in.txt d/e/copy.txt && cat d/e/copy.txt | sort | awk '{s += $2} END {print "sum", s}'
    grep -c a d/in.txt | sed 's/^/count /'
    tar -czf d.tgz d && mkdir x && tar -xzf d.tgz -C x && gzip -c x/d/in.txt | gzip -dc | sort -k2 -n | head -1
    find x -type f -name '*.txt' | sort | xargs ls -1 | wc -l | tr -d ' '
    rm -rf x d d.tgz && ls | wc -l | tr -d ' '
    """#

    @Test("a bash pipeline with coreutils, tar, gzip, grep, sed, awk and find runs under strict")
    func bashCoreutils() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await runStrict(["bash", "-c", Self.bashScript], in: scratch)
        #expect(result.status == .completed, "stderr: \(scratch.stderr)")
        // The last count is the scratch directory after cleanup: only the two capture files remain.
        #expect(scratch.stdout.split(separator: "\n").map(String.init) == ["sum 6", "count 2", "apple 1", "2", "2"])
    }

    static let nodeScript = #"""
    const fs = require('fs'), cp = require('child_process');
    fs.mkdirSync('n/sub', { recursive: true }); fs.writeFileSync('n/sub/f.txt', 'strict');
    const text = fs.readFileSync('n/sub/f.txt', 'utf8');
    const child = cp.execSync('echo $((6 * 7))').toString().trim();
    const spawned = cp.spawnSync('cat', ['n/sub/f.txt']).stdout.toString();
    fs.rmSync('n', { recursive: true });
    console.log(text, child, spawned, fs.existsSync('n'));
    """#

    @Test("node with fs and child_process runs under strict", .enabled(if: nodeAvailable))
    func node() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await runStrict(["/usr/bin/node", "-e", Self.nodeScript], in: scratch)
        #expect(result.status == .completed, "stderr: \(scratch.stderr)")
        #expect(scratch.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "strict 42 strict false")
    }

    @Test("hostile probes fail under strict exactly as under default, and unlisted syscalls are refused")
    func probesDenied() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await runStrict(["python3", "-c", strictProbeScript], in: scratch)
        #expect(result.status == .completed, "stderr: \(scratch.stderr)")
        let outcome = try probeOutcomes(scratch.stdout)
        let expected: [String: String] = [
            "inet": "EAFNOSUPPORT", "inet6": "EAFNOSUPPORT", "netlink": "EAFNOSUPPORT", "packet": "EAFNOSUPPORT",
            "vsock": "EAFNOSUPPORT", "unix": "ok", "socketpair_unix": "ok",
            "io_uring_setup": "ENOSYS", "clone3": "ENOSYS", "unshare_newuser": "EPERM", "clone_newuser": "EPERM",
            "clone_newns": "EPERM", "clone_newnet": "EPERM", "fork": "ok",
            "ptrace": "EPERM", "bpf": "EPERM", "mount": "EPERM", "acct": "EPERM", "add_key": "EPERM",
            "process_vm_readv": "EPERM", "tiocsti": "EPERM", "fionread": "ok 3",
            "syslog": "ENOSYS", "kcmp": "ENOSYS", "personality": "ENOSYS", "setdomainname": "ENOSYS",
        ]
        for (key, want) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(outcome[key] == want, "\(key): \(outcome[key] ?? "missing")")
        }
        #expect(result.provenance.evidence["proc_status"]?["NoNewPrivs"] == 1)
    }

    @Test("the same unlisted syscalls succeed or fail differently without a filter (the probe is real)")
    func probesUnfiltered() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await SandboxScratch.launcher().launch(scratch.request(["python3", "-c", strictProbeScript], mode: .none))
        #expect(result.status == .completed, "stderr: \(scratch.stderr)")
        let outcome = try probeOutcomes(scratch.stdout)
        for key in ["inet", "unix", "fork", "clone_newuser", "syslog", "kcmp", "personality"] {
            #expect(outcome[key] == "ok", "\(key): \(outcome[key] ?? "missing")")
        }
    }
}

/// A Python agent that tries denied and unlisted operations and prints one JSON object of outcomes
/// ("ok" or the errno name). Syscall numbers for x86-64 and arm64.
let strictProbeScript = #"""
import ctypes, errno, json, os, socket
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = {"x86_64": dict(unshare=272, clone=56, io_uring_setup=425, clone3=435, ptrace=101, bpf=321, mount=165,
                     acct=163, add_key=248, process_vm_readv=310, syslog=103, kcmp=312, personality=135,
                     setdomainname=171, ioctl=16),
      "aarch64": dict(unshare=97, clone=220, io_uring_setup=425, clone3=435, ptrace=117, bpf=280, mount=40,
                      acct=89, add_key=217, process_vm_readv=270, syslog=116, kcmp=272, personality=92,
                      setdomainname=162, ioctl=29)}[os.uname().machine]
def sc(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return r, ctypes.get_errno()
def name(e): return errno.errorcode.get(e, str(e))
res = {}
def record(key, r, e): res[key] = "ok" if r >= 0 else name(e)
def sock(key, fam, typ):
    try:
        s = socket.socket(fam, typ, 0); s.close(); res[key] = "ok"
    except OSError as e: res[key] = name(e.errno)
sock("inet", socket.AF_INET, socket.SOCK_STREAM)
sock("inet6", socket.AF_INET6, socket.SOCK_DGRAM)
sock("netlink", socket.AF_NETLINK, socket.SOCK_RAW)
sock("packet", socket.AF_PACKET, socket.SOCK_RAW)
sock("vsock", 40, socket.SOCK_STREAM)
sock("unix", socket.AF_UNIX, socket.SOCK_STREAM)
try:
    a, b = socket.socketpair(socket.AF_UNIX); a.close(); b.close(); res["socketpair_unix"] = "ok"
except OSError as e: res["socketpair_unix"] = name(e.errno)
params = ctypes.create_string_buffer(120)
r, e = sc(NR["io_uring_setup"], 8, ctypes.addressof(params)); record("io_uring_setup", r, e)
if r >= 0: os.close(r)
r, e = sc(NR["clone3"], 0, 0); res["clone3"] = name(e)
def in_child(key, nr, *args):
    pid = os.fork()
    if pid == 0:
        r, e = sc(nr, *args)
        os._exit(0 if r >= 0 else (e or 255))
    _, st = os.waitpid(pid, 0)
    res[key] = "ok" if os.WEXITSTATUS(st) == 0 else name(os.WEXITSTATUS(st))
in_child("unshare_newuser", NR["unshare"], 0x10000000)
def raw_clone(key, flags):
    r, e = sc(NR["clone"], flags | 17, 0, 0, 0, 0)
    if r == 0: libc._exit(0)
    if r > 0: os.waitpid(r, 0)
    record(key, r, e)
raw_clone("clone_newuser", 0x10000000)
raw_clone("clone_newns", 0x20000)
raw_clone("clone_newnet", 0x40000000)
raw_clone("fork", 0)
record("ptrace", *sc(NR["ptrace"], 2, os.getppid(), 0, 0))           # PTRACE_PEEKDATA, no attach
record("bpf", *sc(NR["bpf"], 0, 0, 0))
record("mount", *sc(NR["mount"], 0, 0, 0, 0x20, 0))                   # MS_REMOUNT of /
record("acct", *sc(NR["acct"], 1))                                   # bad pointer: EFAULT unfiltered
record("add_key", *sc(NR["add_key"], 0, 0, 0, 0, 0))
record("process_vm_readv", *sc(NR["process_vm_readv"], os.getppid(), 0, 0, 0, 0, 0))
ch = ctypes.c_char(b"x")
r, e = sc(NR["ioctl"], 0, 0x5412, ctypes.addressof(ch)); res["tiocsti"] = "ok" if r >= 0 else name(e)
pr, pw = os.pipe(); os.write(pw, b"abc"); n = ctypes.c_int(0)
r, e = sc(NR["ioctl"], pr, 0x541B, ctypes.addressof(n)); res["fionread"] = "ok %d" % n.value if r >= 0 else name(e)
record("syslog", *sc(NR["syslog"], 10, 0, 0))                         # SYSLOG_ACTION_SIZE_BUFFER
record("kcmp", *sc(NR["kcmp"], os.getpid(), os.getpid(), 0, 0, 0))   # KCMP_FILE 0 vs 0
record("personality", *sc(NR["personality"], 0xffffffff))            # query only
buf = ctypes.create_string_buffer(b"probe")
record("setdomainname", *sc(NR["setdomainname"], ctypes.addressof(buf), 1 << 20))  # EINVAL unfiltered
print(json.dumps(res, sort_keys=True))
"""#
