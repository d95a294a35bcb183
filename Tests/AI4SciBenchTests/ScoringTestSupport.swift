import Foundation
import Testing
@testable import AI4SciBench

/// Fixtures written by numpy (Fixtures/scoring/make_fixtures.py), generated once per test process.
enum ScoringFixtures {
    struct Failure: Error, Sendable, CustomStringConvertible { var description: String }

    private static let generated: Result<URL, Failure> = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/scoring/make_fixtures.py")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ai4sci-scoring-fixtures-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, out.path]
        let errPipe = Pipe()
        process.standardError = errPipe
        do { try process.run() } catch { return .failure(Failure(description: "cannot run python3: \(error)")) }
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(Failure(description: "make_fixtures.py failed: \(String(decoding: err, as: UTF8.self))"))
        }
        return .success(out)
    }()

    /// The fixture root (`npy/`, `scoring/`).
    static func root() throws -> URL { try generated.get() }

    static func npyDir() throws -> URL { try root().appendingPathComponent("npy") }

    /// A scoring context over the numpy-written pred/ref directories.
    static func scoringContext() throws -> ScoringContext {
        let sc = try root().appendingPathComponent("scoring")
        return ScoringContext(predictionDir: sc.appendingPathComponent("pred"), referenceDir: sc.appendingPathComponent("ref"))
    }

    /// scoring/expected.json.
    static func expected() throws -> JSONValue {
        try JSONValue.parse(Data(contentsOf: root().appendingPathComponent("scoring/expected.json")))
    }
}

/// `|a - b| <= 1e-12 · max(|a|, |b|)` (or both tiny).
func closeRel(_ a: Double?, _ b: Double?, _ tol: Double = 1e-12) -> Bool {
    guard let a, let b else { return false }
    if a == b { return true }
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-300)
}

/// A fresh temporary directory with `pred/` and `ref/`.
struct TempDirs {
    let root: URL
    var pred: URL { root.appendingPathComponent("pred") }
    var ref: URL { root.appendingPathComponent("ref") }
    var context: ScoringContext { ScoringContext(predictionDir: pred, referenceDir: ref) }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ai4sci-scoring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("pred"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("ref"), withIntermediateDirectories: true)
    }

    func write(_ text: String, _ name: String, in dir: URL? = nil) throws {
        try Data(text.utf8).write(to: (dir ?? pred).appendingPathComponent(name))
    }

    /// Writes a little-endian float64 C-order `.npy` (format 1.0).
    func writeNPY(_ values: [Double], shape: [Int], _ name: String, in dir: URL? = nil) throws {
        try TempDirs.npyData(values, shape: shape).write(to: (dir ?? pred).appendingPathComponent(name))
    }

    static func npyData(_ values: [Double], shape: [Int], descr: String = "<f8") -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }
}

extension JSONValue {
    /// Element lookup on arrays, for tests.
    subscript(index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
