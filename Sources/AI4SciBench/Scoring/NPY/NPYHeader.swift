import Foundation

/// The parsed header of an `.npy` file: format version, dtype, order, shape and where the data starts.
struct NPYHeader: Sendable, Equatable {
    var major: Int
    var minor: Int
    var dtype: NPYDType
    var fortranOrder: Bool
    var shape: [Int]
    var dataOffset: Int

    /// Parses the preamble and the header dictionary of `bytes`; `file` names the file in errors.
    static func parse(_ bytes: [UInt8], file: String) throws -> NPYHeader {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard bytes.count >= 10 else {
            if bytes.count >= 6, Array(bytes[0..<6]) == magic {
                throw BenchError(.badInput, "\(file): truncated .npy file (\(bytes.count) bytes, header missing)")
            }
            throw BenchError(.badInput, "\(file): not an .npy file (bad magic)", hint: "write it with numpy.save")
        }
        guard Array(bytes[0..<6]) == magic else {
            throw BenchError(.badInput, "\(file): not an .npy file (bad magic)", hint: "write it with numpy.save")
        }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw BenchError(.badInput, "\(file): truncated .npy file (\(bytes.count) bytes, header missing)")
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw BenchError(.badInput, "\(file): unsupported .npy format version \(major).\(minor)",
                             hint: "versions 1.0, 2.0 and 3.0 are supported")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw BenchError(.badInput, "\(file): truncated .npy file (header of \(headerLength) bytes, file has \(bytes.count))")
        }
        let headerBytes = bytes[headerStart..<(headerStart + headerLength)]
        let text = major == 3
            ? String(decoding: headerBytes, as: UTF8.self)
            : String(headerBytes.map { Character(Unicode.Scalar($0)) })
        var parser = HeaderDictParser(text: text, file: file)
        let dict = try parser.parseDict()
        guard case .string(let descr)? = dict["descr"] else {
            if dict["descr"] != nil {
                throw BenchError(.badInput, "\(file): structured dtype is not supported",
                                 hint: "save one plain numeric array per file")
            }
            throw BenchError(.badInput, "\(file): .npy header has no 'descr'")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw BenchError(.badInput, "\(file): .npy header has no boolean 'fortran_order'")
        }
        guard case .tuple(let shape)? = dict["shape"], shape.allSatisfy({ $0 >= 0 }) else {
            throw BenchError(.badInput, "\(file): .npy header has no valid 'shape'")
        }
        let dtype = try NPYDType.parse(descriptor: descr, file: file)
        return NPYHeader(major: major, minor: minor, dtype: dtype, fortranOrder: fortran, shape: shape,
                         dataOffset: headerStart + headerLength)
    }
}

/// A value of the Python literal dictionary in an `.npy` header.
enum HeaderValue: Equatable {
    case string(String)
    case bool(Bool)
    case tuple([Int])
    case other
}

/// A small parser for the Python dict literal numpy writes: `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
struct HeaderDictParser {
    let chars: [Character]
    var pos = 0
    let file: String

    init(text: String, file: String) {
        self.chars = Array(text)
        self.file = file
    }

    private func fail(_ what: String) -> BenchError {
        BenchError(.badInput, "\(file): malformed .npy header (\(what))")
    }

    private mutating func skipSpace() {
        while pos < chars.count, chars[pos].isWhitespace { pos += 1 }
    }

    private mutating func expect(_ c: Character) throws {
        skipSpace()
        guard pos < chars.count, chars[pos] == c else { throw fail("expected '\(c)'") }
        pos += 1
    }

    mutating func parseDict() throws -> [String: HeaderValue] {
        try expect("{")
        var out: [String: HeaderValue] = [:]
        while true {
            skipSpace()
            if pos < chars.count, chars[pos] == "}" { pos += 1; return out }
            let key = try parseString()
            try expect(":")
            out[key] = try parseValue()
            skipSpace()
            if pos < chars.count, chars[pos] == "," { pos += 1; continue }
            try expect("}")
            return out
        }
    }

    private mutating func parseString() throws -> String {
        skipSpace()
        guard pos < chars.count, chars[pos] == "'" || chars[pos] == "\"" else { throw fail("expected a string") }
        let quote = chars[pos]
        pos += 1
        var s = ""
        while pos < chars.count, chars[pos] != quote {
            if chars[pos] == "\\", pos + 1 < chars.count { pos += 1 }
            s.append(chars[pos])
            pos += 1
        }
        guard pos < chars.count else { throw fail("unterminated string") }
        pos += 1
        return s
    }

    private mutating func parseValue() throws -> HeaderValue {
        skipSpace()
        guard pos < chars.count else { throw fail("missing value") }
        let c = chars[pos]
        if c == "'" || c == "\"" { return .string(try parseString()) }
        if c == "(" { return .tuple(try parseTuple()) }
        if c == "[" || c == "{" {
            try skipBalanced()
            return .other
        }
        var word = ""
        while pos < chars.count, chars[pos].isLetter || chars[pos].isNumber || chars[pos] == "_" {
            word.append(chars[pos]); pos += 1
        }
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "": throw fail("unexpected '\(c)'")
        default: return .other
        }
    }

    private mutating func parseTuple() throws -> [Int] {
        try expect("(")
        var dims: [Int] = []
        while true {
            skipSpace()
            if pos < chars.count, chars[pos] == ")" { pos += 1; return dims }
            var digits = ""
            while pos < chars.count, chars[pos].isNumber || chars[pos] == "L" {
                if chars[pos] != "L" { digits.append(chars[pos]) }
                pos += 1
            }
            guard let n = Int(digits) else { throw fail("bad shape entry") }
            dims.append(n)
            skipSpace()
            if pos < chars.count, chars[pos] == "," { pos += 1; continue }
            try expect(")")
            return dims
        }
    }

    private mutating func skipBalanced() throws {
        var depth = 0
        while pos < chars.count {
            let c = chars[pos]
            if c == "'" || c == "\"" { _ = try parseString(); continue }
            if c == "[" || c == "{" || c == "(" { depth += 1 }
            if c == "]" || c == "}" || c == ")" { depth -= 1 }
            pos += 1
            if depth == 0 { return }
        }
        throw fail("unbalanced brackets")
    }
}
