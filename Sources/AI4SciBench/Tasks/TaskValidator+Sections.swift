import Foundation

extension TaskValidator {
    mutating func readEvaluation(_ doc: [String: JSONValue], known: Set<String>) -> EvaluationSpec? {
        guard let eval = reader.object(doc, "evaluation", path: "", required: true, hint: "evaluation: {gates: [...], scoring: [...]}") else { return nil }
        var spec = EvaluationSpec()
        if let mode = reader.enumeration(eval, "hard_fail_score_mode", path: "evaluation", as: HardFailScoreMode.self) {
            spec.hardFailScoreMode = mode
        }
        if let d = reader.number(eval, "score_divisor", path: "evaluation", required: false) {
            if d > 0, d.isFinite { spec.scoreDivisor = d } else { reader.error("evaluation.score_divisor", "must be a number greater than 0, got \(d)") }
        }
        if let gates = reader.array(eval, "gates", path: "evaluation", required: false) {
            spec.gates = Self.uniqueNames(gates.enumerated().compactMap { readScorer($1, path: "evaluation.gates[\($0)]", isGate: true, known: known) })
        }
        if let scoring = reader.array(eval, "scoring", path: "evaluation", required: true, hint: "a list of {scorer, weight, config}") {
            if scoring.isEmpty { reader.error("evaluation.scoring", "must hold at least one scorer") }
            spec.scoring = Self.uniqueNames(scoring.enumerated().compactMap { readScorer($1, path: "evaluation.scoring[\($0)]", isGate: false, known: known) })
            let total = spec.scoring.reduce(0) { $0 + $1.weight }
            if !spec.scoring.isEmpty, abs(total / spec.scoreDivisor - 100) > 1e-9 {
                reader.warning("evaluation.scoring", "weights sum to \(total)\(spec.scoreDivisor != 1 ? " / score_divisor \(spec.scoreDivisor)" : ""), not 100", hint: "scores are reported on a 0-100 scale; adjust the weights or score_divisor")
            }
        }
        return spec
    }

    /// Gives repeated display names a position suffix (`file_match`, `file_match#2`) so results name each entry.
    static func uniqueNames(_ specs: [ScorerSpec]) -> [ScorerSpec] {
        var seen: [String: Int] = [:]
        return specs.map { spec in
            var s = spec
            seen[spec.name, default: 0] += 1
            if let n = seen[spec.name], n > 1 { s.name = "\(spec.name)#\(n)" }
            return s
        }
    }

    mutating func readScorer(_ value: JSONValue, path: String, isGate: Bool, known: Set<String>) -> ScorerSpec? {
        guard let e = value.objectValue else {
            reader.error(path, "expected a mapping {scorer, \(isGate ? "severity" : "weight"), config}, got \(value.kindDescription) \(value.shortDescription)")
            return nil
        }
        let scorerName = reader.string(e, "scorer", path: path, required: true, hint: "known scorers: \(registry.knownNames.sorted().joined(separator: ", "))")
        let displayName = reader.string(e, "name", path: path, required: false)
        var weight = 1.0
        if let w = reader.number(e, "weight", path: path, required: !isGate, hint: "a number, e.g. weight: 40") {
            if w < 0 || !w.isFinite { reader.error("\(path).weight", "must be a number ≥ 0, got \(w)") } else { weight = w }
        }
        var severity = GateSeverity.hard
        if isGate, let s = reader.enumeration(e, "severity", path: path, as: GateSeverity.self) { severity = s }
        if !isGate, e["severity"] != nil {
            reader.warning("\(path).severity", "severity applies to gates only and is ignored here")
        }
        var config: [String: JSONValue] = [:]
        if let c = e["config"], !c.isNull {
            if let o = c.objectValue { config = o } else { reader.error("\(path).config", "expected a mapping, got \(c.kindDescription) \(c.shortDescription)") }
        }
        for (kp, msg, hint) in TemplateResolver.check(.object(config), known: known, path: "\(path).config") {
            reader.error(kp, msg, hint: hint)
        }
        guard let scorerName else { return nil }
        if let scorer = registry.scorer(named: scorerName) {
            for issue in scorer.validate(config: config) {
                let kp = issue.keyPath.isEmpty ? "\(path).config" : "\(path).config.\(issue.keyPath)"
                reader.issues.append(ValidationIssue(file: reader.file, keyPath: kp, message: issue.message, hint: issue.hint, severity: issue.severity))
            }
        } else if !FileManager.default.fileExists(atPath: directory.appendingPathComponent(TaskDefinition.customScorerFileName).path) {
            reader.error("\(path).scorer", "unknown scorer \"\(scorerName)\"",
                         hint: "known scorers: \(registry.knownNames.sorted().joined(separator: ", ")); a task-specific scorer is registered by \(TaskDefinition.customScorerFileName) in the task folder")
        }
        // Otherwise the name may come from custom_scorer.py: CustomScorerCheck runs it in the bridge and reports
        // an unknown name there, with the names it registers.
        return ScorerSpec(name: displayName, scorer: scorerName, weight: weight, severity: severity, config: config)
    }

