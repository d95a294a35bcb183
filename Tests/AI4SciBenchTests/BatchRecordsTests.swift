import Foundation
import Testing
@testable import AI4SciBench

@Suite("BatchRecords") struct BatchRecordsTests {
    func row(_ doc: JSONValue, task: String, agent: String) throws -> JSONValue {
        try #require(doc["rows"]?.arrayValue?.first { $0["task_id"]?.stringValue == task && $0["agent"]?.stringValue == agent })
    }

    @Test func scoreboardMatchesHandComputedFixture() throws {
        let dir = try BatchFixture.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let board = try BatchFixture.json(dir, "batch_records/task_scoreboard.json")
        #expect(board["schema"] == "ai4sci_bench_task_scoreboard")
        #expect(board["schema_version"] == 1)
        #expect(board["rows"]?.arrayValue?.count == 3)

        let ax = try row(board, task: "physics.x", agent: "alpha")
        #expect(ax["model"] == "m-alpha")
        #expect(ax["b1"] == 70)          // (80 + 60) / 2
        #expect(ax["b2"] == 0)           // agent_failed counts as 0
        #expect(ax["b3"] == .null)       // only an invalid result: no counted score
        #expect(ax["b4"] == .null)       // never run
        // Items: b1 (repeats 80, 60 → 70), b2 (0); b3 holds only an invalid result. Task mean = mean of item means.
        let mean = (70.0 + 0) / 2
        let std = ((35.0 * 35 + 35 * 35) / 1).squareRoot()
        #expect(abs((ax["mean_score"]?.doubleValue ?? -1) - mean) < 1e-12)
        #expect(abs((ax["std"]?.doubleValue ?? -1) - std) < 1e-9)
        #expect(ax["n"] == 2)  // items, not results
        #expect(ax["invalid_count"] == 1)
        #expect(abs((ax["gate_pass_rate"]?.doubleValue ?? -1) - 2.0 / 3) < 1e-12)  // 2 passed of 3 known

        let ay = try row(board, task: "chem.y", agent: "alpha")
        #expect(ay["b2"] == 0)
        #expect(ay["b1"] == .null)
        #expect(ay["gate_pass_rate"] == 0)
        #expect(ay["std"] == .null)

        let bx = try row(board, task: "physics.x", agent: "beta")
        #expect(bx["model"] == .null)
        #expect(bx["b1"] == 100)
        #expect(bx["b2"] == .null)
        #expect(bx["mean_score"] == 100)
        #expect(bx["n"] == 1)
        #expect(bx["std"] == .null)
    }

    @Test func longTableAndOverview() throws {
        let dir = try BatchFixture.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = try BatchFixture.json(dir, "batch_records/task_level_long.json")
        let rows = long["rows"]?.arrayValue ?? []
        let b1 = try #require(rows.first { $0["task_id"] == "physics.x" && $0["agent"] == "alpha" && $0["level"] == "b1" })
        #expect(b1["n"] == 1)  // one item whose two repeats (80, 60) are averaged first
        #expect(b1["mean"] == 70)
        #expect(b1["min"] == 70)
        #expect(b1["max"] == 70)
        #expect(b1["invalid"] == 0)
        #expect(b1["std"] == .null)
        let b3 = try #require(rows.first { $0["task_id"] == "physics.x" && $0["agent"] == "alpha" && $0["level"] == "b3" })
        #expect(b3["n"] == 0)
        #expect(b3["mean"] == .null)
        #expect(b3["min"] == .null)
        #expect(b3["invalid"] == 1)
        #expect(rows.count == 5)

        let overview = try BatchFixture.json(dir, "batch_records/batch_overview.json")
        #expect(overview["schema"] == "ai4sci_bench_batch_overview")
        #expect(overview["items"] == 6)
        let alpha = try #require(overview["agents"]?.arrayValue?.first { $0["agent"] == "alpha" })
        #expect(alpha["items"] == 5)
        #expect(alpha["scored"] == 3)
        #expect(alpha["agent_failed"] == 1)
        #expect(alpha["evaluation_invalid"] == 1)
        #expect(alpha["refused"] == 1)
        #expect(alpha["mean_score"] == 17.5)  // task-balanced: physics.x 35, chem.y 0 (result-balanced would be 35)
        #expect(alpha["counted"] == 3 && alpha["tasks"] == 2)
        #expect(alpha["level_means"]?["b2"] == 0)
        #expect(alpha["level_means"]?["b1"] == 70)
        #expect(alpha["level_means"]?["b3"] == .null)
        #expect(alpha["level_means"]?["b4"] == .null)
        #expect(alpha["usage"]?["input_tokens"] == 1000)
        #expect(alpha["usage"]?["output_tokens"] == 200)
        #expect(alpha["usage"]?["coverage"]?["observed"] == 1)
        #expect(alpha["usage"]?["coverage"]?["unknown"] == 4)
        #expect(alpha["sandbox"]?["enforcement_status"]?["refused"] == 1)
        #expect(alpha["sandbox"]?["enforcement_status"]?["enforced"] == 4)
        let beta = try #require(overview["agents"]?.arrayValue?.first { $0["agent"] == "beta" })
        #expect(beta["usage"]?["input_tokens"] == .null)
    }

