import Foundation

/// A numpy dtype as written in an `.npy` header (`'<f8'`, `'|b1'`, `'>c16'`), restricted to the plain
/// numeric kinds the scorers understand.
public struct NPYDType: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Byte order of the stored elements.
    public enum ByteOrder: String, Sendable {
        /// `<`: little endian.
        case little
        /// `>`: big endian.
        case big
        /// `|`: not applicable (one-byte types).
        case notApplicable
    }

    /// Element kind, numpy's `dtype.kind`.
    public enum Kind: String, Sendable {
        /// `b`: boolean.
        case bool = "b"
        /// `i`: signed integer.
        case signed = "i"
        /// `u`: unsigned integer.
        case unsigned = "u"
        /// `f`: IEEE floating point.
        case float = "f"
        /// `c`: complex (two floats).
        case complex = "c"
    }

    /// The descriptor exactly as found in the file, e.g. `">i4"`.
    public var descriptor: String
    /// Byte order (`=` in a file means the writer's native order and is read as little endian).
    public var byteOrder: ByteOrder
    /// Element kind.
    public var kind: Kind
    /// Size of one element in bytes.
    public var itemSize: Int

    /// numpy's name for the type, independent of byte order: `"float64"`, `"int32"`, `"bool"`, `"complex128"`.
    public var name: String {
        switch kind {
        case .bool: return "bool"
        case .signed: return "int\(itemSize * 8)"
        case .unsigned: return "uint\(itemSize * 8)"
        case .float: return "float\(itemSize * 8)"
        case .complex: return "complex\(itemSize * 8)"
        }
    }

    /// The numpy name, e.g. `float64`.
    public var description: String { name }

    /// Parses a header descriptor such as `"<f8"`; throws naming `file` for object, string, structured
    /// or otherwise unsupported types.
    public static func parse(descriptor: String, file: String) throws -> NPYDType {
        var chars = Array(descriptor)
        var order = ByteOrder.little
        if let first = chars.first, "<>|=".contains(first) {
            switch first {
            case ">": order = .big
            case "|": order = .notApplicable
            default: order = .little
            }
            chars.removeFirst()
        }
        guard let kindChar = chars.first else {
            throw BenchError(.badInput, "\(file): empty dtype descriptor in the .npy header")
        }
        if kindChar == "O" {
            throw BenchError(
                .badInput,
                "\(file): object array (dtype '\(descriptor)'); reading it would need pickle, which is not supported",
                hint: "save a numeric array, e.g. np.save(path, np.asarray(x, dtype=np.float64))")
        }
        let sizeText = String(chars.dropFirst())
        guard let kind = Kind(rawValue: String(kindChar)), let size = Int(sizeText) else {
            throw unsupported(descriptor, file: file)
        }
        let valid: Set<Int>
        switch kind {
        case .bool: valid = [1]
        case .signed, .unsigned: valid = [1, 2, 4, 8]
        case .float: valid = [2, 4, 8]
        case .complex: valid = [8, 16]
        }
        guard valid.contains(size) else { throw unsupported(descriptor, file: file) }
        if size == 1 { order = .notApplicable }
        return NPYDType(descriptor: descriptor, byteOrder: order, kind: kind, itemSize: size)
    }

    private static func unsupported(_ descriptor: String, file: String) -> BenchError {
        BenchError(
            .badInput,
            "\(file): unsupported dtype '\(descriptor)'",
            hint: "supported: bool, int8-64, uint8-64, float16/32/64, complex64/128")
    }

    /// Normalises a numpy dtype spelling used in task files (`float64`, `f8`, `<f8`, `double`, `float`,
    /// `int`, `bool`, `?`, `complex`) to numpy's canonical name, or `nil` when it is not a supported type.
    public static func canonicalName(_ spelling: String) -> String? {
        let s = spelling.trimmingCharacters(in: .whitespaces).lowercased()
        let aliases: [String: String] = [
            "float": "float64", "double": "float64", "float_": "float64", "single": "float32", "half": "float16",
            "int": "int64", "int_": "int64", "intp": "int64", "long": "int64", "uint": "uint64",
            "bool": "bool", "bool_": "bool", "?": "bool", "b1": "bool", "complex": "complex128",
            "cdouble": "complex128", "csingle": "complex64", "byte": "int8", "ubyte": "uint8",
            "short": "int16", "ushort": "uint16", "intc": "int32", "uintc": "uint32",
        ]
        if let alias = aliases[s] { return alias }
        let names = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                     "float16", "float32", "float64", "complex64", "complex128"]
        if names.contains(s) { return s }
        var body = Substring(s)
        if let first = body.first, "<>|=".contains(first) { body = body.dropFirst() }
        guard let k = body.first, let size = Int(body.dropFirst()) else { return nil }
        let name: String
        switch k {
        case "b": name = size == 1 ? "bool" : ""
        case "i": name = "int\(size * 8)"
        case "u": name = "uint\(size * 8)"
        case "f": name = "float\(size * 8)"
        case "c": name = "complex\(size * 8)"
        default: name = ""
        }
        return names.contains(name) ? name : nil
    }
}
