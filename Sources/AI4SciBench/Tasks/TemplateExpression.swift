import Foundation

/// Evaluates the small expression language of task configs: `"{n_cells*2}"`, `"{nx, ny}"`.
///
/// Grammar: numbers, parameter names, unary `+`/`-`, binary `+ - * / // %`, parentheses. Division `/`
/// is true division; `//` and `%` follow Python (floor toward −∞, result takes the divisor's sign).
public enum TemplateExpression {
    /// Whether `text` is a template: the whole string wrapped in braces (`"{...}"`, not `"{{...}}"`).
    public static func isTemplate(_ text: String) -> Bool {
        let t = text.trimmingCharacters(in: .whitespaces)
        return t.count >= 2 && t.hasPrefix("{") && t.hasSuffix("}") && !t.hasPrefix("{{")
    }

    /// The parameter names an expression refers to.
    public static func names(in text: String) throws -> Set<String> {
        var out = Set<String>()
        for part in splitTopLevel(inner(text)) {
            var lexer = Lexer(part)
            while let tok = try lexer.next() { if case .name(let n) = tok { out.insert(n) } }
        }
        return out
    }

    /// Evaluates a template string over `parameters`; one value gives a number, a comma list an array.
    public static func evaluate(_ text: String, parameters: [String: JSONValue]) throws -> JSONValue {
        let parts = splitTopLevel(inner(text))
        let values = try parts.map { try evaluateNumber($0, parameters: parameters) }
        if values.count == 1 { return .number(values[0]) }
        return .array(values.map { .number($0) })
    }

    /// Evaluates one arithmetic expression to a number.
    public static func evaluateNumber(_ expression: String, parameters: [String: JSONValue]) throws -> Double {
        var parser = try Parser(lexer: Lexer(expression), parameters: parameters, source: expression)
        return try parser.parseAll()
    }

    static func inner(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard isTemplate(t) else { return t }
        return String(t.dropFirst().dropLast())
    }

    static func splitTopLevel(_ s: String) -> [String] {
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in s {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    enum Token: Equatable { case number(Double), name(String), op(String), lparen, rparen }

    struct Lexer {
        let chars: [Character]
        var i = 0
        init(_ s: String) { chars = Array(s) }

        mutating func next() throws -> Token? {
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            guard i < chars.count else { return nil }
            let c = chars[i]
            if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j] == "." || chars[j] == "_" { j += 1 }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, chars[k].isNumber {
                        j = k
                        while j < chars.count, chars[j].isNumber { j += 1 }
                    }
                }
                let text = String(chars[i..<j]).replacingOccurrences(of: "_", with: "")
                i = j
                guard let v = Double(text) else { throw BenchError(.badInput, "bad number \"\(text)\" in expression") }
                return .number(v)
            }
            if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                defer { i = j }
                return .name(String(chars[i..<j]))
            }
            i += 1
            switch c {
            case "(": return .lparen
            case ")": return .rparen
            case "+", "-", "*", "%": return .op(String(c))
            case "/":
                if i < chars.count, chars[i] == "/" { i += 1; return .op("//") }
                return .op("/")
            default:
                throw BenchError(.badInput, "unexpected character \"\(c)\" in expression", hint: "templates allow numbers, parameter names, + - * / // % and parentheses")
            }
        }
    }

    struct Parser {
        var tokens: [Token] = []
        var pos = 0
        let parameters: [String: JSONValue]
        let source: String

        init(lexer: Lexer, parameters: [String: JSONValue], source: String) throws {
            var l = lexer
            while let t = try l.next() { tokens.append(t) }
            self.parameters = parameters
            self.source = source
        }

        mutating func parseAll() throws -> Double {
            guard !tokens.isEmpty else { throw BenchError(.badInput, "empty expression") }
            let v = try parseSum()
            guard pos == tokens.count else { throw BenchError(.badInput, "unexpected trailing text in expression \"\(source)\"") }
            return v
        }

        mutating func parseSum() throws -> Double {
            var v = try parseProduct()
            while pos < tokens.count, case .op(let o) = tokens[pos], o == "+" || o == "-" {
                pos += 1
                let r = try parseProduct()
                v = o == "+" ? v + r : v - r
            }
            return v
        }

        mutating func parseProduct() throws -> Double {
            var v = try parseUnary()
            while pos < tokens.count, case .op(let o) = tokens[pos], ["*", "/", "//", "%"].contains(o) {
                pos += 1
                let r = try parseUnary()
                switch o {
                case "*": v *= r
                case "/":
                    guard r != 0 else { throw BenchError(.badInput, "division by zero in expression \"\(source)\"") }
                    v /= r
                case "//":
                    guard r != 0 else { throw BenchError(.badInput, "division by zero in expression \"\(source)\"") }
                    v = (v / r).rounded(.down)
                default:
                    guard r != 0 else { throw BenchError(.badInput, "modulo by zero in expression \"\(source)\"") }
                    v = v - r * (v / r).rounded(.down)
                }
            }
            return v
        }

        mutating func parseUnary() throws -> Double {
            if pos < tokens.count, case .op(let o) = tokens[pos], o == "+" || o == "-" {
                pos += 1
                let v = try parseUnary()
                return o == "-" ? -v : v
            }
            return try parseAtom()
        }

        mutating func parseAtom() throws -> Double {
            guard pos < tokens.count else { throw BenchError(.badInput, "expression \"\(source)\" ends early") }
            let t = tokens[pos]
            pos += 1
            switch t {
            case .number(let v): return v
            case .name(let n):
                guard let value = parameters[n] else {
                    let known = parameters.keys.sorted().joined(separator: ", ")
                    throw BenchError(.badInput, "unknown parameter \"\(n)\" in expression \"\(source)\"", hint: known.isEmpty ? "the task defines no parameters" : "known parameters: \(known)")
                }
                if let d = value.doubleValue { return d }
                if let b = value.boolValue { return b ? 1 : 0 }
                throw BenchError(.badInput, "parameter \"\(n)\" is \(value.kindDescription), not a number, in expression \"\(source)\"")
            case .lparen:
                let v = try parseSum()
                guard pos < tokens.count, tokens[pos] == .rparen else { throw BenchError(.badInput, "missing \")\" in expression \"\(source)\"") }
                pos += 1
                return v
            default:
                throw BenchError(.badInput, "unexpected token in expression \"\(source)\"")
            }
        }
    }
}

