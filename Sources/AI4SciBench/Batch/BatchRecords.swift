import Foundation

/// `batch_records/`: the overview, the task scoreboard and the per-level long table, as JSON, CSV and Markdown.
///
/// The same rules as the report: repeats are averaged within an item, means count `agent_failed` as 0 and leave
/// `evaluation_invalid` out (counted apart), the overview is task-balanced; a level without a counted score is
/// `null`, never 0; `std` is the sample standard deviation (n − 1), `null` below two values;
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
    /// Returns the documents written.
    @discardableResult
    public static func write(batchDirectory: URL) throws -> Documents {
        let folder = batchDirectory.appendingPathComponent(Self.folder)
        let docs = try compute(batchDirectory: batchDirectory)
        for (name, data) in try render(docs) {
            try AtomicFile.write(data, to: folder.appendingPathComponent(name))
        }
        return docs
    }

    /// The seven files of `batch_records/` as bytes, keyed by file name, computed from the results.
    public static func render(batchDirectory: URL) throws -> [(name: String, data: Data)] {
        try render(try compute(batchDirectory: batchDirectory))
    }

    /// The seven files of `batch_records/` for computed documents.
    static func render(_ docs: Documents) throws -> [(name: String, data: Data)] {
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

    /// Aggregates the results of `batchDirectory` under the report's rules (``ReportBuilder``): repeats are averaged
    /// within an item (task × instance × level) before anything else; `n` counts items.
    public static func compute(batchDirectory: URL) throws -> Documents {
        let dir = try RunDirectory(batchDirectory)
        var agents: [AgentRecords] = []
        var reader = FileBytes.Reader()
        for root in dir.resultRoots() {
            let items = dir.resultFiles(in: root).compactMap { rel -> ReportItem? in
                guard let bytes = reader.read(at: AT_FDCWD, dir.url.appendingPathComponent(rel).path) else { return nil }
                let skim = JSONSkim(bytes)
                guard skim.isComplete, skim.string(skim.field(skim.root, "schema")) == InstanceResult.schemaName else { return nil }
                return ReportItem.extract(path: rel, skim: skim, reasonsBelow: -1)
            }
            if !items.isEmpty || dir.kind == .batch { agents.append(AgentRecords(agent: root.agent, model: root.model, items: items)) }
        }
        var scoreboard: [JSONValue] = []
        var long: [JSONValue] = []
        let rows = agents.flatMap { a in a.taskIDs.map { (task: $0, agent: a) } }.sorted { ($0.task, $0.agent.agent) < ($1.task, $1.agent.agent) }
        for (task, a) in rows {
            let results = a.items.filter { $0.taskID == task }
            let all = ScoreStats(a.itemMeans(task: task))
            let gateKnown = results.filter { $0.hardGatesPassed != nil }.count
            var row: [String: JSONValue] = [
                "task_id": .string(task), "agent": .string(a.agent), "model": a.model.map { .string($0) } ?? .null,
                "mean_score": all.meanValue, "n": .number(Double(all.n)), "std": all.stdValue,
                "gate_pass_rate": gateKnown > 0 ? .number(Double(results.filter { $0.hardGatesPassed == true }.count) / Double(gateKnown)) : .null,
                "invalid_count": .number(Double(results.filter { $0.outcome == .evaluationInvalid }.count)),
            ]
            for level in PromptLevel.allCases { row[level.rawValue] = ScoreStats(a.itemMeans(task: task, level: level.rawValue)).meanValue }
            scoreboard.append(.object(row))
            for level in Set(results.map(\.level)).sorted() {
                let s = ScoreStats(a.itemMeans(task: task, level: level))
                let invalid = results.filter { $0.level == level && $0.outcome == .evaluationInvalid }.count
                long.append(.object(["task_id": .string(task), "agent": .string(a.agent), "level": .string(level),
                                     "n": .number(Double(s.n)), "mean": s.meanValue, "std": s.stdValue, "min": s.minValue,
                                     "max": s.maxValue, "invalid": .number(Double(invalid))]))
            }
        }
        let definitions: JSONValue = [
            "item": "task x instance x level; its repeats are averaged first",
            "mean": "agent_failed counts as 0; evaluation_invalid is excluded and counted apart; per task: mean of item means; overview: task-balanced (mean of task means)",
            "n": "items with a counted score",
            "missing_level": "null when a level has no counted score",
            "std": "sample standard deviation (n - 1) of item means (scoreboard, long table) or task means (overview); null below two",
            "gate_pass_rate": "share of results with hard_gates_passed true among those where it is known",
        ]
        let overview: JSONValue = .object([
            "schema": .string(overviewSchema), "schema_version": .number(Double(schemaVersion)), "kind": .string(dir.kind.rawValue),
            "definitions": definitions, "agents": .array(agents.map(\.overviewJSON)),
            "items": .number(Double(agents.reduce(0) { $0 + $1.items.count })),
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
