import Foundation

/// Removes secrets from captured agent output before it is hashed, parsed or kept: the values of the variables the
/// agent was given as secrets, and strings shaped like well-known API keys.
public struct SecretRedaction: Sendable {
    /// What replaces a secret.
    public static let marker = "[REDACTED]"

    /// Key shapes removed wherever they appear (Anthropic, OpenAI project/service/user keys, Google, GitHub, Slack,
    /// AWS access key ids, HTTP bearer tokens).
    static let patternSources: [String] = [
        #"sk-ant-[A-Za-z0-9_\-]{20,}"#, #"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}"#, #"\bsk-[A-Za-z0-9]{32,}"#,
        #"AIza[0-9A-Za-z_\-]{35}"#, #"\bgh[pousr]_[A-Za-z0-9]{36,}"#, #"\bxox[abprs]-[A-Za-z0-9\-]{10,}"#, #"\bAKIA[0-9A-Z]{16}\b"#,
        #"(?i)(?<=bearer )[A-Za-z0-9._~+/\-]{20,}=*"#,
    ]
    static let patterns: [NSRegularExpression] = patternSources.map { source in
        // The sources are fixed and tested; a typo here is a programming error.
        try! NSRegularExpression(pattern: source)
    }

    /// Exact values to remove (secrets shorter than 8 characters are not searched for: they would match everywhere).
    public var values: [String]

    /// Creates a redaction for these secret values.
    public init(values: [String]) {
        self.values = values.filter { $0.count >= 8 }.sorted { $0.count > $1.count }
    }

    /// The values of `names` in `environment`, as secrets.
    public init(secretNames names: [String], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(values: names.compactMap { environment[$0] })
    }

    /// `text` with every secret replaced; returns the count replaced.
    public func redact(_ text: String) -> (String, Int) {
        var out = text
        var count = 0
        for v in values where out.contains(v) {
            count += out.components(separatedBy: v).count - 1
            out = out.replacingOccurrences(of: v, with: Self.marker)
        }
        for re in Self.patterns {
            let range = NSRange(out.startIndex..., in: out)
            let n = re.numberOfMatches(in: out, range: range)
            guard n > 0 else { continue }
            count += n
            out = re.stringByReplacingMatches(in: out, range: range, withTemplate: Self.marker)
        }
        return (out, count)
    }

    /// Rewrites `file` with secrets replaced (only when there are any); returns the count. Invalid UTF-8 is left as is.
    @discardableResult
    public func redact(file: URL) throws -> Int {
        guard let data = FileManager.default.contents(atPath: file.path), !data.isEmpty,
              let text = String(data: data, encoding: .utf8) else { return 0 }
        let (clean, n) = redact(text)
        if n > 0 { try AtomicFile.write(Data(clean.utf8), to: file) }
        return n
    }
}
