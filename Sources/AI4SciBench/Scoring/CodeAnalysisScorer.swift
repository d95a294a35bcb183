import Foundation

/// The `code_analysis` scorer: static checks on the agent's code file (`target_file`, default `simulation.py`).
///
/// Checks: `{pattern, required: true}` (found in the raw code, or a file-name pattern such as
/// `overview\.png` satisfied by that file existing, as asibench does), `{pattern, forbidden: true}`
/// (searched after removing comments and docstrings; add `strip_strings: true` to the scorer config to
/// also ignore the contents of every string literal), `{pattern, min_count: N}`, and
/// `{forbidden_imports: [mods]}` (parsed `import`/`from … import` statements; `numpy` also forbids
/// `numpy.linalg`). Config `min_lines`/`max_lines` add a line-count check. Patterns are regular
/// expressions (ICU syntax, compatible with Python's `re` for ordinary patterns). `scoring_mode` as `file_match`.
public struct CodeAnalysisScorer: Scorer {
    /// `code_analysis`.
    public let name = "code_analysis"

    /// Creates the scorer.
    public init() {}

    /// Runs the checks over `target_file` in the prediction directory.
    public func score(config: [String: JSONValue], weight: Double, context: ScoringContext) throws -> ScoreDetail {
        let cfg = ScorerConfig(config, scorer: name)
        let mode = try CheckListScoring.mode(cfg)
        let target = try cfg.string("target_file") ?? "simulation.py"
        let checks = try cfg.array("checks") ?? []
        let url = context.predictionDir.appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let msg = "Target file not found: \(target)"
            return ScoreDetail(scorerName: name, score: 0, maxScore: weight, passed: false, message: msg, details: ["error": .string(msg)])
        }
        guard let data = try? Data(contentsOf: url) else {
            let msg = "Cannot read target file: \(target)"
            return ScoreDetail(scorerName: name, score: 0, maxScore: weight, passed: false, message: msg, details: ["error": .string(msg)])
        }
        let code = String(decoding: data, as: UTF8.self)
        let source = PythonSource(code)
        let clean = source.stripped(stripStrings: try cfg.bool("strip_strings") ?? false)
        var results: [CheckResult] = []
        for (i, item) in checks.enumerated() {
            guard let check = item.objectValue else { throw cfg.fail("checks[\(i)]", "a mapping", item) }
            let c = ScorerConfig(check, scorer: name, prefix: "checks[\(i)].")
            if let modules = try c.array("forbidden_imports") {
                results.append(forbiddenImports(modules.compactMap(\.stringValue), source: source))
            } else {
                results.append(try patternCheck(c, code: code, clean: clean, dir: context.predictionDir))
            }
        }
        if cfg.has("min_lines") || cfg.has("max_lines") {
            let lines = Self.lineCount(code)
            var r = CheckResult(passed: true, ["check": "line_count", "lines": .number(Double(lines))])
            if let lo = try cfg.int("min_lines"), lines < lo { r.passed = false; r.message = "Too few lines: \(lines) < \(lo)" }
            if let hi = try cfg.int("max_lines"), lines > hi { r.passed = false; r.message = "Too many lines: \(lines) > \(hi)" }
            results.append(r)
        }
        return mode.detail(scorer: name, results: results, weight: weight, extra: ["target_file": .string(target)])
    }

    /// Lines as Python's `str.splitlines()` counts them.
    static func lineCount(_ code: String) -> Int {
        if code.isEmpty { return 0 }
        let parts = code.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        return parts.last?.isEmpty == true ? parts.count - 1 : parts.count
    }

    /// Compiles `pattern`, throwing a config error naming the check.
    static func regex(_ pattern: String, keyPath: String) throws -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern) } catch {
            throw BenchError(.evaluationFailed, "code_analysis config: \(keyPath): invalid regular expression \"\(pattern)\"")
        }
    }

    static func count(_ regex: NSRegularExpression, in text: String) -> Int {
        regex.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    private func patternCheck(_ c: ScorerConfig, code: String, clean: String, dir: URL) throws -> CheckResult {
        let pattern = try c.string("pattern") ?? ""
        let regex = try Self.regex(pattern, keyPath: c.prefix + "pattern")
        let count = Self.count(regex, in: code)
        var r = CheckResult(passed: true, ["pattern": .string(pattern), "count": .number(Double(count))])
        if try c.bool("required") ?? false, count == 0 {
            if let file = try Self.matchingOutputFile(pattern, dir: dir) {
                r.fields["satisfied_by_file"] = .string(file)
            } else {
                r.passed = false
                r.message = "Required pattern not found: \(pattern)"
            }
        } else if try c.bool("forbidden") ?? false, count > 0 {
            let cleanCount = Self.count(regex, in: clean)
            r.fields["count_in_code"] = .number(Double(cleanCount))
            if cleanCount > 0 {
                r.passed = false
                r.message = "Forbidden pattern found: \(pattern) (\(cleanCount) occurrences in code)"
            } else {
                r.message = "Forbidden pattern found only in comments/docstrings (\(count) occurrences), ignored"
            }
        } else if let minimum = try c.int("min_count"), count < minimum {
            r.passed = false
            r.message = "Pattern '\(pattern)' found \(count) times, need >= \(minimum)"
        }
        return r
    }

    private func forbiddenImports(_ modules: [String], source: PythonSource) -> CheckResult {
        let forbidden = modules.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let imported = source.importedModules()
        let matched = Set(imported.filter { m in forbidden.contains { m == $0 || m.hasPrefix($0 + ".") } }).sorted()
        var r = CheckResult(passed: matched.isEmpty, ["check": "forbidden_imports",
                                                       "forbidden_imports": .array(forbidden.map(JSONValue.string)),
                                                       "matched_imports": .array(matched.map(JSONValue.string)),
                                                       "count": .number(Double(matched.count))])
        if !matched.isEmpty { r.message = "Forbidden import found: \(matched.joined(separator: ", "))" }
        return r
    }

    /// A required pattern naming a file (e.g. `overview\.png`) is satisfied when that file was produced.
    static func matchingOutputFile(_ pattern: String, dir: URL) throws -> String? {
        let finder = try NSRegularExpression(pattern: #"([A-Za-z0-9_./-]+)\\\.(png|jpe?g|csv|npy|json|txt|pdf|svg)"#)
        let ns = pattern as NSString
        let fm = FileManager.default
        for m in finder.matches(in: pattern, range: NSRange(location: 0, length: ns.length)) {
            let candidate = ns.substring(with: m.range(at: 1)) + "." + ns.substring(with: m.range(at: 2))
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir.appendingPathComponent(candidate).path, isDirectory: &isDir), !isDir.boolValue {
                return candidate
            }
            let base = (candidate as NSString).lastPathComponent
            if let walker = fm.enumerator(atPath: dir.path) {
                while let rel = walker.nextObject() as? String {
                    if (rel as NSString).lastPathComponent == base,
                       fm.fileExists(atPath: dir.appendingPathComponent(rel).path, isDirectory: &isDir), !isDir.boolValue {
                        return rel
                    }
                }
            }
        }
        return nil
    }
}
