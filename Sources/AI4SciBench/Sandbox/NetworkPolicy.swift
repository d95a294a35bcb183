import Foundation

/// Whether the agent has any network: none (a namespace with only `lo`) or the runner's filtering proxy.
public enum NetworkMode: String, Sendable, Codable, CaseIterable {
    /// No network at all: the sandbox's network namespace has only the loopback device.
    case none
    /// Outbound connections only through the runner's HTTP CONNECT proxy, to allow-listed hosts.
    case proxy
}

/// One `--allow-host HOST[:PORT]` entry: an exact host name or address and one TCP port.
public struct AllowedHost: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The host exactly as the agent must name it (lower-cased; IPv6 without brackets).
    public var host: String
    /// The TCP port; 443 when the entry named none.
    public var port: Int

    /// Creates an entry.
    public init(host: String, port: Int = 443) {
        self.host = host.lowercased()
        self.port = port
    }

    /// Parses `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`; the port defaults to 443.
    public static func parse(_ text: String) throws -> AllowedHost {
        let bad = { (why: String) in
            BenchError(.badInput, "--allow-host \(text): \(why)",
                       hint: "give HOST or HOST:PORT, e.g. --allow-host api.example.org or --allow-host 127.0.0.1:8080")
        }
        guard let (host, port) = splitHostPort(text, defaultPort: 443) else { throw bad("expected HOST[:PORT]") }
        guard !host.isEmpty, host.count <= 253 else { throw bad("empty or overlong host") }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:")
        guard host.unicodeScalars.allSatisfy(allowed.contains) else { throw bad("the host has characters a host name cannot have") }
        guard let port, (1...65535).contains(port) else { throw bad("the port must be 1-65535") }
        return AllowedHost(host: host, port: port)
    }

    /// `host:port` (`[v6]:port` for IPv6 addresses).
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Splits `host[:port]` or `[v6][:port]`; the port is nil when it is not a number. Nil when malformed.
func splitHostPort(_ text: String, defaultPort: Int) -> (String, Int?)? {
    if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]") else { return nil }
        let host = String(text[text.index(after: text.startIndex)..<close])
        let rest = text[text.index(after: close)...]
        if rest.isEmpty { return (host, defaultPort) }
        guard rest.hasPrefix(":") else { return nil }
        return (host, Int(rest.dropFirst()))
    }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    if parts.count == 1 { return (text, defaultPort) }
    guard parts.count == 2 else { return nil }
    return (String(parts[0]), Int(parts[1]))
}

/// The network the agent gets: a mode and, for `proxy`, the hosts the proxy lets it reach.
public struct NetworkPolicy: Sendable, Equatable {
    /// None or proxy.
    public var mode: NetworkMode
    /// Hosts reachable through the proxy (exact match on host and port).
    public var allowedHosts: [AllowedHost]

    /// The TCP port inside the sandbox where the relay to the proxy listens (127.0.0.1).
    public static let relayPort = 3128
    /// No network.
    public static let none = NetworkPolicy(mode: .none, allowedHosts: [])

    /// Creates a policy.
    public init(mode: NetworkMode, allowedHosts: [AllowedHost] = []) {
        self.mode = mode
        self.allowedHosts = allowedHosts
    }

    /// Checks the policy against the sandbox mode: the proxy needs an allow list and a network namespace.
    public func validate(sandbox: SandboxMode) throws {
        switch mode {
        case .none:
            if !allowedHosts.isEmpty {
                throw BenchError(.badInput, "--allow-host was given without --network proxy",
                                 hint: "add --network proxy, or drop --allow-host")
            }
        case .proxy:
            if allowedHosts.isEmpty {
                throw BenchError(.badInput, "--network proxy needs at least one --allow-host HOST[:PORT]",
                                 hint: "name every host the agent may reach, e.g. --allow-host api.example.org")
            }
            if sandbox != .task && sandbox != .strict {
                throw BenchError(.badInput, Self.namespaceRequired(sandbox),
                                 hint: "use --sandbox task or --sandbox strict with --network proxy")
            }
        }
    }

    /// Why the proxy cannot be used in a mode without a network namespace.
    static func namespaceRequired(_ mode: SandboxMode) -> String {
        "--network proxy needs --sandbox task or strict: in \(mode.rawValue) mode the agent shares the host's network namespace, so every host would be reachable past the proxy"
    }

    /// Whether `host:port` is on the allow list (host compared case-insensitively, exactly).
    public func allows(host: String, port: Int) -> Bool {
        let h = host.lowercased()
        return allowedHosts.contains { $0.host == h && $0.port == port }
    }

    /// The proxy variables added to the agent's environment (`NO_PROXY` leaves out allowed hosts).
    var agentEnvironment: [String: String] {
        let url = "http://127.0.0.1:\(Self.relayPort)"
        let local = ["localhost", "127.0.0.1", "::1"].filter { l in !allowedHosts.contains { $0.host == l } }
        let noProxy = local.joined(separator: ",")
        return ["HTTPS_PROXY": url, "HTTP_PROXY": url, "https_proxy": url, "http_proxy": url,
                "NO_PROXY": noProxy, "no_proxy": noProxy]
    }
}
