import Foundation

/// Typed reading of a resolved scorer config at scoring time.
///
/// A value of the wrong type is a task error, not the agent's: it throws `BenchError(.evaluationFailed)`
/// naming the scorer and the key. Numbers given as numeric strings (`"1e-3"`) are accepted.
struct ScorerConfig {
    let values: [String: JSONValue]
    /// Scorer name for messages, e.g. `numerical`.
    let scorer: String
    /// Key path prefix for nested configs, e.g. `checks[2].`.
    var prefix: String = ""

    init(_ values: [String: JSONValue], scorer: String, prefix: String = "") {
        self.values = values
        self.scorer = scorer
        self.prefix = prefix
    }

    func has(_ key: String) -> Bool {
        if let v = values[key], !v.isNull { return true }
        return false
    }

    func fail(_ key: String, _ expected: String, _ got: JSONValue) -> BenchError {
        BenchError(.evaluationFailed, "\(scorer) config: \(prefix)\(key): expected \(expected), got \(got.shortDescription)")
    }

    func string(_ key: String) throws -> String? {
        guard let v = values[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw fail(key, "a string", v) }
        return s
    }

    func double(_ key: String) throws -> Double? {
        guard let v = values[key], !v.isNull else { return nil }
        if let d = ScorerConfig.number(v) { return d }
        throw fail(key, "a number", v)
    }

    func int(_ key: String) throws -> Int? {
        guard let d = try double(key) else { return nil }
        guard d.rounded() == d, abs(d) < 9e15 else { throw fail(key, "an integer", values[key]!) }
        return Int(d)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = values[key], !v.isNull else { return nil }
        guard let b = v.boolValue else { throw fail(key, "true or false", v) }
        return b
    }

    func array(_ key: String) throws -> [JSONValue]? {
        guard let v = values[key], !v.isNull else { return nil }
        guard let a = v.arrayValue else { throw fail(key, "a list", v) }
        return a
    }

    func object(_ key: String) throws -> [String: JSONValue]? {
        guard let v = values[key], !v.isNull else { return nil }
        guard let o = v.objectValue else { throw fail(key, "a mapping", v) }
        return o
    }

    /// A number, or a string holding one.
    static func number(_ v: JSONValue) -> Double? {
        if let d = v.doubleValue { return d }
        if let s = v.stringValue, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return d }
        return nil
    }
}

/// Collects ``ValidationIssue``s for a scorer config, with key paths relative to the config.
struct ConfigChecker {
    private(set) var issues: [ValidationIssue] = []

    /// Whether `s` is an unresolved template such as `"{n*2}"` (resolved by the runner before scoring).
    static func isTemplate(_ s: String) -> Bool {
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix("{") && t.hasSuffix("}")
    }

    mutating func error(_ keyPath: String, _ message: String, hint: String? = nil) {
        issues.append(ValidationIssue(file: "", keyPath: keyPath, message: message, hint: hint))
    }

    mutating func warning(_ keyPath: String, _ message: String, hint: String? = nil) {
        issues.append(ValidationIssue(file: "", keyPath: keyPath, message: message, hint: hint, severity: .warning))
    }

    mutating func append(_ more: [ValidationIssue], prefix: String) {
        for var issue in more {
            issue.keyPath = issue.keyPath.isEmpty ? String(prefix.dropLast(prefix.hasSuffix(".") ? 1 : 0)) : prefix + issue.keyPath
            issues.append(issue)
        }
    }

    /// Warns about keys outside `known` (extra keys are ignored at scoring time, but usually a typo).
    mutating func unknownKeys(_ config: [String: JSONValue], known: Set<String>, prefix: String = "") {
        for key in config.keys.sorted() where !known.contains(key) {
            warning(prefix + key, "unknown key \"\(key)\" is ignored",
                    hint: "known keys: \(known.sorted().joined(separator: ", "))")
        }
    }

    /// Checks that `key`, if present (or if `required`), is a number or a template string.
    mutating func number(_ config: [String: JSONValue], _ key: String, prefix: String = "", required: Bool = false,
                         integer: Bool = false, minimum: Double? = nil) {
        guard let v = config[key], !v.isNull else {
            if required { error(prefix + key, "missing required key \"\(key)\"", hint: "add a number") }
            return
        }
        if let s = v.stringValue, ConfigChecker.isTemplate(s) { return }
        guard let d = ScorerConfig.number(v) else {
            error(prefix + key, "expected \(integer ? "an integer" : "a number"), got \(v.shortDescription)")
            return
        }
        if integer, d.rounded() != d { error(prefix + key, "expected an integer, got \(v.shortDescription)") }
        if let minimum, d < minimum { error(prefix + key, "must be at least \(Self.format(minimum)), got \(Self.format(d))") }
    }

    /// Checks that `key`, if present (or if `required`), is a string.
    mutating func string(_ config: [String: JSONValue], _ key: String, prefix: String = "", required: Bool = false) {
        guard let v = config[key], !v.isNull else {
            if required { error(prefix + key, "missing required key \"\(key)\"", hint: "add a file name or value") }
            return
        }
        if v.stringValue == nil { error(prefix + key, "expected a string, got \(v.shortDescription)") }
    }

    /// Checks that `key`, if present, is a boolean.
    mutating func bool(_ config: [String: JSONValue], _ key: String, prefix: String = "") {
        guard let v = config[key], !v.isNull else { return }
        if v.boolValue == nil { error(prefix + key, "expected true or false, got \(v.shortDescription)") }
    }

    /// Checks that `key`, if present, is one of `allowed` (listed in the hint).
    mutating func oneOf(_ config: [String: JSONValue], _ key: String, _ allowed: [String], prefix: String = "") {
        guard let v = config[key], !v.isNull else { return }
        guard let s = v.stringValue else {
            error(prefix + key, "expected a string, got \(v.shortDescription)", hint: "one of: \(allowed.joined(separator: ", "))")
            return
        }
        if !allowed.contains(s) {
            error(prefix + key, "unknown value \"\(s)\"", hint: "one of: \(allowed.joined(separator: ", "))")
        }
    }

    static func format(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
