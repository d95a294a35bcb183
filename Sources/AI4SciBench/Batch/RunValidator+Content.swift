import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Dispatch

/// One read of every file under a run directory, on every core: sha256 and size of each file, schema and
/// score checks of each JSON document, and whatever the caller extracts from result documents.
///
/// Each worker reads through one reused buffer (no allocation or `fstat` per file) and opens files relative to
/// their folder's descriptor (no full path lookup per file). Per-file slots hold only the digest; problems and
/// extracted values are kept for JSON documents alone.
struct FilePass<Item: Sendable> {
    /// sha256 and size of each file, in the order of the file list (nil where it could not be read).
    var hashes: [(digest: SHA256Digest, bytes: Int64)?] = []
    /// Content problems, in path order.
    var problems: [RunProblem] = []
    /// Result documents seen (final results and attempts).
    var results = 0
    /// Extracted values, in path order.
    var items: [Item] = []

    /// What one JSON document gave.
    private struct DocumentOutcome {
        var problems: [RunProblem] = []
        var isResult = false
        var item: Item?
    }

    /// Shared output slots; each index is written by exactly one worker.
    private final class Slots: @unchecked Sendable {
        var hashes: [(digest: SHA256Digest, bytes: Int64)?]
        var documents: [DocumentOutcome]
        init(files: Int, documents: Int) {
            hashes = Array(repeating: nil, count: files)
            self.documents = Array(repeating: DocumentOutcome(), count: documents)
        }
    }

    static func run(dir: RunDirectory, files: [String], extract: @escaping @Sendable (String, JSONSkim) -> Item?) -> FilePass {
        // Folder descriptors, file names and the document slot of each JSON file (-1: not a document we check).
        var folders: [String: Int32] = [:]
        var folderOf = [Int32](repeating: -1, count: files.count)
        var names: [String] = []
        names.reserveCapacity(files.count)
        var documentSlot = [Int32](repeating: -1, count: files.count)
        var documents: Int32 = 0
        let root = dir.url.path
        for (i, rel) in files.enumerated() {
            let slash = rel.lastIndex(of: "/")
            let folder = slash.map { String(rel[..<$0]) } ?? ""
            names.append(slash.map { String(rel[rel.index(after: $0)...]) } ?? rel)
            if folders[folder] == nil { folders[folder] = open(folder.isEmpty ? root : root + "/" + folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            folderOf[i] = folders[folder]!
            // Agent output copies under `*.outputs/` are the agent's files, not ours.
            if rel.hasSuffix(".json"), !rel.split(separator: "/").contains(where: { $0.hasSuffix(".outputs") }) {
                documentSlot[i] = documents
                documents += 1
            }
        }
        defer { for fd in folders.values where fd >= 0 { close(fd) } }
        let (folderOfFile, nameOfFile, slotOfFile) = (folderOf, names, documentSlot)

        let slots = Slots(files: files.count, documents: Int(documents))
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, files.count))
        slots.hashes.withUnsafeMutableBufferPointer { hashBuffer in
            slots.documents.withUnsafeMutableBufferPointer { docBuffer in
                nonisolated(unsafe) let hashOut = hashBuffer
                nonisolated(unsafe) let docOut = docBuffer
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var reader = FileBytes.Reader()
                    var i = w
                    while i < files.count {
                        defer { i += workers }
                        guard folderOfFile[i] >= 0, let bytes = reader.read(at: folderOfFile[i], nameOfFile[i]) else { continue }
                        hashOut[i] = (SHA256.hash(data: bytes), Int64(bytes.count))
                        let slot = Int(slotOfFile[i])
                        if slot >= 0 { docOut[slot] = examine(bytes, rel: files[i], extract: extract) }
                    }
                }
            }
        }
        var pass = FilePass()
        pass.hashes = slots.hashes
        for o in slots.documents {
            pass.problems += o.problems
            if o.isResult { pass.results += 1 }
            if let item = o.item { pass.items.append(item) }
        }
        return pass
    }

    private static func examine(_ bytes: [UInt8], rel: String, extract: (String, JSONSkim) -> Item?) -> DocumentOutcome {
        var o = DocumentOutcome()
        let skim = JSONSkim(bytes)
        guard skim.isComplete, skim.root < bytes.count, bytes[skim.root] == 0x7B else {
            o.problems.append(.init(.unreadable, rel, "not valid JSON"))
            return o
        }
        o.problems += ContentChecks.schemaProblems(skim, rel)
        if skim.string(skim.field(skim.root, "schema")) == InstanceResult.schemaName {
            o.isResult = true
            if let why = ContentChecks.scoreDisagreement(ScoreFacts(skim)) { o.problems.append(.init(.scoreMismatch, rel, why)) }
            o.item = extract(rel, skim)
        }
        return o
    }
}

