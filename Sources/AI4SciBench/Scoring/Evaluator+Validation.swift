import Foundation

extension Evaluator {
    /// Checks an evaluation section statically: unknown scorer names, negative or non-finite weights,
    /// the divisor, and every scorer's own config checks. Key paths start at `evaluation.` (e.g.
    /// `evaluation.scoring[2].config.metric`); `file` is copied into every issue.
    public func validate(_ spec: EvaluationSpec, file: String = "") -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func add(_ keyPath: String, _ message: String, hint: String? = nil, severity: ValidationIssue.Severity = .error) {
            issues.append(ValidationIssue(file: file, keyPath: keyPath, message: message, hint: hint, severity: severity))
        }
        if !(spec.scoreDivisor.isFinite && spec.scoreDivisor > 0) {
            add("evaluation.score_divisor", "must be a positive number, got \(spec.scoreDivisor)")
        }
        if spec.scoring.isEmpty {
            add("evaluation.scoring", "no weighted scorers; every run scores 0", severity: .warning)
        }
        let sections: [(String, [ScorerSpec])] = [("gates", spec.gates), ("scoring", spec.scoring)]
        for (section, items) in sections {
            for (i, item) in items.enumerated() {
                let base = "evaluation.\(section)[\(i)]"
                if section == "scoring" {
                    if !item.weight.isFinite {
                        add("\(base).weight", "expected a finite number, got \(item.weight)")
                    } else if item.weight < 0 {
                        add("\(base).weight", "negative weight \(ConfigChecker.format(item.weight)) counts as 0",
                            hint: "use a weight ≥ 0", severity: .warning)
                    }
                }
                guard let scorer = registry.scorer(named: item.scorer) else {
                    add("\(base).scorer", "unknown scorer \"\(item.scorer)\"",
                        hint: "known scorers: \(registry.knownNames.joined(separator: ", "))")
                    continue
                }
                for var issue in scorer.validate(config: item.config) {
                    issue.file = file
                    issue.keyPath = issue.keyPath.isEmpty ? "\(base).config" : "\(base).config.\(issue.keyPath)"
                    issues.append(issue)
                }
            }
        }
        return issues
    }
}
