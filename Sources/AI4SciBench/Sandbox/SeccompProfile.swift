import Crypto
import Foundation

/// A seccomp profile in the OCI/Docker JSON format, parsed and checked.
///
/// Supported: `defaultAction`, `defaultErrnoRet`, `architectures`, `syscalls[]` with `names` (or `name`),
/// `action`, `errnoRet`, `args[]` (`index`, `value`, `valueTwo`, `op`), `includes`/`excludes` with
/// `arches` only, and `comment` anywhere. `archMap` is accepted and ignored: the compiled filter holds
/// only the native architecture, and every other ABI (i386, x32) kills the process.
public struct SeccompProfile: Sendable, Equatable {
    /// A seccomp action.
    public enum Action: Sendable, Equatable {
        /// `SCMP_ACT_ALLOW`: the call proceeds.
        case allow
        /// `SCMP_ACT_ERRNO`: the call fails with this errno (`errnoRet`, default EPERM).
        case errno(UInt16)
        /// `SCMP_ACT_KILL` / `SCMP_ACT_KILL_THREAD`: the calling thread is killed.
        case killThread
        /// `SCMP_ACT_KILL_PROCESS`: the whole process is killed with SIGSYS.
        case killProcess
        /// `SCMP_ACT_TRAP`: SIGSYS is delivered to the thread.
        case trap
        /// `SCMP_ACT_LOG`: the call proceeds and is logged by the kernel.
        case log
        /// `SCMP_ACT_TRACE`: a ptrace tracer is notified with this value.
        case trace(UInt16)
    }

    /// A comparison operator on a syscall argument.
    public enum Operator: String, Sendable, Equatable, CaseIterable {
        case notEqual = "SCMP_CMP_NE"
        case lessThan = "SCMP_CMP_LT"
        case lessOrEqual = "SCMP_CMP_LE"
        case equal = "SCMP_CMP_EQ"
        case greaterOrEqual = "SCMP_CMP_GE"
        case greaterThan = "SCMP_CMP_GT"
        /// `(arg & value) == valueTwo`.
        case maskedEqual = "SCMP_CMP_MASKED_EQ"
    }

    /// One condition on an argument; all conditions of a rule must hold.
    public struct ArgumentCondition: Sendable, Equatable {
        /// Argument index, 0-5.
        public var index: UInt32
        /// First operand (the mask for `maskedEqual`).
        public var value: UInt64
        /// Second operand (the expected masked value for `maskedEqual`).
        public var valueTwo: UInt64
        /// The comparison.
        public var op: Operator
    }

    /// One `syscalls[]` entry.
    public struct Rule: Sendable, Equatable {
        /// The syscall names; names unknown on this architecture are skipped.
        public var names: [String]
        /// What happens when a call matches.
        public var action: Action
        /// Conditions on the arguments.
        public var conditions: [ArgumentCondition]
        /// `includes.arches`: if non-empty, the rule applies only on these architectures.
        public var onlyArchitectures: [String]
        /// `excludes.arches`: the rule does not apply on these architectures.
        public var exceptArchitectures: [String]
    }

    /// Where the profile came from (a path, for messages and evidence).
    public var source: String
    /// sha256 of the profile file's bytes.
    public var sha256: String
    /// Action for every syscall no rule matches.
    public var defaultAction: Action
    /// `architectures` as written (e.g. `SCMP_ARCH_X86_64`).
    public var architectures: [String]
    /// The rules, in file order.
    public var rules: [Rule]

    /// Reads and parses a profile file.
    public static func load(from url: URL) throws -> SeccompProfile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BenchError(.badInput, "\(url.path): cannot read the seccomp profile: \(error.localizedDescription)",
                             hint: "pass an existing OCI seccomp profile, e.g. Sandbox/profiles/default.json")
        }
        return try SeccompProfile(data: data, source: url.path)
    }

    /// Parses profile JSON; errors name `source` and the field.
    public init(data: Data, source: String) throws {
        self.source = source
        self.sha256 = Hex.string(SHA256.hash(data: data))
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            throw BenchError(.badInput, "\(source): not valid JSON: \(error.localizedDescription)",
                             hint: "a seccomp profile is a JSON object in the OCI/Docker format")
        }
        let p = ProfileParser(source: source)
        guard let top = root.objectValue else { throw p.fail("", "expected a JSON object, got \(root.kindDescription)") }
        try p.allowKeys(top, ["defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "comment", "flags"], at: "")
        if let flags = top["flags"], flags.arrayValue?.isEmpty != true {
            throw p.fail("flags", "seccomp filter flags are not supported", hint: "remove `flags`")
        }
        guard let da = top["defaultAction"] else {
            throw p.fail("defaultAction", "missing", hint: "e.g. \"defaultAction\": \"SCMP_ACT_ALLOW\"")
        }
        defaultAction = try p.action(da, errnoRet: top["defaultErrnoRet"], at: "defaultAction", errnoPath: "defaultErrnoRet")
        architectures = try p.strings(top["architectures"] ?? .array([]), at: "architectures")
        var rules: [Rule] = []
        guard let entries = (top["syscalls"] ?? .array([])).arrayValue else {
            throw p.fail("syscalls", "expected a list, got \(top["syscalls"]!.kindDescription)")
        }
        for (i, entry) in entries.enumerated() {
            rules.append(try p.rule(entry, at: "syscalls[\(i)]"))
        }
        self.rules = rules
    }
}

/// Field-by-field checks with errors that name the file and the key path.
private struct ProfileParser {
    let source: String

