import Foundation

/// Builds the agent's environment from an allow-list; the host environment is never inherited wholesale.
public enum AgentEnvironment {
    /// Variables always passed through from the host when set.
    public static let passedThrough = ["PATH", "LANG", "LC_ALL", "TZ"]
    /// A safe PATH when the host has none.
    public static let defaultPath = "/usr/local/bin:/usr/bin:/bin"

    /// The minimal environment: PATH, LANG, HOME and TMPDIR (both set to `home` unless given).
    public static func minimal(home: String, tmp: String? = nil) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var env: [String: String] = [:]
        for key in passedThrough { if let v = host[key] { env[key] = v } }
        env["PATH"] = env["PATH"] ?? defaultPath
        env["LANG"] = env["LANG"] ?? "C.UTF-8"
        env["HOME"] = home
        env["TMPDIR"] = tmp ?? home
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env
    }

    /// The agent environment: minimal + `AI4SCI_*` run facts + each `--pass-env` name present on the host.
    ///
    /// Throws when a `--pass-env` name is not a valid variable name; a name missing on the host is skipped.
    public static func agent(home: String, tmp: String?, runFacts: [String: String], passEnv: [String]) throws -> (env: [String: String], missing: [String]) {
        var env = minimal(home: home, tmp: tmp)
        for (k, v) in runFacts { env["AI4SCI_\(k.uppercased())"] = v }
        let host = ProcessInfo.processInfo.environment
        var missing: [String] = []
        for name in passEnv {
            guard isValidName(name) else {
                throw BenchError(.badInput, "--pass-env \"\(name)\" is not a valid environment variable name", hint: "use letters, digits and _ (not starting with a digit), e.g. --pass-env OPENAI_API_KEY")
            }
            if let v = host[name] { env[name] = v } else { missing.append(name) }
        }
        return (env, missing)
    }

    static func isValidName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && CharacterSet.letters.contains(first)) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }
}

/// Finds executables on PATH.
public enum ExecutableLookup {
    /// The absolute path of `name` (a bare name is searched on `path`, a path is checked as is).
    public static func find(_ name: String, path: String? = nil) -> String? {
        let fm = FileManager.default
        if name.contains("/") { return fm.isExecutableFile(atPath: name) ? name : nil }
        let search = path ?? ProcessInfo.processInfo.environment["PATH"] ?? AgentEnvironment.defaultPath
        for dir in search.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
