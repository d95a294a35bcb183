import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One client connection of the `NetworkProxy`: reads the request head, applies the allow list,
/// connects upstream and copies bytes both ways until both sides are done or the idle timeout hits.
struct ProxyConnection {
    let client: Int32
    let policy: NetworkPolicy
    let idleTimeout: Double
    let time: String

    private static let maxHead = 16 << 10

    /// Serves the connection and returns its log entry (the caller closes `client`).
    func serve() -> NetworkLogEntry {
        var entry = NetworkLogEntry(time: time, method: "", host: "", port: 0, allowed: false, bytesUp: 0, bytesDown: 0, error: nil)
        guard let (head, rest) = readHead() else {
            entry.error = "no complete request head within \(Self.maxHead) bytes or the idle timeout"
            Self.send(client, status: "400 Bad Request", body: "ai4sci-bench proxy: expected CONNECT host:port or an absolute http:// URI\n")
            return entry
        }
        var lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3 else {
            entry.error = "malformed request line"
            Self.send(client, status: "400 Bad Request", body: "ai4sci-bench proxy: malformed request line\n")
            return entry
        }
        entry.method = parts[0]
        let target: (host: String, port: Int?)?
        var forward: Data? = nil
        if parts[0] == "CONNECT" {
            target = splitHostPort(parts[1], defaultPort: 443).map { ($0.0, $0.1) }
        } else if parts[1].lowercased().hasPrefix("http://") {
            let afterScheme = parts[1].dropFirst(7)
            let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
            let authority = String(afterScheme[..<slash])
            let path = slash == afterScheme.endIndex ? "/" : String(afterScheme[slash...])
            target = splitHostPort(authority, defaultPort: 80).map { ($0.0, $0.1) }
            // Origin-form request line; hop-by-hop proxy headers dropped; one request per connection.
            lines[0] = "\(parts[0]) \(path) \(parts[2])"
            lines = lines.filter { line in
                let name = line.split(separator: ":", maxSplits: 1).first?.lowercased() ?? ""
                return !["connection", "proxy-connection", "proxy-authorization", "keep-alive"].contains(name)
            }
            forward = Data((lines.filter { !$0.isEmpty }.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n").utf8)
        } else {
            target = nil
        }
        guard let target, let port = target.port, !target.host.isEmpty, (1...65535).contains(port) else {
            entry.error = "unsupported request: \(parts[0]) \(parts[1].prefix(200))"
            Self.send(client, status: "400 Bad Request", body: "ai4sci-bench proxy: expected CONNECT host:port or an absolute http:// URI\n")
            return entry
        }
        entry.host = target.host
        entry.port = port
        guard policy.allows(host: target.host, port: port) else {
            entry.error = "denied: not on the allow list"
            Self.send(client, status: "403 Forbidden", body: "ai4sci-bench proxy: \(target.host):\(port) is not on the allow list\n")
            return entry
        }
        entry.allowed = true
        let upstream: Int32
        switch Self.connectTCP(host: target.host, port: port) {
        case .failure(let message):
            entry.error = "connect failed: \(message)"
            Self.send(client, status: "502 Bad Gateway", body: "ai4sci-bench proxy: cannot reach \(target.host):\(port): \(message)\n")
            return entry
        case .success(let fd):
            upstream = fd
        }
        defer { close(upstream) }
        var pending = rest
        if let forward {
            pending = forward + rest
        } else if !Self.writeAll(client, Data("HTTP/1.1 200 Connection established\r\n\r\n".utf8)) {
            entry.error = "client went away"
            return entry
        }
        if !pending.isEmpty {
            guard Self.writeAll(upstream, pending) else { entry.error = "upstream write failed"; return entry }
            entry.bytesUp += Int64(pending.count)
        }
        entry.error = relay(upstream: upstream, up: &entry.bytesUp, down: &entry.bytesDown)
        return entry
    }

    /// Reads until the blank line ending the head; returns the head (without it) and any bytes after.
    private func readHead() -> (String, Data)? {
        var buffer = Data()
        let end = Data("\r\n\r\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < Self.maxHead {
            guard Self.waitReadable(client, seconds: min(idleTimeout, 30)) else { return nil }
            let n = read(client, &chunk, chunk.count)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
            if let r = buffer.range(of: end) {
                guard let head = String(data: buffer[..<r.lowerBound], encoding: .utf8) else { return nil }
                return (head, Data(buffer[r.upperBound...]))
            }
        }
        return nil
    }

    /// Copies both ways with half-closes; returns an error description or nil on a clean end.
    private func relay(upstream: Int32, up: inout Int64, down: inout Int64) -> String? {
        var clientOpen = true, upstreamOpen = true
        var chunk = [UInt8](repeating: 0, count: 65536)
        while clientOpen || upstreamOpen {
            var fds = [pollfd(fd: client, events: clientOpen ? Int16(POLLIN) : 0, revents: 0),
                       pollfd(fd: upstream, events: upstreamOpen ? Int16(POLLIN) : 0, revents: 0)]
            let r = poll(&fds, 2, Int32(idleTimeout * 1000))
            if r == 0 { return "idle timeout (\(Int(idleTimeout)) s)" }
            if r < 0 { if errno == EINTR { continue }; return "poll: \(String(cString: strerror(errno)))" }
            for i in 0..<2 where fds[i].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let from = i == 0 ? client : upstream, to = i == 0 ? upstream : client
                let n = read(from, &chunk, chunk.count)
                if n < 0 { if errno == EINTR { continue }; return "read: \(String(cString: strerror(errno)))" }
                if n == 0 {
                    shutdown(to, Int32(SHUT_WR))
                    if i == 0 { clientOpen = false } else { upstreamOpen = false }
                    continue
                }
                guard Self.writeAll(to, Data(chunk[0..<n])) else { return "write failed" }
                if i == 0 { up += Int64(n) } else { down += Int64(n) }
            }
        }
        return nil
    }

    enum Connected { case success(Int32), failure(String) }

    /// Resolves and connects (10 s per address); the first address that answers wins.
    static func connectTCP(host: String, port: Int) -> Connected {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else { return .failure(String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            var tv = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            if connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                var zero = timeval(tv_sec: 0, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &zero, socklen_t(MemoryLayout<timeval>.size))
                return .success(fd)
            }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        return .failure(lastError)
    }

    static func waitReadable(_ fd: Int32, seconds: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, Int32(seconds * 1000))
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }

    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Writes a short complete HTTP response (the connection is closed afterwards).
    static func send(_ fd: Int32, status: String, body: String) {
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = writeAll(fd, Data(response.utf8))
    }
}
