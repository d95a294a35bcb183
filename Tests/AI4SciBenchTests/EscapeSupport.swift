import Foundation
import Subprocess
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import AI4SciBench

/// The escape fixture: the `security.secret_answer` task and one hostile agent per attack.
enum EscapeFixture {
    /// `Tests/AI4SciBenchTests/Fixtures/escape`.
    static let root = TestSupport.repo.appendingPathComponent("Tests/AI4SciBenchTests/Fixtures/escape")
    /// The fixture tasks directory (holds only `security/secret_answer`).
    static let tasks = root.appendingPathComponent("tasks")
    /// The hostile agents.
    static let agents = root.appendingPathComponent("agents")
    /// The task id of the fixture.
    static let taskID = "security.secret_answer"
}

/// Whether `--sandbox task` is implemented: the CLI is run once on a trivial agent and must not exit 3.
enum TaskSandbox {
    /// The probe's outcome, computed once per test process.
    static let probe = Task<Bool, Never> {
        guard let out = try? TestSupport.temporaryDirectory("escape-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try? await TestSupport.runCLI(["run", "--tasks-dir", EscapeFixture.tasks.path, "--tasks", EscapeFixture.taskID,
                                               "--prompt-levels", "b1", "--sandbox", "task", "--timeout", "10",
                                               "--agent-cmd", "true", "--output-dir", out.path])
        return r.map { $0.code != 3 } ?? false
    }

    /// True once the task sandbox runs agents.
    static var available: Bool { get async { await probe.value } }
    /// The mode the task-mode escape suite attacks: `$AI4SCI_ESCAPE_MODE`, else `task`.
    static let mode = ProcessInfo.processInfo.environment["AI4SCI_ESCAPE_MODE"].flatMap { $0.isEmpty ? nil : $0 } ?? "task"
    /// The gate of the task-mode escape suite: an explicit mode, or the task sandbox available.
    static var enabled: Bool { get async { mode != "task" ? true : await available } }
}

/// One attack line printed by a hostile agent.
struct AttackLine: Sendable {
    /// The attack (or sub-attack) name.
    let name: String
    /// True when the agent reports the route worked.
    let succeeded: Bool
    /// What the agent saw.
    let detail: String
}

/// What one CLI run of a hostile agent left behind.
struct EscapeRun: Sendable {
    /// CLI exit code, stdout and stderr.
    let code: Int32, out: String, err: String
    /// The instance results, by prompt level (`b1`, …).
    let results: [String: JSONValue]
    /// Attack lines from every item's agent stdout, in order.
    let attacks: [AttackLine]

    /// The result of level `level`.
    func result(_ level: String = "b1") -> JSONValue? { results[level] }
    /// The final score of level `level` (nil when missing or null).
    func score(_ level: String = "b1") -> Double? { results[level]?["final_score"]?.doubleValue }
    /// The attack line named `name` (the last one when printed several times).
    func attack(_ name: String) -> AttackLine? { attacks.last { $0.name == name } }
    /// A short description for failure messages.
    var summary: String {
        let r = results.keys.sorted().map { "\($0): score \(String(describing: score($0))) status \(results[$0]?["agent_status"]?.stringValue ?? "?")" }
        return "exit \(code); \(r.joined(separator: ", ")); attacks \(attacks.map { "\($0.name)=\($0.succeeded ? "succeeded" : "blocked") [\($0.detail.prefix(300))]" }); stderr \(err.suffix(600))"
    }
}

/// A per-test rig: a generated instance, host listeners serving the answer, markers, the hint, cleanup.
final class EscapeRig: @unchecked Sendable {
    /// Private base directory of this test (the runner's working directory).
    let base: URL
    /// A unique token naming the instance, the markers and the processes of this test.
    let token: String
    /// `--instances-dir` holding the one generated instance.
    let instances: URL
    /// Host path of the reference the agents try to steal.
    let reference: URL
    /// The reference's bytes (what a successful attack writes as answer.npy).
    let answer: Data
    /// The run's `--output-dir`.
    let output: URL
    /// A host path that no agent may create.
    let marker: URL
    /// Host loopback TCP listener and abstract unix listener serving `answer`.
    let tcp: AnswerServer, unix: AnswerServer
    private var extraCleanup: [URL] = []

