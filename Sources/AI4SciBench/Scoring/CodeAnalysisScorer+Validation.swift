import Foundation

extension CodeAnalysisScorer {
    /// Checks `target_file`, every check (pattern compiles, flags are booleans, `forbidden_imports` is a
    /// list of module names), `min_lines`/`max_lines` and `scoring_mode`.
    public func validate(config: [String: JSONValue]) -> [ValidationIssue] {
        var c = ConfigChecker()
        c.unknownKeys(config, known: ["target_file", "checks", "scoring_mode", "min_lines", "max_lines", "strip_strings",
                                      "weight", "description", "prompt_level"])
        c.string(config, "target_file")
        c.oneOf(config, "scoring_mode", CheckListScoring.names)
        c.number(config, "min_lines", integer: true, minimum: 0)
        c.number(config, "max_lines", integer: true, minimum: 0)
        c.bool(config, "strip_strings")
        guard let checks = config["checks"] else { return c.issues }
        guard let list = checks.arrayValue else {
            c.error("checks", "expected a list of checks, got \(checks.shortDescription)")
            return c.issues
        }
        for (i, item) in list.enumerated() {
            let p = "checks[\(i)]."
            guard let check = item.objectValue else {
                c.error("checks[\(i)]", "expected a mapping such as {pattern: \"flux\", required: true}, got \(item.shortDescription)")
                continue
            }
            if let mods = check["forbidden_imports"] {
                c.unknownKeys(check, known: ["forbidden_imports", "description"], prefix: p)
                if !(mods.arrayValue?.allSatisfy({ $0.stringValue != nil }) ?? false) {
                    c.error(p + "forbidden_imports", "expected a list of module names, got \(mods.shortDescription)",
                            hint: "e.g. forbidden_imports: [scipy, numpy.linalg]")
                }
                continue
            }
            c.unknownKeys(check, known: ["pattern", "required", "forbidden", "min_count", "description"], prefix: p)
            guard let pattern = check["pattern"] else {
                c.error(p + "pattern", "missing required key \"pattern\"", hint: "give a regular expression, or use forbidden_imports: [...]")
                continue
            }
            if let s = pattern.stringValue {
                if (try? NSRegularExpression(pattern: s)) == nil {
                    c.error(p + "pattern", "invalid regular expression \"\(s)\"")
                }
            } else {
                c.error(p + "pattern", "expected a string, got \(pattern.shortDescription)")
            }
            c.bool(check, "required", prefix: p)
            c.bool(check, "forbidden", prefix: p)
            c.number(check, "min_count", prefix: p, integer: true, minimum: 0)
            if check["required"] == nil, check["forbidden"] == nil, check["min_count"] == nil {
                c.warning("checks[\(i)]", "the check has no required/forbidden/min_count and always passes")
            }
        }
        return c.issues
    }
}
