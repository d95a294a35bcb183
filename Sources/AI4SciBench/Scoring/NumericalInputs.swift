import Foundation

/// The `row` key of a `numerical` config: an index (`2`, `-1`) or a Python slice (`"1:5"`, `"-3:"`, `"::2"`).
///
/// An index keeps the leading axis (`a[i:i+1]`, as asibench does), so `row: 2` of a `(5,100)` array is `(1,100)`.
/// Unlike asibench, negative indices count from the end (`row: -1` is the last row, not an empty array).
public enum RowSelection: Sendable, Equatable {
    /// One row.
    case index(Int)
    /// `start:stop:step`, each optional.
    case slice(start: Int?, stop: Int?, step: Int?)

    /// Parses a config value; `nil` when it is neither an integer nor a slice string.
    public init?(_ value: JSONValue) {
        if let i = value.intValue { self = .index(i); return }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let i = Int(text) { self = .index(i); return }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var bounds: [Int?] = []
        for p in parts {
            if p.isEmpty { bounds.append(nil) } else if let i = Int(p) { bounds.append(i) } else { return nil }
        }
        if parts.count == 3, bounds[2] == 0 { return nil }
        self = .slice(start: bounds[0], stop: bounds[1], step: parts.count == 3 ? bounds[2] : nil)
    }

    /// The selected row indices of an axis of length `n`, or `nil` for an out-of-range index.
    public func rows(count n: Int) -> [Int]? {
        switch self {
        case .index(let i):
            let j = i < 0 ? i + n : i
            return (0..<n).contains(j) ? [j] : nil
        case .slice(let start, let stop, let step):
            let st = step ?? 1
            func norm(_ v: Int?, _ dflt: Int, lo: Int, hi: Int) -> Int {
                guard var x = v else { return dflt }
                if x < 0 { x += n }
                return min(max(x, lo), hi)
            }
            var out: [Int] = []
            if st > 0 {
                var i = norm(start, 0, lo: 0, hi: n)
                let end = norm(stop, n, lo: 0, hi: n)
                while i < end { out.append(i); i += st }
            } else {
                var i = norm(start, n - 1, lo: -1, hi: n - 1)
                let end = norm(stop, -1, lo: -1, hi: n - 1)
                while i > end { out.append(i); i += st }
            }
            return out
        }
    }

    /// Applies the selection along axis 0; `nil` for an out-of-range index or a 0-d array.
    public func apply(to array: NPYArray) -> NPYArray? {
        guard let n = array.shape.first, let rows = rows(count: n) else { return nil }
        let rowSize = n == 0 ? 0 : array.count / n
        var values: [Double] = []
        var imag: [Double]? = array.imaginary == nil ? nil : []
        values.reserveCapacity(rows.count * rowSize)
        for r in rows {
            values.append(contentsOf: array.values[(r * rowSize)..<((r + 1) * rowSize)])
            if let im = array.imaginary { imag?.append(contentsOf: im[(r * rowSize)..<((r + 1) * rowSize)]) }
        }
        var out = array
        out.shape = [rows.count] + array.shape.dropFirst()
        out.values = values
        out.imaginary = imag
        return out
    }
}

/// The prediction and reference arrays of a `numerical` config, or the agent-side reason there are none.
enum NumericalInputs {
    case arrays(pred: NPYArray, ref: NPYArray, predName: String)
    /// A problem with the agent's output: scored 0 with this message.
    case agentFault(String)

    /// Loads `pred_file`/`ref_file` (or `file`) as `.npy`, or a CSV `column`, applies `row`, and compares shapes.
    /// Throws `evaluationFailed` when the reference is missing or unreadable or the config is wrong.
    static func load(_ config: ScorerConfig, context: ScoringContext, needsReference: Bool = true) throws -> NumericalInputs {
        let file = try config.string("file")
        guard let predName = try config.string("pred_file") ?? file else {
            throw BenchError(.evaluationFailed, "\(config.scorer) config: no prediction file", hint: "set file or pred_file")
        }
        let refName = try config.string("ref_file") ?? file
        var column: CSVColumnReader.Column? = nil
        if let c = config.values["column"], !c.isNull {
            if let i = c.intValue { column = .index(i) } else if let s = c.stringValue { column = .name(s) } else {
                throw config.fail("column", "a column name or index", c)
            }
        }
        let isCSV = predName.lowercased().hasSuffix(".csv") || (refName?.lowercased().hasSuffix(".csv") ?? false)
        if isCSV, column == nil {
            throw BenchError(.evaluationFailed, "\(config.scorer) config: `column` is required when pred_file/ref_file is a CSV",
                             hint: "add column: <name or index>")
        }
        func read(_ url: URL, _ name: String) throws -> NPYArray {
            if let column {
                let v = try CSVColumnReader.read(contentsOf: url, column: column)
                return NPYArray(shape: [v.count], values: v)
            }
            return try NPYArray.read(contentsOf: url)
        }
        let row: RowSelection?
        if let r = config.values["row"], !r.isNull {
            guard let parsed = RowSelection(r) else { throw config.fail("row", "an integer or a slice like \"1:5\"", r) }
            row = parsed
        } else { row = nil }

        var ref: NPYArray? = nil
        if needsReference {
            guard let refName else {
                throw BenchError(.evaluationFailed, "\(config.scorer) config: no reference file", hint: "set file or ref_file")
            }
            let url = context.referenceDir.appendingPathComponent(refName)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw BenchError(.evaluationFailed, "reference file \(refName) not found in \(context.referenceDir.path)",
                                 hint: "regenerate the instance; the generator must write reference/\(refName)")
            }
            do { ref = try read(url, refName) } catch let e as BenchError {
                throw BenchError(.evaluationFailed, "reference \(e.message)", hint: e.hint)
            }
            if let row {
                guard let sliced = row.apply(to: ref!) else {
                    throw BenchError(.evaluationFailed, "\(config.scorer) config: row \(config.values["row"]!.shortDescription) is out of range for reference \(refName) of shape \(ref!.shapeDescription)")
                }
                ref = sliced
            }
        }

        let predURL = context.predictionDir.appendingPathComponent(predName)
        guard FileManager.default.fileExists(atPath: predURL.path) else {
            return .agentFault("\(predName): prediction file not found")
        }
        var pred: NPYArray
        do { pred = try read(predURL, predName) } catch let e as BenchError {
            return .agentFault(e.message)
        }
        if let row {
            guard let sliced = row.apply(to: pred) else {
                return .agentFault("\(predName): row \(config.values["row"]!.shortDescription) is out of range for shape \(pred.shapeDescription)")
            }
            pred = sliced
        }
        if let ref, pred.shape != ref.shape {
            return .agentFault("\(predName): shape \(pred.shapeDescription) expected \(ref.shapeDescription)")
        }
        return .arrays(pred: pred, ref: ref ?? pred, predName: predName)
    }
}
