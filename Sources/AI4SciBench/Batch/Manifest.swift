import Foundation

/// `manifest.json`: the table of contents of an output directory, written last.
///
/// Lists every file under the directory except itself (relative path, bytes, sha256, sorted by path), the
/// configuration with its hash (and the plan hash) from `batch.json` — or, for a single `run`, the configuration
/// part of `run_metadata.json` — the framework version, host facts and the time it was written.
public enum Manifest {
    /// Schema marker.
    public static let schemaName = "ai4sci_bench_manifest"
    /// Layout version.
    public static let schemaVersion = 1
    /// File name under the output directory.
    public static let fileName = "manifest.json"
    /// Top-level paths the manifest does not list: itself; `report/`, a view regenerated from the results
    /// (`ai4sci-bench report` writes it after the run, so it cannot be listed and must not count as tampering); and
    /// `.slurm/`, the Slurm executor's working area (submissions, per-attempt records already merged into the journal, logs).
    static let unlisted: Set<String> = [fileName, "report", SlurmArea.name]
    /// Keys of `run_metadata.json` that make up a single run's configuration.
    static let runConfigKeys = ["agent", "agent_config", "sandbox", "seed", "prompt_levels", "instances_per_task", "instances_dir",
                                "timeout_seconds", "benchmark_version", "tasks", "command_line", "framework_version"]

    /// Hashes every file under `batchDirectory` and writes `manifest.json` atomically.
    ///
    /// Streams: each artifact is hashed and written as it is reached, so memory holds only the sorted path list
    /// (a batch of 10 000 items has ~50 000 artifacts).
    public static func write(batchDirectory: URL) throws {
        let dir = batchDirectory.standardizedFileURL
        let walk = DirectoryWalk(root: dir, skip: unlisted)
        let (kind, config, configHash, planHash) = configuration(of: dir)
        // Keys in sorted order, as every other document; "artifacts" comes first.
        let tail: [(String, JSONValue)] = [
            ("config", config), ("config_hash", configHash), ("created_at", .string(BenchmarkRunner.timestamp())),
            ("framework_version", .string(BenchmarkRunner.frameworkVersion)), ("host", .object(HostFacts.collect())),
            ("kind", .string(kind)), ("plan_hash", planHash), ("schema", .string(schemaName)),
            ("schema_version", .number(Double(schemaVersion))),
        ]
        try AtomicFile.write(to: dir.appendingPathComponent(fileName)) { out in
            try out.write(contentsOf: Data("{\n  \"artifacts\" : [".utf8))
            for (i, rel) in walk.files.enumerated() {
                let h = try AtomicFile.sha256(of: dir.appendingPathComponent(rel))
                let entry: JSONValue = ["path": .string(rel), "bytes": .number(Double(h.bytes)), "sha256": .string(h.hex)]
                try out.write(contentsOf: Data(((i == 0 ? "\n    " : ",\n    ") + JSONValue.encodeString(entry, pretty: false)).utf8))
            }
            try out.write(contentsOf: Data("\n  ]".utf8))
            for (key, value) in tail {
                try out.write(contentsOf: Data(",\n  \(try JSONValue.encodeString(JSONValue.string(key), pretty: false)) : \(try JSONValue.encodeString(value, pretty: false))".utf8))
            }
            try out.write(contentsOf: Data("\n}\n".utf8))
        }
    }

    /// Kind, configuration, its hash and the plan hash, from `batch.json` or `run_metadata.json`.
    static func configuration(of dir: URL) -> (kind: String, config: JSONValue, configHash: JSONValue, planHash: JSONValue) {
        if let data = try? Data(contentsOf: dir.appendingPathComponent("batch.json")), let batch = try? JSONValue.parse(data) {
            let config = batch["config"] ?? .null
            let hash = batch["config_hash"].flatMap { $0.isNull ? nil : $0 } ?? .string(CanonicalJSON.sha256(config))
            return ("batch", config, hash, batch["plan_hash"] ?? .null)
        }
        if let data = try? Data(contentsOf: dir.appendingPathComponent("run_metadata.json")), let meta = try? JSONValue.parse(data) {
            let config = runConfig(meta)
            return ("run", config, .string(CanonicalJSON.sha256(config)), .null)
        }
        return ("unknown", .null, .null, .null)
    }

    /// The configuration part of a `run_metadata.json` document.
    static func runConfig(_ meta: JSONValue) -> JSONValue {
        var config: [String: JSONValue] = [:]
        for key in runConfigKeys { if let v = meta[key] { config[key] = v } }
        return .object(config)
    }
}
