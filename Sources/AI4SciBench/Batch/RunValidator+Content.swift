import Foundation

/// Schema markers and versions of every JSON document, and the score rule of every result.
struct ContentChecks {
    let dir: RunDirectory
    var problems: [RunProblem] = []
    var results = 0

    init(dir: RunDirectory) { self.dir = dir }

    /// Checks every `.json` file (agent output copies under `*.outputs/` are the agent's, not ours).
    mutating func checkDocuments(_ files: [String]) {
        for rel in files where rel.hasSuffix(".json") && rel != Manifest.fileName {
            if rel.split(separator: "/").contains(where: { $0.hasSuffix(".outputs") }) { continue }
            guard let data = try? Data(contentsOf: dir.url.appendingPathComponent(rel)), let doc = try? JSONValue.parse(data) else {
                problems.append(.init(.unreadable, rel, "not valid JSON"))
                continue
            }
            checkSchema(doc, rel)
            if doc["schema"]?.stringValue == InstanceResult.schemaName {
                results += 1
                if let why = Self.scoreDisagreement(doc) { problems.append(.init(.scoreMismatch, rel, why)) }
            }
        }
        if let manifest = dir.readJSON(dir.url.appendingPathComponent(Manifest.fileName)) { checkSchema(manifest, Manifest.fileName) }
    }

    mutating func checkSchema(_ doc: JSONValue, _ rel: String) {
        guard let marker = doc["schema"]?.stringValue else {
            problems.append(.init(.unknownSchema, rel, "no schema marker (expected a \"schema\" field)"))
            return
        }
        guard let known = RunValidator.knownSchemas[marker] else {
            problems.append(.init(.unknownSchema, rel, "unknown schema marker \"\(marker)\""))
            return
        }
        let version = doc["schema_version"] ?? doc["result_schema_version"] ?? doc["version"]
        guard let v = version?.intValue else {
            problems.append(.init(.unknownSchema, rel, "schema \(marker) without a version number"))
            return
        }
        if v != known { problems.append(.init(.unknownSchema, rel, "unknown version \(v) of schema \(marker) (this build reads version \(known))")) }
    }

    /// Why a result's final_score disagrees with its outcome, components and gates; nil when it agrees.
    static func scoreDisagreement(_ doc: JSONValue) -> String? {
        let outcome = doc["outcome"]?.stringValue ?? ""
        let final = doc["final_score"]?.doubleValue
        let maxScore = doc["max_possible_score"]?.doubleValue ?? 100
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * Swift.max(1, abs(a), abs(b)) }
        switch outcome {
        case RunOutcome.evaluationInvalid.rawValue:
            return final == nil ? nil : "final_score is \(RecordsFormat.number(final!)) but an evaluation_invalid result has none (null)"
        case RunOutcome.agentFailed.rawValue:
            return final == 0 ? nil : "final_score is \(final.map(RecordsFormat.number) ?? "null") but an agent_failed result scores 0"
        case RunOutcome.scored.rawValue:
            guard let final else { return "final_score is null in a scored result" }
            if final < 0 || final > maxScore + 1e-9 { return "final_score \(RecordsFormat.number(final)) is outside [0, \(RecordsFormat.number(maxScore))]" }
            let components = doc["component_scores"]?.arrayValue ?? []
            if doc["hard_gates_passed"]?.boolValue == false {
                let gateSum = (doc["gate_results"]?.arrayValue ?? []).reduce(0) { $0 + ($1["score"]?.doubleValue ?? 0) }
                if close(final, 0) || close(final, Swift.min(Swift.max(gateSum, 0), maxScore)) { return nil }
                return "final_score is \(RecordsFormat.number(final)) but a hard gate failed (expected 0 or the gate score sum \(RecordsFormat.number(gateSum)))"
            }
            let scoreSum = components.reduce(0) { $0 + ($1["score"]?.doubleValue ?? 0) }
            let weightSum = components.reduce(0) { $0 + Swift.max(0, $1["weight"]?.doubleValue ?? 0) }
            let expected = weightSum > 0 ? maxScore * scoreSum / weightSum : 0
            if close(final, expected) { return nil }
            return "final_score is \(RecordsFormat.number(final)) but the component scores give \(RecordsFormat.number(expected)) (Σ score \(RecordsFormat.number(scoreSum)) / Σ weight \(RecordsFormat.number(weightSum)) × max \(RecordsFormat.number(maxScore)))"
        default:
            return "unknown outcome \"\(outcome)\""
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