/// Whole-file reads for the validator and the report.
enum FileBytes {
    /// Reads whole files into one reused array (its storage is shared, not copied, while a caller holds it).
    struct Reader {
        private var content: [UInt8] = []
        private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

        /// The bytes of `name` in the folder open as `folder` (or a path, with `AT_FDCWD`); nil when it cannot be
        /// opened or read.
        mutating func read(at folder: Int32, _ name: String, sizeHint: Int = 0) -> [UInt8]? {
            let fd = openat(folder, name, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            content.removeAll(keepingCapacity: true)
            content.reserveCapacity(sizeHint)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 { if errno == EINTR { continue }; return nil }
                if n == 0 { return content }
                chunk.withUnsafeBufferPointer { content.append(contentsOf: $0[0..<n]) }
            }
        }
    }

    /// Reads a whole file; nil when it cannot be opened or read.
    static func read(_ path: String) -> [UInt8]? {
        var reader = Reader()
        var st = stat()
        // Sized up front: a large file (a manifest of 30 000 artifacts) then needs no growing copies.
        return reader.read(at: AT_FDCWD, path, sizeHint: stat(path, &st) == 0 ? Int(st.st_size) + 1 : 0)
    }
}

/// The parts of a result that decide its final score.
struct ScoreFacts {
    var outcome: String
    var finalScore: Double?
    var maxScore: Double
    var hardGatesPassed: Bool?
    var componentScoreSum = 0.0
    var componentWeightSum = 0.0
    var gateScoreSum = 0.0

    init(_ skim: JSONSkim) {
        let f = skim.fields(skim.root, ["outcome", "final_score", "max_possible_score", "hard_gates_passed", "component_scores", "gate_results"])
            ?? Array(repeating: nil, count: 6)
        outcome = skim.string(f[0]) ?? ""
        finalScore = skim.number(f[1])
        maxScore = skim.number(f[2]) ?? 100
        hardGatesPassed = skim.bool(f[3])
        for sw in skim.elementFields(f[4], ["score", "weight"]) {
            componentScoreSum += skim.number(sw[0]) ?? 0
            componentWeightSum += max(0, skim.number(sw[1]) ?? 0)
        }
        for g in skim.elementFields(f[5], ["score"]) { gateScoreSum += skim.number(g[0]) ?? 0 }
    }
}

/// Schema markers and versions of every JSON document, and the score rule of every result.
enum ContentChecks {
    /// Problems with a document's schema marker or version.
    static func schemaProblems(_ skim: JSONSkim, _ rel: String) -> [RunProblem] {
        let f = skim.fields(skim.root, ["schema", "schema_version", "result_schema_version", "version"]) ?? [nil, nil, nil, nil]
        guard let marker = skim.string(f[0]) else {
            return [.init(.unknownSchema, rel, "no schema marker (expected a \"schema\" field)")]
        }
        guard let known = RunValidator.knownSchemas[marker] else {
            return [.init(.unknownSchema, rel, "unknown schema marker \"\(marker)\"")]
        }
        let versionAt = f[1] ?? f[2] ?? f[3]
        guard let v = skim.number(versionAt), v.rounded() == v, abs(v) < 1e9 else {
            return [.init(.unknownSchema, rel, "schema \(marker) without a version number")]
        }
        if Int(v) != known { return [.init(.unknownSchema, rel, "unknown version \(Int(v)) of schema \(marker) (this build reads version \(known))")] }
        return []
    }