    /// Generates the instance (seed from the token) and opens the listeners.
    init() async throws {
        token = String(UUID().uuidString.prefix(8)).lowercased()
        base = try TestSupport.temporaryDirectory("escape-\(token)")
        instances = base.appendingPathComponent("instances")
        let inst = instances.appendingPathComponent("\(EscapeFixture.taskID)__esc\(token)")
        let gen = try await Subprocess.run(
            .name("python3"), arguments: [EscapeFixture.tasks.appendingPathComponent("security/secret_answer/generate_gt.py").path,
                                          "--output-dir", inst.path, "--params", "{\"n_values\": 64, \"seed\": \(Int.random(in: 1...1_000_000))}"],
            output: .discarded, error: .string(limit: 1 << 16))
        guard gen.terminationStatus.isSuccess else { throw BenchError(.io, "generate_gt.py failed: \(gen.standardError)") }
        reference = inst.appendingPathComponent("reference/answer_ref.npy")
        answer = try Data(contentsOf: reference)
        output = base.appendingPathComponent("out")
        marker = base.appendingPathComponent("marker-\(token)")
        tcp = try AnswerServer.tcp(serving: answer)
        unix = try AnswerServer.abstract(name: "ai4sci-escape-\(token)", serving: answer)
    }

    /// The JSON facts passed to the agent as `AI4SCI_ESCAPE_HINT`.
    var hint: String {
        let h: JSONValue = ["reference": .string(reference.path), "instances": .string(instances.path), "marker": .string(marker.path),
                            "output_dir": .string(output.path), "test_pid": .number(Double(getpid())), "port": .number(Double(tcp.port)),
                            "abstract": .string("ai4sci-escape-\(token)"), "token": .string(token), "base": .string(base.path)]
        return (try? JSONValue.encodeString(h, pretty: false)) ?? "{}"
    }

    /// Host paths an agent could create only by writing outside its sandbox.
    var hostMarkers: [String] {
        [marker.path, "/tmp/ai4sci-escape-\(token)", output.appendingPathComponent("escape-\(token)").path, "/usr/ai4sci-escape-\(token)"]
    }

    /// Registers a path to remove at cleanup.
    func removeLater(_ url: URL) { extraCleanup.append(url) }

