import Foundation

/// CSV and Markdown renderings of the batch records.
enum RecordsFormat {
    /// A number as text: integers without a fraction, others in Swift's shortest round-trip form.
    static func number(_ d: Double) -> String {
        if d.isFinite, d.rounded() == d, abs(d) < 9.0e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// A cell: empty for null, numbers as numbers, strings quoted when they hold a comma, quote or newline.
    static func cell(_ v: JSONValue?) -> String {
        switch v {
        case .none, .some(.null): return ""
        case .some(.number(let d)): return number(d)
        case .some(.bool(let b)): return b ? "true" : "false"
        case .some(.string(let s)): return quote(s)
        case .some(let other): return quote((try? JSONValue.encodeString(other, pretty: false)) ?? "")
        }
    }

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A header row and one line per row object.
    static func csv(rows: [JSONValue], columns: [String]) -> String {
        var out = columns.joined(separator: ",") + "\n"
        for r in rows { out += columns.map { cell(r[$0]) }.joined(separator: ",") + "\n" }
        return out
    }

    /// `{"a": 2, "b": 1}` as `a:2;b:1` (keys sorted).
    static func counts(_ v: JSONValue?) -> String {
        (v?.objectValue ?? [:]).keys.sorted().map { "\($0):\(cell(v?[$0]))" }.joined(separator: ";")
    }

    /// A score for a table: two decimals, `–` for null.
    static func score(_ v: JSONValue?) -> String {
        guard let d = v?.doubleValue else { return "–" }
        return String(format: "%.2f", d)
    }

    /// A Markdown table.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var out = "| " + header.joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for r in rows { out += "| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
        return out
    }

    /// `batch_overview.md`: agents, then the scoreboard, then the per-level table.
    static func markdown(_ docs: BatchRecords.Documents) -> String {
        var out = "# Batch overview\n\n"
        out += "Means count agent_failed as 0 and exclude evaluation_invalid; – marks a level with no counted score.\n\n## Agents\n\n"
        let agents = docs.overview["agents"]?.arrayValue ?? []
        out += table(["Agent", "Model", "Items", "Scored", "Agent failed", "Invalid", "Refused", "Mean", "b1", "b2", "b3", "b4", "Tokens in/out"],
                     agents.map { a in
                         [cell(a["agent"]), a["model"]?.stringValue ?? "–", cell(a["items"]), cell(a["scored"]), cell(a["agent_failed"]),
                          cell(a["evaluation_invalid"]), cell(a["refused"]), score(a["mean_score"])]
                             + PromptLevel.allCases.map { score(a["level_means"]?[$0.rawValue]) }
                             + ["\(cell(a["usage"]?["input_tokens"]).ifEmpty("–"))/\(cell(a["usage"]?["output_tokens"]).ifEmpty("–"))"]
                     })
        out += "\n## Sandbox provenance\n\n"
        out += table(["Agent", "Requested", "Effective", "Enforcement", "Verification", "Usage coverage"], agents.map { a in
            [cell(a["agent"])] + ["requested_mode", "effective_mode", "enforcement_status", "verification_status"].map { counts(a["sandbox"]?[$0]) }
                + [counts(a["usage"]?["coverage"])]
        })
        out += "\n## Task scoreboard\n\n"
        out += table(["Task", "Agent", "b1", "b2", "b3", "b4", "Mean", "n", "Std", "Gate pass", "Invalid"],
                     (docs.scoreboard["rows"]?.arrayValue ?? []).map { r in
                         [cell(r["task_id"]), cell(r["agent"])] + PromptLevel.allCases.map { score(r[$0.rawValue]) }
                             + [score(r["mean_score"]), cell(r["n"]), score(r["std"]), score(r["gate_pass_rate"]), cell(r["invalid_count"])]
                     })
        out += "\n## Per level\n\n"
        out += table(["Task", "Agent", "Level", "n", "Mean", "Std", "Min", "Max", "Invalid"],
                     (docs.long["rows"]?.arrayValue ?? []).map { r in
                         [cell(r["task_id"]), cell(r["agent"]), cell(r["level"]), cell(r["n"]), score(r["mean"]), score(r["std"]),
                          score(r["min"]), score(r["max"]), cell(r["invalid"])]
                     })
        return out
    }
}

extension String {
    /// The string, or `fallback` when it is empty.
    func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
