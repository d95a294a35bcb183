import Foundation

/// What the journal and the files say about each item, rebuilt on `--resume`.
public struct BatchState: Sendable {
    /// Per item: the highest attempt number seen, started-but-unfinished attempts, and whether a valid result exists.
    public struct Item: Sendable {
        /// The highest attempt number started.
        public var lastAttempt = 0
        /// Attempts started with no finished or interrupted record.
        public var openAttempts: [Int] = []
        /// A `finished` record whose result file exists and whose sha256 matches.
        public var finished = false
    }

    /// State per item id.
    public var items: [String: Item] = [:]
    /// Item ids already planned in the journal.
    public var planned: Set<String> = []
    /// Journal lines that could not be read (a torn last line).
    public var skippedLines = 0

    /// Rebuilds the state from `DIR/journal.jsonl` and the result files it names.
    public static func rebuild(batchDirectory dir: URL) throws -> BatchState {
        let (records, skipped) = try Journal.read(dir.appendingPathComponent("journal.jsonl"))
        var state = BatchState(skippedLines: skipped)
        var lastFinished: [String: (attempt: Int, result: String, sha: String)] = [:]
        var closed: [String: Set<Int>] = [:]
        for r in records {
            guard let o = r.objectValue, let type = o["type"]?.stringValue else { continue }
            guard let id = o["item"]?.stringValue else { continue }
            let attempt = o["attempt"]?.intValue ?? 0
            switch type {
            case "planned":
                state.planned.insert(id)
            case "started":
                state.items[id, default: Item()].lastAttempt = max(state.items[id]?.lastAttempt ?? 0, attempt)
            case "finished":
                closed[id, default: []].insert(attempt)
                if attempt >= (lastFinished[id]?.attempt ?? 0), let result = o["result"]?.stringValue, let sha = o["sha256"]?.stringValue {
                    lastFinished[id] = (attempt, result, sha)
                }
            case "interrupted":
                closed[id, default: []].insert(attempt)
            default:
                break
            }
        }
        for (id, var item) in state.items {
            if item.lastAttempt > 0 {
                item.openAttempts = (1...item.lastAttempt).filter { !(closed[id]?.contains($0) ?? false) }
            }
            // Only the latest attempt's result counts: a later started attempt supersedes an earlier finished one.
            if let f = lastFinished[id], f.attempt == item.lastAttempt, !f.result.hasPrefix("/"), !f.result.contains("..") {
                let url = dir.appendingPathComponent(f.result)
                item.finished = (try? AtomicFile.sha256(of: url).hex) == f.sha
            }
            state.items[id] = item
        }
        return state
    }

    /// Whether `id` has a valid finished result.
    public func isFinished(_ id: String) -> Bool { items[id]?.finished ?? false }

    /// The attempt number the next run of `id` gets.
    public func nextAttempt(_ id: String) -> Int { (items[id]?.lastAttempt ?? 0) + 1 }
}