/// Resolves template strings inside a config tree over instance parameters.
public enum TemplateResolver {
    /// Returns `value` with every template string replaced by its evaluated number or list.
    public static func resolve(_ value: JSONValue, parameters: [String: JSONValue]) throws -> JSONValue {
        switch value {
        case .string(let s) where TemplateExpression.isTemplate(s):
            return try TemplateExpression.evaluate(s, parameters: parameters)
        case .array(let a):
            return .array(try a.map { try resolve($0, parameters: parameters) })
        case .object(let o):
            return .object(try o.mapValues { try resolve($0, parameters: parameters) })
        default:
            return value
        }
    }

    /// Resolves every value of a config mapping.
    public static func resolve(_ config: [String: JSONValue], parameters: [String: JSONValue]) throws -> [String: JSONValue] {
        try config.mapValues { try resolve($0, parameters: parameters) }
    }

    /// Lists `(keyPath, message)` for every template in `value` that names an unknown parameter or does not parse.
    public static func check(_ value: JSONValue, known: Set<String>, path: String) -> [(String, String, String?)] {
        switch value {
        case .string(let s) where TemplateExpression.isTemplate(s):
            do {
                let dummy = Dictionary(uniqueKeysWithValues: known.map { ($0, JSONValue.number(2.5)) })
                let names = try TemplateExpression.names(in: s)
                if let missing = names.subtracting(known).sorted().first {
                    let list = known.sorted().joined(separator: ", ")
                    return [(path, "template \"\(s)\" names unknown parameter \"\(missing)\"", list.isEmpty ? "the task's generation.parameters is empty" : "known parameters: \(list)")]
                }
                _ = try TemplateExpression.evaluate(s, parameters: dummy)
                return []
            } catch let e as BenchError where e.message.contains("by zero") {
                return []  // depends on the values; checked again when the instance is known
            } catch let e as BenchError {
                return [(path, "template \"\(s)\": \(e.message)", e.hint)]
            } catch {
                return [(path, "template \"\(s)\": \(error)", nil)]
            }
        case .array(let a):
            return a.enumerated().flatMap { check($1, known: known, path: "\(path)[\($0)]") }
        case .object(let o):
            return o.keys.sorted().flatMap { check(o[$0]!, known: known, path: path.isEmpty ? $0 : "\(path).\($0)") }
        default:
            return []
        }
    }
}
