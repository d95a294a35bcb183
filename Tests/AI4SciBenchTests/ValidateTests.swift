import Foundation
import Testing
@testable import AI4SciBench

/// `ai4sci-bench validate` through the real CLI: one test per kind of tampering.
@Suite("Validate", .serialized, .timeLimit(.minutes(1))) struct ValidateTests {
    struct Outcome {
        var code: Int32
        var problems: [JSONValue]
        var text: String

        func has(_ kind: String, path: String, _ fragment: String) -> Bool {
            problems.contains { $0["kind"]?.stringValue == kind && $0["path"]?.stringValue == path && ($0["message"]?.stringValue ?? "").contains(fragment) }
        }
    }

    /// Runs `validate --format json` (and the text form, for the exit code to agree).
    func validate(_ dir: URL) async throws -> Outcome {
        let r = try await TestSupport.runCLI(["validate", dir.path, "--format", "json"])
        let report = try JSONValue.parse(Data(r.out.utf8))
        let t = try await TestSupport.runCLI(["validate", dir.path])
        #expect(t.code == r.code)
        return Outcome(code: r.code, problems: report["problems"]?.arrayValue ?? [], text: t.out + t.err)
    }

    func withFixture(_ body: (URL) async throws -> Void) async throws {
        let dir = try BatchFixture.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await body(dir)
    }

    static let log = "alpha/physics.x/physics.x__seed1__b1__r1.agent_stderr.log"
    static let result = "alpha/physics.x/physics.x__seed1__b1__r1.json"

    @Test func cleanDirectoryExitsZero() async throws {
        try await withFixture { dir in
            let o = try await validate(dir)
            #expect(o.code == 0, "\(o.problems)")
            #expect(o.problems.isEmpty)
            #expect(o.text.contains("no problems"))
        }
    }

    @Test func notARunDirectoryExitsTwo() async throws {
        let dir = try TestSupport.temporaryDirectory("notrun")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await TestSupport.runCLI(["validate", dir.path])
        #expect(r.code == 2)
        #expect(r.err.contains("not a run directory"))
    }

    @Test func changedFile() async throws {
        try await withFixture { dir in
            let h = try FileHandle(forWritingTo: dir.appendingPathComponent(Self.log))
            try h.seekToEnd(); try h.write(contentsOf: Data("tampered\n".utf8)); try h.close()
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("changed_file", path: Self.log, "changed since manifest.json was written"))
            #expect(o.problems.count == 1)
            #expect(o.text.contains("changed_file  \(Self.log)"))
        }
    }

    @Test func missingFile() async throws {
        try await withFixture { dir in
            try FileManager.default.removeItem(at: dir.appendingPathComponent(Self.log))
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("missing_file", path: Self.log, "listed in manifest.json but missing"))
        }
    }

    @Test func extraFileAndMissingManifestEntry() async throws {
        try await withFixture { dir in
            try Data("x".utf8).write(to: dir.appendingPathComponent("alpha/notes.txt"))
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("extra_file", path: "alpha/notes.txt", "not listed in manifest.json"))
            #expect(o.problems.count == 1)
        }
    }

    @Test func escapingSymlinkAndDotDotPath() async throws {
        try await withFixture { dir in
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("alpha/leak").path, withDestinationPath: "/etc/hostname")
            try BatchFixture.edit(dir, "manifest.json") { m in
                var a = m["artifacts"]?.arrayValue ?? []
                a.append(["path": "../outside.json", "bytes": 1, "sha256": "00"])
                a.append(["path": "/etc/passwd", "bytes": 1, "sha256": "00"])
                m["artifacts"] = .array(a)
            }
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("escaping_path", path: "alpha/leak", "points outside the directory"))
            #expect(o.has("escaping_path", path: "../outside.json", "escapes the directory with .."))
            #expect(o.has("escaping_path", path: "/etc/passwd", "absolute"))
        }
    }

    @Test func scoreDisagreeingWithComponents() async throws {
        try await withFixture { dir in
            try BatchFixture.edit(dir, Self.result) { $0["final_score"] = 90 }  // components give 80
            try BatchFixture.edit(dir, "alpha/physics.x/physics.x__seed1__b2__r1.json") { $0["final_score"] = 5 }  // agent_failed must be 0
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("score_mismatch", path: Self.result, "final_score is 90 but the component scores give 80"))
            #expect(o.has("score_mismatch", path: "alpha/physics.x/physics.x__seed1__b2__r1.json", "agent_failed result scores 0"))
            // Every problem is reported, not just the first: the hashes and records disagree too.
            #expect(o.has("changed_file", path: Self.result, "sha256"))
            #expect(o.has("journal_mismatch", path: Self.result, "differs from the journal"))
            #expect(o.has("record_mismatch", path: "batch_records/task_scoreboard.json", "rows[1].b1: recorded 70, the results give 75"))
        }
    }

    @Test func recordNumbersDisagreeingWithResults() async throws {
        try await withFixture { dir in
            let rel = "batch_records/task_scoreboard.json"
            try BatchFixture.edit(dir, rel) { doc in
                var rows = doc["rows"]?.arrayValue ?? []
                var r = rows[1].objectValue!
                r["b1"] = 99
                rows[1] = .object(r)
                doc["rows"] = .array(rows)
            }
            try Manifest.write(batchDirectory: dir)  // re-hashed: only the numbers are wrong
            let csv = dir.appendingPathComponent("batch_records/task_level_long.csv")
            try Data(try String(contentsOf: csv, encoding: .utf8).replacingOccurrences(of: "physics.x,alpha,b1,1,70", with: "physics.x,alpha,b1,1,71").utf8).write(to: csv)
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("record_mismatch", path: rel, "rows[1].b1: recorded 99, the results give 70"))
            #expect(o.has("record_mismatch", path: "batch_records/task_level_long.csv", "disagrees with the results from line"))
        }
    }

    @Test func unknownSchemaMarkerOrVersion() async throws {
        try await withFixture { dir in
            try BatchFixture.edit(dir, "batch_records/task_level_long.json") { $0["schema_version"] = 7 }
            try BatchFixture.edit(dir, "alpha/physics.x/attempts/physics.x__seed1__b1__r2.attempt1.json") { $0["schema"] = "other_result" }
            try Manifest.write(batchDirectory: dir)
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("unknown_schema", path: "batch_records/task_level_long.json", "unknown version 7 of schema ai4sci_bench_task_level_long"))
            #expect(o.has("unknown_schema", path: "alpha/physics.x/attempts/physics.x__seed1__b1__r2.attempt1.json", "unknown schema marker \"other_result\""))
        }
    }

    @Test func plannedItemWithoutFinishedResult() async throws {
        try await withFixture { dir in
            let journal = dir.appendingPathComponent("journal.jsonl")
            var text = try String(contentsOf: journal, encoding: .utf8)
            text += #"{"type":"planned","item":"beta/chem.y__seed1__b4__r1","agent":"beta","task_id":"chem.y","instance_id":"chem.y__seed1__b4__r1","prompt_level":"b4","repeat":1}"# + "\n"
            try Data(text.utf8).write(to: journal)
            try Manifest.write(batchDirectory: dir)
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("planned_item_missing", path: "beta/chem.y/chem.y__seed1__b4__r1.json", "planned item beta/chem.y__seed1__b4__r1 has no finished result"))
            #expect(o.problems.count == 1)
        }
    }

    @Test func journalShaDifferingFromResult() async throws {
        try await withFixture { dir in
            let journal = dir.appendingPathComponent("journal.jsonl")
            let sha = try AtomicFile.sha256(of: dir.appendingPathComponent(Self.result)).hex
            let text = try String(contentsOf: journal, encoding: .utf8).replacingOccurrences(of: sha, with: String(repeating: "0", count: 64))
            try Data(text.utf8).write(to: journal)
            try Manifest.write(batchDirectory: dir)
            let o = try await validate(dir)
            #expect(o.code == 1)
            #expect(o.has("journal_mismatch", path: Self.result, "differs from the journal's finished record of alpha/physics.x__seed1__b1__r1"))
            #expect(o.problems.count == 1)
        }
    }

    @Test func realRunOutputValidatesClean() async throws {
        let out = try TestSupport.temporaryDirectory("validate-run")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try await TestSupport.runCLI(["run", "--tasks", "physics.sod_shock_tube", "--prompt-levels", "b1",
                                                "--agent-cmd", "python3 \(TestSupport.repo.path)/Agents/lazy.py",
                                                "--sandbox", "seccomp", "--output-dir", out.path, "--quiet"])
        #expect(run.code == 0, "\(run.err)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path))
        let o = try await validate(out)
        #expect(o.code == 0, "\(o.problems)")
        // No manifest: one problem saying so, the rest still checked.
        try FileManager.default.removeItem(at: out.appendingPathComponent("manifest.json"))
        let bare = try await validate(out)
        #expect(bare.code == 1)
        #expect(bare.problems.count == 1 && bare.problems.first?["kind"] == "no_manifest")
    }
}
