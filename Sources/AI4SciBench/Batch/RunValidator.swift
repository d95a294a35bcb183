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
        let dir = try RunDirectory(directory)
        var problems: [RunProblem] = []
        let walk = DirectoryWalk(root: dir.url, skip: [Manifest.fileName])
        for link in walk.escapingLinks {
            problems.append(.init(.escapingPath, link.path, "symbolic link points outside the directory, to \(link.target)"))
        }
        problems += checkManifest(dir, walk: walk)
        var content = ContentChecks(dir: dir)
        content.checkDocuments(walk.files)
        problems += content.problems
        if dir.kind == .batch || walk.files.contains(where: { $0.hasPrefix(BatchRecords.folder + "/") }) {
            problems += checkRecords(dir)
        }
        if dir.kind == .batch { problems += JournalChecks.check(dir) }
        return RunValidationReport(directory: PathDisplay.relative(dir.url), kind: dir.kind, files: walk.files.count,
                                   results: content.results, problems: problems)
    }

    /// Manifest against the files on disk: changed, missing, extra, escaping; configuration against `batch.json`.
    static func checkManifest(_ dir: RunDirectory, walk: DirectoryWalk) -> [RunProblem] {
        let url = dir.url.appendingPathComponent(Manifest.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            return [.init(.noManifest, Manifest.fileName, "no manifest.json: file hashes cannot be checked (it is written last; the run may not have finished)")]
        }
        guard let doc = dir.readJSON(url), let artifacts = doc["artifacts"]?.arrayValue else {
            return [.init(.unreadable, Manifest.fileName, "not a JSON document with an artifacts list")]
        }
        var problems: [RunProblem] = []
        let onDisk = Set(walk.files)
        let escaping = Set(walk.escapingLinks.map(\.path))
        var listed = Set<String>()
        for (i, a) in artifacts.enumerated() {
            guard let path = a["path"]?.stringValue else {
                problems.append(.init(.unreadable, Manifest.fileName, "artifacts[\(i)] has no path"))
                continue
            }
            if let why = escapeReason(path) {
                problems.append(.init(.escapingPath, path, "listed in manifest.json but \(why)"))
                continue
            }
            if !listed.insert(path).inserted { problems.append(.init(.unreadable, path, "listed twice in manifest.json")) }
            if escaping.contains(path) { continue }  // already reported as an escaping link
            guard onDisk.contains(path) else {
                problems.append(.init(.missingFile, path, "listed in manifest.json but missing"))
                continue
            }
            guard let h = try? AtomicFile.sha256(of: dir.url.appendingPathComponent(path)) else {
                problems.append(.init(.unreadable, path, "cannot be read to hash it"))
                continue
            }
            let sha = a["sha256"]?.stringValue ?? ""
            let bytes = a["bytes"]?.doubleValue.map { Int64($0) }
            if sha != h.hex || bytes != h.bytes {
                problems.append(.init(.changedFile, path, "changed since manifest.json was written: sha256 \(h.hex.prefix(12))… (\(h.bytes) bytes), manifest says \(sha.prefix(12))… (\(bytes.map(String.init) ?? "?") bytes)"))
            }
        }
        for path in walk.files where !listed.contains(path) {
            problems.append(.init(.extraFile, path, "file not listed in manifest.json"))
        }
        if dir.kind == .batch, let batch = dir.readJSON(dir.url.appendingPathComponent("batch.json")) {
            for key in ["config_hash", "plan_hash", "config"] where (doc[key] ?? .null) != (batch[key] ?? .null) {
                problems.append(.init(.configMismatch, Manifest.fileName, "\(key) differs from batch.json's"))
            }
        } else if dir.kind == .run, let config = doc["config"], let hash = doc["config_hash"]?.stringValue,
                  CanonicalJSON.sha256(config) != hash {
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
