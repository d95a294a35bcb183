import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The layout of a finished output directory: a `batch-run` directory or a single `run` directory.
public struct RunDirectory: Sendable {
    /// Which producer wrote the directory.
    public enum Kind: String, Sendable, Codable {
        /// `batch-run`: `batch.json`, `journal.jsonl`, one folder per agent.
        case batch
        /// `run`: `run_metadata.json` and `<task_id>/` folders at the top.
        case run
        /// Only a `manifest.json` was found.
        case manifestOnly = "manifest_only"
    }

    /// One folder holding results of one agent: `DIR/<agent>/` in a batch, `DIR` itself for a run.
    public struct ResultRoot: Sendable {
        /// The agent's name.
        public var agent: String
        /// Path of the folder relative to the directory ("" for the directory itself).
        public var relativePath: String
        /// The model named in the agent configuration, if any.
        public var model: String?
    }

    /// The directory.
    public let url: URL
    /// Which producer wrote it.
    public let kind: Kind

    /// Names of the folders under DIR that never hold results.
    static let reservedFolders: Set<String> = ["batch_records", "attempts", "report"]

    /// Recognises `url` as a run directory; throws a bad-input error when it holds none of the marker files.
    public init(_ url: URL) throws {
        self.url = url.standardizedFileURL
        let fm = FileManager.default
        if fm.fileExists(atPath: self.url.appendingPathComponent("batch.json").path) {
            kind = .batch
        } else if fm.fileExists(atPath: self.url.appendingPathComponent("run_metadata.json").path) {
            kind = .run
        } else if fm.fileExists(atPath: self.url.appendingPathComponent("manifest.json").path) {
            kind = .manifestOnly
        } else {
            throw BenchError(.badInput, "\(PathDisplay.relative(self.url)) is not a run directory (no manifest.json, batch.json or run_metadata.json)",
                             hint: "pass the --output-dir of a `run` or `batch-run`")
        }
    }

    /// The folders holding results, sorted by agent name.
    public func resultRoots() -> [ResultRoot] {
        switch kind {
        case .batch:
            return Self.sortedEntries(url).compactMap { name -> ResultRoot? in
                guard !name.hasPrefix("."), !Self.reservedFolders.contains(name), isDirectory(url.appendingPathComponent(name)) else { return nil }
                let meta = readJSON(url.appendingPathComponent(name).appendingPathComponent("run_metadata.json"))
                return ResultRoot(agent: name, relativePath: name, model: meta?["agent_config"]?["model"]?.stringValue)
            }
        case .run, .manifestOnly:
            let meta = readJSON(url.appendingPathComponent("run_metadata.json"))
            return [ResultRoot(agent: meta?["agent"]?.stringValue ?? "agent", relativePath: "", model: meta?["agent_config"]?["model"]?.stringValue)]
        }
    }

    /// Final result files of one root (`<task_id>/<instance_id>.json`), relative to DIR, sorted.
    public func resultFiles(in root: ResultRoot) -> [String] {
        let base = root.relativePath.isEmpty ? url : url.appendingPathComponent(root.relativePath)
        var out: [String] = []
        for task in Self.sortedEntries(base) where !task.hasPrefix(".") && !Self.reservedFolders.contains(task) {
            let taskURL = base.appendingPathComponent(task)
            guard isDirectory(taskURL) else { continue }
            for file in Self.sortedEntries(taskURL) where file.hasSuffix(".json") && !file.hasPrefix(".") {
                guard Self.isRegularFile(taskURL.appendingPathComponent(file)) else { continue }
                out.append(Self.join(root.relativePath, task, file))
            }
        }
        return out
    }

    /// Parses a JSON file, or nil when it is missing or not JSON.
    func readJSON(_ file: URL) -> JSONValue? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        return try? JSONValue.parse(data)
    }

    func isDirectory(_ u: URL) -> Bool {
        var st = stat()
        return lstat(u.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ u: URL) -> Bool {
        var st = stat()
        return lstat(u.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    static func sortedEntries(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    static func join(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "/")
    }
}

/// Every file under a directory, found without following links.
struct DirectoryWalk {
    /// Regular files (and links to files inside the directory), relative paths, sorted.
    var files: [String] = []
    /// Links whose target lies outside the directory: relative path and target.
    var escapingLinks: [(path: String, target: String)] = []

    /// Walks `root`; `skip` names top-level relative paths to leave out.
    init(root: URL, skip: Set<String> = []) {
        let rootPath = root.standardizedFileURL.resolvingSymlinksInPath().path
        walk(rootPath, relative: "", rootPath: rootPath, skip: skip)
        files.sort()
    }

    /// Entries of a directory with their type from `readdir` (no `lstat` per entry unless the type is unknown).
    static func entries(_ path: String) -> [(name: String, type: UInt8)] {
        guard let d = opendir(path) else { return [] }
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        defer { closedir(d) }
        var out: [(name: String, type: UInt8)] = []
        while let e = readdir(d) {
            // d_name is read in place: a dirent record is only as long as its name, so copying the field could read past it.
            let name = String(cString: (UnsafeRawPointer(e) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name == "." || name == ".." { continue }
            var type = e.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                guard lstat(path + "/" + name, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: type = UInt8(DT_DIR)
                case S_IFREG: type = UInt8(DT_REG)
                case S_IFLNK: type = UInt8(DT_LNK)
                default: continue
                }
            }
            out.append((name, type))
        }
        return out.sorted { $0.name < $1.name }
    }

    private mutating func walk(_ dir: String, relative: String, rootPath: String, skip: Set<String>) {
        for (name, type) in Self.entries(dir) {
            let rel = relative.isEmpty ? name : relative + "/" + name
            if skip.contains(rel) { continue }
            let path = dir + "/" + name
            switch Int32(type) {
            case Int32(DT_DIR):
                walk(path, relative: rel, rootPath: rootPath, skip: skip)
            case Int32(DT_REG):
                files.append(rel)
            case Int32(DT_LNK):
                let u = URL(fileURLWithPath: path)
                let target = u.resolvingSymlinksInPath().path
                if target == rootPath || target.hasPrefix(rootPath + "/") {
                    if RunDirectory.isRegularFile(URL(fileURLWithPath: target)) { files.append(rel) }
                } else {
                    escapingLinks.append((rel, (try? FileManager.default.destinationOfSymbolicLink(atPath: u.path)) ?? target))
                }
            default:
                break  // sockets and fifos are not artifacts (and cannot be hashed without blocking)
            }
        }
    }
}
