import Foundation

/// A fresh agent workspace for one run item: `prompt.md`, `data/`, `task_info.json`.
///
/// Workspaces live under their own temporary root, apart from instances (which hold the reference) and
/// from the results tree, so nothing inside a workspace names the reference.
public struct Workspace: Sendable {
    /// The workspace directory (the agent's working directory and HOME).
    public let directory: URL
    /// A private temporary directory for the agent (TMPDIR), outside the workspace.
    public let tmpDirectory: URL

    /// The prompt file inside the workspace.
    public var promptFile: URL { directory.appendingPathComponent("prompt.md") }

    /// Creates `root/<instanceID>/` fresh (an old one is removed) and fills it from `instance`.
    public static func create(root: URL, instanceID: String, instance: TaskInstance, task: TaskDefinition,
                              level: PromptLevel, timeoutSeconds: Double) throws -> Workspace
    {
        let fm = FileManager.default
        let dir = root.appendingPathComponent(instanceID)
        let tmp = root.appendingPathComponent(instanceID + ".tmp")
        for d in [dir, tmp] {
            try? fm.removeItem(at: d)
            try fm.createDirectory(at: d, withIntermediateDirectories: true)
        }
        let ws = Workspace(directory: dir, tmpDirectory: tmp)
        if fm.fileExists(atPath: instance.dataDirectory.path) {
            try fm.copyItem(at: instance.dataDirectory, to: dir.appendingPathComponent("data"))
        } else {
            try fm.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        }
        guard fm.fileExists(atPath: instance.promptFile(level).path) else {
            throw BenchError(.badInput, "\(PathDisplay.relative(instance.promptFile(level))): prompt for level \(level.rawValue) is missing",
                             hint: "the generator writes prompt_\(level.rawValue).md, or the task's prompts.\(level.rawValue) template is rendered")
        }
        try fm.copyItem(at: instance.promptFile(level), to: ws.promptFile)
        let info: JSONValue = [
            "schema": "ai4sci_bench_task_info",
            // The task id is anonymised: agents should solve the task, not look it up.
            "task": .string("task-" + String(CanonicalJSON.sha256(.string(task.id)).prefix(8))),
            "prompt_level": .string(level.rawValue),
            "prompt_file": "prompt.md",
            "timeout_seconds": .number(timeoutSeconds),
            "input_files": .array(task.inputFiles.map { describe($0) }),
            "expected_outputs": .array(task.outputFiles.map { describe($0) }),
        ]
        try AtomicFile.writeJSON(info, to: dir.appendingPathComponent("task_info.json"))
        return ws
    }

    /// Only name, type and description reach the agent (shape/dtype are evaluation details).
    static func describe(_ f: OutputFileSpec) -> JSONValue {
        var o: [String: JSONValue] = ["name": .string(f.name), "type": .string(f.type)]
        if let d = f.description { o["description"] = .string(d) }
        return .object(o)
    }

    /// Copies the declared output files that exist into `destination`; returns the names copied.
    public func collectOutputs(_ outputs: [OutputFileSpec], to destination: URL) throws -> [String] {
        let fm = FileManager.default
        var copied: [String] = []
        for f in outputs {
            let src = directory.appendingPathComponent(f.name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: src.path, isDirectory: &isDir), !isDir.boolValue else { continue }
            // Never follow a link out of the workspace into the results.
            if (try? fm.destinationOfSymbolicLink(atPath: src.path)) != nil { continue }
            let dst = destination.appendingPathComponent(f.name)
            try fm.createDirectory(at: dst.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? fm.removeItem(at: dst)
            try fm.copyItem(at: src, to: dst)
            copied.append(f.name)
        }
        return copied
    }

    /// Total size of the regular files in the workspace (links not followed).
    public func regularFileBytes() -> Int64 {
        var total: Int64 = 0
        guard let e = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else { return 0 }
        for case let url as URL in e {
            if let v = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey]), v.isRegularFile == true {
                total += Int64(v.fileSize ?? 0)
            }
        }
        return total
    }

    /// Removes every symbolic link and special file (FIFO, socket, device) from the workspace before scoring.
    ///
    /// Scorers run on the host, where the reference is visible: a link named like an output would let an agent
    /// "answer" with the reference itself, and a FIFO would hang a scorer. Returns the removed paths (relative).
    public func removeNonRegularFiles() -> [String] {
        let fm = FileManager.default
        var removed: [String] = []
        let base = directory.standardizedFileURL.path
        guard let e = fm.enumerator(at: directory, includingPropertiesForKeys: [.isSymbolicLinkKey, .isRegularFileKey, .isDirectoryKey]) else { return [] }
        for case let url as URL in e {
            let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isRegularFileKey, .isDirectoryKey])
            let isLink = values?.isSymbolicLink == true
            if isLink || (values?.isRegularFile != true && values?.isDirectory != true) {
                if isLink { e.skipDescendants() }
                if (try? fm.removeItem(at: url)) != nil {
                    removed.append(String(url.standardizedFileURL.path.dropFirst(base.count + 1)))
                }
            }
        }
        return removed.sorted()
    }

    /// Removes the workspace and its temporary directory.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: tmpDirectory)
    }
}
