import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Atomic writes (temp file, fsync, rename, fsync of the directory) and hashing of files.
public enum AtomicFile {
    /// Writes `data` to `url` so readers see either the old file or the whole new one.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(contentsOf: data) }
    }

    /// Writes a file atomically by streaming: `body` writes into a temporary file, which is fsync'd and renamed.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil), let handle = try? FileHandle(forWritingTo: tmp) else {
            throw BenchError(.io, "cannot create \(PathDisplay.relative(tmp))")
        }
        do {
            try body(handle)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(tmp.path)
            throw BenchError(.io, "cannot write \(PathDisplay.relative(url)): \(error)")
        }
        guard rename(tmp.path, url.path) == 0 else {
            let e = errno
            unlink(tmp.path)
            throw BenchError(.io, "cannot rename into \(PathDisplay.relative(url)): \(String(cString: strerror(e)))")
        }
        let dfd = open(dir.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Encodes `value` as sorted-key JSON and writes it atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        var data = try JSONValue.encode(value)
        data.append(0x0A)
        try write(data, to: url)
    }

    /// Hex sha256 and size of a file, streamed.
    public static func sha256(of url: URL) throws -> (hex: String, bytes: Int64) {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw BenchError(.io, "cannot read \(PathDisplay.relative(url)) to hash it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var total: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            total += Int64(chunk.count)
        }
        return (Hex.string(hasher.finalize()), total)
    }
}
