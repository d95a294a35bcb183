import Foundation
import Testing
@testable import AI4SciBench

/// Writes task directories into a temporary folder for loader tests.
struct TaskFixture {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ai4sci-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    static let goodMeta = """
        id: physics.demo
        name: Demo task
        version: "1.0"
        status: final
        domain: physics
        prompts: {b1: prompt_b1.md, b2: prompt_b2.md, b3: prompt_b3.md, b4: prompt_b4.md}
        input:
          files:
            - {name: params.json, type: data, description: inputs}
        output:
          files:
            - {name: solver.py, type: code, description: the solver}
            - {name: density.npy, type: data, description: density}
        """
    static let goodEval = """
        output:
          files:
            - {name: density.npy, shape: ["{n_cells}"], dtype: float64}
        evaluation:
          gates:
            - scorer: file_match
              config:
                checks:
                  - {file: density.npy, shape: "{n_cells}", dtype: float64}
          scoring:
            - scorer: numerical
              weight: 90
              config: {metric: relative_l2, pred_file: density.npy, ref_file: density_ref.npy, scoring: linear_interpolation, full_score_threshold: 0.01, zero_score_threshold: 0.1}
            - scorer: code_analysis
              weight: 10
              config: {target_file: solver.py, checks: [{pattern: "flux", required: true}]}
        generation:
          script: generate_gt.py
          parameters:
            n_cells: {type: int, range: [100, 200], default: 100}
          timeout_seconds: 30
        """

