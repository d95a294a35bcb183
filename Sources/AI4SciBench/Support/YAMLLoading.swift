import Foundation
import Yams

/// Reads YAML files into ``JSONValue`` trees.
public enum YAMLLoading {
    /// Parses YAML text into a value; throws ``ValidationFailed`` naming `file` and the line on a syntax error.
    public static func parse(_ text: String, file: String) throws -> JSONValue {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch let error as YamlError {
            throw ValidationFailed(issues: [ValidationIssue(file: file, keyPath: "", message: "not valid YAML: \(describe(error))", hint: "check indentation and quoting near that line")])
        } catch {
            throw ValidationFailed(issues: [ValidationIssue(file: file, keyPath: "", message: "not valid YAML: \(error)")])
        }
        return try convert(loaded, file: file, path: "")
    }

    /// Reads and parses a YAML file.
    public static func load(_ url: URL, displayPath: String) throws -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ValidationFailed(issues: [ValidationIssue(file: displayPath, keyPath: "", message: "cannot read file: \(error.localizedDescription)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationFailed(issues: [ValidationIssue(file: displayPath, keyPath: "", message: "not UTF-8 text", hint: "save the file as UTF-8")])
        }
        return try parse(text, file: displayPath)
    }

    static func describe(_ error: YamlError) -> String {
        // Yams' descriptions carry the line and column plus a snippet; keep the first line.
        let text = "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    static func convert(_ any: Any?, file: String, path: String) throws -> JSONValue {
        switch any {
        case nil: return .null
        case is NSNull: return .null
        case let b as Bool: return .bool(b)
        case let i as Int: return .number(Double(i))
        case let d as Double: return .number(d)
        case let s as String: return .string(s)
        case let a as [Any?]:
            return .array(try a.enumerated().map { try convert($1, file: file, path: "\(path)[\($0)]") })
        case let m as [AnyHashable: Any?]:
            var out: [String: JSONValue] = [:]
            for (k, v) in m {
                let key = "\(k.base)"
                out[key] = try convert(v, file: file, path: path.isEmpty ? key : "\(path).\(key)")
            }
            return .object(out)
        case let date as Date:
            return .string(ISO8601DateFormatter().string(from: date))
        case let data as Data:
            return .string(data.base64EncodedString())
        default:
            throw ValidationFailed(issues: [ValidationIssue(file: file, keyPath: path, message: "unsupported YAML value \(String(describing: any))")])
        }
    }
}

/// Display helpers for paths in messages.
public enum PathDisplay {
    /// `url`'s path relative to the current directory when it lies below it, else absolute.
    public static func relative(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let p = url.standardizedFileURL.path
        if p.hasPrefix(cwd + "/") { return String(p.dropFirst(cwd.count + 1)) }
        return p
    }
}
