import Foundation

/// Reads chosen fields out of a JSON document's bytes without building a tree.
///
/// `report` and `validate` read tens of thousands of ~10 KB result files and need a dozen fields of each;
/// decoding whole documents with `JSONDecoder` costs ~77 µs per file (measured, release build), which alone
/// exceeds the report's time budget. This reader walks the bytes once, locates the members asked for and
/// converts only those. Strings with escapes and any value converted to a ``JSONValue`` go through
/// `JSONDecoder` on their own slice, so escaping rules are Foundation's, not re-implemented here.
///
/// Every method is bounds-checked and returns nil (never traps) on malformed input.
public struct JSONSkim: Sendable {
    /// The document's bytes.
    public let bytes: [UInt8]

    /// Wraps a document.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Index of the top-level value (after leading whitespace).
    public var root: Int { whitespace(0) }

    /// Whether the document is one complete value: strings closed, brackets balanced, nothing after it.
    public var isComplete: Bool {
        guard let end = skipValue(root) else { return false }
        return whitespace(end) == bytes.count
    }

    /// First index at or after `i` that is not JSON whitespace.
    func whitespace(_ i: Int) -> Int {
        var i = i
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i
    }

    /// Index just after the string that opens at `i`, or nil.
    func skipString(_ i: Int) -> Int? {
        guard i < bytes.count, bytes[i] == 0x22 else { return nil }
        var j = i + 1
        while j < bytes.count {
            switch bytes[j] {
            case 0x5C: j += 2  // backslash: skip the escaped byte
            case 0x22: return j + 1
            default: j += 1
            }
        }
        return nil
    }

    /// Index just after the value that starts at `i`, or nil when it is malformed or cut short.
    public func skipValue(_ i: Int) -> Int? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case 0x22:
            return skipString(i)
        case 0x7B, 0x5B:
            var depth = 0
            var j = i
            while j < bytes.count {
                switch bytes[j] {
                case 0x22:
                    guard let e = skipString(j) else { return nil }
                    j = e
                    continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 { return j + 1 }
                default: break
                }
                j += 1
            }
            return nil
        default:
            var j = i
            while j < bytes.count {
                let c = bytes[j]
                let isScalar = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x45
                if !isScalar { break }
                j += 1
            }
            return j > i ? j : nil
        }
    }

    /// For the object at `i`: the value index of each key in `keys` (nil where absent); nil when `i` is no object.
    public func fields(_ i: Int?, _ keys: [String]) -> [Int?]? {
        guard let i, i < bytes.count, bytes[i] == 0x7B else { return nil }
        let wanted = keys.map { Array($0.utf8) }
        var found = [Int?](repeating: nil, count: keys.count)
        var j = whitespace(i + 1)
        if j < bytes.count, bytes[j] == 0x7D { return found }
        while j < bytes.count {
            guard let keyEnd = skipString(j) else { return nil }
            let keyStart = j + 1, keyLength = keyEnd - 1 - keyStart
            j = whitespace(keyEnd)
            guard j < bytes.count, bytes[j] == 0x3A else { return nil }
            let valueStart = whitespace(j + 1)
            for (k, key) in wanted.enumerated() where found[k] == nil && key.count == keyLength {
                if bytes.withUnsafeBufferPointer({ buf in key.withUnsafeBufferPointer { memcmp(buf.baseAddress! + keyStart, $0.baseAddress!, keyLength) == 0 } }) {
                    found[k] = valueStart
                    break
                }
            }
            guard let valueEnd = skipValue(valueStart) else { return nil }
            j = whitespace(valueEnd)
            guard j < bytes.count else { return nil }
            if bytes[j] == 0x7D { return found }
            guard bytes[j] == 0x2C else { return nil }
            j = whitespace(j + 1)
        }
        return nil
    }

    /// The value index of one member of the object at `i`.
    public func field(_ i: Int?, _ key: String) -> Int? {
        fields(i, [key])?[0] ?? nil
    }

    /// Start indices of the elements of the array at `i` (empty when `i` is no array).
    public func elements(_ i: Int?) -> [Int] {
        guard let i, i < bytes.count, bytes[i] == 0x5B else { return [] }
        var out: [Int] = []
        var j = whitespace(i + 1)
        if j < bytes.count, bytes[j] == 0x5D { return out }
        while j < bytes.count {
            out.append(j)
            guard let e = skipValue(j) else { return [] }
            j = whitespace(e)
            guard j < bytes.count else { return [] }
            if bytes[j] == 0x5D { return out }
            guard bytes[j] == 0x2C else { return [] }
            j = whitespace(j + 1)
        }
        return []
    }

    /// The string at `i`, or nil when the value there is not a string.
    public func string(_ i: Int?) -> String? {
        guard let i, let end = skipString(i) else { return nil }
        let body = bytes[(i + 1)..<(end - 1)]
        if !body.contains(0x5C) { return String(decoding: body, as: UTF8.self) }
        return try? JSONDecoder().decode(String.self, from: Data(bytes[i..<end]))
    }

    /// The number at `i`, or nil when the value there is not a number.
    public func number(_ i: Int?) -> Double? {
        guard let i, i < bytes.count, bytes[i] == 0x2D || (bytes[i] >= 0x30 && bytes[i] <= 0x39), let end = skipValue(i) else { return nil }
        return Double(String(decoding: bytes[i..<end], as: UTF8.self))
    }

    /// The boolean at `i`, or nil when the value there is not `true` or `false`.
    public func bool(_ i: Int?) -> Bool? {
        guard let i, i < bytes.count else { return nil }
        if bytes[i] == 0x74, i + 4 <= bytes.count, bytes[i..<(i + 4)].elementsEqual("true".utf8) { return true }
        if bytes[i] == 0x66, i + 5 <= bytes.count, bytes[i..<(i + 5)].elementsEqual("false".utf8) { return false }
        return nil
    }

    /// The value at `i` as a tree (decoded by `JSONDecoder` from its slice), or nil.
    public func value(_ i: Int?) -> JSONValue? {
        guard let i, let end = skipValue(i) else { return nil }
        return try? JSONValue.parse(Data(bytes[i..<end]))
    }
}
