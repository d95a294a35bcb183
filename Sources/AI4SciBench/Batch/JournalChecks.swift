import Foundation

/// Completeness of a batch against its journal: every planned item finished, every finished record's sha256 right.
enum JournalChecks {
    static let fileName = "journal.jsonl"

    /// One planned item and its last finished record.
    struct Item {
        var agent: String
        var taskID: String
        var instanceID: String
        var finished: [JSONValue] = []
    }

    /// Reads the journal line by line and checks the planned grid against the result files.
    static func check(_ dir: RunDirectory) -> [RunProblem] {
        let url = dir.url.appendingPathComponent(fileName)
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            return [.init(.missingFile, fileName, "batch directory without a journal: the planned grid cannot be checked")]
        }
        defer { try? handle.close() }
        var problems: [RunProblem] = []
        var items: [String: Item] = [:]
        var order: [String] = []
        var lineNumber = 0
        var pending = Data()
        func consume(_ line: Data) {
            lineNumber += 1
            guard !line.isEmpty else { return }
            guard let event = try? JSONValue.parse(line), let type = event["type"]?.stringValue else {
                problems.append(.init(.unreadable, fileName, "line \(lineNumber) is not a JSON event"))
                return
            }
            guard let id = event["item"]?.stringValue else { return }
            switch type {
            case "planned":
                guard items[id] == nil else { return }
                let agent = event["agent"]?.stringValue ?? String(id.split(separator: "/").first ?? "")
                items[id] = Item(agent: agent, taskID: event["task_id"]?.stringValue ?? "",
                                 instanceID: event["instance_id"]?.stringValue ?? String(id.split(separator: "/").last ?? ""))
                order.append(id)
            case "finished":
                if items[id] == nil {
                    problems.append(.init(.journalMismatch, fileName, "line \(lineNumber): finished record for \(id), which was never planned"))
                } else {
                    items[id]!.finished.append(event)
                }
            default: break
            }
        }
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(chunk)
            while let nl = pending.firstIndex(of: 0x0A) {
                consume(Data(pending[pending.startIndex..<nl]))
                pending = Data(pending[(nl + 1)...])
            }
        }
        if !pending.isEmpty { consume(pending) }

        for id in order {
            let item = items[id]!
            let finalPath = "\(item.agent)/\(item.taskID)/\(item.instanceID).json"
            guard !item.finished.isEmpty else {
                problems.append(.init(.plannedItemMissing, finalPath, "planned item \(id) has no finished result in the journal"))
                continue
            }
            if !FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(finalPath).path) {
                problems.append(.init(.plannedItemMissing, finalPath, "planned item \(id) is finished in the journal but its result file is missing"))
            }
            for (i, record) in item.finished.enumerated() {
                guard var path = record["result"]?.stringValue, let sha = record["sha256"]?.stringValue else {
                    problems.append(.init(.journalMismatch, fileName, "finished record of \(id) lacks result or sha256"))
                    continue
                }
                if let why = RunValidator.escapeReason(path) {
                    problems.append(.init(.escapingPath, path, "named by the journal (item \(id)) but \(why)"))
                    continue
                }
                if i < item.finished.count - 1, path == finalPath {
                    // A superseded attempt: its copy lives under attempts/.
                    guard let n = record["attempt"]?.intValue else { continue }
                    path = "\(item.agent)/\(item.taskID)/attempts/\(item.instanceID).attempt\(n).json"
                    if !FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(path).path) { continue }
                }
                guard let h = try? AtomicFile.sha256(of: dir.url.appendingPathComponent(path)) else {
                    problems.append(.init(.journalMismatch, path, "result named by the journal for \(id) cannot be read"))
                    continue
                }
                if h.hex != sha {
                    problems.append(.init(.journalMismatch, path, "sha256 \(h.hex.prefix(12))… differs from the journal's finished record of \(id) (\(sha.prefix(12))…)"))
                }
            }
        }
        return problems
    }
}
