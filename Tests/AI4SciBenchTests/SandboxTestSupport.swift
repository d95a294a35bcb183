import Foundation
import Testing

@testable import AI4SciBench

/// A scratch directory plus helpers for launching agents in tests.
struct SandboxScratch {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ai4sci-sandbox-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// The repository root (three levels above this file).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let profilesDirectory = packageRoot.appendingPathComponent("Sandbox/profiles")

    static func launcher() throws -> AgentLauncher {
        try AgentLauncher(profilesDirectory: profilesDirectory)
    }

    /// A minimal agent environment: PATH and HOME only.
    var environment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "HOME": dir.path, "LANG": "C.UTF-8"]
    }

    func request(_ arguments: [String], mode: SandboxMode, timeout: Double = 30, grace: Double = 1,
                 cap: Int = 1 << 20, profile: URL? = nil) -> LaunchRequest {
        LaunchRequest(
            arguments: arguments, workingDirectory: dir, environment: environment,
            stdoutFile: dir.appendingPathComponent("agent_stdout.jsonl"),
            stderrFile: dir.appendingPathComponent("agent_stderr.log"),
            outputCapBytes: cap, timeoutSeconds: timeout, graceSeconds: grace, mode: mode, seccompProfile: profile)
    }

    var stdout: String { (try? String(contentsOf: dir.appendingPathComponent("agent_stdout.jsonl"), encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: dir.appendingPathComponent("agent_stderr.log"), encoding: .utf8)) ?? "" }

    func read(_ name: String) -> String? {
        try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    /// Waits until the named file exists and holds a pid.
    func waitForPid(_ name: String, seconds: Double = 10) async throws -> pid_t {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if let text = read(name), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return pid }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError(.io, "\(name) never appeared in \(dir.path)")
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// Whether a process with this pid exists (zombies count as gone: they run nothing).
func processAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state != "Z" && state != "X"
}

/// A Python agent that tries each denied operation and prints one JSON object of outcomes
/// ("ok" or the errno name).
let syscallProbeScript = #"""
import ctypes, json, os, socket, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = {"x86_64": {"unshare": 272, "clone": 56, "io_uring_setup": 425, "clone3": 435},
      "aarch64": {"unshare": 97, "clone": 220, "io_uring_setup": 425, "clone3": 435}}[os.uname().machine]
def sc(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return r, ctypes.get_errno()
def name(e): return errno.errorcode.get(e, str(e))
res = {}
def sock(key, fam, typ):
    try:
        s = socket.socket(fam, typ, 0); s.close(); res[key] = "ok"
    except OSError as e: res[key] = name(e.errno)
sock("inet", socket.AF_INET, socket.SOCK_STREAM)
sock("inet6", socket.AF_INET6, socket.SOCK_DGRAM)
sock("netlink", socket.AF_NETLINK, socket.SOCK_RAW)
sock("packet", socket.AF_PACKET, socket.SOCK_RAW)
sock("unix", socket.AF_UNIX, socket.SOCK_STREAM)
try:
    a, b = socket.socketpair(socket.AF_UNIX); a.close(); b.close(); res["socketpair_unix"] = "ok"
except OSError as e: res["socketpair_unix"] = name(e.errno)
params = ctypes.create_string_buffer(120)
r, e = sc(NR["io_uring_setup"], 8, ctypes.addressof(params))
res["io_uring_setup"] = "ok" if r >= 0 else name(e)
if r >= 0: os.close(r)
r, e = sc(NR["clone3"], 0, 0)
res["clone3"] = name(e)
pid = os.fork()
if pid == 0:
    r, e = sc(NR["unshare"], 0x10000000)
    os._exit(0 if r == 0 else (e or 255))
_, st = os.waitpid(pid, 0)
res["unshare_newuser"] = "ok" if os.WEXITSTATUS(st) == 0 else name(os.WEXITSTATUS(st))
r, e = sc(NR["clone"], 0x10000000 | 17, 0, 0, 0, 0)
if r == 0:
    libc._exit(0)
elif r > 0:
    os.waitpid(r, 0); res["clone_newuser"] = "ok"
else:
    res["clone_newuser"] = name(e)
print(json.dumps(res, sort_keys=True))
"""#

/// Parses the probe's one-line JSON output.
func probeOutcomes(_ text: String) throws -> [String: String] {
    let value = try JSONValue.parse(Data(text.utf8))
    return (value.objectValue ?? [:]).compactMapValues(\.stringValue)
}
