import CSeccomp
import Crypto
import Foundation
import Synchronization

/// A profile compiled by libseccomp into a classic BPF program for the native architecture.
public struct CompiledSeccompFilter: Sendable, Equatable {
    /// The raw `struct sock_filter` array, as `seccomp_export_bpf` writes it.
    public var bpf: Data
    /// sha256 of `bpf`: the policy hash recorded in provenance.
    public var sha256: String
    /// The libseccomp that compiled it, e.g. `2.5.4`.
    public var libseccompVersion: String
    /// The native architecture the filter is for (libseccomp name, e.g. `x86_64`).
    public var architecture: String
    /// Rules added to the filter (one per syscall name and entry).
    public var ruleCount: Int
    /// Syscall names that do not exist on this architecture and were skipped.
    public var skippedSyscalls: [String]
    /// A file holding `bpf`, private to this process, for the launcher's `--seccomp-bpf`.
    public var file: URL
}

extension SeccompProfile {
    /// Compiles the profile with libseccomp for the native architecture (bad-arch action: kill the
    /// process) and writes the BPF program to a private file. Results are cached by profile content.
    public func compile() throws -> CompiledSeccompFilter {
        try SeccompCompiler.shared.compile(self)
    }
}

extension SeccompProfile {
    /// The libseccomp version in use, e.g. `2.5.4` (a host fact for run metadata).
    public static var libraryVersion: String { libseccompVersion() }
}

/// The libseccomp version in use, e.g. `2.5.4`.
public func libseccompVersion() -> String {
    guard let v = seccomp_version() else { return "unknown" }
    return "\(v.pointee.major).\(v.pointee.minor).\(v.pointee.micro)"
}

/// libseccomp calls and a per-process cache of compiled filters.
final class SeccompCompiler: Sendable {
    static let shared = SeccompCompiler()

    private let cache = Mutex<[String: CompiledSeccompFilter]>([:])

    // libseccomp's action values (macros in seccomp.h that Swift cannot import).
    private static let actAllow: UInt32 = 0x7fff_0000
    private static let actKillProcess: UInt32 = 0x8000_0000
    private static let actKillThread: UInt32 = 0x0000_0000
    private static let actTrap: UInt32 = 0x0003_0000
    private static let actLog: UInt32 = 0x7ffc_0000
    private static func actErrno(_ e: UInt16) -> UInt32 { 0x0005_0000 | UInt32(e) }
    private static func actTrace(_ m: UInt16) -> UInt32 { 0x7ff0_0000 | UInt32(m) }

    static func value(of action: SeccompProfile.Action) -> UInt32 {
        switch action {
        case .allow: return actAllow
        case .errno(let e): return actErrno(e)
        case .killThread: return actKillThread
        case .killProcess: return actKillProcess
        case .trap: return actTrap
        case .log: return actLog
        case .trace(let m): return actTrace(m)
        }
    }

    static func compareOp(_ op: SeccompProfile.Operator) -> scmp_compare {
        switch op {
        case .notEqual: return SCMP_CMP_NE
        case .lessThan: return SCMP_CMP_LT
        case .lessOrEqual: return SCMP_CMP_LE
        case .equal: return SCMP_CMP_EQ
        case .greaterOrEqual: return SCMP_CMP_GE
        case .greaterThan: return SCMP_CMP_GT
        case .maskedEqual: return SCMP_CMP_MASKED_EQ
        }
    }

    /// libseccomp's name of an architecture token from a profile: `SCMP_ARCH_X86_64` → `x86_64`;
    /// Go names used by Docker's `includes.arches` (`amd64`, `arm64`) are mapped too.
    static func libseccompArchName(_ token: String) -> String {
        var name = token.hasPrefix("SCMP_ARCH_") ? String(token.dropFirst("SCMP_ARCH_".count)).lowercased() : token.lowercased()
        if name == "amd64" { name = "x86_64" }
        if name == "arm64" { name = "aarch64" }
        if name == "386" || name == "i386" { name = "x86" }
        return name
    }

    static var nativeArchitecture: String {
        let native = seccomp_arch_native()
        for name in ["x86_64", "aarch64", "x86", "x32", "arm", "riscv64", "ppc64le", "s390x", "loongarch64"]
        where seccomp_arch_resolve_name(name) == native {
            return name
        }
        return "unknown"
    }

