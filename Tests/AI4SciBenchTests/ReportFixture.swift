import Foundation
@testable import AI4SciBench

/// Hand-made single-run directories with known answers for the report.
///
/// Planned grid: tasks phys.a, chem.b, bio.c × 1 instance × levels b1, b2 × 2 repeats = 12 results.
/// Present (default scores):
///   phys.a b1: 80, 40            → item 60 (pass@1 0.5, pass@2 1, pass^2 0 at threshold 50)
///   phys.a b2: timeout (0), 40   → item 20
///   chem.b b1: 100, invalid      → item 100 (one invalid, excluded)
///   chem.b b2, bio.c: missing    → 2 + 4 = 6 missing
/// Task means: phys.a 40, chem.b 100 → overall 70 (item-balanced would be 60); b1 80, b2 20.
enum ReportFixture {
    struct Entry {
        var task: String
        var level: String
        var repeatIndex: Int
        /// nil: evaluation_invalid.
        var score: Double?
        var status: String = "completed"
        var hardGateFailed = false
        var variant = "seed1"
    }

    static let standard: [Entry] = [
        Entry(task: "phys.a", level: "b1", repeatIndex: 1, score: 80),
        Entry(task: "phys.a", level: "b1", repeatIndex: 2, score: 40),
        Entry(task: "phys.a", level: "b2", repeatIndex: 1, score: 0, status: "timeout"),
        Entry(task: "phys.a", level: "b2", repeatIndex: 2, score: 40),
        Entry(task: "chem.b", level: "b1", repeatIndex: 1, score: 100),
        Entry(task: "chem.b", level: "b1", repeatIndex: 2, score: nil),
    ]

    /// Writes a run directory holding `entries` (and a manifest, so it validates clean).
    static func write(_ entries: [Entry] = standard, agent: String = "alpha", in parent: URL, name: String = "run",
                      tasks: [String] = ["phys.a", "chem.b", "bio.c"], timeout: Double = 600) throws -> URL {
        let dir = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let meta: JSONValue = [
            "schema": .string(RunMetadata.schemaName), "result_schema_version": 1, "agent": .string(agent),
            "agent_config": ["command_template": .string("python3 \(agent).py")], "framework_version": "0.1.0",
            "instances_per_task": 1, "prompt_levels": ["b1", "b2"], "repeats": 2, "seed": 1, "sandbox": "task",
            "timeout_seconds": .number(timeout),
            "tasks": .array(tasks.map { ["id": .string($0), "version": "1.0", "hash": .string(String(repeating: "a", count: 64))] }),
        ]
        try write(meta, to: dir.appendingPathComponent("run_metadata.json"))
        for e in entries {
            let id = "\(e.task)__\(e.variant)__\(e.level)__r\(e.repeatIndex)"
            let folder = dir.appendingPathComponent(e.task)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try write(result(e, id: id, agent: agent), to: folder.appendingPathComponent(id + ".json"))
            try Data("{\"type\":\"usage\",\"input_tokens\":10,\"output_tokens\":5}\n".utf8)
                .write(to: folder.appendingPathComponent(id + ".agent_stdout.jsonl"))
        }
        try Manifest.write(batchDirectory: dir)
        return dir
    }

    static func result(_ e: Entry, id: String, agent: String) -> JSONValue {
        let failed = e.status != "completed"
        let outcome = e.score == nil ? "evaluation_invalid" : (failed ? "agent_failed" : "scored")
        let final: JSONValue = e.score == nil ? .null : .number(failed || e.hardGateFailed ? 0 : e.score!)
        let components: [JSONValue] = e.score.map { s in
            [["name": "density", "scorer": "numerical", "weight": 100, "score": .number(s), "max_score": 100, "passed": .bool(s >= 100),
              "message": .string("relative_l2=0.3"),
              "details": ["relative_l2": .number(0.31), "full_score_threshold": 0.05, "zero_score_threshold": 0.2, "metric": "relative_l2"]]]
        } ?? []
        let gates: [JSONValue] = [[
            "name": "file_match", "scorer": "file_match", "severity": "hard", "passed": .bool(!e.hardGateFailed), "score": .number(e.hardGateFailed ? 0 : 1),
            "message": .string(e.hardGateFailed ? "dos.npy: shape (2, 100) expected (2, 200)" : ""),
            "details": ["checks": [["file": "dos.npy", "passed": .bool(!e.hardGateFailed)]]],
        ]]
        return [
            "schema": .string(InstanceResult.schemaName), "result_schema_version": 1, "task_id": .string(e.task), "task_version": "1.0",
            "task_hash": .string(String(repeating: "a", count: 64)), "instance_id": .string(id),
            "instance": ["name": .string("\(e.task)__\(e.variant)"), "variant": .string(e.variant)], "prompt_level": .string(e.level),
            "attempt": 1, "agent": ["name": .string(agent)], "outcome": .string(outcome), "agent_status": .string(e.status),
            "final_score": final, "max_possible_score": 100, "component_scores": failed ? [] : .array(components),
            "gate_results": failed || e.score == nil ? [] : .array(gates), "hard_gates_passed": failed || e.score == nil ? .null : .bool(!e.hardGateFailed),
            "soft_gate_failures": [], "message": e.score == nil ? "scorer crashed: reference missing" : (e.status == "timeout" ? "timeout after 600 s" : .null),
            "requested_mode": "task", "effective_mode": "task", "enforcement_status": "enforced", "verification_status": "verified",
            "sandbox": [:], "usage": ["coverage": "observed", "input_tokens": 10, "output_tokens": 5, "cost_usd": 0.01],
            "agent_output": [:],
            "resources": ["wall_seconds": .number(e.status == "timeout" ? 600 : 12), "exit_code": e.status == "timeout" ? .null : 0,
                          "signal": e.status == "timeout" ? 9 : .null, "timed_out": .bool(e.status == "timeout")],
            "timing": [:], "artifacts": [],
        ]
    }

    static func write(_ value: JSONValue, to url: URL) throws {
        try JSONValue.encode(value).write(to: url)
    }
}
