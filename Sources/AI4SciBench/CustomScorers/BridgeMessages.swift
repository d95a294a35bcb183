import Foundation

extension TaskDefinition {
    /// The file that registers a task's own scorers, beside its yaml.
    public static let customScorerFileName = "custom_scorer.py"

    /// `custom_scorer.py` of this task, when it has one.
    public var customScorerFile: URL? {
        let url = directory.appendingPathComponent(Self.customScorerFileName)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Scorer names used by the gates and scoring that are not built in, in order of first use.
    public var customScorerNames: [String] {
        var seen = Set<String>()
        return (evaluation.gates + evaluation.scoring).map(\.scorer)
            .filter { !ScorerRegistry.builtInNames.contains($0) && seen.insert($0).inserted }
    }

    /// `runtime.packages`: pip requirements the task's code (and its scorers) rely on.
    public var runtimePackages: [String] {
        raw["runtime"]?.objectValue?["packages"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

/// Turns bridge answers into score details or ``ScorerFailure``s with the exact Python error and what to do.
enum CustomScorerHints {
    /// Import names whose pip distribution is named differently.
    static let pipNames = ["PIL": "pillow", "sklearn": "scikit-learn", "skimage": "scikit-image", "cv2": "opencv-python-headless",
                           "yaml": "pyyaml", "Bio": "biopython", "mpl_toolkits": "matplotlib"]

    /// What to do about a missing module: install it (with the task's declared packages), or, for the Python tool's
    /// own modules, what the bridge provides.
    static func hint(missingModule module: String, task: TaskDefinition, options: ScorerBridgeOptions) -> String {
        if module == "ai4sci_bench" || module.hasPrefix("ai4sci_bench.") {
            return "the bridge provides only ai4sci_bench.core.scorer (Scorer, register_scorer, get_scorer, list_scorers) and ai4sci_bench.core.types (ScoreDetail, PromptLevel); put other helpers in a module beside custom_scorer.py"
        }
        let top = String(module.prefix { $0 != "." })
        let pip = pipNames[top] ?? top
        var h = "install \(pip) for the interpreter that runs custom scorers (\(options.python) -m pip install \(pip)), or pass --scorer-python with one that has it"
        let declared = task.runtimePackages
        if !declared.isEmpty { h += "; the task's runtime.packages: \(declared.joined(separator: ", "))" }
        return h
    }

    /// The failure of every custom scorer of an item whose `custom_scorer.py` did not load.
    static func loadFailure(_ h: BridgeHello, task: TaskDefinition, options: ScorerBridgeOptions) -> ScorerFailure {
        let error = h.error ?? "unknown error"
        var details: [String: JSONValue] = ["kind": "load_error", "python_error": .string(error),
                                            "traceback_tail": .array(h.tracebackTail.map { .string($0) })]
        if let t = h.exceptionType { details["exception_type"] = .string(t) }
        var message = "\(TaskDefinition.customScorerFileName) could not be loaded: \(error)"
        if let m = h.missingModule {
            details["missing_module"] = .string(m)
            let hint = hint(missingModule: m, task: task, options: options)
            details["hint"] = .string(hint)
            message += " (\(hint))"
        } else if let last = h.tracebackTail.last(where: { $0.contains("File ") }) {
            message += " at \(last.trimmingCharacters(in: .whitespaces))"
        }
        return ScorerFailure(message, details: details)
    }

    /// Decodes one answer line of call `id`.
    /// A detail flagged `scorer_internal_error: true` (the Python tool's convention for "the evaluation itself failed",
    /// e.g. an unreadable reference) is a failure too, not a score.
    static func decodeResponse(_ line: String, id: Int, scorer: String, weight: Double, task: TaskDefinition,
                               options: ScorerBridgeOptions) throws -> ScoreDetail {
        guard let v = try? JSONValue.parse(Data(line.utf8)), let o = v.objectValue else {
            throw ScorerFailure("the scorer bridge answered custom scorer \"\(scorer)\" with a line that is not JSON: \(line.prefix(200))")
        }
        guard o["id"]?.intValue == id else {
            throw ScorerFailure("the scorer bridge answered call \(o["id"]?.shortDescription ?? "null") instead of \(id) (\(o["error"]?.stringValue ?? "protocol error"))")
        }
        guard o["ok"]?.boolValue == true else {
            let kind = o["kind"]?.stringValue ?? "error"
            let error = o["error"]?.stringValue ?? "no error message"
            var details: [String: JSONValue] = ["kind": .string(kind), "python_error": .string(error)]
            for key in ["exception_type", "missing_module", "traceback_tail"] { if let x = o[key], !x.isNull { details[key] = x } }
            var message: String
            switch kind {
            case "exception": message = "custom scorer \"\(scorer)\" raised \(error)"
            default: message = error
            }
            if let m = o["missing_module"]?.stringValue {
                let hint = hint(missingModule: m, task: task, options: options)
                details["hint"] = .string(hint)
                message += " (\(hint))"
            } else if kind == "exception", let last = o["traceback_tail"]?.arrayValue?.compactMap(\.stringValue)
                        .last(where: { $0.contains("File ") }) {
                message += " at \(last.trimmingCharacters(in: .whitespaces))"
            }
            throw ScorerFailure(message, details: details)
        }
        guard let d = o["detail"]?.objectValue, let score = d["score"]?.doubleValue else {
            throw ScorerFailure("the scorer bridge answered custom scorer \"\(scorer)\" without a detail.score")
        }
        var details = d["details"]?.objectValue ?? [:]
        // Where the bridge turned NaN/Inf into text, and attributes beyond the six ScoreDetail fields.
        for key in ["non_finite_details", "extra"] { if let x = d[key] { details[key] = x } }
        let message = d["message"]?.stringValue ?? ""
        if details["scorer_internal_error"]?.boolValue == true {
            throw ScorerFailure("custom scorer \"\(scorer)\" reported an internal error\(message.isEmpty ? "" : ": \(message)")", details: details)
        }
        let maxScore = d["max_score"]?.doubleValue ?? weight
        if maxScore != weight { details["returned_max_score"] = .number(maxScore) }
        return ScoreDetail(scorerName: d["scorer_name"]?.stringValue ?? scorer, score: score, maxScore: maxScore,
                           passed: d["passed"]?.boolValue ?? false, message: message, details: details)
    }
}
