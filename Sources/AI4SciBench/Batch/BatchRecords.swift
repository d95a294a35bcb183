import Foundation

/// `batch_records/`: the overview, the task scoreboard and the per-level long table, as JSON, CSV and Markdown.
///
/// Means count `agent_failed` as 0 and leave `evaluation_invalid` out (counted apart); a level without a
/// counted score is `null`, never 0; `std` is the sample standard deviation (n − 1), `null` below two scores;
/// `gate_pass_rate` is the share of results with `hard_gates_passed == true` among those where it is known.
/// The output is a pure function of the result files (no timestamps), so `validate` can regenerate and compare it.
public enum BatchRecords {
    /// Schema marker of `batch_overview.json`.
    public static let overviewSchema = "ai4sci_bench_batch_overview"
    /// Schema marker of `task_scoreboard.json`.
    public static let scoreboardSchema = "ai4sci_bench_task_scoreboard"
    /// Schema marker of `task_level_long.json`.
    public static let longSchema = "ai4sci_bench_task_level_long"
    /// Layout version of the three documents.
    public static let schemaVersion = 1
    /// Folder name under the batch directory.
    public static let folder = "batch_records"

    /// Column order of `task_scoreboard.csv`.
    static let scoreboardColumns = ["task_id", "agent", "model", "b1", "b2", "b3", "b4", "mean_score", "n", "std", "gate_pass_rate", "invalid_count"]
    /// Column order of `task_level_long.csv`.
    static let longColumns = ["task_id", "agent", "level", "n", "mean", "std", "min", "max", "invalid"]
    /// Column order of `batch_overview.csv`.
    static let overviewColumns = ["agent", "model", "items", "scored", "agent_failed", "evaluation_invalid", "refused", "counted",
                                  "mean_score", "std", "b1", "b2", "b3", "b4", "input_tokens", "output_tokens", "cache_read_tokens",
                                  "cost_usd", "usage_coverage", "effective_mode", "enforcement_status", "verification_status"]

    /// Reads every final result of `batchDirectory` (one file at a time) and writes `batch_records/` atomically.
    public static func write(batchDirectory: URL) throws {
        let folder = batchDirectory.appendingPathComponent(Self.folder)
        for (name, data) in try render(batchDirectory: batchDirectory) {
            try AtomicFile.write(data, to: folder.appendingPathComponent(name))
        }
    }

    /// The seven files of `batch_records/` as bytes, keyed by file name, computed from the results.
    public static func render(batchDirectory: URL) throws -> [(name: String, data: Data)] {
        let docs = try compute(batchDirectory: batchDirectory)
        var files: [(String, Data)] = []
        for (stem, doc, rows, columns) in [("batch_overview", docs.overview, overviewCSVRows(docs.overview), overviewColumns),
                                           ("task_scoreboard", docs.scoreboard, docs.scoreboard["rows"]?.arrayValue ?? [], scoreboardColumns),
                                           ("task_level_long", docs.long, docs.long["rows"]?.arrayValue ?? [], longColumns)] {
            var json = try JSONValue.encode(doc, pretty: true)
            json.append(0x0A)
            files.append(("\(stem).json", json))
            files.append(("\(stem).csv", Data(RecordsFormat.csv(rows: rows, columns: columns).utf8)))
        }
        files.append(("batch_overview.md", Data(RecordsFormat.markdown(docs).utf8)))
        return files
    }

    /// The three JSON documents.
    public struct Documents: Sendable {
        /// `batch_overview.json`.
        public var overview: JSONValue
        /// `task_scoreboard.json`.
        public var scoreboard: JSONValue
        /// `task_level_long.json`.
        public var long: JSONValue
    }

    /// Aggregates the results of `batchDirectory` (streaming: one result in memory at a time).
    public static func compute(batchDirectory: URL) throws -> Documents {
        let dir = try RunDirectory(batchDirectory)
        var agents: [AgentTally] = []
        var tasks: [String: TaskTally] = [:]
        for root in dir.resultRoots() {
            var tally = AgentTally(agent: root.agent, model: root.model)
            for rel in dir.resultFiles(in: root) {
                guard let doc = dir.readJSON(dir.url.appendingPathComponent(rel)), let facts = ResultFacts(doc) else { continue }
                tally.add(facts)
                let key = facts.taskID + "\u{0}" + root.agent
                tasks[key, default: TaskTally(taskID: facts.taskID, agent: root.agent, model: root.model)].add(facts)
            }
            if tally.items > 0 || dir.kind == .batch { agents.append(tally) }
        }
        let sorted = tasks.values.sorted { ($0.taskID, $0.agent) < ($1.taskID, $1.agent) }
        var scoreboard: [JSONValue] = []
        var long: [JSONValue] = []
        for t in sorted {
            var row: [String: JSONValue] = [
                "task_id": .string(t.taskID), "agent": .string(t.agent), "model": t.model.map { .string($0) } ?? .null,
                "mean_score": t.all.meanValue, "n": .number(Double(t.all.n)), "std": t.all.stdValue,
                "gate_pass_rate": t.gateKnown > 0 ? .number(Double(t.gatePassed) / Double(t.gateKnown)) : .null,
                "invalid_count": .number(Double(t.all.invalid)),
            ]
            for level in PromptLevel.allCases { row[level.rawValue] = t.levels[level.rawValue]?.meanValue ?? .null }
            scoreboard.append(.object(row))
            for level in t.levels.keys.sorted() {
                let s = t.levels[level]!
                long.append(.object(["task_id": .string(t.taskID), "agent": .string(t.agent), "level": .string(level),
                                     "n": .number(Double(s.n)), "mean": s.meanValue, "std": s.stdValue, "min": s.minValue,
                                     "max": s.maxValue, "invalid": .number(Double(s.invalid))]))
            }
        }
        let definitions: JSONValue = [
            "mean": "agent_failed counts as 0; evaluation_invalid is excluded and counted apart",
            "missing_level": "null when a level has no counted score",
            "std": "sample standard deviation (n - 1); null below two counted scores",
            "gate_pass_rate": "share of results with hard_gates_passed true among those where it is known",
        ]
        let overview: JSONValue = .object([
            "schema": .string(overviewSchema), "schema_version": .number(Double(schemaVersion)), "kind": .string(dir.kind.rawValue),
            "definitions": definitions, "agents": .array(agents.map(\.json)),
            "items": .number(Double(agents.reduce(0) { $0 + $1.items })),
        ])
        return Documents(
            overview: overview,
            scoreboard: .object(["schema": .string(scoreboardSchema), "schema_version": .number(Double(schemaVersion)), "rows": .array(scoreboard)]),
            long: .object(["schema": .string(longSchema), "schema_version": .number(Double(schemaVersion)), "rows": .array(long)]))
    }

    /// Flattens the overview's agents into CSV rows.
    static func overviewCSVRows(_ overview: JSONValue) -> [JSONValue] {
        (overview["agents"]?.arrayValue ?? []).map { a in
            var row = a.objectValue ?? [:]
            for level in PromptLevel.allCases { row[level.rawValue] = a["level_means"]?[level.rawValue] ?? .null }
            for key in ["input_tokens", "output_tokens", "cache_read_tokens", "cost_usd"] { row[key] = a["usage"]?[key] ?? .null }
            row["usage_coverage"] = .string(RecordsFormat.counts(a["usage"]?["coverage"]))
            for key in ["effective_mode", "enforcement_status", "verification_status"] {
                row[key] = .string(RecordsFormat.counts(a["sandbox"]?[key]))
            }
            return .object(row)
        }
    }
}
