import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The batch journal: append-only JSONL, one record per line, fsync'd after every line.
public final class Journal: @unchecked Sendable {
    /// The journal file.
    public let url: URL
    private let fd: Int32
    private let lock = NSLock()

    /// Opens `url` for appending (creating it).
    ///
    /// A torn last line (no newline, left by a crash) is terminated first so that the next record starts on its own line.
    public init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError(.io, "cannot open \(PathDisplay.relative(url)): \(String(cString: strerror(errno)))") }
        self.fd = fd
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, off_t(st.st_size - 1)) == 1, last != 0x0A { try writeAll(Data([0x0A])) }
        }
    }

    deinit { close(fd) }

    /// Appends one record (compact sorted-key JSON + newline) and fsyncs.
    public func append(_ record: JSONValue) throws {
        var data = Data(CanonicalJSON.text(record).utf8)
        data.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        try writeAll(data)
        guard fsync(fd) == 0 else { throw BenchError(.io, "cannot fsync \(PathDisplay.relative(url)): \(String(cString: strerror(errno)))") }
    }

    private func writeAll(_ data: Data) throws {
        var failure: Int32 = 0
        data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                off += n
            }
        }
        if failure != 0 { throw BenchError(.io, "cannot write \(PathDisplay.relative(url)): \(String(cString: strerror(failure)))") }
    }

    /// Reads every complete record; a torn or unparsable line (from a crash mid-write) is skipped and counted.
    public static func read(_ url: URL) throws -> (records: [JSONValue], skippedLines: Int) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BenchError(.badInput, "\(PathDisplay.relative(url)) is missing", hint: "--resume needs a batch directory written by batch-run")
        }
        var records: [JSONValue] = []
        var skipped = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            if let v = try? JSONValue.parse(Data(line)), v.objectValue?["type"]?.stringValue != nil { records.append(v) } else { skipped += 1 }
        }
        return (records, skipped)
    }

    /// Now, ISO 8601 UTC.
    public static func now() -> JSONValue { .string(BenchmarkRunner.timestamp()) }
}
