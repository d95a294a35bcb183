import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How `batch-run --executor slurm` asks for resources: the `--slurm-*` options.
public struct SlurmOptions: Sendable, Equatable {
    /// `--partition`; nil: the cluster's default.
    public var partition: String?
    /// `--time`, in Slurm's syntax (`MM`, `HH:MM:SS`, `D-HH`); nil: derived from the longest agent timeout.
    public var time: String?
    /// `--mem`, in Slurm's syntax (`4G`); nil: the partition's default.
    public var memory: String?
    /// `--cpus-per-task`.
    public var cpus: Int = 1
    /// Array tasks of one array running at once (`%P`); nil: no limit beyond the cluster's.
    public var maxParallel: Int?
    /// Extra `sbatch` arguments, split like a shell would (quotes respected).
    public var extra: [String] = []
    /// Seconds between two looks at the queue.
    public var pollSeconds: Double = 1
    /// Array tasks per `sbatch` call (Slurm's MaxArraySize is 1001 by default).
    public var maxArraySize: Int = 1000

    /// Creates options with defaults.
    public init() {}

    /// Splits `--slurm-extra "ARGS"` into words: whitespace separates, single and double quotes group, backslash escapes.
    public static func splitArguments(_ text: String) throws -> [String] {
        var words: [String] = [], word = "", inWord = false, quote: Character?
        var escaped = false
        for ch in text {
            if escaped { word.append(ch); escaped = false; inWord = true; continue }
            if ch == "\\" && quote != "'" { escaped = true; continue }
            if let q = quote {
                if ch == q { quote = nil } else { word.append(ch) }
                continue
            }
            if ch == "'" || ch == "\"" { quote = ch; inWord = true; continue }
            if ch.isWhitespace {
                if inWord { words.append(word); word = ""; inWord = false }
                continue
            }
            word.append(ch)
            inWord = true
        }
        if quote != nil || escaped {
            throw BenchError(.badInput, "--slurm-extra \(text): unbalanced quote or trailing backslash", hint: "e.g. --slurm-extra '--account=abc --qos=normal'")
        }
        if inWord { words.append(word) }
        return words
    }

    /// A Slurm time limit for jobs whose item may run `seconds` (agent timeout plus generation and scoring margin).
    static func timeLimit(forSeconds seconds: Double) -> String {
        let minutes = Int((seconds / 60).rounded(.up))
        return String(minutes)
    }
}

/// One array task as the queue sees it.
struct SlurmTaskState: Sendable, Equatable {
    /// `JOBID_INDEX`.
    var id: String
    /// `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, `NODE_FAIL`, `PREEMPTED`, `OUT_OF_MEMORY`, …
    var state: String
    /// Slurm's reason (`None`, `NonZeroExitCode`, `JobLaunchFailure`, …).
    var reason: String
    /// `EXIT:SIGNAL` when known (`3:0`, `0:15`).
    var exitCode: String? = nil
    /// The node it ran on.
    var node: String? = nil

    /// States after which the task does nothing more.
    static let terminal: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY",
                                        "BOOT_FAIL", "DEADLINE", "REVOKED", "SPECIAL_EXIT"]

    var isTerminal: Bool { Self.terminal.contains(state.split(separator: " ").first.map(String.init) ?? state) }
}

/// The Slurm commands `batch-run` uses: `sbatch`, `squeue`, `scontrol`, `scancel`. No accounting (`sacct`) is needed.
struct SlurmClient: Sendable {
    /// Checks that the commands exist and the controller answers; returns `sinfo`'s one-line summary.
    func check() async throws -> String {
        for tool in ["sbatch", "squeue", "scontrol", "scancel"] where ExecutableLookup.find(tool) == nil {
            throw BenchError(.badInput, "--executor slurm needs \(tool) on PATH", hint: "run on a Slurm login node, or start a local cluster with `bash Scripts/slurm-local.sh start`")
        }
        let r = try await run("scontrol", ["ping"])
        guard r.ok, r.out.contains("UP") else {
            throw BenchError(.badInput, "the Slurm controller does not answer (scontrol ping: \(r.summary))",
                             hint: "check SLURM_CONF and that slurmctld runs (`bash Scripts/slurm-local.sh status` for the local cluster)")
        }
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Submits `script` as an array `0..<count` with `arguments`; returns the array's job id.
    func submit(script: URL, count: Int, arguments: [String]) async throws -> String {
        let r = try await run("sbatch", ["--parsable"] + arguments + [script.path])
        let id = r.out.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard r.ok, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw BenchError(.badInput, "sbatch refused the job array: \(r.summary)", hint: "check --slurm-partition, --slurm-time, --slurm-mem and --slurm-extra against the cluster's limits")
        }
        return id
    }

    /// The array tasks of `jobs` in any state (`squeue -r -t all`); tasks not yet split out of a pending array are listed one by one.
    func states(jobs: [String]) async throws -> [String: SlurmTaskState] {
        guard !jobs.isEmpty else { return [:] }
        let r = try await run("squeue", ["-h", "-r", "-t", "all", "-j", jobs.joined(separator: ","), "-o", "%i|%T|%r|%N"])
        // squeue exits non-zero when every job has left the queue (MinJobAge); that is "no information", not an error.
        var out: [String: SlurmTaskState] = [:]
        for line in r.out.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 4 else { continue }
            out[f[0]] = SlurmTaskState(id: f[0], state: f[1], reason: f[2], exitCode: nil, node: f[3].isEmpty ? nil : f[3])
        }
        return out
    }

    /// `scontrol show job -o ID` for one array task: state, reason, exit code, node (nil when Slurm no longer knows it).
    func detail(_ id: String) async -> SlurmTaskState? {
        guard let r = try? await run("scontrol", ["show", "job", "-o", id]), r.ok else { return nil }
        var fields: [String: String] = [:]
        for token in r.out.split(whereSeparator: \.isWhitespace) {
            guard let eq = token.firstIndex(of: "=") else { continue }
            fields[String(token[..<eq])] = String(token[token.index(after: eq)...])
        }
        guard let state = fields["JobState"] else { return nil }
        return SlurmTaskState(id: id, state: state, reason: fields["Reason"] ?? "None", exitCode: fields["ExitCode"],
                              node: fields["NodeList"].flatMap { $0 == "(null)" ? nil : $0 })
    }

    /// Cancels `jobs` (whole arrays); errors are ignored (the jobs may have ended).
    func cancel(jobs: [String]) async {
        guard !jobs.isEmpty else { return }
        _ = try? await run("scancel", jobs)
    }

    struct Output {
        var ok: Bool
        var out: String
        var err: String
        var summary: String { (err.isEmpty ? out : err).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func run(_ tool: String, _ args: [String]) async throws -> Output {
        guard let path = ExecutableLookup.find(tool) else {
            throw BenchError(.badInput, "\(tool) is not on PATH", hint: "--executor slurm needs the Slurm client commands")
        }
        let r = try await Subprocess.run(.path(FilePath(path)), arguments: Arguments(args), output: .string(limit: 1 << 22), error: .string(limit: 1 << 16))
        return Output(ok: r.terminationStatus.isSuccess, out: r.standardOutput, err: r.standardError)
    }
}
