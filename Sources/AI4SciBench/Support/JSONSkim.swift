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
    /// Index of the top-level value (after leading whitespace).
    public let root: Int
    /// Whether the document is one complete value: strings closed, brackets balanced, nothing after it.
    public let isComplete: Bool
    /// Members of the top-level object, found once: key start, key length, value start.
    private let rootMembers: [(key: Int, length: Int, value: Int)]

    /// Wraps a document; one scan indexes the top-level object and checks the document is complete.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        let (root, members, complete) = bytes.withUnsafeBufferPointer { p -> (Int, [(key: Int, length: Int, value: Int)], Bool) in
            let r = Self.whitespace(p, 0)
            if r < p.count, p[r] == 0x7B, let (members, end) = Self.members(p, r) {
                return (r, members, Self.whitespace(p, end) == p.count)
            }
            guard let end = Self.skip(p, r) else { return (r, [], false) }
            return (r, [], Self.whitespace(p, end) == p.count)
        }
        self.root = root
        rootMembers = members
        isComplete = complete
    }

    /// Index just after the value that starts at `i`, or nil when it is malformed or cut short.
    public func skipValue(_ i: Int) -> Int? { bytes.withUnsafeBufferPointer { Self.skip($0, i) } }

    /// Index just after the string that opens at `i`, or nil.
    func skipString(_ i: Int) -> Int? { bytes.withUnsafeBufferPointer { Self.skipString($0, i) } }

    static func whitespace(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        return i
    }

    static func skipString(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i < p.count, p[i] == 0x22, let base = p.baseAddress else { return nil }
        var j = i + 1
        while j < p.count {
            guard let hit = memchr(base + j, 0x22, p.count - j) else { return nil }
            let k = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            var backslashes = 0
            var m = k - 1
            while m > i, p[m] == 0x5C { backslashes += 1; m -= 1 }
            if backslashes % 2 == 0 { return k + 1 }  // an escaped quote has an odd run of backslashes before it
            j = k + 1
        }
        return nil
    }

    /// Bytes that matter when skipping a container: quotes and brackets.
    private static let structural: [Bool] = (0..<256).map { [0x22, 0x7B, 0x7D, 0x5B, 0x5D].contains($0) }

    static func skip(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i < p.count else { return nil }
        switch p[i] {
        case 0x22:
            return skipString(p, i)
        case 0x7B, 0x5B:
            var depth = 0
            var j = i
            return structural.withUnsafeBufferPointer { table -> Int? in
                while j < p.count {
                    while j < p.count, !table[Int(p[j])] { j += 1 }
                    guard j < p.count else { return nil }
                    switch p[j] {
                    case 0x22:
                        guard let e = skipString(p, j) else { return nil }
                        j = e
                        continue
                    case 0x7B, 0x5B: depth += 1
                    default:
                        depth -= 1
                        if depth == 0 { return j + 1 }
                    }
                    j += 1
                }
                return nil
            }
        default:
            var j = i
            while j < p.count {
                let c = p[j]
                let isScalar = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x45
                if !isScalar { break }
                j += 1
            }
            return j > i ? j : nil
        }
    }

    /// Walks the members of the object at `i`, calling `visit(keyStart, keyLength, valueStart)` for each;
    /// returns the index after the object, or nil when it is malformed.
    @inline(__always)
    static func walkObject(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ visit: (Int, Int, Int) -> Void) -> Int? {
        var j = whitespace(p, i + 1)
        if j < p.count, p[j] == 0x7D { return j + 1 }
        while j < p.count {
            guard let keyEnd = skipString(p, j) else { return nil }
            let keyStart = j + 1
            j = whitespace(p, keyEnd)
            guard j < p.count, p[j] == 0x3A else { return nil }
            let valueStart = whitespace(p, j + 1)
            visit(keyStart, keyEnd - 1 - keyStart, valueStart)
            guard let valueEnd = skip(p, valueStart) else { return nil }
            j = whitespace(p, valueEnd)
            guard j < p.count else { return nil }
            if p[j] == 0x7D { return j + 1 }
            guard p[j] == 0x2C else { return nil }
            j = whitespace(p, j + 1)
        }
        return nil
    }

    /// The members of the object at `i` and the index after it; nil when malformed.
    static func members(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> ([(key: Int, length: Int, value: Int)], Int)? {
        var out: [(key: Int, length: Int, value: Int)] = []
        guard let end = walkObject(p, i, { out.append(($0, $1, $2)) }) else { return nil }
        return (out, end)
    }

    /// For the object at `i`: the value index of each key in `keys` (nil where absent); nil when `i` is no object.
    public func fields(_ i: Int?, _ keys: [String]) -> [Int?]? {
        guard let i, i < bytes.count, bytes[i] == 0x7B else { return nil }
        if i == root, isComplete {
            return bytes.withUnsafeBufferPointer { p in
                var found = [Int?](repeating: nil, count: keys.count)
                for m in rootMembers { Self.match(p, keys, &found, m.key, m.length, m.value) }
                return found
            }
        }
        return bytes.withUnsafeBufferPointer { Self.scanObject($0, i, keys)?.found }
    }

    /// For each element of the array at `i`: the value indices of `keys` (all nil for an element that is no object),
    /// in one pass over the array.
    public func elementFields(_ i: Int?, _ keys: [String]) -> [[Int?]] {
        guard let i, i < bytes.count, bytes[i] == 0x5B else { return [] }
        return bytes.withUnsafeBufferPointer { p -> [[Int?]] in
            var out: [[Int?]] = []
            var j = Self.whitespace(p, i + 1)
            if j < p.count, p[j] == 0x5D { return out }
            while j < p.count {
                let end: Int
                if p[j] == 0x7B {
                    guard let (found, e) = Self.scanObject(p, j, keys) else { return [] }
                    out.append(found)
                    end = e
                } else {  // not an object: no fields, but it keeps its place in the list
                    guard let e = Self.skip(p, j) else { return [] }
                    out.append([Int?](repeating: nil, count: keys.count))
                    end = e
                }
                j = Self.whitespace(p, end)
                guard j < p.count else { return [] }
                if p[j] == 0x5D { return out }
                guard p[j] == 0x2C else { return [] }
                j = Self.whitespace(p, j + 1)
            }
            return []
        }
    }

    /// Records `value` for the first key in `keys` equal to the key bytes at `keyStart`.
    private static func match(_ p: UnsafeBufferPointer<UInt8>, _ keys: [String], _ found: inout [Int?], _ keyStart: Int, _ length: Int, _ value: Int) {
        for (k, key) in keys.enumerated() where found[k] == nil && key.utf8.count == length {
            var key = key
            if key.withUTF8({ memcmp(p.baseAddress! + keyStart, $0.baseAddress!, length) == 0 }) {
                found[k] = value
                return
            }
        }
    }

    /// Scans the object at `i` in place: the value indices of `keys` and the index after the object.
    private static func scanObject(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ keys: [String]) -> (found: [Int?], end: Int)? {
        var found = [Int?](repeating: nil, count: keys.count)
        guard let end = walkObject(p, i, { match(p, keys, &found, $0, $1, $2) }) else { return nil }
        return (found, end)
    }

    /// The value index of one member of the object at `i`.
    public func field(_ i: Int?, _ key: String) -> Int? {
        fields(i, [key])?[0] ?? nil
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
