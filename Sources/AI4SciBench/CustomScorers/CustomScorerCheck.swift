import Foundation

/// Checks tasks against the Python that will score them: loads each `custom_scorer.py` in the bridge, compares the
/// names it registers with those the task uses, and checks `runtime.packages` without importing them.
public enum CustomScorerCheck {
    /// What one task's check found.
    public struct Report: Sendable {
        /// The task.
        public var taskID: String
        /// The bridge's hello (nil when the bridge could not be started).
        public var hello: BridgeHello?
        /// Errors (a file that does not load, an unknown scorer name) and warnings (packages, shadowed built-ins).
        public var issues: [ValidationIssue]
    }

    /// Checks `tasks`: those with a `custom_scorer.py`, and, with `packages`, those declaring `runtime.packages`.
    /// Runs up to `jobs` bridges at once; reports come back in task order.
    public static func check(_ tasks: [TaskDefinition], bridge: ScorerBridge, packages: Bool,
                             jobs: Int = BatchConfiguration.activeCores) async -> [Report] {
        let todo = tasks.enumerated().filter { _, t in t.customScorerFile != nil || !t.customScorerNames.isEmpty || (packages && !t.runtimePackages.isEmpty) }
        var reports: [(Int, Report)] = []
        await withTaskGroup(of: (Int, Report).self) { group in
            var next = 0
            func add() {
                guard next < todo.count else { return }
                let (i, task) = todo[next]
                next += 1
                group.addTask { (i, await check(task, bridge: bridge, packages: packages)) }
            }
            for _ in 0..<max(1, jobs) { add() }
            for await r in group {
                reports.append(r)
                add()
            }
        }
        return reports.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Before a run: loads the `custom_scorer.py` of every task that uses custom names and throws
    /// ``ValidationFailed`` with the errors (a file that does not load, a name it does not register), so that a
    /// broken scorer stops the run before any agent is started instead of invalidating every item.
    public static func requireLoadable(_ tasks: [TaskDefinition], bridge: ScorerBridge) async throws {
        let reports = await check(tasks.filter { !$0.customScorerNames.isEmpty }, bridge: bridge, packages: false)
        let errors = reports.flatMap(\.issues).filter { $0.severity == .error }
        if !errors.isEmpty { throw ValidationFailed(issues: errors) }
    }

    /// Checks one task.
    public static func check(_ task: TaskDefinition, bridge: ScorerBridge, packages: Bool) async -> Report {
        let evalFile = file(of: task, key: "evaluation")
        let scorerFile = PathDisplay.relative(task.directory.appendingPathComponent(TaskDefinition.customScorerFileName))
        var issues: [ValidationIssue] = []
        let hello: BridgeHello
        do {
            hello = try await bridge.listing(task: task)
        } catch {
            let f = ScorerBridge.failure(error)
            let cause = f.message.hasPrefix("the scorer bridge could not start: ") ? f.message : "the scorer bridge could not start: \(f.message)"
            issues.append(ValidationIssue(file: scorerFile, keyPath: "", message: "not checked: \(cause)", hint: f.details["hint"]?.stringValue))
            return Report(taskID: task.id, hello: nil, issues: issues)
        }
        if !hello.ok {
            let f = CustomScorerHints.loadFailure(hello, task: task, options: bridge.options)
            issues.append(ValidationIssue(file: scorerFile, keyPath: "", message: "does not load: \(hello.error ?? "unknown error")",
                                          hint: f.details["hint"]?.stringValue ?? hello.tracebackTail.last(where: { $0.contains("File ") })?.trimmingCharacters(in: .whitespaces)))
        } else {
            let registered = Set(hello.scorers)
            let sections: [(String, [ScorerSpec])] = [("gates", task.evaluation.gates), ("scoring", task.evaluation.scoring)]
            for (section, specs) in sections {
                for (i, spec) in specs.enumerated() where !ScorerRegistry.builtInNames.contains(spec.scorer) && !registered.contains(spec.scorer) {
                    let available = hello.scorers.isEmpty ? "custom_scorer.py registers no scorer" : "custom_scorer.py registers: \(hello.scorers.joined(separator: ", "))"
                    issues.append(ValidationIssue(
                        file: evalFile, keyPath: "evaluation.\(section)[\(i)].scorer", message: "unknown scorer \"\(spec.scorer)\"",
                        hint: hello.hasCustomScorer ? "\(available); built in: \(ScorerRegistry.builtInNames.joined(separator: ", "))"
                            : "built in: \(ScorerRegistry.builtInNames.joined(separator: ", ")); a task-specific scorer is registered by custom_scorer.py"))
                }
            }
            for name in hello.scorers where ScorerRegistry.builtInNames.contains(name) {
                issues.append(ValidationIssue(file: scorerFile, keyPath: "", message: "registers \"\(name)\", the name of a built-in scorer; the built-in one is used",
                                              hint: "rename the custom scorer and use the new name in the task", severity: .warning))
            }
        }
        if packages {
            let runtimeFile = file(of: task, key: "runtime")
            let python = [hello.python.map { "Python \($0)" }, hello.executable].compactMap { $0 }.joined(separator: " at ")
            for (i, p) in hello.packages.enumerated() where !p.ok {
                issues.append(ValidationIssue(
                    file: runtimeFile, keyPath: "runtime.packages[\(i)]",
                    message: "\(p.requirement): \(p.problem ?? "not satisfied") in \(python.isEmpty ? bridge.options.python : python)",
                    hint: "install it (\(bridge.options.python) -m pip install '\(p.requirement)'): the agent's code and the task's scorers may need it",
                    severity: .warning))
            }
        }
        return Report(taskID: task.id, hello: hello, issues: issues)
    }

    /// The file of a split task that holds a top-level key (`evaluation` lives in task_eval.yaml, the rest in task_meta.yaml).
    static func file(of task: TaskDefinition, key: String) -> String {
        let single = task.directory.appendingPathComponent("task.yaml")
        if FileManager.default.fileExists(atPath: single.path) { return PathDisplay.relative(single) }
        let eval = key == "evaluation" || key == "generation"
        return PathDisplay.relative(task.directory.appendingPathComponent(eval ? "task_eval.yaml" : "task_meta.yaml"))
    }
}