    func fail(_ path: String, _ message: String, hint: String? = nil) -> BenchError {
        BenchError(.badInput, "\(source): \(path.isEmpty ? "" : path + ": ")\(message)", hint: hint)
    }

    func allowKeys(_ object: [String: JSONValue], _ allowed: Set<String>, at path: String) throws {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw fail(path.isEmpty ? key : "\(path).\(key)", "unknown field",
                       hint: "allowed here: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func strings(_ value: JSONValue, at path: String) throws -> [String] {
        guard let list = value.arrayValue else { throw fail(path, "expected a list of strings, got \(value.kindDescription)") }
        return try list.enumerated().map { i, v in
            guard let s = v.stringValue else { throw fail("\(path)[\(i)]", "expected a string, got \(v.kindDescription)") }
            return s
        }
    }

    func unsigned(_ value: JSONValue?, at path: String, max: UInt64) throws -> UInt64 {
        guard let value else { throw fail(path, "missing") }
        guard let d = value.doubleValue, d >= 0, d.rounded() == d, d <= 9_007_199_254_740_992, UInt64(d) <= max else {
            throw fail(path, "expected an integer from 0 to \(max), got \(value.shortDescription)")
        }
        return UInt64(d)
    }

    func action(_ value: JSONValue, errnoRet: JSONValue?, at path: String, errnoPath: String) throws -> SeccompProfile.Action {
        guard let name = value.stringValue else { throw fail(path, "expected an action name, got \(value.kindDescription)") }
        let code = try errnoRet.map { try UInt16(unsigned($0, at: errnoPath, max: 4095)) }
        switch name {
        case "SCMP_ACT_ALLOW": return .allow
        case "SCMP_ACT_ERRNO": return .errno(code ?? UInt16(EPERM))
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return .killThread
        case "SCMP_ACT_KILL_PROCESS": return .killProcess
        case "SCMP_ACT_TRAP": return .trap
        case "SCMP_ACT_LOG": return .log
        case "SCMP_ACT_TRACE": return .trace(code ?? 0)
        case "SCMP_ACT_NOTIFY":
            throw fail(path, "SCMP_ACT_NOTIFY needs a seccomp agent and is not supported", hint: "use SCMP_ACT_ERRNO")
        default:
            throw fail(path, "unknown action \"\(name)\"",
                       hint: "use one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_LOG, SCMP_ACT_TRACE")
        }
    }

    func rule(_ value: JSONValue, at path: String) throws -> SeccompProfile.Rule {
        guard let entry = value.objectValue else { throw fail(path, "expected a mapping, got \(value.kindDescription)") }
        try allowKeys(entry, ["names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes"], at: path)
        var names: [String] = []
        if let n = entry["names"] { names += try strings(n, at: "\(path).names") }
        if let n = entry["name"] {
            guard let s = n.stringValue else { throw fail("\(path).name", "expected a string, got \(n.kindDescription)") }
            names.append(s)
        }
        if names.isEmpty { throw fail("\(path).names", "missing or empty", hint: "list at least one syscall name") }
        guard let a = entry["action"] else { throw fail("\(path).action", "missing") }
        let action = try self.action(a, errnoRet: entry["errnoRet"], at: "\(path).action", errnoPath: "\(path).errnoRet")
        var conditions: [SeccompProfile.ArgumentCondition] = []
        if let args = entry["args"], !args.isNull {
            guard let list = args.arrayValue else { throw fail("\(path).args", "expected a list, got \(args.kindDescription)") }
            for (k, arg) in list.enumerated() {
                conditions.append(try condition(arg, at: "\(path).args[\(k)]"))
            }
        }
        return SeccompProfile.Rule(
            names: names, action: action, conditions: conditions,
            onlyArchitectures: try arches(entry["includes"], at: "\(path).includes"),
            exceptArchitectures: try arches(entry["excludes"], at: "\(path).excludes"))
    }

    func condition(_ value: JSONValue, at path: String) throws -> SeccompProfile.ArgumentCondition {
        guard let arg = value.objectValue else { throw fail(path, "expected a mapping, got \(value.kindDescription)") }
        try allowKeys(arg, ["index", "value", "valueTwo", "op", "comment"], at: path)
        let index = try unsigned(arg["index"], at: "\(path).index", max: 5)
        let v1 = try unsigned(arg["value"], at: "\(path).value", max: UInt64.max)
        let v2 = try arg["valueTwo"].map { try unsigned($0, at: "\(path).valueTwo", max: UInt64.max) } ?? 0
        guard let opName = arg["op"]?.stringValue else { throw fail("\(path).op", "missing or not a string") }
        guard let op = SeccompProfile.Operator(rawValue: opName) else {
            throw fail("\(path).op", "unknown operator \"\(opName)\"",
                       hint: "use one of \(SeccompProfile.Operator.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return SeccompProfile.ArgumentCondition(index: UInt32(index), value: v1, valueTwo: v2, op: op)
    }

    func arches(_ value: JSONValue?, at path: String) throws -> [String] {
        guard let value, !value.isNull else { return [] }
        guard let o = value.objectValue else { throw fail(path, "expected a mapping, got \(value.kindDescription)") }
        for key in o.keys.sorted() where key != "arches" {
            throw fail("\(path).\(key)", "only `arches` conditions are supported",
                       hint: "capability and kernel-version conditions are not evaluated; remove the rule or the condition")
        }
        return try o["arches"].map { try strings($0, at: "\(path).arches") } ?? []
    }
}
