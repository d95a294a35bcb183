import Foundation
import Subprocess
import Testing

@testable import AI4SciBench

/// Published ASI-Bench tasks score through a task-local `custom_scorer.py`: run it in the sandboxed Python bridge.
@Suite("Custom scorers through the Python bridge", .serialized, .timeLimit(.minutes(3)))
struct CustomScorerTests {
    static let fixtureRoot = TestSupport.repo.appendingPathComponent("Tests/AI4SciBenchTests/Fixtures/custom")
    static let parityDir = fixtureRoot.appendingPathComponent("testing/custom_parity")

    static func bridge(_ sandbox: SandboxMode = .seccomp, timeout: Double = 60) throws -> ScorerBridge {
        ScorerBridge(launcher: try AgentLauncher(), options: ScorerBridgeOptions(sandbox: sandbox, callTimeoutSeconds: timeout))
    }

    static func parityTask() throws -> TaskDefinition {
        let outcome = TaskLoader.load(directory: parityDir, registry: ScorerRegistry())
        return try #require(outcome.task, "\(outcome.issues)")
    }

    /// Evaluates `task` with its custom scorers over `pred`/`ref`, as the runner does for one item.
    static func evaluate(_ task: TaskDefinition, pred: URL, ref: URL, bridge: ScorerBridge,
                         params: [String: JSONValue] = [:]) async throws -> (EvaluationResult, BridgeRecord) {
        var spec = task.evaluation
        spec.gates = try spec.gates.map { try ItemRunner.resolved($0, params) }
        spec.scoring = try spec.scoring.map { try ItemRunner.resolved($0, params) }
        let context = ScoringContext(predictionDir: pred, referenceDir: ref, parameters: params, promptLevel: .b2)
        let calls = (spec.gates + spec.scoring).filter { task.customScorerNames.contains($0.scorer) }.count
        return await bridge.withSession(task: task, predictionDir: pred, referenceDir: ref, calls: calls) { session in
            await Evaluator().evaluate(spec, context: context, custom: session)
        }
    }

    /// Runs a Python program directly (test fixtures only); fails the test on a non-zero exit.
    static func python(_ args: [String]) async throws {
        let r = try await Subprocess.run(.name("python3"), arguments: .init(args), output: .discarded, error: .string(limit: 1 << 16))
        #expect(r.terminationStatus.isSuccess, "python3 \(args): \(r.standardError)")
    }

    // MARK: - Parity with the Python tool

    /// Expected values by hand, with the Python tool's rules (asibench orchestrator `_evaluate_gates_and_scores` and
    /// TASK_FORMAT.md): every custom scorer gets `config["weight"]` (gates: 1) and returns a score in weight units;
    /// `final = Σ scorer scores / score_divisor` when every hard gate passed, else 0 (`hard_fail_score_mode: zero`).
    /// Fixture: weights field_accuracy 42, profile_table 31.5, numerical 21, summary_energy 10.5 (Σ 105), divisor 1.05.
    /// field_accuracy and numerical: w·f(e), f = linear interpolation of the relative L2 error e between full 0.01 and zero
    /// 0.10, f = 1 − (e − 0.01)/0.09; the stand-in agent scales the field by (1 + E), so e = E exactly.
    /// profile_table: w · matched rows / 8; summary_energy: w when |E − E_ref| ≤ 1e-3·|E_ref|, else 0.
    static let parityCases: [(args: [String], expected: Double, components: [Double])] = [
        ([], 100, [42, 31.5, 21, 10.5]),                                       // (42 + 31.5 + 21 + 10.5) / 1.05
        (["--field-error", "0.0325", "--wrong-rows", "2"], 77.5,               // f = 1 − 0.0225/0.09 = 0.75; 6/8 rows
         [42 * 0.75, 31.5 * 6 / 8, 21 * 0.75, 10.5]),                          // (31.5 + 23.625 + 15.75 + 10.5) / 1.05
        (["--field-error", "0.055", "--energy-off", "0.01"], 60,               // f = 1 − 0.045/0.09 = 0.5; energy 1 % off
         [21, 31.5, 10.5, 0]),                                                 // (21 + 31.5 + 10.5 + 0) / 1.05
        (["--field-error", "0.2", "--wrong-rows", "8"], 10,                    // e ≥ 0.10: f = 0; no row matches
         [0, 0, 0, 10.5]),                                                     // 10.5 / 1.05
        (["--no-energy"], 0, []),                                              // hard custom gate fails: 0, scorers not run
    ]

