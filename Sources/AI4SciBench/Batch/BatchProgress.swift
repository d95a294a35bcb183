import Foundation

/// Progress of a batch reported to the CLI.
public enum BatchEvent: Sendable {
    /// The plan: all items, how many still need a run.
    case planned(items: Int, toRun: Int, agents: Int, tasks: Int)
    /// An instance is being generated (once per task and seed).
    case generating(taskID: String, variant: String)
    /// An attempt ended transiently and is run again.
    case retrying(item: String, attempt: Int, reason: String)
    /// An item has its final attempt.
    case finished(BatchItemReport)
    /// A non-fatal note.
    case warning(String)
}

/// Counters at one moment (what a live progress line shows).
public struct BatchProgressSnapshot: Sendable {
    /// Items with a final result (including those finished before a resume).
    public var done: Int
    /// Items in the plan.
    public var total: Int
    /// Items running now.
    public var running: Int
    /// Items whose agent failed.
    public var failed: Int
    /// Items whose evaluation was invalid.
    public var invalid: Int
    /// Items finished in this process (for the ETA).
    public var doneHere: Int
    /// Seconds since this process started the batch.
    public var elapsedSeconds: Double
    /// Running mean of final scores so far per agent, for progress only (agent_failed counts 0; invalid excluded);
    /// the final, task-balanced means are in ``BatchSummary/finalMeans``.
    public var meanByAgent: [(agent: String, mean: Double?)]
}

/// One finished item, as reported to the progress renderer.
public struct BatchItemReport: Sendable {
    /// `<agent>/<instance_id>`.
    public var item: String
    /// The agent.
    public var agent: String
    /// The final attempt number.
    public var attempt: Int
    /// The outcome.
    public var outcome: RunOutcome
    /// The agent's status.
    public var agentStatus: AgentStatus
    /// The final score.
    public var finalScore: Double?
    /// Agent wall time.
    public var wallSeconds: Double?
    /// The result's message.
    public var message: String?
    /// Counters after this item.
    public var progress: BatchProgressSnapshot
}

/// What a batch produced.
public struct BatchSummary: Sendable {
    /// The batch directory.
    public var directory: URL
    /// The last counters.
    public var progress: BatchProgressSnapshot
    /// Items refused by the sandbox (in this process).
    public var refused: Int
    /// Final task-balanced mean per agent, from the records (the report's rules); empty when the batch did not finish.
    public var finalMeans: [(agent: String, mean: Double?)] = []
    /// Items whose Slurm job was cancelled outside the batch: they have no result yet (`--resume` runs them).
    public var interrupted: [String] = []
}

/// Thread-safe counters; the only per-batch state kept in memory besides the plan.
final class BatchCounters: @unchecked Sendable {
    private let lock = NSLock()
    private let agents: [String]
    private let total: Int
    private let start = ContinuousClock.now
    private var done = 0, doneHere = 0, running = 0, failed = 0, invalid = 0, refused = 0
    private var outcomes: [String: Int] = [:]
    private var sums: [Double], counts: [Int], perAgent: [[String: Int]]

    init(agents: [String], total: Int) {
        self.agents = agents
        self.total = total
        sums = Array(repeating: 0, count: agents.count)
        counts = Array(repeating: 0, count: agents.count)
        perAgent = Array(repeating: [:], count: agents.count)
    }

    func alreadyDone(_ n: Int) { lock.lock(); done += n; outcomes["already_finished", default: 0] += n; lock.unlock() }
    func started() { lock.lock(); running += 1; lock.unlock() }
    func stopped() { lock.lock(); running -= 1; lock.unlock() }

    func finished(agentIndex: Int, result: InstanceResult) -> BatchProgressSnapshot {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        doneHere += 1
        outcomes[result.outcome.rawValue, default: 0] += 1
        perAgent[agentIndex]["items", default: 0] += 1
        perAgent[agentIndex][result.outcome.rawValue, default: 0] += 1
        if result.agentStatus == .refused { refused += 1 }
        switch result.outcome {
        case .agentFailed: failed += 1
        case .evaluationInvalid: invalid += 1
        default: break
        }
        if result.outcome != .evaluationInvalid {
            sums[agentIndex] += result.finalScore ?? 0
            counts[agentIndex] += 1
        }
        return snapshotLocked()
    }

    private func snapshotLocked() -> BatchProgressSnapshot {
        let e = ContinuousClock.now - start
        return BatchProgressSnapshot(done: done, total: total, running: running, failed: failed, invalid: invalid, doneHere: doneHere,
                                     elapsedSeconds: e.inSeconds,
                                     meanByAgent: agents.indices.map { (agents[$0], counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : nil) })
    }

    func agentCounts(_ i: Int) -> [String: Int] { lock.lock(); defer { lock.unlock() }; return perAgent[i] }

    func countsJSON() -> JSONValue {
        lock.lock()
        defer { lock.unlock() }
        var o: [String: JSONValue] = ["total": .number(Double(total)), "done": .number(Double(done))]
        for (k, v) in outcomes { o[k] = .number(Double(v)) }
        return .object(o)
    }

    func summary(directory: URL) -> BatchSummary {
        lock.lock()
        defer { lock.unlock() }
        return BatchSummary(directory: directory, progress: snapshotLocked(), refused: refused)
    }
}
