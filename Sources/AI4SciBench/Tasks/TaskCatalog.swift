import Foundation

/// All task directories under a root (`Tasks/` by default), loaded and validated.
public struct TaskCatalog: Sendable {
    /// The root that was scanned.
    public let root: URL
    /// One outcome per task directory found, in id/path order.
    public let outcomes: [TaskLoader.Outcome]

    /// Tasks that loaded without errors.
    public var tasks: [TaskDefinition] { outcomes.compactMap(\.task) }
    /// Every issue across all tasks.
    public var issues: [ValidationIssue] { outcomes.flatMap(\.issues) }
    /// Whether any task has an error.
    public var hasErrors: Bool { issues.contains { $0.severity == .error } }

    /// Scans `root` for task directories (any depth; `solution/` folders and hidden ones skipped) and loads each.
    ///
    /// A `root` that is itself a task directory yields that one task.
    public static func load(root: URL, registry: ScorerRegistry) throws -> TaskCatalog {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw BenchError(.badInput, "tasks directory \(PathDisplay.relative(root)) does not exist", hint: "pass --tasks-dir with the folder holding <domain>/<name>/task.yaml")
        }
        let dirs = TaskLoader.isTaskDirectory(root) ? [root] : findTaskDirectories(root)
        let outcomes = dirs.map { TaskLoader.load(directory: $0, registry: registry) }
        return TaskCatalog(root: root, outcomes: outcomes)
    }

    static func findTaskDirectories(_ root: URL) -> [URL] {
        let fm = FileManager.default
        var found: [URL] = []
        func walk(_ dir: URL, depth: Int) {
            guard depth <= 4, let entries = try? fm.contentsOfDirectory(at: dir, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles]) else { return }
            for entry in entries.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
                guard (try? entry.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true else { continue }
                let name = entry.lastPathComponent
                if name == "solution" || name == "__pycache__" || name.hasPrefix(".") { continue }
                if TaskLoader.isTaskDirectory(entry) { found.append(entry) } else { walk(entry, depth: depth + 1) }
            }
        }
        walk(root, depth: 0)
        return found
    }

    /// Picks tasks by id (all loadable ones when `ids` is empty), refusing unknown ids and broken tasks.
    ///
    /// `abandoned` tasks are skipped unless named explicitly or `includeAbandoned` is set.
    public func select(ids: [String], includeAbandoned: Bool = false) throws -> [TaskDefinition] {
        if ids.isEmpty {
            let broken = outcomes.filter { $0.task == nil }
            if !broken.isEmpty { throw ValidationFailed(issues: broken.flatMap(\.issues)) }
            return tasks.filter { includeAbandoned || $0.status != .abandoned }.sorted { $0.id < $1.id }
        }
        var out: [TaskDefinition] = []
        for id in ids {
            if let t = tasks.first(where: { $0.id == id }) { out.append(t); continue }
            // A task that exists but failed validation: report its problems, not "unknown".
            if let o = outcomes.first(where: { "\($0.directory.deletingLastPathComponent().lastPathComponent).\($0.directory.lastPathComponent)" == id }) {
                throw ValidationFailed(issues: o.issues)
            }
            let known = tasks.map(\.id).sorted()
            let close = known.filter { $0.contains(id) || id.contains($0.split(separator: ".").last.map(String.init) ?? "\u{0}") }
            throw BenchError(.badInput, "unknown task id \"\(id)\" in \(PathDisplay.relative(root))",
                             hint: close.isEmpty ? "known tasks: \(known.joined(separator: ", "))" : "did you mean \(close.joined(separator: ", "))?")
        }
        return out
    }
}
