import Foundation

/// Finding run directories and writing the report's files (`report/report.html`, `summary.md`, `summary.json`).
public enum ReportFiles {
    /// Folder written under a run directory.
    public static let folder = "report"

    /// `url` itself when it is a run directory, else the run directories below it (depth ≤ `maxDepth`), sorted.
    public static func discover(under url: URL, maxDepth: Int = 3) -> [URL] {
        let fm = FileManager.default
        func isRun(_ u: URL) -> Bool { (try? RunDirectory(u)) != nil }
        if isRun(url) { return [url.standardizedFileURL] }
        var found: [URL] = []
        var frontier = [url.standardizedFileURL]
        for _ in 0..<maxDepth {
            var next: [URL] = []
            for dir in frontier {
                for name in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where !name.hasPrefix(".") {
                    let child = dir.appendingPathComponent(name)
                    var isDir: ObjCBool = false
                    guard fm.fileExists(atPath: child.path, isDirectory: &isDir), isDir.boolValue else { continue }
                    if isRun(child) { found.append(child) } else { next.append(child) }
                }
            }
            frontier = next
        }
        return found.sorted { $0.path < $1.path }
    }

    /// Relative path from directory `from` to `to` (both absolute), ending in "/" unless empty.
    public static func relativePath(from: URL, to: URL) -> String {
        let a = from.standardizedFileURL.pathComponents, b = to.standardizedFileURL.pathComponents
        var common = 0
        while common < min(a.count, b.count), a[common] == b[common] { common += 1 }
        let parts = Array(repeating: "..", count: a.count - common) + b[common...]
        return parts.isEmpty ? "" : parts.joined(separator: "/") + "/"
    }

    /// Writes the HTML report at `html` and, when `summaries` is set, `summary.md` and `summary.json` beside it.
    ///
    /// Links in the HTML point from the HTML file's folder to each run's result files.
    public static func write(_ report: Report, runs: [ReportRun], html: URL, summaries: Bool) throws {
        let folder = html.deletingLastPathComponent()
        var instances: [String: [ReportItem]] = [:]
        var prefixes: [String: String] = [:]
        for run in runs {
            instances[run.label] = run.items
            prefixes[run.label] = relativePath(from: folder, to: run.url)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(Data(ReportHTML.render(report, instances: instances, linkPrefix: prefixes).utf8), to: html)
        if summaries {
            try AtomicFile.write(Data(try report.rendered(.markdown).utf8), to: folder.appendingPathComponent("summary.md"))
            try AtomicFile.write(Data(try report.rendered(.json).utf8), to: folder.appendingPathComponent("summary.json"))
        }
    }
}