    /// Reads a profile file and returns its compiled filter and the file's sha256; parsing (slow in
    /// debug builds) is skipped when a profile with the same bytes was compiled before.
    func compileFile(_ url: URL) throws -> (filter: CompiledSeccompFilter, profileSHA256: String) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BenchError(.badInput, "\(url.path): cannot read the seccomp profile: \(error.localizedDescription)",
                             hint: "pass an existing OCI seccomp profile, e.g. Sandbox/profiles/default.json")
        }
        let sha = Hex.string(SHA256.hash(data: data))
        if let hit = cache.withLock({ $0[sha] }) { return (hit, sha) }
        return (try compile(SeccompProfile(data: data, source: url.path)), sha)
    }

    func compile(_ profile: SeccompProfile) throws -> CompiledSeccompFilter {
        if let hit = cache.withLock({ $0[profile.sha256] }) { return hit }
        let compiled = try build(profile)
        cache.withLock { $0[profile.sha256] = compiled }
        return compiled
    }

    private func build(_ profile: SeccompProfile) throws -> CompiledSeccompFilter {
        let arch = Self.nativeArchitecture
        let listed = profile.architectures.map(Self.libseccompArchName)
        if !listed.isEmpty, !listed.contains(arch) {
            throw BenchError(.badInput, "\(profile.source): architectures: the native architecture \(arch) is not listed",
                             hint: "add SCMP_ARCH_\(arch.uppercased()) to `architectures`")
        }
        guard let ctx = seccomp_init(Self.value(of: profile.defaultAction)) else {
            throw BenchError(.sandboxRefused, "\(profile.source): libseccomp could not create a filter (seccomp_init failed)")
        }
        defer { seccomp_release(ctx) }
        try check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, Self.actKillProcess), profile, "set the bad-architecture action")

        var ruleCount = 0
        var skipped: [String] = []
        for (i, rule) in profile.rules.enumerated() {
            let only = rule.onlyArchitectures.map(Self.libseccompArchName)
            if !only.isEmpty, !only.contains(arch) { continue }
            if rule.exceptArchitectures.map(Self.libseccompArchName).contains(arch) { continue }
            let action = Self.value(of: rule.action)
            if action == Self.value(of: profile.defaultAction) { continue }   // libseccomp rejects no-op rules
            let args = rule.conditions.map {
                scmp_arg_cmp(arg: $0.index, op: Self.compareOp($0.op), datum_a: $0.value, datum_b: $0.valueTwo)
            }
            for name in rule.names {
                let nr = seccomp_syscall_resolve_name(name)
                // Unknown names (-1) and pseudo-syscalls (other negative numbers) do not exist natively.
                if nr < 0 { skipped.append(name); continue }
                let rc = args.withUnsafeBufferPointer {
                    seccomp_rule_add_array(ctx, action, nr, UInt32($0.count), $0.baseAddress)
                }
                try check(rc, profile, "add the rule for \(name) (syscalls[\(i)])")
                ruleCount += 1
            }
        }

        let file = try SandboxResources.privateTemporaryDirectory().appendingPathComponent("filter-\(UUID().uuidString).bpf")
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BenchError(.io, "\(file.path): cannot create the BPF file: \(String(cString: strerror(errno)))") }
        let exportRC = seccomp_export_bpf(ctx, fd)
        close(fd)
        try check(exportRC, profile, "export the BPF program")
        let bpf = try Data(contentsOf: file)
        let sha = Hex.string(SHA256.hash(data: bpf))
        let final = file.deletingLastPathComponent().appendingPathComponent("\(sha).bpf")
        if rename(file.path, final.path) != 0 {
            throw BenchError(.io, "\(final.path): cannot store the BPF file: \(String(cString: strerror(errno)))")
        }
        return CompiledSeccompFilter(
            bpf: bpf, sha256: sha, libseccompVersion: libseccompVersion(), architecture: arch,
            ruleCount: ruleCount, skippedSyscalls: Array(Set(skipped)).sorted(), file: final)
    }

    private func check(_ rc: Int32, _ profile: SeccompProfile, _ what: String) throws {
        if rc < 0 {
            throw BenchError(.badInput, "\(profile.source): libseccomp could not \(what): \(String(cString: strerror(-rc)))",
                             hint: "check the rule's arguments and operators")
        }
    }
}