    mutating func readGeneration(_ doc: [String: JSONValue]) -> GenerationSpec? {
        guard let gen = reader.object(doc, "generation", path: "", required: true, hint: "generation: {script: generate_gt.py, parameters: {...}}") else { return nil }
        var spec = GenerationSpec()
        if let script = reader.string(gen, "script", path: "generation", required: false) { spec.script = script }
        if !FileManager.default.fileExists(atPath: directory.appendingPathComponent(spec.script).path) {
            reader.error("generation.script", "generator \"\(spec.script)\" does not exist in \(PathDisplay.relative(directory))", hint: "add the script or fix the name")
        }
        if let mode = reader.enumeration(gen, "mode", path: "generation", as: GenerationSpec.Mode.self) { spec.mode = mode }
        if let t = reader.number(gen, "timeout_seconds", path: "generation", required: false) {
            if t > 0 { spec.timeoutSeconds = t } else { reader.error("generation.timeout_seconds", "must be greater than 0, got \(t)") }
        }
        if let params = reader.object(gen, "parameters", path: "generation", required: false) {
            for key in params.keys.sorted() {
                if let p = readParameter(key, params[key]!) { spec.parameters.append(p) }
            }
        }
        if let settings = reader.array(gen, "settings", path: "generation", required: spec.mode == .finite, hint: "finite mode cycles through a list of parameter mappings") {
            for (i, s) in settings.enumerated() {
                if let o = s.objectValue { spec.settings.append(o) } else { reader.error("generation.settings[\(i)]", "expected a mapping of parameter values, got \(s.kindDescription)") }
            }
        }
        return spec
    }

    mutating func readParameter(_ name: String, _ value: JSONValue) -> ParameterSpec? {
        let path = "generation.parameters.\(name)"
        guard let e = value.objectValue else {
            reader.error(path, "expected a mapping {type, range|options, default}, got \(value.kindDescription) \(value.shortDescription)")
            return nil
        }
        guard let kindName = reader.string(e, "type", path: path, required: true, hint: "int, float, choice or bool") else { return nil }
        guard let kind = ParameterSpec.Kind(rawValue: kindName) else {
            reader.error("\(path).type", "unknown parameter type \"\(kindName)\"", hint: "use int, float, choice or bool")
            return nil
        }
        var spec = ParameterSpec(name: name, kind: kind, defaultValue: e["default"])
        switch kind {
        case .int, .float:
            guard let r = reader.array(e, "range", path: path, required: e["default"] == nil, hint: "range: [low, high]") else { break }
            guard r.count == 2, let lo = r[0].doubleValue, let hi = r[1].doubleValue else {
                reader.error("\(path).range", "expected two numbers [low, high], got \(JSONValue.array(r).shortDescription)")
                break
            }
            if lo > hi { reader.error("\(path).range", "low \(lo) is greater than high \(hi)") } else { spec.range = lo...hi }
            if kind == .int, lo.rounded() != lo || hi.rounded() != hi { reader.error("\(path).range", "an int parameter needs whole-number bounds") }
        case .choice:
            if let options = reader.array(e, "options", path: path, required: true, hint: "options: [a, b]") {
                if options.isEmpty { reader.error("\(path).options", "must not be empty") }
                spec.options = options
            }
        case .bool:
            break
        }
        if let d = e["default"], !d.isNull {
            switch kind {
            case .int, .float:
                if d.doubleValue == nil { reader.error("\(path).default", "expected a number, got \(d.kindDescription) \(d.shortDescription)") }
            case .bool:
                if d.boolValue == nil { reader.error("\(path).default", "expected true or false, got \(d.shortDescription)") }
            case .choice:
                if !spec.options.isEmpty, !spec.options.contains(d) { reader.error("\(path).default", "\(d.shortDescription) is not one of the options") }
            }
        }
        return spec
    }
}
