import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Dispatch

/// One read of every file under a run directory, on every core: sha256 and size of each file, schema and
/// score checks of each JSON document, and whatever the caller extracts from result documents.
struct FilePass<Item: Sendable> {
    /// sha256 and size by relative path (files that could be read).
    var hashes: [String: (hex: String, bytes: Int64)] = [:]
    /// Content problems, in path order.
    var problems: [RunProblem] = []
    /// Result documents seen (final results and attempts).
    var results = 0
    /// Extracted values, in path order.
    var items: [Item] = []

    /// What one file gave.
    private struct Outcome {
        var hash: (hex: String, bytes: Int64)?
        var problems: [RunProblem] = []
        var isResult = false
        var item: Item?
    }

    /// Shared output slots; each index is written by exactly one worker.
    private final class Slots: @unchecked Sendable {
        var outcomes: [Outcome]
        init(_ n: Int) { outcomes = Array(repeating: Outcome(), count: n) }
    }

    static func run(dir: RunDirectory, files: [String], extract: @escaping @Sendable (String, JSONSkim) -> Item?) -> FilePass {
        let slots = Slots(files.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, files.count))
        let root = dir.url.path
        slots.outcomes.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < files.count {
                    out[i] = examine(root: root, rel: files[i], extract: extract)
                    i += workers
                }
            }
        }
        var pass = FilePass()
        pass.hashes.reserveCapacity(files.count)
        for (rel, o) in zip(files, slots.outcomes) {
            if let h = o.hash { pass.hashes[rel] = h }
            pass.problems += o.problems
            if o.isResult { pass.results += 1 }
            if let item = o.item { pass.items.append(item) }
        }
        return pass
    }

    private static func examine(root: String, rel: String, extract: (String, JSONSkim) -> Item?) -> Outcome {
        var o = Outcome()
        guard let bytes = FileBytes.read(root + "/" + rel) else { return o }
        o.hash = (SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined(), Int64(bytes.count))
        // Agent output copies under `*.outputs/` are the agent's files, not ours.
        guard rel.hasSuffix(".json"), !rel.split(separator: "/").contains(where: { $0.hasSuffix(".outputs") }) else { return o }
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
    /// Reads a whole file (one `read` loop, no intermediate copies); nil when it cannot be opened or read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var filled = 0
        while true {
            if filled == out.count { out.append(contentsOf: [UInt8](repeating: 0, count: 64 * 1024)) }  // grew since fstat
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            filled += n
        }
        out.removeSubrange(filled...)
        return out
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
        for c in skim.elements(f[4]) {
            let sw = skim.fields(c, ["score", "weight"]) ?? [nil, nil]
            componentScoreSum += skim.number(sw[0]) ?? 0
            componentWeightSum += max(0, skim.number(sw[1]) ?? 0)
        }
        for g in skim.elements(f[5]) { gateScoreSum += skim.number(skim.field(g, "score")) ?? 0 }
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