    @Test func csvCellsAndMarkdown() throws {
        let dir = try BatchFixture.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = try String(contentsOf: dir.appendingPathComponent("batch_records/task_scoreboard.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines[0] == "task_id,agent,model,b1,b2,b3,b4,mean_score,n,std,gate_pass_rate,invalid_count")
        #expect(lines.count == 4)
        // chem.y sorts first: b1 empty (null), b2 0 (a real zero), std empty.
        #expect(lines[1] == "chem.y,alpha,m-alpha,,0,,,0,1,,0,0")
        #expect(lines[3] == "physics.x,beta,,100,,,,100,1,,1,0")
        let alphaCells: [String] = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let expectedCells: [String] = ["physics.x", "alpha", "m-alpha", "70", "0", "", ""]
        #expect(Array(alphaCells.prefix(7)) == expectedCells)
        let expectedMean: Double = 35
        #expect(abs((Double(alphaCells[7]) ?? 0) - expectedMean) < 1e-12)
        let longCSV = try String(contentsOf: dir.appendingPathComponent("batch_records/task_level_long.csv"), encoding: .utf8)
        #expect(longCSV.hasPrefix("task_id,agent,level,n,mean,std,min,max,invalid\n"))
        #expect(longCSV.contains("physics.x,alpha,b3,0,,,,,1\n"))
        let overviewCSV = try String(contentsOf: dir.appendingPathComponent("batch_records/batch_overview.csv"), encoding: .utf8)
        #expect(overviewCSV.contains("\nalpha,m-alpha,5,3,1,1,1,3,17.5,"))
        let md = try String(contentsOf: dir.appendingPathComponent("batch_records/batch_overview.md"), encoding: .utf8)
        #expect(md.contains("| physics.x | alpha | 70.00 | 0.00 | – | – | 35.00 |"))
        #expect(RecordsFormat.cell("a,\"b\"") == "\"a,\"\"b\"\"\"")
    }

    @Test func manifestListsEveryFileWithItsHash() throws {
        let dir = try BatchFixture.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try BatchFixture.json(dir, "manifest.json")
        #expect(manifest["schema"] == "ai4sci_bench_manifest")
        #expect(manifest["schema_version"] == 1)
        let batch = try BatchFixture.json(dir, "batch.json")
        #expect(manifest["config_hash"] == batch["config_hash"])
        #expect(manifest["plan_hash"] == batch["plan_hash"])
        #expect(manifest["config"] == batch["config"])
        #expect(manifest["host"]?["cpus"] != nil)
        #expect(manifest["framework_version"] == .string(BenchmarkRunner.frameworkVersion))
        let artifacts = manifest["artifacts"]?.arrayValue ?? []
        let paths = artifacts.compactMap { $0["path"]?.stringValue }
        #expect(paths == paths.sorted())
        var onDisk: [String] = []
        let e = FileManager.default.enumerator(atPath: dir.path)!
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(p).path, isDirectory: &isDir), !isDir.boolValue, p != "manifest.json" { onDisk.append(p) }
        }
        #expect(paths == onDisk.sorted())
        #expect(paths.contains("journal.jsonl"))
        #expect(paths.contains("batch_records/batch_overview.md"))
        #expect(!paths.contains("manifest.json"))
        for a in artifacts {
            let h = try AtomicFile.sha256(of: dir.appendingPathComponent(a["path"]!.stringValue!))
            #expect(a["sha256"]?.stringValue == h.hex)
            #expect(a["bytes"]?.intValue == Int(h.bytes))
        }
    }
}
