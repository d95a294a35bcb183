import Foundation

/// A light Python tokenizer for `code_analysis`: removes comments and docstring statements (optionally
/// every string literal's contents) and lists the modules named by `import`/`from … import` statements.
///
/// It recognises string prefixes (`r`, `b`, `f`, `u` and pairs), triple quotes, escapes, bracket nesting,
/// `;` and backslash continuations. Line numbers are preserved by every transformation.
struct PythonSource {
    enum Kind: Equatable {
        case name(String)
        case string(formatted: Bool, contentStart: Int, contentEnd: Int)
        case op(Unicode.Scalar)
        case comment
        case newline
    }

    struct Token {
        var kind: Kind
        var start: Int
        var end: Int
    }

    let scalars: [Unicode.Scalar]
    private(set) var tokens: [Token] = []

    init(_ code: String) {
        scalars = Array(code.unicodeScalars)
        tokenize()
    }

    private static func isIdent(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c)
    }

    private mutating func tokenize() {
        let s = scalars
        var i = 0
        var depth = 0
        while i < s.count {
            let c = s[i]
            if c == "#" {
                let start = i
                while i < s.count, s[i] != "\n" { i += 1 }
                tokens.append(Token(kind: .comment, start: start, end: i))
            } else if c == "\\", i + 1 < s.count, s[i + 1] == "\n" || s[i + 1] == "\r" {
                i += 2
                if i < s.count, s[i - 1] == "\r", s[i] == "\n" { i += 1 }
            } else if c == "\n" {
                if depth == 0 { tokens.append(Token(kind: .newline, start: i, end: i + 1)) }
                i += 1
            } else if c == "\"" || c == "'" {
                i = scanString(at: i, prefixStart: i, formatted: false)
            } else if Self.isIdent(c) {
                let start = i
                while i < s.count, Self.isIdent(s[i]) { i += 1 }
                let word = String(String.UnicodeScalarView(s[start..<i]))
                if i < s.count, s[i] == "\"" || s[i] == "'", word.count <= 2,
                   word.lowercased().allSatisfy({ "rbuf".contains($0) }) {
                    i = scanString(at: i, prefixStart: start, formatted: word.lowercased().contains("f"))
                } else {
                    tokens.append(Token(kind: .name(word), start: start, end: i))
                }
            } else {
                if "([{".unicodeScalars.contains(c) { depth += 1 }
                if ")]}".unicodeScalars.contains(c) { depth = max(0, depth - 1) }
                if !c.properties.isWhitespace { tokens.append(Token(kind: .op(c), start: i, end: i + 1)) }
                i += 1
            }
        }
    }

    /// Scans a string literal whose quote is at `q`; returns the index after it.
    private mutating func scanString(at q: Int, prefixStart: Int, formatted: Bool) -> Int {
        let s = scalars
        let quote = s[q]
        let triple = q + 2 < s.count && s[q + 1] == quote && s[q + 2] == quote
        var i = q + (triple ? 3 : 1)
        let contentStart = i
        var contentEnd = s.count
        while i < s.count {
            let c = s[i]
            if c == "\\" { i += 2; continue }
            if !triple, c == "\n" { contentEnd = i; break }
            if c == quote {
                if !triple { contentEnd = i; i += 1; break }
                if i + 2 < s.count, s[i + 1] == quote, s[i + 2] == quote { contentEnd = i; i += 3; break }
            }
            i += 1
        }
        i = min(i, s.count)
        tokens.append(Token(kind: .string(formatted: formatted, contentStart: contentStart, contentEnd: min(contentEnd, s.count)),
                            start: prefixStart, end: i))
        return i
    }

    /// Statements: token index ranges split at logical newlines and top-level `;`.
    private var statements: [[Token]] {
        var out: [[Token]] = []
        var current: [Token] = []
        var depth = 0
        for t in tokens {
            switch t.kind {
            case .comment: continue
            case .newline:
                if !current.isEmpty { out.append(current) }
                current = []
                continue
            case .op(let c):
                if "([{".unicodeScalars.contains(c) { depth += 1 }
                if ")]}".unicodeScalars.contains(c) { depth = max(0, depth - 1) }
                if c == ";", depth == 0 {
                    if !current.isEmpty { out.append(current) }
                    current = []
                    continue
                }
            default: break
            }
            current.append(t)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// The code with comments removed and docstring statements (a statement made only of plain string
    /// literals) blanked; with `stripStrings`, every other string literal's contents are blanked too.
    func stripped(stripStrings: Bool = false) -> String {
        var drop = [Bool](repeating: false, count: scalars.count)
        func blank(_ from: Int, _ to: Int) { for k in from..<to where scalars[k] != "\n" { drop[k] = true } }
        for t in tokens {
            if case .comment = t.kind { blank(t.start, t.end) }
        }
        for stmt in statements {
            let docstring = stmt.allSatisfy { if case .string(false, _, _) = $0.kind { return true }; return false }
            for t in stmt {
                guard case .string(_, let cs, let ce) = t.kind else { continue }
                if docstring { blank(t.start, t.end) } else if stripStrings { blank(cs, ce) }
            }
        }
        var out = String.UnicodeScalarView()
        for (k, c) in scalars.enumerated() where !drop[k] { out.append(c) }
        return String(out)
    }

    /// Absolute module names imported by the code: `import a.b` → `a.b`; `from a import b` → `a`, `a.b`.
    /// Relative imports (`from . import x`) are skipped; names inside strings and comments are never seen.
    func importedModules() -> [String] {
        var found: [String] = []
        for stmt in statements {
            for (k, t) in stmt.enumerated() where t.kind == .name("import") {
                var j = k - 1
                var parts: [String] = []
                while j >= 0 {
                    if case .name(let n) = stmt[j].kind, n != "from" { parts.insert(n, at: 0) }
                    else if stmt[j].kind == .op(".") { parts.insert(".", at: 0) }
                    else { break }
                    j -= 1
                }
                let names = Self.dottedNames(Array(stmt[(k + 1)...]))
                if j >= 0, stmt[j].kind == .name("from") {
                    let base = parts.joined()
                    if base.isEmpty || base.hasPrefix(".") { continue }
                    found.append(base)
                    found.append(contentsOf: names.filter { $0 != "*" }.map { "\(base).\($0)" })
                } else if parts.isEmpty {
                    found.append(contentsOf: names)
                }
            }
        }
        return found
    }

    /// Parses `a.b as c, d` (optionally in parentheses) into `["a.b", "d"]`.
    private static func dottedNames(_ toks: [Token]) -> [String] {
        var names: [String] = []
        var current = ""
        var skipAlias = false
        for t in toks {
            switch t.kind {
            case .name(let n):
                if n == "as" { skipAlias = true } else if skipAlias { skipAlias = false } else { current += n }
            case .op("."): current += "."
            case .op("*"): current = "*"
            case .op(","):
                if !current.isEmpty { names.append(current) }
                current = ""
            case .op("("), .op(")"): continue
            default:
                if !current.isEmpty { names.append(current) }
                return names
            }
        }
        if !current.isEmpty { names.append(current) }
        return names
    }
}
