import Crypto
import Dispatch
import Foundation

/// One problem found by ``RunValidator``: what kind, which file (relative to the directory) and what is wrong.
public struct RunProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The kinds of problem `validate` reports.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case noManifest = "no_manifest", changedFile = "changed_file", missingFile = "missing_file", extraFile = "extra_file"
        case escapingPath = "escaping_path", scoreMismatch = "score_mismatch", recordMismatch = "record_mismatch"
        case unknownSchema = "unknown_schema", unreadable, plannedItemMissing = "planned_item_missing"
        case journalMismatch = "journal_mismatch", configMismatch = "config_mismatch"
    }

    /// The kind of problem.
    public var kind: Kind
    /// Path relative to the directory.
    public var path: String
    /// What is wrong, in one sentence.
    public var message: String

    /// Creates a problem.
    public init(_ kind: Kind, _ path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `path: message [kind]`.
    public var description: String { "\(path.isEmpty ? "." : path): \(message) [\(kind.rawValue)]" }
}

/// Everything `validate` found.
public struct RunValidationReport: Sendable, Codable {
    /// The directory as given.
    public var directory: String
    /// Batch, run or manifest-only.
    public var kind: RunDirectory.Kind
    /// Files under the directory.
    public var files: Int
    /// Result documents checked (final results and attempts).
    public var results: Int
    /// Every problem, in the order found.
    public var problems: [RunProblem]
    /// Whether nothing is wrong.
    public var isClean: Bool { problems.isEmpty }
}

/// Recomputes a run directory's manifest, scores, records and journal and reports every disagreement.
public enum RunValidator {
    /// Known schema markers and the versions this build reads.
    static let knownSchemas: [String: Int] = [
        InstanceResult.schemaName: InstanceResult.schemaVersion, RunMetadata.schemaName: InstanceResult.schemaVersion,
        "ai4sci_bench_batch": 1, Manifest.schemaName: Manifest.schemaVersion, BatchRecords.overviewSchema: BatchRecords.schemaVersion,
        BatchRecords.scoreboardSchema: BatchRecords.schemaVersion, BatchRecords.longSchema: BatchRecords.schemaVersion,
    ]

    /// Validates `directory`; throws a bad-input error when it is not a run directory.
    public static func validate(directory: URL) throws -> RunValidationReport {
        try validate(directory: directory, extract: { (_: String, _: JSONSkim) -> Never? in nil }).report
    }