    @Test("final scores equal the Python tool's formulas to 1e-9 for several prediction sets")
    func parity() async throws {
        let task = try Self.parityTask()
        #expect(task.customScorerNames == ["summary_has_energy", "field_accuracy", "profile_table", "summary_energy"])
        let scratch = try TestSupport.temporaryDirectory("custom-parity")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let planner = InstancePlanner(storeDirectory: scratch, launcher: try AgentLauncher(), sandbox: .seccomp)
        let instance = try await planner.generate(task: task, parameters: ["n": 12, "scale": 1.5])
        let bridge = try Self.bridge()
        for (i, c) in Self.parityCases.enumerated() {
            let pred = scratch.appendingPathComponent("pred\(i)")
            try FileManager.default.createDirectory(at: pred.appendingPathComponent("data"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: instance.dataDirectory.appendingPathComponent("params.json"),
                                             to: pred.appendingPathComponent("data/params.json"))
            try await Self.python([Self.fixtureRoot.appendingPathComponent("agent.py").path, "--workspace", pred.path] + c.args)
            let (r, record) = try await Self.evaluate(task, pred: pred, ref: instance.referenceDirectory, bridge: bridge, params: instance.parameters)
            #expect(r.isValid, "case \(c.args): \(r.invalidReason ?? "")")
            let final = try #require(r.finalScore)
            #expect(abs(final - c.expected) <= 1e-9, "case \(c.args): \(final) != \(c.expected)")
            #expect(r.componentScores.count == c.components.count)
            for (component, want) in zip(r.componentScores, c.components) {
                #expect(abs(component.score - want) <= 1e-9, "case \(c.args): \(component.name) \(component.score) != \(want)")
            }
            // One bridge per item: it said hello once and answered every custom entry that ran.
            #expect(record.hello?.scorers == ["field_accuracy", "profile_table", "summary_energy", "summary_has_energy"])
            #expect(record.calls == (c.components.isEmpty ? 1 : 4))
            #expect(record.launch?.status == .completed && record.launch?.provenance.effectiveMode == .seccomp)
        }
        // numpy float64 and numpy bool returned by field_accuracy arrive as plain JSON numbers and booleans.
        let pred = scratch.appendingPathComponent("pred1")
        let (r, _) = try await Self.evaluate(task, pred: pred, ref: instance.referenceDirectory, bridge: bridge, params: instance.parameters)
        let field = try #require(r.componentScores.first)
        #expect(field.passed == true && field.message == "relative_l2 0.0325")
        #expect(abs((field.details["relative_l2"]?.doubleValue ?? 0) - 0.0325) < 1e-12)
    }

    @Test("a run through the task sandbox records the scorer bridge beside the agent's provenance")
    func endToEndInTaskMode() async throws {
        let out = try TestSupport.temporaryDirectory("custom-e2e")
        defer { try? FileManager.default.removeItem(at: out) }
        let agent = try AgentCommand(template: "python3 \(Self.fixtureRoot.path)/agent.py --field-error 0.0325 --wrong-rows 2")
        var config = RunConfiguration(tasksDirectory: Self.fixtureRoot, levels: [.b3], seed: 5, agentCommand: agent, sandbox: .task,
                                      timeoutSeconds: 60, outputDirectory: out, readOnlyBinds: [Self.fixtureRoot])
        config.scorerTimeoutSeconds = 60
        let summary = try await BenchmarkRunner(config: config).run()
        let r = try #require(summary.results.first)
        #expect(r.outcome == .scored, "\(r.message ?? "")")
        #expect(abs((r.finalScore ?? -1) - 77.5) <= 1e-9)
        let json = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("testing.custom_parity/\(r.instanceID).json")))
        let bridge = try #require(json["scorer_bridge"])
        #expect(bridge["effective_mode"] == "task" && bridge["enforcement_status"] == "enforced" && bridge["verification_status"] == "verified")
        #expect(bridge["calls"] == 4 && bridge["status"] == "completed")
        #expect(bridge["scorers"]?.arrayValue?.count == 4)
        #expect((bridge["start_seconds"]?.doubleValue ?? 99) < 10)
        // The prompt level reaches custom scorers as config.prompt_level, as in the Python tool; results stay valid.
        #expect(try RunValidator.validate(directory: out).problems.isEmpty)
    }

    // MARK: - Failures are honest

    /// A task folder holding only `custom_scorer.py` with `source`, scored by `scorer` with weight 10.
    static func scratchTask(_ source: String, scorer: String, packages: [String] = []) throws -> TaskDefinition {
        let root = try TestSupport.temporaryDirectory("custom-task")
        let dir = root.appendingPathComponent("testing/custom_case")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let header = "import json\nimport numpy as np\nfrom ai4sci_bench.core.scorer import Scorer, register_scorer\nfrom ai4sci_bench.core.types import ScoreDetail\n\n"
        try (header + source).write(to: dir.appendingPathComponent("custom_scorer.py"), atomically: true, encoding: .utf8)
        var raw: [String: JSONValue] = [:]
        if !packages.isEmpty { raw["runtime"] = ["packages": .array(packages.map { .string($0) })] }
        return TaskDefinition(id: "testing.custom_case", name: "case", version: "1", status: .test, domain: "testing", directory: dir,
                              prompts: [:], outputFiles: [], evaluation: EvaluationSpec(scoring: [ScorerSpec(scorer: scorer, weight: 10)]),
                              generation: GenerationSpec(), raw: raw)
    }

    static func evaluate(_ task: TaskDefinition, bridge: ScorerBridge) async throws -> (EvaluationResult, BridgeRecord) {
        let dirs = try TempDirs()
        return try await evaluate(task, pred: dirs.pred, ref: dirs.ref, bridge: bridge)
    }

    @Test("a custom_scorer.py whose import fails: evaluation_invalid with the exact Python error and a hint")
    func failingImport() async throws {
        let task = try Self.scratchTask("import ai4sci_no_such_module\n\n@register_scorer('never')\nclass Never(Scorer):\n    pass\n",
                                        scorer: "never", packages: ["numpy>=1.0"])
        defer { try? FileManager.default.removeItem(at: task.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let (r, record) = try await Self.evaluate(task, bridge: try Self.bridge())
        #expect(r.finalScore == nil)
        let reason = try #require(r.invalidReason)
        #expect(reason.contains("custom_scorer.py could not be loaded: ModuleNotFoundError: No module named 'ai4sci_no_such_module'"), "\(reason)")
        #expect(reason.contains("install ai4sci_no_such_module") && reason.contains("runtime.packages: numpy>=1.0"), "\(reason)")
        let details = try #require(r.componentScores.first?.details)
        #expect(details["missing_module"] == "ai4sci_no_such_module" && details["exception_type"] == "ModuleNotFoundError")
        #expect(details["scorer_internal_error"] == true)
        #expect(record.hello?.ok == false)

        // The same import inside score(): only known at scoring time, same honesty.
        let lazy = try Self.scratchTask("@register_scorer('lazy')\nclass Lazy(Scorer):\n    def score(self, pred_dir, ref_dir, config):\n        import pandas_is_not_here\n",
                                        scorer: "lazy")
        defer { try? FileManager.default.removeItem(at: lazy.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let (l, _) = try await Self.evaluate(lazy, bridge: try Self.bridge())
        #expect(l.invalidReason?.contains("custom scorer \"lazy\" raised ModuleNotFoundError: No module named 'pandas_is_not_here' (install pandas_is_not_here") == true,
                "\(l.invalidReason ?? "")")
    }

    @Test("no interpreter: the item is still evaluated, each custom scorer invalid with what to fix")
    func missingInterpreter() async throws {
        let task = try Self.scratchTask("@register_scorer('x')\nclass X(Scorer):\n    pass\n", scorer: "x")
        defer { try? FileManager.default.removeItem(at: task.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let bridge = ScorerBridge(launcher: try AgentLauncher(), options: ScorerBridgeOptions(python: "/nonexistent/python3"))
        let (r, record) = try await Self.evaluate(task, bridge: bridge)
        #expect(r.invalidReason?.contains("the Python interpreter \"/nonexistent/python3\" that runs custom scorers was not found") == true,
                "\(r.invalidReason ?? "")")
        #expect(r.componentScores.first?.details["hint"]?.stringValue?.contains("--scorer-python") == true)
        #expect(record.launch == nil && record.hello == nil)
    }

    @Test("a scorer that raises: evaluation_invalid with the exception and its traceback tail")
    func raisingScorer() async throws {
        let task = try Self.scratchTask("""
            @register_scorer('boom')
            class Boom(Scorer):
                def score(self, pred_dir, ref_dir, config):
                    print('diagnostics on stdout must not break the protocol')
                    raise ValueError(f"reference missing in {ref_dir.name}, weight {config['weight']}, level {config['prompt_level']}")

            """, scorer: "boom")
        defer { try? FileManager.default.removeItem(at: task.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let (r, record) = try await Self.evaluate(task, bridge: try Self.bridge())
        let reason = try #require(r.invalidReason)
        #expect(reason.contains("custom scorer \"boom\" raised ValueError: reference missing in ref, weight 10, level b2"), "\(reason)")
        let details = try #require(r.componentScores.first?.details)
        #expect(details["exception_type"] == "ValueError")
        let tail = details["traceback_tail"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(tail.contains { $0.contains("custom_scorer.py") && $0.contains("line 10") }, "\(tail)")
        #expect(record.stderr.contains("diagnostics on stdout must not break the protocol"))
    }

    @Test("a scorer that never returns: killed with its process tree after the timeout, evaluation_invalid")
    func loopingScorer() async throws {
        let marker = "loop-\(UUID().uuidString.prefix(8))"
        let task = try Self.scratchTask("""
            import subprocess, sys
            @register_scorer('spin')
            class Spin(Scorer):
                def score(self, pred_dir, ref_dir, config):
                    subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)', '\(marker)'])
                    while True:
                        pass

            """, scorer: "spin")
        defer { try? FileManager.default.removeItem(at: task.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let start = ContinuousClock.now
        let (r, record) = try await Self.evaluate(task, bridge: try Self.bridge(timeout: 2))
        let elapsed = ContinuousClock.now - start
        #expect(r.invalidReason?.contains("custom scorer \"spin\" timed out after 2 s") == true, "\(r.invalidReason ?? "")")
        #expect(r.componentScores.first?.details["timeout_seconds"] == 2)
        #expect(elapsed < .seconds(20), "\(elapsed)")
        #expect(record.launch?.status == .cancelled)
        // Nothing the scorer started survives it.
        #expect(BatchSupport.processes(containing: marker).isEmpty, "left running: \(BatchSupport.processes(containing: marker))")
    }

    @Test("numpy types convert; NaN inside details is kept as text, a NaN score is invalid")
    func numpyTypesAndNaN() async throws {
        let task = try Self.scratchTask("""
            @register_scorer('typed')
            class Typed(Scorer):
                def score(self, pred_dir, ref_dir, config):
                    w = config['weight']
                    return ScoreDetail(self.name, np.float64(w) * np.float32(0.25), np.int64(w), np.bool_(True),
                                       {'errors': np.array([0.5, np.nan, np.inf]), 'count': np.int32(3), 'flag': np.bool_(False)}, 'typed')

            @register_scorer('nan_score')
            class NanScore(Scorer):
                def score(self, pred_dir, ref_dir, config):
                    return ScoreDetail(self.name, float('nan'), config['weight'], False, {}, '')

            """, scorer: "typed")
        defer { try? FileManager.default.removeItem(at: task.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let (r, _) = try await Self.evaluate(task, bridge: try Self.bridge())
        #expect(r.isValid && r.finalScore == 2.5, "\(r.invalidReason ?? "")")
        let d = try #require(r.componentScores.first)
        #expect(d.passed && d.message == "typed")
        #expect(d.details["errors"] == [0.5, "nan", "inf"])
        #expect(d.details["count"] == 3 && d.details["flag"] == false)
        #expect(d.details["non_finite_details"] == ["errors[1]", "errors[2]"])

        var nanTask = task
        nanTask.evaluation = EvaluationSpec(scoring: [ScorerSpec(scorer: "nan_score", weight: 10)])
        let (n, _) = try await Self.evaluate(nanTask, bridge: try Self.bridge())
        #expect(n.finalScore == nil)
        #expect(n.invalidReason?.contains("non-finite score") == true, "\(n.invalidReason ?? "")")
        #expect(n.componentScores.first?.details["kind"] == "non_finite")
    }

    @Test("the scorer sandbox in task mode: no network, read-only outside its scratch folder")
    func scorerSandboxIsolation() async throws {
        let task = try Self.scratchTask("""
            import os, socket
            @register_scorer('probe')
            class Probe(Scorer):
                def score(self, pred_dir, ref_dir, config):
                    out = {}
                    try:
                        open(pred_dir / 'planted.txt', 'w').write('x')
                        out['write_pred'] = 'ok'
                    except OSError as e:
                        out['write_pred'] = type(e).__name__
                    try:
                        s = socket.create_connection(('1.1.1.1', 53), timeout=2)
                        out['network'] = 'ok'
                    except OSError as e:
                        out['network'] = type(e).__name__
                    open('scratch.txt', 'w').write('x')
                    out['read_ref'] = (ref_dir / 'field.npy').exists() or (ref_dir / 'exact.npy').exists() or sorted(os.listdir(ref_dir))
                    out['uid'] = os.getuid()
                    return ScoreDetail(self.name, config['weight'], config['weight'], True, out, '')

            """, scorer: "probe")
        defer { try? FileManager.default.removeItem(at: task.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let dirs = try TempDirs()
        try Data("ref".utf8).write(to: dirs.ref.appendingPathComponent("exact.npy"))
        let (r, record) = try await Self.evaluate(task, pred: dirs.pred, ref: dirs.ref, bridge: try Self.bridge(.task))
        #expect(r.isValid, "\(r.invalidReason ?? "")")
        let d = try #require(r.componentScores.first?.details)
        #expect(d["write_pred"] != "ok" && d["network"] != "ok", "\(d)")
        #expect(d["read_ref"] == true && d["uid"] == 1000, "\(d)")
        #expect(!FileManager.default.fileExists(atPath: dirs.pred.appendingPathComponent("planted.txt").path))
        #expect(record.launch?.provenance.effectiveMode == .task && record.launch?.provenance.verificationStatus == .verified)
    }

    // MARK: - Validation

    @Test("validation lists the names custom_scorer.py registers, rejects unknown ones and reports missing packages")
    func validation() async throws {
        let root = try TestSupport.temporaryDirectory("custom-validate")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("testing/custom_parity")
        try FileManager.default.copyItem(at: Self.parityDir, to: dir)
        var yaml = try String(contentsOf: dir.appendingPathComponent("task.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "scorer: profile_table", with: "scorer: profile_tabel")
        yaml = yaml.replacingOccurrences(of: "packages: [\"numpy>=1.20\"]", with: "packages: [\"numpy>=1.20\", \"ai4sci-absent-package>=2\", \"numpy<1\"]")
        try yaml.write(to: dir.appendingPathComponent("task.yaml"), atomically: true, encoding: .utf8)

        // Loading defers the unknown name to the bridge check (the file may register it).
        let outcome = TaskLoader.load(directory: dir, registry: ScorerRegistry())
        let task = try #require(outcome.task, "\(outcome.issues)")
        let report = await CustomScorerCheck.check(task, bridge: try Self.bridge(), packages: true)
        #expect(report.hello?.scorers == ["field_accuracy", "profile_table", "summary_energy", "summary_has_energy"])
        let errors = report.issues.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.keyPath == "evaluation.scoring[1].scorer" && errors.first?.message == "unknown scorer \"profile_tabel\"")
        #expect(errors.first?.hint?.contains("custom_scorer.py registers: field_accuracy, profile_table, summary_energy, summary_has_energy") == true)
        let warnings = report.issues.filter { $0.severity == .warning }
        #expect(warnings.map(\.keyPath) == ["runtime.packages[1]", "runtime.packages[2]"], "\(warnings)")
        #expect(warnings.first?.message.contains("ai4sci-absent-package>=2: not installed") == true)

        // A run refuses to start on it, before any agent runs.
        let out = root.appendingPathComponent("out")
        let config = RunConfiguration(tasksDirectory: root, levels: [.b1], agentCommand: try AgentCommand(template: "true"),
                                      sandbox: .seccomp, outputDirectory: out)
        await #expect(throws: ValidationFailed.self) { try await BenchmarkRunner(config: config).run() }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("run_metadata.json").path))

        // Without custom_scorer.py an unknown name is an error at load time.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("custom_scorer.py"))
        let bare = TaskLoader.load(directory: dir, registry: ScorerRegistry())
        #expect(bare.task == nil)
        #expect(bare.issues.contains { $0.keyPath == "evaluation.gates[1].scorer" && ($0.hint ?? "").contains("custom_scorer.py") })

        // The CLI: exit 2 and the problem named with its file and key path.
        let cli = try await TestSupport.runCLI(["tasks", "validate", Self.fixtureRoot.path])
        #expect(cli.code == 0 && cli.out.contains("custom_scorer.py registers: field_accuracy, profile_table"), "\(cli.out)\(cli.err)")
        let broken = try await TestSupport.runCLI(["tasks", "validate", root.path])
        #expect(broken.code == 2 && broken.err.contains("evaluation.gates[1].scorer"), "\(broken.out)\(broken.err)")
    }
}