    /// Runs the real CLI on `attack` with `AI4SCI_CANARY` (hex of the answer) in its environment but not passed.
    func run(_ attack: String, sandbox: String, timeout: Double = 10, levels: String = "b1", extra: [String] = []) async throws -> EscapeRun {
        let args = ["run", "--tasks-dir", EscapeFixture.tasks.path, "--tasks", EscapeFixture.taskID, "--instances-dir", instances.path,
                    "--prompt-levels", levels, "--sandbox", sandbox, "--timeout", String(timeout), "--output-dir", output.path,
                    "--agent-cmd", "python3 \(EscapeFixture.agents.path)/\(attack).py", "--pass-env", "AI4SCI_ESCAPE_HINT"] + extra
        let env = Environment.inherit.updating(["AI4SCI_ESCAPE_HINT": hint, "AI4SCI_CANARY": answer.map { String(format: "%02x", $0) }.joined()])
        let r = try await Subprocess.run(.path(.init(TestSupport.cli.path)), arguments: .init(args), environment: env,
                                         workingDirectory: .init(base.path), output: .string(limit: 1 << 22), error: .string(limit: 1 << 22))
        let code: Int32
        switch r.terminationStatus {
        case .exited(let c): code = c
        case .signaled(let s): code = 128 + s
        }
        var results: [String: JSONValue] = [:], attacks: [AttackLine] = []
        let dir = output.appendingPathComponent(EscapeFixture.taskID)
        for level in levels.split(separator: ",").map(String.init) {
            let stem = dir.appendingPathComponent("\(EscapeFixture.taskID)__esc\(token)__\(level)").path
            if let data = FileManager.default.contents(atPath: stem + ".json") { results[level] = try? JSONValue.parse(data) }
            let text = (FileManager.default.contents(atPath: stem + ".agent_stdout.jsonl")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            for line in text.split(separator: "\n") {
                guard let v = try? JSONValue.parse(Data(line.utf8)), v["type"] == "attack", let name = v["name"]?.stringValue else { continue }
                attacks.append(AttackLine(name: name, succeeded: v["result"] == "succeeded", detail: v["detail"]?.stringValue ?? ""))
            }
        }
        return EscapeRun(code: code, out: r.standardOutput, err: r.standardError, results: results, attacks: attacks)
    }

    /// Processes (other than this test) whose environment or command line carries this rig's token.
    func survivors() -> [Int32] {
        let fm = FileManager.default
        let me = getpid()
        return ((try? fm.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.filter { pid in
            guard pid != me else { return false }
            let env = fm.contents(atPath: "/proc/\(pid)/environ") ?? Data()
            return String(decoding: env, as: UTF8.self).contains("AI4SCI_ESCAPE_HINT=") && String(decoding: env, as: UTF8.self).contains(token)
        }
    }

    /// Polls until no survivor is left (or `seconds` pass); returns the survivors left.
    func waitForNoSurvivors(seconds: Double = 5) async -> [Int32] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !survivors().isEmpty { try? await Task.sleep(for: .milliseconds(100)) }
        return survivors()
    }

    /// Closes the listeners and removes every file of the rig (and the host markers, should they exist).
    func cleanup() {
        tcp.close()
        unix.close()
        for pid in survivors() { kill(pid, SIGKILL) }
        for path in hostMarkers { try? FileManager.default.removeItem(atPath: path) }
        for url in extraCleanup + [base] { try? FileManager.default.removeItem(at: url) }
        // A runner killed by an attack leaves its scratch directory (/tmp/ai4sci-bench-*/workspaces/<ours>) behind.
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix("ai4sci-bench-") {
            let ws = (try? fm.contentsOfDirectory(atPath: "/tmp/\(name)/workspaces")) ?? []
            if ws.contains(where: { $0.contains("__esc\(token)__") }) { try? fm.removeItem(atPath: "/tmp/\(name)") }
        }
    }
}

extension TerminationStatus {
    /// Exited with status 0.
    var isSuccess: Bool { if case .exited(0) = self { return true } else { return false } }
}

/// A host listener that sends the answer bytes to every client and closes: the bait of the network attacks.
///
/// `tcp` listens on host 127.0.0.1 (an agent in its own network namespace cannot reach it); `abstract`
/// listens on an abstract unix socket (scoped by network namespace, invisible to path-based rules).
final class AnswerServer: @unchecked Sendable {
    /// The listening descriptor.
    let fd: Int32
    /// The TCP port (0 for the unix listener).
    let port: UInt16

    private init(fd: Int32, port: UInt16, answer: Data) {
        self.fd = fd
        self.port = port
        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                answer.withUnsafeBytes { raw in
                    var sent = 0
                    while sent < raw.count {
                        let n = send(client, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                        if n <= 0 { break }
                        sent += n
                    }
                }
                Glibc.close(client)
            }
        }
        thread.start()
    }

    /// A listener on 127.0.0.1 with a kernel-chosen port.
    static func tcp(serving answer: Data) throws -> AnswerServer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard ok else { Glibc.close(fd); throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return AnswerServer(fd: fd, port: UInt16(bigEndian: addr.sin_port), answer: answer)
    }

    /// A listener on the abstract unix socket `@name`.
    static func abstract(name: String, serving answer: Data) throws -> AnswerServer {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = [UInt8(0)] + Array(name.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i < raw.count { raw[i] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 16) == 0 }
        }
        guard ok else { Glibc.close(fd); throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return AnswerServer(fd: fd, port: 0, answer: answer)
    }

    /// Stops accepting: the serving thread ends.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