    /// Writes a task at `<domain>/<name>` with the given files; prompts and generator are created unless omitted.
    @discardableResult
    func write(_ rel: String = "physics/demo", files: [String: String], prompts: Bool = true, generator: Bool = true) throws -> URL {
        let dir = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var all = files
        if prompts { for l in 1...4 { all["prompt_b\(l).md"] = all["prompt_b\(l).md"] ?? "Level \(l): solve with {{ n_cells }} cells." } }
        if generator { all["generate_gt.py"] = all["generate_gt.py"] ?? "print('gen')\n" }
        for (name, text) in all { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite struct TaskLoaderTests {
    let registry = ScorerRegistry()

    func issues(_ meta: String, _ eval: String, prompts: Bool = true) throws -> [ValidationIssue] {
        let f = try TaskFixture()
        defer { f.remove() }
        let dir = try f.write(files: ["task_meta.yaml": meta, "task_eval.yaml": eval], prompts: prompts)
        return TaskLoader.load(directory: dir, registry: registry).issues
    }

    @Test func goodSplitTaskLoadsAndMerges() throws {
        let f = try TaskFixture()
        defer { f.remove() }
        let dir = try f.write(files: ["task_meta.yaml": TaskFixture.goodMeta, "task_eval.yaml": TaskFixture.goodEval])
        let outcome = TaskLoader.load(directory: dir, registry: registry)
        #expect(outcome.issues.filter { $0.severity == .error }.isEmpty, "\(outcome.issues)")
        let task = try #require(outcome.task)
        #expect(task.id == "physics.demo")
        #expect(task.prompts.count == 4)
        #expect(task.outputFiles.map(\.name) == ["solver.py", "density.npy"])
        #expect(task.outputFiles[1].dtype == "float64")  // merged from task_eval by name
        #expect(task.outputFiles[1].description == "density")  // kept from task_meta
        #expect(task.evaluation.scoring.map(\.weight) == [90, 10])
        #expect(task.evaluation.gates.first?.severity == .hard)
        #expect(task.generation.parameters.first?.range == 100...200)
        #expect(task.contentHash.count == 64)
    }

    @Test func singleFileLayoutLoads() throws {
        let f = try TaskFixture()
        defer { f.remove() }
        let merged = TaskFixture.goodMeta + "\n" + TaskFixture.goodEval.replacingOccurrences(of: "output:\n  files:\n    - {name: density.npy, shape: [\"{n_cells}\"], dtype: float64}\n", with: "")
        let dir = try f.write(files: ["task.yaml": merged])
        let outcome = TaskLoader.load(directory: dir, registry: registry)
        #expect(outcome.task != nil, "\(outcome.issues)")
    }

    @Test func everyBrokenFieldIsNamed() throws {
        let meta = TaskFixture.goodMeta
            .replacingOccurrences(of: "id: physics.demo", with: "id: physics.other")
            .replacingOccurrences(of: "status: final", with: "status: finished")
            .replacingOccurrences(of: "b4: prompt_b4.md", with: "b4: missing.md")
        let eval = TaskFixture.goodEval
            .replacingOccurrences(of: "weight: 90", with: "weight: ten")
            .replacingOccurrences(of: "metric: relative_l2", with: "metric: relative_l3")
            .replacingOccurrences(of: "scorer: code_analysis", with: "scorer: codeanalysis")
            .replacingOccurrences(of: "shape: \"{n_cells}\"", with: "shape: \"{n_cell}\"")
            .replacingOccurrences(of: "type: int", with: "type: integer")
        let found = try issues(meta, eval)
        func has(_ path: String, _ text: String) -> Bool {
            found.contains { $0.keyPath == path && $0.message.contains(text) && $0.severity == .error }
        }
        #expect(has("id", "does not match the directory"), "\(found)")
        #expect(has("status", "unknown value \"finished\""))
        #expect(has("prompts.b4", "missing.md"))
        #expect(has("evaluation.scoring[0].weight", "expected a number, got a string \"ten\""))
        #expect(found.contains { $0.keyPath == "evaluation.scoring[0].config.metric" && $0.severity == .error }, "\(found)")
        #expect(has("evaluation.scoring[1].scorer", "unknown scorer \"codeanalysis\""))
        #expect(found.first { $0.keyPath == "evaluation.scoring[1].scorer" }?.hint?.contains("code_analysis") == true)
        #expect(has("evaluation.gates[0].config.checks[0].shape", "n_cell"))
        #expect(has("generation.parameters.n_cells.type", "integer"))
        #expect(found.first { $0.keyPath == "id" }?.file.hasSuffix("task_meta.yaml") == true)
        #expect(found.first { $0.keyPath == "evaluation.scoring[0].weight" }?.file.hasSuffix("task_eval.yaml") == true)
    }

    @Test func brokenYAMLIsReportedWithFileNotCrash() throws {
        let found = try issues(TaskFixture.goodMeta, "evaluation:\n  gates: [\n  - oops: {")
        #expect(found.count == 1)
        #expect(found[0].file.hasSuffix("task_eval.yaml"))
        #expect(found[0].message.contains("not valid YAML"))
    }

    @Test func missingKeysAndWrongShapes() throws {
        let found = try issues("name: x\nversion: 1.0\nprompts: {b1: prompt_b1.md}\noutput: {files: [{name: a.npy}]}", "evaluation: {scoring: []}\ngeneration: {script: nope.py}")
        let paths = Set(found.filter { $0.severity == .error }.map(\.keyPath))
        for p in ["id", "domain", "prompts.b2", "prompts.b3", "prompts.b4", "output.files[0].type", "evaluation.scoring", "generation.script"] {
            #expect(paths.contains(p), "missing \(p) in \(paths)")
        }
        #expect(found.contains { $0.keyPath == "version" && $0.severity == .warning })
    }

    @Test func bothLayoutsIsAnError() throws {
        let f = try TaskFixture()
        defer { f.remove() }
        let dir = try f.write(files: ["task_meta.yaml": TaskFixture.goodMeta, "task_eval.yaml": TaskFixture.goodEval, "task.yaml": TaskFixture.goodMeta])
        let outcome = TaskLoader.load(directory: dir, registry: registry)
        #expect(outcome.task == nil)
        #expect(outcome.issues.first?.message.contains("both") == true)
    }

    @Test func catalogSelectsAndRefusesUnknownIDs() throws {
        let f = try TaskFixture()
        defer { f.remove() }
        try f.write(files: ["task_meta.yaml": TaskFixture.goodMeta, "task_eval.yaml": TaskFixture.goodEval])
        let abandoned = TaskFixture.goodMeta.replacingOccurrences(of: "physics.demo", with: "physics.old").replacingOccurrences(of: "status: final", with: "status: abandoned")
        try f.write("physics/old", files: ["task_meta.yaml": abandoned, "task_eval.yaml": TaskFixture.goodEval])
        let catalog = try TaskCatalog.load(root: f.root, registry: registry)
        #expect(catalog.tasks.count == 2)
        #expect(try catalog.select(ids: []).map(\.id) == ["physics.demo"])
        #expect(try catalog.select(ids: [], includeAbandoned: true).count == 2)
        #expect(throws: BenchError.self) { try catalog.select(ids: ["physics.nope"]) }
        #expect(throws: BenchError.self) { try TaskCatalog.load(root: f.root.appendingPathComponent("absent"), registry: registry) }
    }
}
