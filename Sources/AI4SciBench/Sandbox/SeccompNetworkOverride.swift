import Crypto
import Foundation

extension SeccompProfile {
    /// The name of the proxy-network override, recorded in evidence.
    public static let proxyNetworkOverrideName = "proxy-inet-stream-v1"

    /// What the override changes, recorded in evidence.
    public static let proxyNetworkOverrideDescription =
        "socket(): AF_INET (2) and AF_INET6 (10) with type SOCK_STREAM (type & 0xf == 1) allowed in addition to AF_UNIX (1), for the relay to the proxy on 127.0.0.1; every other family (AF_PACKET, AF_NETLINK, AF_VSOCK...) and every other inet socket type keep the profile's denial; in a default-deny profile setsockopt/getsockopt/getpeername/shutdown are allowed when missing; socketpair, io_uring and the rest are unchanged"

    /// Syscalls a TCP client needs besides those a unix-socket client has; added to default-deny profiles.
    static let tcpClientSyscalls = ["setsockopt", "getsockopt", "getpeername", "shutdown"]

    /// The profile with its socket-family denial relaxed for `--network proxy`: each rule that denies
    /// `socket` for families other than AF_UNIX (`arg0 != 1`) is split into denials of every family
    /// except AF_UNIX, AF_INET and AF_INET6, and of every AF_INET/AF_INET6 type except SOCK_STREAM.
    /// In a default-deny profile, AF_INET/AF_INET6 SOCK_STREAM sockets are allowed explicitly.
    /// The result has its own `sha256` (the file's hash and the override's name) and `source`.
    public func withProxyNetworkOverride() -> SeccompProfile {
        var out = self
        var rules: [Rule] = []
        func eq(_ index: UInt32, _ value: UInt64) -> ArgumentCondition {
            ArgumentCondition(index: index, value: value, valueTwo: 0, op: .equal)
        }
        func type(_ t: UInt64) -> ArgumentCondition {
            ArgumentCondition(index: 1, value: 0xf, valueTwo: t, op: .maskedEqual)
        }
        for rule in self.rules {
            let c = rule.conditions
            let familyDenial = rule.names.contains("socket") && rule.action != .allow && c.count == 1 &&
                c[0].index == 0 && c[0].op == .notEqual && c[0].value == 1
            guard familyDenial else { rules.append(rule); continue }
            let others = rule.names.filter { $0 != "socket" }
            if !others.isEmpty {
                var kept = rule
                kept.names = others
                rules.append(kept)
            }
            func deny(_ conditions: [ArgumentCondition]) {
                rules.append(Rule(names: ["socket"], action: rule.action, conditions: conditions,
                                  onlyArchitectures: rule.onlyArchitectures, exceptArchitectures: rule.exceptArchitectures))
            }
            deny([eq(0, 0)])
            for family in UInt64(3)...9 { deny([eq(0, family)]) }
            deny([ArgumentCondition(index: 0, value: 10, valueTwo: 0, op: .greaterThan)])
            for family: UInt64 in [2, 10] {
                for t in UInt64(0)...15 where t != 1 { deny([eq(0, family), type(t)]) }
            }
        }
        if defaultAction != .allow {
            for family: UInt64 in [2, 10] {
                rules.append(Rule(names: ["socket"], action: .allow, conditions: [eq(0, family), type(1)],
                                  onlyArchitectures: [], exceptArchitectures: []))
            }
            // TCP clients set options (e.g. TCP_NODELAY); an allow-list without setsockopt gets it.
            let named = Set(self.rules.flatMap(\.names))
            let missing = Self.tcpClientSyscalls.filter { !named.contains($0) }
            if !missing.isEmpty {
                rules.append(Rule(names: missing, action: .allow, conditions: [], onlyArchitectures: [], exceptArchitectures: []))
            }
        }
        out.rules = rules
        out.sha256 = Hex.string(SHA256.hash(data: Data("\(sha256)+\(Self.proxyNetworkOverrideName)".utf8)))
        out.source = "\(source) (+\(Self.proxyNetworkOverrideName))"
        return out
    }
}