    /// Why a result's final_score disagrees with its outcome, components and gates; nil when it agrees.
    static func scoreDisagreement(_ doc: ScoreFacts) -> String? {
        let final = doc.finalScore
        let maxScore = doc.maxScore
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * Swift.max(1, abs(a), abs(b)) }
        switch doc.outcome {
        case RunOutcome.evaluationInvalid.rawValue:
            return final == nil ? nil : "final_score is \(RecordsFormat.number(final!)) but an evaluation_invalid result has none (null)"
        case RunOutcome.agentFailed.rawValue:
            return final == 0 ? nil : "final_score is \(final.map(RecordsFormat.number) ?? "null") but an agent_failed result scores 0"
        case RunOutcome.scored.rawValue:
            guard let final else { return "final_score is null in a scored result" }
            if final < 0 || final > maxScore + 1e-9 { return "final_score \(RecordsFormat.number(final)) is outside [0, \(RecordsFormat.number(maxScore))]" }
            if doc.hardGatesPassed == false {
                let gateSum = doc.gateScoreSum
                if close(final, 0) || close(final, Swift.min(Swift.max(gateSum, 0), maxScore)) { return nil }
                return "final_score is \(RecordsFormat.number(final)) but a hard gate failed (expected 0 or the gate score sum \(RecordsFormat.number(gateSum)))"
            }
            let scoreSum = doc.componentScoreSum, weightSum = doc.componentWeightSum
            let expected = weightSum > 0 ? maxScore * scoreSum / weightSum : 0
            if close(final, expected) { return nil }
            return "final_score is \(RecordsFormat.number(final)) but the component scores give \(RecordsFormat.number(expected)) (Σ score \(RecordsFormat.number(scoreSum)) / Σ weight \(RecordsFormat.number(weightSum)) × max \(RecordsFormat.number(maxScore)))"
        default:
            return "unknown outcome \"\(doc.outcome)\""
        }
    }
}

/// Structural comparison of a recorded JSON document with the regenerated one.
enum RecordDiff {
    /// Differences as `key.path: recorded X, the results give Y`; numbers compared within 1e-9 relative.
    static func compare(recorded: JSONValue, expected: JSONValue, path: String) -> [String] {
        switch (recorded, expected) {
        case (.number(let a), .number(let b)):
            return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)) ? [] : ["\(path): recorded \(RecordsFormat.number(a)), the results give \(RecordsFormat.number(b))"]
        case (.object(let a), .object(let b)):
            var out: [String] = []
            for key in Set(a.keys).union(b.keys).sorted() {
                let p = path.isEmpty ? key : "\(path).\(key)"
                switch (a[key], b[key]) {
                case (nil, .some): out.append("\(p): missing, the results give \(b[key]!.shortDescription)")
                case (.some, nil): out.append("\(p): not expected (recorded \(a[key]!.shortDescription))")
                case (.some(let x), .some(let y)): out += compare(recorded: x, expected: y, path: p)
                default: break
                }
            }
            return out
        case (.array(let a), .array(let b)):
            if a.count != b.count { return ["\(path): \(a.count) entries recorded, the results give \(b.count)"] }
            return zip(a, b).enumerated().flatMap { i, pair in compare(recorded: pair.0, expected: pair.1, path: "\(path)[\(i)]") }
        default:
            return recorded == expected ? [] : ["\(path): recorded \(recorded.shortDescription), the results give \(expected.shortDescription)"]
        }
    }

    /// 1-based number of the first line where two texts differ.
    static func firstDifferentLine(_ a: Data, _ b: Data) -> Int {
        let la = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let lb = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<min(la.count, lb.count) where la[i] != lb[i] { return i + 1 }
        return min(la.count, lb.count) + 1
    }
}
