import Foundation

/// A JSON document held as a value: the common currency of task configs, scorer details and results.
///
/// Numbers are doubles; integral values are written without a fraction (`3`, not `3.0`).
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    /// The number, if this is a number.
    public var doubleValue: Double? { if case .number(let d) = self { return d }; return nil }
    /// The number as an integer, if it is integral.
    public var intValue: Int? {
        if case .number(let d) = self, d.rounded() == d, abs(d) < 9.0e15 { return Int(d) }
        return nil
    }
    /// The boolean, if this is a boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    /// Whether this is `null`.
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// Member lookup on objects; `nil` for anything else or a missing key.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// A short description of the kind of value, for error messages ("a string", "a number").
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }

    /// A compact rendering for messages: strings quoted, containers abbreviated.
    public var shortDescription: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .array(let a): return "[\(a.prefix(4).map(\.shortDescription).joined(separator: ", "))\(a.count > 4 ? ", …" : "")]"
        case .object(let o): return "{\(o.keys.sorted().prefix(4).joined(separator: ", "))\(o.count > 4 ? ", …" : "")}"
        default: return (try? JSONValue.encodeString(self, pretty: false)) ?? "?"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 9.0e15 { try c.encode(Int64(d)) }
            else if d.isFinite { try c.encode(d) }
            else { try c.encodeNil() }  // JSON has no NaN/Inf; callers record non-finite values as strings
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONValue {
    /// Encodes any value as JSON bytes with sorted keys (pretty-printed by default).
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Encodes any value as a JSON string with sorted keys.
    public static func encodeString<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        String(decoding: try encode(value, pretty: pretty), as: UTF8.self)
    }

    /// Parses JSON bytes into a value.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Converts an `Encodable` into a `JSONValue` tree.
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONValue.parse(try JSONValue.encode(value, pretty: false))
    }

    /// A number, or the string "nan"/"inf"/"-inf" when it is not finite (JSON has no such numbers).
    public static func finite(_ d: Double) -> JSONValue {
        if d.isFinite { return .number(d) }
        return .string(d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf"))
    }
}