    /// Validates `directory` and, in the same pass (each file is read once), hands every result document to
    /// `extract`; returns the report and the extracted values in path order.
    ///
    /// Files are read, hashed and checked on every core; problems come out in a fixed order (manifest,
    /// then content by path, then records and journal), so the report does not depend on scheduling.
    public static func validate<Item: Sendable>(directory: URL, extract: @escaping @Sendable (String, JSONSkim) -> Item?) throws
        -> (report: RunValidationReport, items: [Item])
    {
        let dir = try RunDirectory(directory)
        var problems: [RunProblem] = []
        // The walk and the manifest's parse are independent: run them side by side.
        let pair = WalkAndManifest()
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            if k == 0 { pair.walk = DirectoryWalk(root: dir.url, skip: Manifest.unlisted) }
            else { pair.manifest = ManifestEntries.read(dir.url.appendingPathComponent(Manifest.fileName)) }
        }
        let walk = pair.walk!
        for link in walk.escapingLinks {
            problems.append(.init(.escapingPath, link.path, "symbolic link points outside the directory, to \(link.target)"))
        }
        let pass = FilePass.run(dir: dir, files: walk.files, extract: extract)
        problems += checkManifest(dir, walk: walk, manifest: pair.manifest, hashes: pass.hashes)
        problems += pass.problems
        if let manifest = pair.manifest?.skim { problems += ContentChecks.schemaProblems(manifest, Manifest.fileName) }
        if dir.kind == .batch || walk.files.contains(where: { $0.hasPrefix(BatchRecords.folder + "/") }) {
            problems += checkRecords(dir)
        }
        if dir.kind == .batch { problems += JournalChecks.check(dir) }
        let report = RunValidationReport(directory: PathDisplay.relative(dir.url), kind: dir.kind, files: walk.files.count,
                                         results: pass.results, problems: problems)
        return (report, pass.items)
    }

    /// Manifest against the files on disk: changed, missing, extra, escaping; configuration against `batch.json`.
    ///
    /// `hashes` lines up with `walk.files`. The manifest is written sorted by path, like the walk, so the two
    /// lists are merged in one pass; a manifest out of order (edited by hand) is matched through a dictionary.
    static func checkManifest(_ dir: RunDirectory, walk: DirectoryWalk, manifest: ManifestEntries?,
                              hashes: [(digest: SHA256Digest, bytes: Int64)?]) -> [RunProblem] {
        guard let manifest else {
            return [.init(.noManifest, Manifest.fileName, "no manifest.json: file hashes cannot be checked (it is written last; the run may not have finished)")]
        }
        guard let skim = manifest.skim, let top = manifest.top else {
            return [.init(.unreadable, Manifest.fileName, "not a JSON document with an artifacts list")]
        }
        var problems: [RunProblem] = []
        let escaping = Set(walk.escapingLinks.map(\.path))
        let files = walk.files
        var seen = [Bool](repeating: false, count: files.count)
        var sorted = true
        var previous: String?
        for e in manifest.entries {
            guard let p = manifest.path(e), previous.map({ $0 < p }) ?? true else { sorted = false; break }
            previous = p
        }
        var index: [String: Int] = [:]
        if !sorted { for (i, f) in files.enumerated() { index[f] = i } }
        var listed = Set<String>()
        var cursor = 0
        for (i, entry) in manifest.entries.enumerated() {
            guard let path = manifest.path(entry) else {
                problems.append(.init(.unreadable, Manifest.fileName, "artifacts[\(i)] has no path"))
                continue
            }
            if let why = escapeReason(path) {
                problems.append(.init(.escapingPath, path, "listed in manifest.json but \(why)"))
                continue
            }
            if !sorted, !listed.insert(path).inserted { problems.append(.init(.unreadable, path, "listed twice in manifest.json")) }
            if escaping.contains(path) { continue }  // already reported as an escaping link
            var found: Int?
            if sorted {
                while cursor < files.count, files[cursor] < path { cursor += 1 }
                if cursor < files.count, files[cursor] == path { found = cursor }
            } else {
                found = index[path]
            }
            guard let at = found else {
                problems.append(.init(.missingFile, path, "listed in manifest.json but missing"))
                continue
            }
            seen[at] = true
            guard let h = hashes[at] else {
                problems.append(.init(.unreadable, path, "cannot be read to hash it"))
                continue
            }
            let sha = manifest.sha256(entry) ?? ""
            let bytes = entry.bytes
            let hex = Hex.string(h.digest)
            if sha != hex || bytes != h.bytes {
                problems.append(.init(.changedFile, path, "changed since manifest.json was written: sha256 \(hex.prefix(12))… (\(h.bytes) bytes), manifest says \(sha.prefix(12))… (\(bytes.map(String.init) ?? "?") bytes)"))
            }
        }
        for (i, path) in files.enumerated() where !seen[i] {
            problems.append(.init(.extraFile, path, "file not listed in manifest.json"))
        }
        let config = skim.value(top[1]), configHash = skim.value(top[2]), planHash = skim.value(top[3])
        if dir.kind == .batch, let batch = dir.readJSON(dir.url.appendingPathComponent("batch.json")) {
            for (key, value) in [("config_hash", configHash), ("plan_hash", planHash), ("config", config)] where (value ?? .null) != (batch[key] ?? .null) {
                problems.append(.init(.configMismatch, Manifest.fileName, "\(key) differs from batch.json's"))
            }
        } else if dir.kind == .run, let config, let hash = configHash?.stringValue, CanonicalJSON.sha256(config) != hash {
            problems.append(.init(.configMismatch, Manifest.fileName, "config_hash does not match the sha256 of the recorded config"))
        }
        return problems
    }

    /// Why a recorded relative path is not acceptable, or nil when it stays inside the directory.
    static func escapeReason(_ path: String) -> String? {
        if path.isEmpty { return "the path is empty" }
        if path.hasPrefix("/") { return "the path is absolute" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
            return "the path escapes the directory with .."
        }
        return nil
    }

    /// Regenerates `batch_records/` from the results and compares it with what is on disk.
    static func checkRecords(_ dir: RunDirectory) -> [RunProblem] {
        guard let expected = try? BatchRecords.render(batchDirectory: dir.url) else {
            return [.init(.unreadable, BatchRecords.folder, "cannot recompute the records from the results")]
        }
        var problems: [RunProblem] = []
        for (name, data) in expected {
            let rel = BatchRecords.folder + "/" + name
            guard let actual = try? Data(contentsOf: dir.url.appendingPathComponent(rel)) else {
                problems.append(.init(.missingFile, rel, "batch record missing (results exist to compute it)"))
                continue
            }
            if actual == data { continue }
            if name.hasSuffix(".json"), let a = try? JSONValue.parse(actual), let e = try? JSONValue.parse(data) {
                let diffs = RecordDiff.compare(recorded: a, expected: e, path: "")
                if !diffs.isEmpty {
                    for d in diffs.prefix(20) { problems.append(.init(.recordMismatch, rel, d)) }
                    continue
                }
            }
            let line = RecordDiff.firstDifferentLine(actual, data)
            problems.append(.init(.recordMismatch, rel, "disagrees with the results from line \(line) on (regenerated content differs)"))
        }
        return problems
    }
}

/// `manifest.json` read once: its artifact entries and the top-level members the checks compare.
struct ManifestEntries: Sendable {
    /// One artifact: where its members sit in the document (strings are decoded when compared, not kept).
    struct Entry: Sendable {
        var pathAt: Int?
        var sha256At: Int?
        var bytes: Int64?
    }

    /// The document (nil when it is not complete JSON).
    var skim: JSONSkim?
    /// Value indices of artifacts, config, config_hash and plan_hash (nil when there is no artifacts list).
    var top: [Int?]?
    var entries: [Entry] = []

    func path(_ e: Entry) -> String? { skim?.string(e.pathAt) }
    func sha256(_ e: Entry) -> String? { skim?.string(e.sha256At) }

    /// Nil when the file does not exist.
    static func read(_ url: URL) -> ManifestEntries? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        var m = ManifestEntries()
        guard let bytes = FileBytes.read(url.path) else { return m }
        let skim = JSONSkim(bytes)
        guard skim.isComplete, let top = skim.fields(skim.root, ["artifacts", "config", "config_hash", "plan_hash"]),
              let artifactsAt = top[0], skim.bytes[artifactsAt] == 0x5B else { return m }
        m.skim = skim
        m.top = top
        m.entries = skim.elementFields(artifactsAt, ["path", "sha256", "bytes"]).map { f in
            Entry(pathAt: f[0], sha256At: f[1], bytes: skim.number(f[2]).map { Int64($0) })
        }
        return m
    }
}

/// The directory walk and the parsed manifest, filled side by side (each slot by one thread).
private final class WalkAndManifest: @unchecked Sendable {
    var walk: DirectoryWalk?
    var manifest: ManifestEntries?
}
