import Crypto
import Foundation


/// Loads one ASI-Bench task directory: either `task.yaml` or `task_meta.yaml` + `task_eval.yaml`.
public enum TaskLoader {
    /// The outcome of loading one directory: the task when it has no errors, and every issue found.
    public struct Outcome: Sendable {
        /// The task, `nil` when any error was found.
        public var task: TaskDefinition?
        /// Errors and warnings, each naming the file and key path.
        public var issues: [ValidationIssue]
        /// The directory that was loaded.
        public var directory: URL
    }

    /// Whether `directory` looks like a task directory.
    public static func isTaskDirectory(_ directory: URL) -> Bool {
        let fm = FileManager.default
        return ["task.yaml", "task_meta.yaml", "task_eval.yaml"].contains {
            fm.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
    }

    /// Loads and validates a task directory, collecting every problem instead of stopping at the first.
    public static func load(directory: URL, registry: ScorerRegistry) -> Outcome {
        let fm = FileManager.default
        let single = directory.appendingPathComponent("task.yaml")
        let meta = directory.appendingPathComponent("task_meta.yaml")
        let eval = directory.appendingPathComponent("task_eval.yaml")
        let hasSingle = fm.fileExists(atPath: single.path)
        let hasMeta = fm.fileExists(atPath: meta.path)
        let hasEval = fm.fileExists(atPath: eval.path)
        let dirDisplay = PathDisplay.relative(directory)

        var issues: [ValidationIssue] = []
        func fail(_ file: String, _ message: String, hint: String? = nil) -> Outcome {
            issues.append(ValidationIssue(file: file, keyPath: "", message: message, hint: hint))
            return Outcome(task: nil, issues: issues, directory: directory)
        }

        var mainFile: String
        var document: [String: JSONValue]
        var split: (meta: String, eval: String, evalKeys: Set<String>)?
        do {
            if hasSingle, hasMeta || hasEval {
                return fail(dirDisplay, "holds both task.yaml and task_meta.yaml/task_eval.yaml", hint: "keep one layout: either task.yaml alone, or task_meta.yaml + task_eval.yaml")
            } else if hasSingle {
                mainFile = PathDisplay.relative(single)
                document = try topLevel(YAMLLoading.load(single, displayPath: mainFile), file: mainFile)
            } else if hasMeta, hasEval {
                let metaFile = PathDisplay.relative(meta)
                let evalFile = PathDisplay.relative(eval)
                mainFile = evalFile
                let m = try topLevel(YAMLLoading.load(meta, displayPath: metaFile), file: metaFile)
                let e = try topLevel(YAMLLoading.load(eval, displayPath: evalFile), file: evalFile)
                document = merge(meta: m, eval: e)
                split = (metaFile, evalFile, Set(e.keys))
                if let tid = e["task_id"], let id = m["id"], tid != id {
                    issues.append(ValidationIssue(file: evalFile, keyPath: "task_id", message: "\(tid.shortDescription) differs from task_meta.yaml id \(id.shortDescription)", hint: "make them equal or remove task_id"))
                }
            } else if hasMeta {
                return fail(PathDisplay.relative(eval), "file is missing (task_meta.yaml needs task_eval.yaml beside it)", hint: "add task_eval.yaml with evaluation and generation, or merge both into task.yaml")
            } else if hasEval {
                return fail(PathDisplay.relative(meta), "file is missing (task_eval.yaml needs task_meta.yaml beside it)")
            } else {
                return fail(dirDisplay, "no task.yaml or task_meta.yaml found", hint: "a task directory holds task.yaml, or task_meta.yaml + task_eval.yaml")
            }
        } catch let e as ValidationFailed {
            return Outcome(task: nil, issues: issues + e.issues, directory: directory)
        } catch {
            return fail(dirDisplay, "\(error)")
        }

        var validator = TaskValidator(file: mainFile, directory: directory, registry: registry)
        let task = validator.build(document)
        issues += validator.reader.issues.map { issue in
            guard let split else { return issue }
            var i = issue
            i.file = origin(of: issue.keyPath, meta: split.meta, eval: split.eval, evalKeys: split.evalKeys)
            return i
        }
        let hasErrors = issues.contains { $0.severity == .error }
        return Outcome(task: hasErrors ? nil : task.map { withHash($0) }, issues: issues, directory: directory)
    }

    /// The file a merged key came from: task_eval for keys it holds (and shape/dtype of output files), else task_meta.
    static func origin(of keyPath: String, meta: String, eval: String, evalKeys: Set<String>) -> String {
        let top = String(keyPath.prefix { $0 != "." && $0 != "[" })
        if top == "output" {
            return keyPath.hasSuffix(".shape") || keyPath.contains(".shape[") || keyPath.hasSuffix(".dtype") ? eval : meta
        }
        if top.isEmpty { return eval }
        return evalKeys.contains(top) ? eval : meta
    }

    static func topLevel(_ value: JSONValue, file: String) throws -> [String: JSONValue] {
        if let o = value.objectValue { return o }
        throw ValidationFailed(issues: [ValidationIssue(file: file, keyPath: "", message: "the document must be a mapping of keys, got \(value.kindDescription)")])
    }

    /// Merges task_eval over task_meta: eval keys win, `output.files` merge entry by entry on `name`.
    public static func merge(meta: [String: JSONValue], eval: [String: JSONValue]) -> [String: JSONValue] {
        var out = meta
        for (key, value) in eval where key != "task_id" {
            guard key == "output", let evalOutput = value.objectValue, let metaOutput = meta["output"]?.objectValue else {
                out[key] = value
                continue
            }
            var merged = metaOutput
            for (k, v) in evalOutput where k != "files" { merged[k] = v }
            if let evalFiles = evalOutput["files"]?.arrayValue {
                var files = metaOutput["files"]?.arrayValue ?? []
                for entry in evalFiles {
                    guard let e = entry.objectValue, let name = e["name"],
                          let idx = files.firstIndex(where: { $0["name"] == name }), var existing = files[idx].objectValue
                    else { files.append(entry); continue }
                    for (k, v) in e { existing[k] = v }
                    files[idx] = .object(existing)
                }
                merged["files"] = .array(files)
            }
            out["output"] = .object(merged)
        }
        return out
    }

    /// sha256 over the task's files (everything but `solution/` and caches), in path order.
    static func withHash(_ task: TaskDefinition) -> TaskDefinition {
        var t = task
        t.contentHash = contentHash(of: task.directory)
        return t
    }

    /// Hex sha256 over relative paths and contents of the files that define a task.
    ///
    /// Covers the task folder (minus `solution/` and caches) and, when present, the shared generator helpers in
    /// `<tasks root>/_common/`, which bundled generators import: a change there changes what they produce.
    public static func contentHash(of directory: URL) -> String {
        let common = directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("_common")
        var hasher = SHA256()
        for (label, root) in [("", directory), ("_common/", common)] {
            for rel in hashedFiles(under: root) {
                hasher.update(data: Data((label + rel).utf8))
                hasher.update(data: Data([0]))
                hasher.update(data: (try? Data(contentsOf: root.appendingPathComponent(rel))) ?? Data())
                hasher.update(data: Data([0]))
            }
        }
        return Hex.string(hasher.finalize())
    }

    static func hashedFiles(under root: URL) -> [String] {
        var files: [String] = []
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        for case let url as URL in e {
            let rel = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            if rel.hasPrefix("solution") || rel.contains("__pycache__") || rel.hasSuffix(".pyc") { continue }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(rel) }
        }
        return files.sorted()
    }
}
