import Foundation
@testable import AI4SciBench

#if canImport(Glibc)
import Glibc
#endif

/// Helpers for the batch-run tests: CLI arguments, journal reading, process spawning.
enum BatchSupport {
    static let task = "physics.sod_shock_tube"

    /// `batch-run` arguments for a quick seccomp batch of trivial agents.
    static func args(out: URL, agentCmd: String = "true", levels: String = "b1,b2", extra: [String] = []) -> [String] {
        ["batch-run", "--tasks-dir", TestSupport.tasks.path, "--tasks", task, "--prompt-levels", levels, "--sandbox", "seccomp",
         "--agent-cmd", agentCmd, "--agent-name", "t", "--jobs", "2", "--output-dir", out.path] + extra
    }

    /// Every journal record (torn lines skipped).
    static func journal(_ dir: URL) throws -> [[String: JSONValue]] {
        try Journal.read(dir.appendingPathComponent("journal.jsonl")).records.compactMap(\.objectValue)
    }

    /// Records of one type.
    static func records(_ dir: URL, _ type: String) throws -> [[String: JSONValue]] {
        try journal(dir).filter { $0["type"]?.stringValue == type }
    }

    /// Item ids of the records of one type.
    static func items(_ dir: URL, _ type: String) throws -> [String] {
        try records(dir, type).compactMap { $0["item"]?.stringValue }
    }

    /// Rewrites the journal keeping only the lines `keep` accepts (raw text, to simulate a crash at a given point).
    static func rewriteJournal(_ dir: URL, keep: (String) -> Bool, append: String = "") throws {
        let url = dir.appendingPathComponent("journal.jsonl")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter(keep)
        try Data((lines.joined(separator: "\n") + "\n" + append).utf8).write(to: url)
    }

    /// Starts the CLI as a child process (stdout/stderr to files in `logs`).
    static func spawn(_ arguments: [String], logs: URL) throws -> Process {
        let p = Process()
        p.executableURL = TestSupport.cli
        p.arguments = arguments
        p.currentDirectoryURL = TestSupport.repo
        _ = FileManager.default.createFile(atPath: logs.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: logs.path + ".err", contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logs.path + ".out"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logs.path + ".err"))
        try p.run()
        return p
    }

    /// Waits until `condition` holds (polling), up to `seconds`.
    static func waitUntil(seconds: Double = 20, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits for a child to exit; its exit code (128 + signal when killed).
    static func wait(_ p: Process, seconds: Double = 30) async throws -> Int32 {
        _ = try await waitUntil(seconds: seconds) { !p.isRunning }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        return p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
    }

    /// Pids of processes whose command line contains `marker`.
    static func processes(containing marker: String) -> [Int32] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.filter { pid in
            guard let raw = fm.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(marker)
        }
    }

    /// Checks the end state of a batch: every planned item has a valid final result, one `finished` for its last attempt,
    /// and an `attempts/` copy for every finished attempt. Returns problems found.
    static func completenessProblems(_ dir: URL) throws -> [String] {
        var problems: [String] = []
        let state = try BatchState.rebuild(batchDirectory: dir)
        let planned = try items(dir, "planned")
        if Set(planned).count != planned.count { problems.append("an item was planned twice") }
        let finished = try records(dir, "finished")
        for id in planned {
            if !state.isFinished(id) { problems.append("\(id) has no valid result") }
            let mine = finished.filter { $0["item"]?.stringValue == id }
            let attempts = mine.compactMap { $0["attempt"]?.intValue }
            if Set(attempts).count != attempts.count { problems.append("\(id): an attempt finished twice") }
            for a in attempts {
                let parts = id.split(separator: "/")
                let instance = String(parts[1])
                let task = String(instance.split(separator: "_", maxSplits: 1).isEmpty ? "" : instance.components(separatedBy: "__")[0])
                let copy = dir.appendingPathComponent("\(parts[0])/\(task)/attempts/\(instance).attempt\(a).json")
                if !FileManager.default.fileExists(atPath: copy.path) { problems.append("\(id): attempt \(a) copy missing") }
            }
        }
        return problems
    }
}
