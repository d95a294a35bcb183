import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One connection attempt seen by the proxy, allowed or not.
public struct NetworkLogEntry: Sendable, Equatable, Codable {
    /// When the request arrived (ISO 8601, UTC).
    public var time: String
    /// `CONNECT`, or the method of a plain-HTTP request (`GET`...); empty when the request was unreadable.
    public var method: String
    /// The host the agent asked for (empty when the request was unreadable).
    public var host: String
    /// The port the agent asked for (0 when unknown).
    public var port: Int
    /// Whether the host and port were on the allow list.
    public var allowed: Bool
    /// Bytes sent from the agent to the host (after the request head for CONNECT).
    public var bytesUp: Int64
    /// Bytes sent from the host to the agent.
    public var bytesDown: Int64
    /// What went wrong, if anything (`denied`, `connect failed: ...`, `idle timeout`...).
    public var error: String?

    /// The entry as a JSON object with snake_case keys.
    public var json: JSONValue {
        .object(["time": .string(time), "method": .string(method), "host": .string(host),
                 "port": .number(Double(port)), "allowed": .bool(allowed),
                 "bytes_up": .number(Double(bytesUp)), "bytes_down": .number(Double(bytesDown)),
                 "error": error.map { .string($0) } ?? .null])
    }
}

/// An HTTP CONNECT proxy on a unix socket, forwarding only to allow-listed hosts and logging every attempt.
///
/// The socket lives in a fresh directory (0700) of its own; the socket itself is 0666 so the sandbox's
/// unprivileged uid can connect through the descriptor the launcher opened for it. `CONNECT host:port`
/// and absolute-URI plain-HTTP requests (`GET http://host[:port]/...`) are served; anything else gets
/// 400, hosts off the list 403, unreachable hosts 502, and connections past `maxConnections` 503.
/// A connection idle in both directions for `idleTimeoutSeconds` is closed.
public final class NetworkProxy: Sendable {
    /// The unix socket the proxy listens on.
    public let socketPath: String
    /// The allow list.
    public let policy: NetworkPolicy
    /// Connections served at the same time; more are answered 503.
    public let maxConnections: Int
    /// Seconds without traffic in either direction before a connection is closed.
    public let idleTimeoutSeconds: Double

    private let directory: String
    private let listenFD: Int32
    private let state = Mutex(State())
    private let acceptDone = Mutex(false)

    struct State {
        var log: [NetworkLogEntry] = []
        var active: Set<Int32> = []
        var stopping = false
    }

    /// Creates the socket in a new private directory under `$TMPDIR` (or /tmp when that path is too long).
    public init(policy: NetworkPolicy, maxConnections: Int = 64, idleTimeoutSeconds: Double = 300) throws {
        self.policy = policy
        self.maxConnections = maxConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        var dir: String?
        for base in [NSTemporaryDirectory(), "/tmp"] {
            var template = Array((base + "/ai4sci-proxy-XXXXXX").utf8CString)
            if let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }),
               String(cString: made).utf8.count + 12 < 100 {
                dir = String(cString: made)
                break
            }
        }
        guard let dir else {
            throw BenchError(.io, "cannot create the network proxy's directory in \(NSTemporaryDirectory()) or /tmp: \(String(cString: strerror(errno)))",
                             hint: "check that TMPDIR is writable and short")
        }
        directory = dir
        let path = dir + "/proxy.sock"
        socketPath = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BenchError(.io, "network proxy: socket(AF_UNIX) failed: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o666) == 0, listen(fd, 64) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            unlink(path)
            rmdir(dir)
            throw BenchError(.io, "network proxy: cannot listen on \(path): \(message)")
        }
        listenFD = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Every attempt so far, in arrival order.
    public var log: [NetworkLogEntry] { state.withLock { $0.log } }

    /// Stops accepting, closes the connections still open (after up to `drainSeconds` for them to
    /// end by themselves), removes the socket and its directory, and returns the log.
    @discardableResult
    public func stop(drainSeconds: Double = 2) -> [NetworkLogEntry] {
        let first = state.withLock { s -> Bool in defer { s.stopping = true }; return !s.stopping }
        if first {
            let deadline = Date().addingTimeInterval(drainSeconds)
            while !acceptDone.withLock({ $0 }) || (!state.withLock { $0.active.isEmpty } && Date() < deadline) {
                usleep(10_000)
            }
            state.withLock { s in for fd in s.active { shutdown(fd, Int32(SHUT_RDWR)) } }
            let hard = Date().addingTimeInterval(5)
            while !state.withLock({ $0.active.isEmpty }) && Date() < hard { usleep(10_000) }
            close(listenFD)
            unlink(socketPath)
            rmdir(directory)
        }
        return log
    }

    deinit { stop(drainSeconds: 0) }

    private func acceptLoop() {
        defer { acceptDone.withLock { $0 = true } }
        while !state.withLock({ $0.stopping }) {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) <= 0 { continue }
            let client = accept(listenFD, nil, nil)
            if client < 0 { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let admitted = state.withLock { s -> Bool in
                guard s.active.count < maxConnections, !s.stopping else { return false }
                s.active.insert(client)
                return true
            }
            if !admitted {
                ProxyConnection.send(client, status: "503 Service Unavailable", body: "ai4sci-bench proxy: too many connections\n")
                record(NetworkLogEntry(time: Self.now(), method: "", host: "", port: 0, allowed: false,
                                       bytesUp: 0, bytesDown: 0, error: "too many connections (limit \(maxConnections))"))
                close(client)
                continue
            }
            Thread.detachNewThread { [self] in
                let entry = ProxyConnection(client: client, policy: policy, idleTimeout: idleTimeoutSeconds, time: Self.now()).serve()
                record(entry)
                state.withLock { _ = $0.active.remove(client) }
                close(client)
            }
        }
    }

    private func record(_ entry: NetworkLogEntry) { state.withLock { $0.log.append(entry) } }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    /// The `network` evidence of a run: mode, allow list, relay port and the log.
    public static func evidence(policy: NetworkPolicy, log: [NetworkLogEntry]) -> JSONValue {
        var e: [String: JSONValue] = ["mode": .string(policy.mode.rawValue)]
        if policy.mode == .proxy {
            e["allowed_hosts"] = .array(policy.allowedHosts.map { .string($0.description) })
            e["relay"] = .string("127.0.0.1:\(NetworkPolicy.relayPort)")
            e["log"] = .array(log.map(\.json))
        }
        return .object(e)
    }
}
