import Foundation

extension NumericalScorer {
    /// Every config key the scorer reads (plus `weight`/`description`, tolerated for asibench files).
    static let knownKeys: Set<String> = [
        "metric", "file", "pred_file", "ref_file", "column", "row", "nan_policy", "scoring", "threshold",
        "full_score_threshold", "zero_score_threshold", "tolerance", "items", "per_item_score", "alignment",
        "rtol", "atol", "equal_nan", "scoring_mode", "weight", "description", "prompt_level",
    ]

    /// Checks `metric`, file keys, `row`, `column`, scoring keys and metric-specific options.
    public func validate(config: [String: JSONValue]) -> [ValidationIssue] {
        var c = ConfigChecker()
        c.unknownKeys(config, known: Self.knownKeys)
        c.oneOf(config, "metric", Self.metrics)
        let metric = config["metric"]?.stringValue ?? "relative_l2"
        for key in ["file", "pred_file", "ref_file"] { c.string(config, key) }
        let hasPred = config["file"]?.stringValue != nil || config["pred_file"]?.stringValue != nil
        let hasRef = config["file"]?.stringValue != nil || config["ref_file"]?.stringValue != nil
        if !hasPred {
            c.error("file", "no prediction file", hint: "set file (same name in both directories) or pred_file and ref_file")
        } else if !hasRef, metric != "max_ratio" {
            c.error("ref_file", "no reference file", hint: "set ref_file (or file for the same name in both directories)")
        }
        if let col = config["column"], !col.isNull, col.stringValue == nil, col.intValue == nil {
            c.error("column", "expected a column name or a zero-based index, got \(col.shortDescription)")
        }
        let names = ["file", "pred_file", "ref_file"].compactMap { config[$0]?.stringValue }
        if names.contains(where: { $0.lowercased().hasSuffix(".csv") }), config["column"] == nil {
            c.error("column", "a CSV file needs a column", hint: "add column: <header name or index>")
        }
        if let row = config["row"], !row.isNull, RowSelection(row) == nil,
           !(row.stringValue.map(ConfigChecker.isTemplate) ?? false) {
            c.error("row", "expected an integer or a slice such as \"1:5\" or \"-3:\", got \(row.shortDescription)")
        }
        c.oneOf(config, "nan_policy", ["omit", "propagate"])
        c.oneOf(config, "scoring", ErrorScoring.modes)
        for key in ["threshold", "full_score_threshold", "zero_score_threshold", "tolerance", "per_item_score"] {
            c.number(config, key)
        }
        c.number(config, "rtol", minimum: 0)
        c.number(config, "atol", minimum: 0)
        c.number(config, "items", integer: true, minimum: 0)
        c.bool(config, "equal_nan")
        if config["scoring"]?.stringValue == "threshold", config["threshold"] == nil {
            c.error("threshold", "scoring is \"threshold\" but no threshold is given", hint: "add threshold: <number>")
        }
        if let full = config["full_score_threshold"].flatMap(ScorerConfig.number),
           let zero = config["zero_score_threshold"].flatMap(ScorerConfig.number), metric != "correlation", zero <= full {
            c.warning("zero_score_threshold", "zero_score_threshold (\(zero)) is not above full_score_threshold (\(full)); scoring becomes a step")
        }
        if metric == "allclose" { c.oneOf(config, "scoring_mode", ["all_or_nothing", "fraction"]) }
        if config["nan_policy"] != nil, metric != "relative_l2" {
            c.warning("nan_policy", "nan_policy is only applied by metric relative_l2")
        }
        if let align = config["alignment"], !align.isNull {
            if let obj = align.objectValue {
                c.unknownKeys(obj, known: ["enabled", "max_shift", "periodic"], prefix: "alignment.")
                c.bool(obj, "enabled", prefix: "alignment.")
                c.bool(obj, "periodic", prefix: "alignment.")
                c.number(obj, "max_shift", prefix: "alignment.", integer: true, minimum: 0)
            } else {
                c.error("alignment", "expected a mapping {enabled, max_shift}, got \(align.shortDescription)")
            }
            if metric != "per_frame_relative_l2" {
                c.warning("alignment", "alignment is only used by metric per_frame_relative_l2")
            }
        }
        return c.issues
    }
}
