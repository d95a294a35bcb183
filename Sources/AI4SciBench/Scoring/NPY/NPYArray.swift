import Foundation

/// An array read from a numpy `.npy` file (format 1.0, 2.0 or 3.0), with its values as doubles in C order.
///
/// Booleans read as 0/1 and integers are converted as numpy's `astype(np.float64)` does. For complex
/// dtypes ``values`` holds the real parts (what `astype(np.float64)` keeps) and ``imaginary`` the
/// imaginary parts. Fortran-ordered files are transposed into C order while reading.
public struct NPYArray: Sendable, Equatable {
    /// The array shape; `[]` for a 0-d array.
    public var shape: [Int]
    /// The stored dtype (keeps the file's descriptor, e.g. `">i4"`; ``NPYDType/name`` gives `"int32"`).
    public var dtype: NPYDType
    /// Whether the file stored the data in Fortran order (``values`` is C order regardless).
    public var fortranOrder: Bool
    /// The file's format version, e.g. `"1.0"`.
    public var formatVersion: String
    /// Element values (real parts for complex dtypes) in C order.
    public var values: [Double]
    /// Imaginary parts in C order for complex dtypes; `nil` for real dtypes.
    public var imaginary: [Double]?

    /// Creates an array from C-ordered values.
    public init(shape: [Int], values: [Double], dtype: NPYDType? = nil, imaginary: [Double]? = nil) {
        self.shape = shape
        self.values = values
        self.dtype = dtype ?? NPYDType(descriptor: "<f8", byteOrder: .little, kind: .float, itemSize: 8)
        self.fortranOrder = false
        self.formatVersion = "1.0"
        self.imaginary = imaginary
    }

    /// The number of elements (product of the shape; 1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }

    /// The shape written as numpy prints it without spaces: `(2,100)`, `(5,)`, `()`.
    public var shapeDescription: String { NPYArray.describe(shape: shape) }

    /// Renders any shape the way ``shapeDescription`` does.
    public static func describe(shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ",") + ")"
    }

    /// Whether any element is NaN (either part, for complex values).
    public var containsNaN: Bool {
        values.contains { $0.isNaN } || (imaginary?.contains { $0.isNaN } ?? false)
    }

    /// Whether any element is ±infinity (either part, for complex values).
    public var containsInfinity: Bool {
        values.contains { $0.isInfinite } || (imaginary?.contains { $0.isInfinite } ?? false)
    }

    /// Reads an `.npy` file; errors name the file (its last path component).
    public static func read(contentsOf url: URL) throws -> NPYArray {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw BenchError(.io, "\(url.lastPathComponent): cannot read file (\(error.localizedDescription))")
        }
        return try parse(data, name: url.lastPathComponent)
    }

    /// Parses the bytes of an `.npy` file; `name` is used in error messages.
    public static func parse(_ data: Data, name: String) throws -> NPYArray {
        let bytes = [UInt8](data)
        let header = try NPYHeader.parse(bytes, file: name)
        let count = header.shape.reduce(1, *)
        let needed = count * header.dtype.itemSize
        let available = bytes.count - header.dataOffset
        guard available >= needed else {
            throw BenchError(
                .badInput,
                "\(name): truncated .npy file: shape \(describe(shape: header.shape)) of \(header.dtype.name) needs \(needed) data bytes, found \(available)")
        }
        var (real, imag) = decode(bytes, from: header.dataOffset, count: count, dtype: header.dtype)
        if header.fortranOrder, header.shape.count > 1 {
            real = fortranToC(real, shape: header.shape)
            imag = imag.map { fortranToC($0, shape: header.shape) }
        }
        var array = NPYArray(shape: header.shape, values: real, dtype: header.dtype, imaginary: imag)
        array.fortranOrder = header.fortranOrder
        array.formatVersion = "\(header.major).\(header.minor)"
        return array
    }

    /// Converts element data of `dtype` into doubles (and imaginary parts for complex types).
    private static func decode(_ bytes: [UInt8], from offset: Int, count: Int, dtype: NPYDType) -> ([Double], [Double]?) {
        let big = dtype.byteOrder == .big
        let size = dtype.itemSize
        return bytes.withUnsafeBytes { raw -> ([Double], [Double]?) in
            func bits<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
                let v = raw.loadUnaligned(fromByteOffset: at, as: T.self)
                return big ? T(bigEndian: v) : T(littleEndian: v)
            }
            func float(_ at: Int, _ width: Int) -> Double {
                switch width {
                case 2: return halfToDouble(bits(at, UInt16.self))
                case 4: return Double(Float(bitPattern: bits(at, UInt32.self)))
                default: return Double(bitPattern: bits(at, UInt64.self))
                }
            }
            var real = [Double](repeating: 0, count: count)
            switch dtype.kind {
            case .complex:
                var imag = [Double](repeating: 0, count: count)
                let half = size / 2
                for i in 0..<count {
                    let at = offset + i * size
                    real[i] = float(at, half)
                    imag[i] = float(at + half, half)
                }
                return (real, imag)
            case .float:
                for i in 0..<count { real[i] = float(offset + i * size, size) }
            case .bool:
                for i in 0..<count { real[i] = raw[offset + i] == 0 ? 0 : 1 }
            case .signed:
                for i in 0..<count {
                    let at = offset + i * size
                    switch size {
                    case 1: real[i] = Double(Int8(bitPattern: raw[at]))
                    case 2: real[i] = Double(bits(at, Int16.self))
                    case 4: real[i] = Double(bits(at, Int32.self))
                    default: real[i] = Double(bits(at, Int64.self))
                    }
                }
            case .unsigned:
                for i in 0..<count {
                    let at = offset + i * size
                    switch size {
                    case 1: real[i] = Double(raw[at])
                    case 2: real[i] = Double(bits(at, UInt16.self))
                    case 4: real[i] = Double(bits(at, UInt32.self))
                    default: real[i] = Double(bits(at, UInt64.self))
                    }
                }
            }
            return (real, nil)
        }
    }

    /// IEEE 754 binary16 to double, exact for every value including subnormals, infinities and NaN.
    static func halfToDouble(_ h: UInt16) -> Double {
        let sign: Double = (h & 0x8000) != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let fraction = Double(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// Reorders column-major data into row-major order for `shape`.
    static func fortranToC(_ data: [Double], shape: [Int]) -> [Double] {
        let n = shape.count
        var fStrides = [Int](repeating: 1, count: n)
        for k in 1..<n { fStrides[k] = fStrides[k - 1] * shape[k - 1] }
        var out = [Double](repeating: 0, count: data.count)
        var index = [Int](repeating: 0, count: n)
        var fOffset = 0
        for c in 0..<data.count {
            out[c] = data[fOffset]
            var k = n - 1
            while k >= 0 {
                index[k] += 1
                fOffset += fStrides[k]
                if index[k] < shape[k] { break }
                fOffset -= fStrides[k] * shape[k]
                index[k] = 0
                k -= 1
            }
        }
        return out
    }
}
