import Foundation
@testable import AI4SciBench

/// A small hand-built batch directory: two agents, two tasks, every outcome, with journal, records and manifest.
///
/// alpha / physics.x: b1 scores 80 and 60 (two repeats), b2 agent_failed (0), b3 evaluation_invalid (refused), no b4.
/// alpha / chem.y: b2 scored with a failed hard gate (0). beta / physics.x: b1 scores 100.
enum BatchFixture {
    struct Item {
        var agent: String
        var task: String
        var level: String
        var repeatIndex: Int
        var outcome: String
        var status: String
        var final: Double?
        var components: [(score: Double, weight: Double)]
        var hardGates: Bool?
        var usage: JSONValue = ["coverage": "unknown"]

        var instanceID: String { "\(task)__seed1__\(level)__r\(repeatIndex)" }
        var itemID: String { "\(agent)/\(instanceID)" }
        var resultPath: String { "\(agent)/\(task)/\(instanceID).json" }
    }

    static let items: [Item] = [
        Item(agent: "alpha", task: "physics.x", level: "b1", repeatIndex: 1, outcome: "scored", status: "completed", final: 80,
             components: [(50, 60), (30, 40)], hardGates: true, usage: ["coverage": "observed", "input_tokens": 1000, "output_tokens": 200]),
        Item(agent: "alpha", task: "physics.x", level: "b1", repeatIndex: 2, outcome: "scored", status: "completed", final: 60,
             components: [(40, 60), (20, 40)], hardGates: true),
        Item(agent: "alpha", task: "physics.x", level: "b2", repeatIndex: 1, outcome: "agent_failed", status: "failed", final: 0,
             components: [(10, 60), (0, 40)], hardGates: false),
        Item(agent: "alpha", task: "physics.x", level: "b3", repeatIndex: 1, outcome: "evaluation_invalid", status: "refused", final: nil,
             components: [], hardGates: nil),
        Item(agent: "alpha", task: "chem.y", level: "b2", repeatIndex: 1, outcome: "scored", status: "completed", final: 0,
             components: [], hardGates: false),
        Item(agent: "beta", task: "physics.x", level: "b1", repeatIndex: 1, outcome: "scored", status: "completed", final: 100,
             components: [(60, 60), (40, 40)], hardGates: true),
    ]

    /// The result document of one item.
    static func result(_ i: Item) -> JSONValue {
        let components: [JSONValue] = i.components.enumerated().map { n, c in
            ["name": .string("c\(n)"), "scorer": "numerical", "weight": .number(c.weight), "score": .number(c.score),
             "max_score": .number(c.weight), "passed": .bool(c.score == c.weight), "message": "", "details": [:]]
        }
        let gates: [JSONValue] = i.hardGates.map { [["name": "files", "scorer": "file_match", "severity": "hard", "passed": .bool($0),
                                                    "score": .number($0 ? 1 : 0), "message": "", "details": [:]]] } ?? []
        return [
            "schema": .string(InstanceResult.schemaName), "result_schema_version": 1, "task_id": .string(i.task),
            "task_version": "1.0", "task_hash": "abc", "instance_id": .string(i.instanceID),
            "instance": ["name": .string("\(i.task)__seed1"), "variant": "seed1", "params_used": [:]],
            "prompt_level": .string(i.level), "attempt": 1, "agent": ["name": .string(i.agent)],
            "outcome": .string(i.outcome), "agent_status": .string(i.status), "final_score": i.final.map { .number($0) } ?? .null,
            "max_possible_score": 100, "component_scores": .array(components), "gate_results": .array(gates),
            "hard_gates_passed": i.hardGates.map { .bool($0) } ?? .null, "soft_gate_failures": [], "message": .null,
            "requested_mode": "seccomp", "effective_mode": .string(i.status == "refused" ? "none" : "seccomp"),
            "enforcement_status": .string(i.status == "refused" ? "refused" : "enforced"), "verification_status": "verified",
            "sandbox": [:], "usage": i.usage, "resources": .null, "timing": [:], "artifacts": [],
        ]
    }

