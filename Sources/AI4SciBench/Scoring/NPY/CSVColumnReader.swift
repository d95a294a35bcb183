import Foundation

/// Reads one numeric column of a CSV file with a header row (what the `numerical` scorer's `column` uses).
///
/// Fields may be quoted (`"a,b"`, `""` for a quote). Empty fields and `nan`/`NaN`/`NA` read as NaN, as
/// pandas does; `inf`/`-inf` are accepted. Any other non-numeric field is an error naming the row.
public enum CSVColumnReader {
    /// How a column is chosen.
    public enum Column: Sendable, Equatable, CustomStringConvertible {
        /// By header name.
        case name(String)
        /// By zero-based position.
        case index(Int)

        /// The column as written in messages: a quoted name or an index.
        public var description: String {
            switch self {
            case .name(let n): return "\"\(n)\""
            case .index(let i): return "\(i)"
            }
        }
    }

    /// Reads `column` from the CSV file at `url` as doubles.
    public static func read(contentsOf url: URL, column: Column) throws -> [Double] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw BenchError(.io, "\(url.lastPathComponent): cannot read file as UTF-8 text")
        }
        return try parse(text, column: column, file: url.lastPathComponent)
    }

    /// Reads `column` from CSV `text`; `file` names the source in errors.
    public static func parse(_ text: String, column: Column, file: String) throws -> [Double] {
        let rows = splitRecords(text)
        guard let header = rows.first else {
            throw BenchError(.badInput, "\(file): empty CSV file (a header row is required)")
        }
        let position: Int
        switch column {
        case .name(let name):
            let trimmed = header.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let i = trimmed.firstIndex(of: name) else {
                throw BenchError(.badInput, "\(file): no column named \"\(name)\"",
                                 hint: "columns: \(trimmed.joined(separator: ", "))")
            }
            position = i
        case .index(let i):
            guard i >= 0, i < header.count else {
                throw BenchError(.badInput, "\(file): column index \(i) out of range (the header has \(header.count) columns)")
            }
            position = i
        }
        var out: [Double] = []
        for (r, row) in rows.dropFirst().enumerated() {
            if row.count == 1, row[0].isEmpty { continue }  // blank line
            let field = position < row.count ? row[position].trimmingCharacters(in: .whitespaces) : ""
            guard let value = number(field) else {
                throw BenchError(.badInput, "\(file): row \(r + 2), column \(column): \"\(field)\" is not a number")
            }
            out.append(value)
        }
        return out
    }

    private static func number(_ field: String) -> Double? {
        switch field.lowercased() {
        case "", "nan", "na", "n/a", "null", "none", "-nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(field)
        }
    }

    /// Splits CSV text into records of fields, honouring double quotes and CRLF line ends.
    static func splitRecords(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": fields.append(field); field = ""
            case "\r": break
            case "\n":
                fields.append(field); field = ""
                records.append(fields); fields = []
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(fields)
        }
        return records
    }
}
