import Foundation

/// Reads typed fields out of a ``JSONValue`` document while collecting every problem found.
///
/// Each accessor records a ``ValidationIssue`` with the file and key path instead of throwing, so one
/// validation pass reports all problems at once.
struct FieldReader {
    let file: String
    var issues: [ValidationIssue] = []

    init(file: String) { self.file = file }

    mutating func error(_ path: String, _ message: String, hint: String? = nil) {
        issues.append(ValidationIssue(file: file, keyPath: path, message: message, hint: hint))
    }

    mutating func warning(_ path: String, _ message: String, hint: String? = nil) {
        issues.append(ValidationIssue(file: file, keyPath: path, message: message, hint: hint, severity: .warning))
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func string(_ obj: [String: JSONValue], _ key: String, path: String, required: Bool, hint: String? = nil) -> String? {
        let p = Self.join(path, key)
        guard let v = obj[key], !v.isNull else {
            if required { error(p, "required key is missing", hint: hint) }
            return nil
        }
        if let s = v.stringValue {
            if s.trimmingCharacters(in: .whitespaces).isEmpty, required { error(p, "must not be empty", hint: hint) }
            return s
        }
        error(p, "expected a string, got \(v.kindDescription) \(v.shortDescription)", hint: hint)
        return nil
    }

    mutating func number(_ obj: [String: JSONValue], _ key: String, path: String, required: Bool, hint: String? = nil) -> Double? {
        let p = Self.join(path, key)
        guard let v = obj[key], !v.isNull else {
            if required { error(p, "required key is missing", hint: hint) }
            return nil
        }
        if let d = v.doubleValue { return d }
        error(p, "expected a number, got \(v.kindDescription) \(v.shortDescription)", hint: hint)
        return nil
    }

    mutating func object(_ obj: [String: JSONValue], _ key: String, path: String, required: Bool, hint: String? = nil) -> [String: JSONValue]? {
        let p = Self.join(path, key)
        guard let v = obj[key], !v.isNull else {
            if required { error(p, "required key is missing", hint: hint) }
            return nil
        }
        if let o = v.objectValue { return o }
        error(p, "expected a mapping, got \(v.kindDescription) \(v.shortDescription)", hint: hint)
        return nil
    }

    mutating func array(_ obj: [String: JSONValue], _ key: String, path: String, required: Bool, hint: String? = nil) -> [JSONValue]? {
        let p = Self.join(path, key)
        guard let v = obj[key], !v.isNull else {
            if required { error(p, "required key is missing", hint: hint) }
            return nil
        }
        if let a = v.arrayValue { return a }
        error(p, "expected a list, got \(v.kindDescription) \(v.shortDescription)", hint: hint)
        return nil
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ obj: [String: JSONValue], _ key: String, path: String, as: E.Type) -> E? where E.RawValue == String {
        guard let s = string(obj, key, path: path, required: false) else { return nil }
        if let e = E(rawValue: s) { return e }
        let valid = E.allCases.map(\.rawValue).joined(separator: ", ")
        error(Self.join(path, key), "unknown value \"\(s)\"", hint: "use one of: \(valid)")
        return nil
    }
}
