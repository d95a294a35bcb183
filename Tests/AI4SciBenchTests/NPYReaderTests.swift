import Foundation
import Testing
@testable import AI4SciBench

@Suite("NPY reader", .timeLimit(.minutes(1)))
struct NPYReaderTests {
    /// Every file listed in npy/expected.json (every dtype × C/F order × little/big endian, versions 1-3,
    /// 0-d, empty, 4-d Fortran) reads back with numpy's shape, dtype and values.
    @Test func everyNumpyWrittenFileMatchesNumpy() throws {
        let dir = try ScoringFixtures.npyDir()
        let expected = try JSONValue.parse(Data(contentsOf: dir.appendingPathComponent("expected.json")))
        let files = try #require(expected.objectValue)
        #expect(files.count >= 14 * 4 + 3)
        for (name, entry) in files.sorted(by: { $0.key < $1.key }) {
            let array = try NPYArray.read(contentsOf: dir.appendingPathComponent(name))
            #expect(array.shape == entry["shape"]?.arrayValue?.compactMap(\.intValue), "\(name)")
            #expect(array.dtype.name == entry["dtype"]?.stringValue, "\(name)")
            #expect(array.fortranOrder == entry["fortran"]?.boolValue, "\(name)")
            #expect(array.formatVersion == entry["version"]?.stringValue, "\(name)")
            let real = entry["real"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Double.init) } ?? []
            #expect(real.count == array.values.count, "\(name)")
            #expect(zip(real, array.values).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(name)")
            if let imag = entry["imag"]?.arrayValue {
                let im = imag.compactMap { $0.stringValue.flatMap(Double.init) }
                let got = try #require(array.imaginary, "\(name)")
                #expect(zip(im, got).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(name)")
            } else {
                #expect(array.imaginary == nil, "\(name)")
            }
        }
    }

    @Test func bigEndianDescriptorIsKeptWithNumpyName() throws {
        let a = try NPYArray.read(contentsOf: ScoringFixtures.npyDir().appendingPathComponent("int32_F_be.npy"))
        #expect(a.dtype.descriptor == ">i4")
        #expect(a.dtype.byteOrder == .big)
        #expect(a.dtype.name == "int32")
        #expect(a.fortranOrder)
        #expect(a.shapeDescription == "(3,4,2)")
    }

    @Test func objectArrayIsRejectedNamingTheFile() throws {
        let url = try ScoringFixtures.npyDir().appendingPathComponent("object.npy")
        let error = try #require(throws: BenchError.self) { try NPYArray.read(contentsOf: url) }
        #expect(error.message.contains("object.npy"))
        #expect(error.message.contains("object array"))
        #expect(error.message.contains("pickle"))
    }

    @Test func truncatedFileIsRejected() throws {
        let url = try ScoringFixtures.npyDir().appendingPathComponent("truncated.npy")
        let error = try #require(throws: BenchError.self) { try NPYArray.read(contentsOf: url) }
        #expect(error.message.contains("truncated.npy: truncated"))
        #expect(error.message.contains("needs 800 data bytes, found 784"))
    }

    @Test func badMagicStructuredAndStringsAreRejected() throws {
        let dir = try ScoringFixtures.npyDir()
        let magic = try #require(throws: BenchError.self) { try NPYArray.read(contentsOf: dir.appendingPathComponent("badmagic.npy")) }
        #expect(magic.message == "badmagic.npy: not an .npy file (bad magic)")
        let structured = try #require(throws: BenchError.self) { try NPYArray.read(contentsOf: dir.appendingPathComponent("structured.npy")) }
        #expect(structured.message.contains("structured dtype"))
        let strings = try #require(throws: BenchError.self) { try NPYArray.read(contentsOf: dir.appendingPathComponent("strings.npy")) }
        #expect(strings.message.contains("strings.npy: unsupported dtype '<U2'"))
    }

    @Test func truncatedHeaderAndUnknownVersion() throws {
        let full = TempDirs.npyData([1, 2], shape: [2])
        let cut = try #require(throws: BenchError.self) { try NPYArray.parse(full.prefix(40), name: "a.npy") }
        #expect(cut.message.contains("a.npy: truncated .npy file"))
        var v9 = full
        v9[6] = 9
        let version = try #require(throws: BenchError.self) { try NPYArray.parse(v9, name: "b.npy") }
        #expect(version.message.contains("unsupported .npy format version 9.0"))
    }

    @Test func halfPrecisionEdgeValues() {
        #expect(NPYArray.halfToDouble(0x3C00) == 1)
        #expect(NPYArray.halfToDouble(0xC000) == -2)
        #expect(NPYArray.halfToDouble(0x7BFF) == 65504)
        #expect(NPYArray.halfToDouble(0x0001) == 0x1p-24)
        #expect(NPYArray.halfToDouble(0x7C00) == .infinity)
        #expect(NPYArray.halfToDouble(0x7E00).isNaN)
    }

    @Test func dtypeSpellingsNormalise() {
        #expect(NPYDType.canonicalName("float64") == "float64")
        #expect(NPYDType.canonicalName("<f8") == "float64")
        #expect(NPYDType.canonicalName("double") == "float64")
        #expect(NPYDType.canonicalName("f4") == "float32")
        #expect(NPYDType.canonicalName("int") == "int64")
        #expect(NPYDType.canonicalName("?") == "bool")
        #expect(NPYDType.canonicalName("c16") == "complex128")
        #expect(NPYDType.canonicalName("float128") == nil)
        #expect(NPYDType.canonicalName("nonsense") == nil)
    }

    @Test func csvColumnsByNameAndIndexWithQuotes() throws {
        let text = "t,\"value, quoted\",z\r\n0,1.5,\n1,\"2.5\",nan\n\n"
        #expect(try CSVColumnReader.parse(text, column: .name("value, quoted"), file: "x.csv") == [1.5, 2.5])
        #expect(try CSVColumnReader.parse(text, column: .index(0), file: "x.csv") == [0, 1])
        let z = try CSVColumnReader.parse(text, column: .name("z"), file: "x.csv")
        #expect(z.count == 2 && z.allSatisfy(\.isNaN))
        let missing = try #require(throws: BenchError.self) { try CSVColumnReader.parse(text, column: .name("q"), file: "x.csv") }
        #expect(missing.message == "x.csv: no column named \"q\"")
        let bad = try #require(throws: BenchError.self) { try CSVColumnReader.parse("a\nhello\n", column: .index(0), file: "y.csv") }
        #expect(bad.message == "y.csv: row 2, column 0: \"hello\" is not a number")
    }
}
