import Foundation
import Testing

@testable import AI4SciBench

/// A TCP server on the host's 127.0.0.1 (random port) that answers every connection with `reply`.
final class LoopbackServer: Sendable {
    let fd: Int32
    let port: Int
    let reply: String

    init(reply: String) throws {
        self.reply = reply
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) == 0 && listen(sock, 16) == 0 && getsockname(sock, $0, &len) == 0 }
        }
        guard ok else { close(sock); throw BenchError(.io, "test server: cannot listen") }
        fd = sock
        port = Int(UInt16(bigEndian: addr.sin_port))
        let (fd, reply) = (fd, reply)
        Thread.detachNewThread {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                // The client speaks first (as in TLS and HTTP): one line, then the reply.
                var byte: UInt8 = 0
                while read(c, &byte, 1) == 1, byte != 10 {}
                _ = reply.withCString { Glibc.send(c, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                close(c)
            }
        }
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

/// `--network proxy`: the host-side proxy, the relay inside the task sandbox, the seccomp override,
/// the log in the result, and the refusals. Loopback only.
@Suite("Network proxy", .serialized, .timeLimit(.minutes(1)))
struct NetworkProxyTests {
    static let hostPATH = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    @Test("allow-host entries parse with a default port of 443; bad ones are bad input")
    func parsing() throws {
        #expect(try AllowedHost.parse("API.example.org") == AllowedHost(host: "api.example.org", port: 443))
        #expect(try AllowedHost.parse("127.0.0.1:8080") == AllowedHost(host: "127.0.0.1", port: 8080))
        #expect(try AllowedHost.parse("[::1]:81") == AllowedHost(host: "::1", port: 81))
        for bad in ["", "h:0", "h:70000", "h:x", "a b", "h:1:2", "[::1"] {
            #expect(throws: BenchError.self) { try AllowedHost.parse(bad) }
        }
        #expect(throws: BenchError.self) { try NetworkPolicy(mode: .proxy).validate(sandbox: .task) }
        #expect(throws: BenchError.self) { try NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "h")]).validate(sandbox: .seccomp) }
        try NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "h")]).validate(sandbox: .strict)
        #expect(NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "h")]).allows(host: "H", port: 443))
        #expect(!NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "h")]).allows(host: "h", port: 80))
    }

    @Test("the override keeps every non-inet family denied and compiles to its own policy hash")
    func seccompOverride() throws {
        let url = SandboxScratch.profilesDirectory.appendingPathComponent("default.json")
        let profile = try SeccompProfile.load(from: url)
        let relaxed = profile.withProxyNetworkOverride()
        #expect(relaxed.sha256 != profile.sha256)
        #expect(try relaxed.compile().sha256 != (try profile.compile().sha256))
        let socketDenials = relaxed.rules.filter { $0.names == ["socket"] && $0.action != .allow }
        #expect(socketDenials.contains { $0.conditions == [.init(index: 0, value: 17, valueTwo: 0, op: .equal)] } == false)
        #expect(socketDenials.contains { $0.conditions.first == .init(index: 0, value: 10, valueTwo: 0, op: .greaterThan) })
        #expect(socketDenials.contains { $0.conditions == [.init(index: 0, value: 0, valueTwo: 0, op: .equal)] })
        let strict = try SeccompProfile.load(from: SandboxScratch.profilesDirectory.appendingPathComponent("strict.json"))
        let strictRelaxed = strict.withProxyNetworkOverride()
        #expect(strictRelaxed.rules.contains { $0.names == ["socket"] && $0.action == .allow && $0.conditions.first?.value == 2 })
        _ = try strictRelaxed.compile()
    }

    /// Sends `request` to the proxy's unix socket and reads until EOF.
    func ask(_ proxy: NetworkProxy, _ request: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in proxy.socketPath.utf8.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else { throw BenchError(.io, "connect to the proxy failed") }
        _ = request.withCString { write(fd, $0, strlen($0)) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("the proxy relays CONNECT and absolute-URI requests to allowed hosts, answers 403 otherwise, and logs both")
    func proxyOnTheHost() throws {
        let allowed = try LoopbackServer(reply: "hello through the proxy\n")
        let other = try LoopbackServer(reply: "must not be seen\n")
        defer { allowed.stop(); other.stop() }
        let proxy = try NetworkProxy(policy: NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "127.0.0.1", port: allowed.port)]))
        let ok = try ask(proxy, "CONNECT 127.0.0.1:\(allowed.port) HTTP/1.1\r\nHost: 127.0.0.1:\(allowed.port)\r\n\r\nhi\n")
        #expect(ok.hasPrefix("HTTP/1.1 200"))
        #expect(ok.hasSuffix("hello through the proxy\n"))
        let plain = try ask(proxy, "GET http://127.0.0.1:\(allowed.port)/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(plain == "hello through the proxy\n")
        let denied = try ask(proxy, "CONNECT 127.0.0.1:\(other.port) HTTP/1.1\r\n\r\n")
        #expect(denied.hasPrefix("HTTP/1.1 403"))
        #expect(!denied.contains("must not be seen"))
        let junk = try ask(proxy, "HELLO\r\n\r\n")
        #expect(junk.hasPrefix("HTTP/1.1 400"))
        let socketPath = proxy.socketPath
        let log = proxy.stop()
        #expect(!FileManager.default.fileExists(atPath: socketPath))
        #expect(log.count == 4)
        let connect = log.first { $0.method == "CONNECT" && $0.allowed }
        #expect(connect?.bytesDown == Int64("hello through the proxy\n".utf8.count))
        #expect(log.contains { $0.method == "GET" && $0.allowed && $0.port == allowed.port })
        #expect(log.contains { !$0.allowed && $0.port == other.port && $0.error?.hasPrefix("denied") == true })
    }

    @Test("in task mode the agent reaches an allowed host only through the relay; the log is in the result")
    func taskModeAgent() async throws {
        let allowed = try LoopbackServer(reply: "hello through the proxy\n")
        let other = try LoopbackServer(reply: "must not be seen\n")
        defer { allowed.stop(); other.stop() }
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let script = """
        import http.client, json, os, socket
        r = {"proxy_env": os.environ.get("HTTPS_PROXY"), "no_proxy": os.environ.get("NO_PROXY")}
        def tunnel(port):
            c = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10)
            c.set_tunnel("127.0.0.1", port)
            try:
                c.connect()
            except OSError as e:
                return "refused: " + str(e)
            c.sock.sendall(b"hi\\n")
            data = b""
            while True:
                chunk = c.sock.recv(4096)
                if not chunk: break
                data += chunk
            return data.decode()
        def attempt(fn):
            try: fn(); return "ok"
            except OSError as e: return e.__class__.__name__ + ": " + str(e)
        r["allowed"] = tunnel(\(allowed.port))
        r["denied"] = tunnel(\(other.port))
        r["direct"] = attempt(lambda: socket.create_connection(("127.0.0.1", \(allowed.port)), timeout=2))
        r["packet"] = attempt(lambda: socket.socket(17, socket.SOCK_RAW, 0))
        r["netlink"] = attempt(lambda: socket.socket(16, socket.SOCK_RAW, 0))
        r["udp"] = attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        r["bind"] = attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).bind(("127.0.0.1", 8080)))
        r["relay_fd"] = attempt(lambda: socket.socket(socket.AF_UNIX).connect("/proc/2/fd/6"))
        r["relay_kill"] = attempt(lambda: os.kill(2, 9))
        r["relay_name"] = open("/proc/2/comm").read().strip()
        print(json.dumps(r))
        """
        var request = scratch.request(["python3", "-c", script], mode: .task, timeout: 30, grace: 0.5)
        request.readOnlyPaths = SandboxResources.runtimeReadOnlyPaths(forPATH: Self.hostPATH)
        request.network = NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "127.0.0.1", port: allowed.port)])
        let result = try await SandboxScratch.launcher().launch(request)
        let stderr = (try? String(contentsOf: request.stderrFile, encoding: .utf8)) ?? ""
        #expect(result.status == .completed, "\(result.refusal?.message ?? "") \(stderr)")
        #expect(result.provenance.verificationStatus == .verified)
        let line = try String(contentsOf: request.stdoutFile, encoding: .utf8)
        let r = try JSONDecoder().decode([String: String?].self, from: Data(line.utf8))
        #expect(r["proxy_env"] == "http://127.0.0.1:3128")
        #expect(r["no_proxy"] == "localhost,::1")
        #expect(r["allowed"] == "hello through the proxy\n")
        #expect(r["denied"]??.contains("403") == true)
        #expect(r["direct"]??.hasPrefix("ok") == false)
        #expect(r["packet"]??.hasPrefix("OSError") == true || r["packet"]??.contains("Errno 97") == true)
        #expect(r["netlink"]??.contains("Errno 97") == true)
        #expect(r["udp"]??.contains("Errno 97") == true)
        #expect(r["bind"]??.hasPrefix("ok") == false)
        #expect(r["relay_name"] == "ai4sci-relay")
        #expect(r["relay_fd"]??.hasPrefix("ok") == false)
        #expect(r["relay_kill"]??.hasPrefix("ok") == false)
        let network = result.provenance.evidence["network"]?.objectValue
        #expect(network?["mode"] == .string("proxy"))
        #expect(network?["allowed_hosts"] == .array([.string("127.0.0.1:\(allowed.port)")]))
        let log = network?["log"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(log.count == 2)
        #expect(log.contains { $0["allowed"] == .bool(true) && $0["port"] == .number(Double(allowed.port)) && $0["bytes_down"] == .number(24) && $0["bytes_up"] == .number(3) })
        #expect(log.contains { $0["allowed"] == .bool(false) && $0["port"] == .number(Double(other.port)) })
        let override = result.provenance.evidence["seccomp_network_override"]?.objectValue
        #expect(override?["name"] == .string(SeccompProfile.proxyNetworkOverrideName))
        #expect(override?["policy_sha256"] == result.provenance.evidence["policy_sha256"])
        #expect(result.provenance.evidence["landlock"]?.objectValue?["tcp_connect_port"] == .string("3128"))
        #expect(result.leftoverProcessesKilled == 0)
    }

    @Test("--network proxy is refused in seccomp mode (the host network would be reachable)")
    func refusedWithoutNetns() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        var request = scratch.request(["true"], mode: .seccomp)
        request.network = NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "127.0.0.1", port: 9)])
        let result = try await SandboxScratch.launcher().launch(request)
        #expect(result.status == .refused)
        #expect(result.refusal?.step == "network")
        #expect(result.refusal?.message.contains("host's network namespace") == true)
    }

    @Test("CLI: --network proxy without --allow-host, or with --sandbox seccomp, exits 2", .timeLimit(.minutes(1)))
    func cliBadInput() async throws {
        let out = try TestSupport.temporaryDirectory("net")
        defer { try? FileManager.default.removeItem(at: out) }
        let base = ["run", "--tasks-dir", TestSupport.tasks.path, "--output-dir", out.path, "--tasks", "physics.sod_shock_tube",
                    "--agent-cmd", "python3 \(TestSupport.repo.path)/Agents/oracle.py --task-id {task_id}"]
        let noHosts = try await TestSupport.runCLI(base + ["--network", "proxy"])
        #expect(noHosts.code == 2)
        #expect(noHosts.err.contains("--allow-host"))
        let seccomp = try await TestSupport.runCLI(base + ["--network", "proxy", "--allow-host", "127.0.0.1:9", "--sandbox", "seccomp"])
        #expect(seccomp.code == 2)
        #expect(seccomp.err.contains("--network proxy needs --sandbox task or strict"))
        let badHost = try await TestSupport.runCLI(base + ["--network", "proxy", "--allow-host", "a b"])
        #expect(badHost.code == 2)
    }

    @Test("CLI: a task-mode run with --network proxy records mode, allow list and log in the result", .timeLimit(.minutes(1)))
    func cliRunRecordsTheLog() async throws {
        let allowed = try LoopbackServer(reply: "hello through the proxy\n")
        defer { allowed.stop() }
        let out = try TestSupport.temporaryDirectory("net-run")
        defer { try? FileManager.default.removeItem(at: out) }
        let agentDir = try TestSupport.temporaryDirectory("net-agent")
        defer { try? FileManager.default.removeItem(at: agentDir) }
        let agent = agentDir.appendingPathComponent("fetch.py")
        try """
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10)
        c.set_tunnel("127.0.0.1", \(allowed.port))
        c.connect()
        c.sock.sendall(b"hi\\n")
        print(c.sock.recv(4096).decode().strip())
        try:
            c2 = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10)
            c2.set_tunnel("example.org", 443)
            c2.connect()
        except OSError as e:
            print("denied:", e)
        """.write(to: agent, atomically: true, encoding: .utf8)
        let r = try await TestSupport.runCLI(["run", "--tasks-dir", EscapeFixture.tasks.path, "--tasks", EscapeFixture.taskID,
                                              "--prompt-levels", "b1", "--sandbox", "task", "--timeout", "20",
                                              "--network", "proxy", "--allow-host", "127.0.0.1:\(allowed.port)",
                                              "--agent-cmd", "python3 \(agent.path)", "--output-dir", out.path])
        #expect(r.code == 0, "\(r.err)")
        let dir = out.appendingPathComponent(EscapeFixture.taskID)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let resultFile = try #require(files.first { $0.hasSuffix("__b1.json") }, "\(files)")
        let result = try JSONValue.parse(try Data(contentsOf: dir.appendingPathComponent(resultFile)))
        let network = result["sandbox"]?["network"]
        #expect(network?["mode"] == .string("proxy"))
        #expect(network?["allowed_hosts"] == .array([.string("127.0.0.1:\(allowed.port)")]))
        let log = network?["log"]?.arrayValue ?? []
        #expect(log.count == 2, "\(String(describing: network))")
        #expect(log.contains { $0["allowed"] == .bool(true) && $0["bytes_down"] == .number(24) })
        #expect(log.contains { $0["allowed"] == .bool(false) && $0["host"] == .string("example.org") && $0["port"] == .number(443) })
        let stdout = files.first { $0.hasSuffix("__b1.agent_stdout.jsonl") }.flatMap { try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) } ?? ""
        #expect(stdout.contains("hello through the proxy"))
        #expect(stdout.contains("denied: Tunnel connection failed: 403"))
    }

    @Test("strict mode: the override also opens AF_INET stream sockets in the allow-list profile")
    func strictModeAgent() async throws {
        let allowed = try LoopbackServer(reply: "hello through the proxy\n")
        defer { allowed.stop() }
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let script = """
        import http.client, socket
        c = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10)
        c.set_tunnel("127.0.0.1", \(allowed.port))
        c.connect()
        c.sock.sendall(b"hi\\n")
        print(c.sock.recv(4096).decode().strip())
        try:
            socket.socket(17, socket.SOCK_RAW, 0)
            print("packet ok")
        except OSError as e:
            print("packet", e.errno)
        """
        var request = scratch.request(["python3", "-c", script], mode: .strict, timeout: 30, grace: 0.5)
        request.readOnlyPaths = SandboxResources.runtimeReadOnlyPaths(forPATH: Self.hostPATH)
        request.network = NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "127.0.0.1", port: allowed.port)])
        let result = try await SandboxScratch.launcher().launch(request)
        let stderr = (try? String(contentsOf: request.stderrFile, encoding: .utf8)) ?? ""
        #expect(result.status == .completed, "\(result.refusal?.message ?? "") \(stderr)")
        let out = try String(contentsOf: request.stdoutFile, encoding: .utf8)
        #expect(out == "hello through the proxy\npacket 97\n")
    }

    @Test("the proxy is bounded: connections past the limit get 503, a silent client is dropped after the idle timeout")
    func bounded() throws {
        let proxy = try NetworkProxy(policy: NetworkPolicy(mode: .proxy, allowedHosts: [AllowedHost(host: "127.0.0.1", port: 9)]),
                                     maxConnections: 1, idleTimeoutSeconds: 0.5)
        let start = Date()
        let holder = Thread { _ = try? ask(proxy, "") }   // sends nothing: holds the one slot until the idle timeout
        holder.start()
        usleep(150_000)
        let second = try ask(proxy, "CONNECT 127.0.0.1:9 HTTP/1.1\r\n\r\n")
        #expect(second.hasPrefix("HTTP/1.1 503"))
        usleep(700_000)
        let log = proxy.stop()
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(log.contains { $0.error?.contains("too many connections") == true })
        #expect(log.contains { $0.error?.contains("no complete request head") == true })
    }
}