    /// Writes the whole directory (results, logs, run_metadata, batch.json, journal, records, manifest).
    static func make() throws -> URL {
        let dir = try TestSupport.temporaryDirectory("batchfixture")
        let config: JSONValue = ["tasks": ["physics.x", "chem.y"], "repeats": 2, "agents": ["alpha", "beta"]]
        let plan: JSONValue = .array(items.map { .string($0.itemID) })
        let batch: JSONValue = ["schema": "ai4sci_bench_batch", "version": 1, "config": config,
                                "config_hash": .string(CanonicalJSON.sha256(config)), "plan_hash": .string(CanonicalJSON.sha256(plan)),
                                "items": .number(Double(items.count)), "agents": [["name": "alpha"], ["name": "beta"]],
                                "framework_version": "0.1.0", "host": [:], "created_at": "2026-01-01T00:00:00Z", "force_overrides": []]
        try AtomicFile.writeJSON(batch, to: dir.appendingPathComponent("batch.json"))
        for (agent, model) in [("alpha", JSONValue.string("m-alpha")), ("beta", .null)] {
            var agentConfig: [String: JSONValue] = ["command_template": "python3 agent.py"]
            if model != .null { agentConfig["model"] = model }
            let meta: JSONValue = ["schema": .string(RunMetadata.schemaName), "result_schema_version": 1, "agent": .string(agent),
                                   "agent_config": .object(agentConfig), "status": "finished"]
            try AtomicFile.writeJSON(meta, to: dir.appendingPathComponent("\(agent)/run_metadata.json"))
        }
        var journal = #"{"type":"batch_started","time":"t0","config_hash":"h","plan_hash":"p","resume":false,"force":false}"# + "\n"
        for i in items {
            journal += try line(["type": "planned", "item": .string(i.itemID), "agent": .string(i.agent), "task_id": .string(i.task),
                                 "instance_id": .string(i.instanceID), "prompt_level": .string(i.level), "repeat": .number(Double(i.repeatIndex))])
        }
        for i in items {
            let url = dir.appendingPathComponent(i.resultPath)
            try AtomicFile.writeJSON(result(i), to: url)
            try Data("log of \(i.itemID)\n".utf8).write(to: url.deletingPathExtension().appendingPathExtension("agent_stderr.log"))
            try AtomicFile.writeJSON(result(i), to: dir.appendingPathComponent("\(i.agent)/\(i.task)/attempts/\(i.instanceID).attempt1.json"))
            let sha = try AtomicFile.sha256(of: url).hex
            journal += try line(["type": "started", "item": .string(i.itemID), "attempt": 1, "time": "t1"])
            journal += try line(["type": "finished", "item": .string(i.itemID), "attempt": 1, "time": "t2", "outcome": .string(i.outcome),
                                 "agent_status": .string(i.status), "final_score": i.final.map { .number($0) } ?? .null,
                                 "result": .string(i.resultPath), "sha256": .string(sha)])
        }
        journal += #"{"type":"batch_finished","time":"t3","counts":{}}"# + "\n"
        try Data(journal.utf8).write(to: dir.appendingPathComponent("journal.jsonl"))
        try BatchRecords.write(batchDirectory: dir)
        try Manifest.write(batchDirectory: dir)
        return dir
    }

    static func line(_ v: JSONValue) throws -> String {
        try JSONValue.encodeString(v, pretty: false) + "\n"
    }

    /// Reads a JSON file of the fixture.
    static func json(_ dir: URL, _ rel: String) throws -> JSONValue {
        try JSONValue.parse(Data(contentsOf: dir.appendingPathComponent(rel)))
    }

    /// Rewrites a JSON file of the fixture through `change`.
    static func edit(_ dir: URL, _ rel: String, _ change: (inout [String: JSONValue]) -> Void) throws {
        var obj = try json(dir, rel).objectValue ?? [:]
        change(&obj)
        try AtomicFile.writeJSON(JSONValue.object(obj), to: dir.appendingPathComponent(rel))
    }
}
