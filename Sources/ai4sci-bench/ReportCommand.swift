import AI4SciBench
import ArgumentParser
import Foundation

extension ReportFormat: ExpressibleByArgument {}

/// `ai4sci-bench report`: what a scientist reads, regenerated from stored results only.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise stored results: scores with confidence intervals, task × level table, gates, failures, provenance.",
        discussion: """
            Reads result files only (nothing is re-run). Each directory is validated first, as `validate` does; \
            results whose files fail validation are left out and counted, and the report says when a run is \
            incomplete, tampered or mixes sandbox modes. A folder that is not itself a run directory is searched \
            for run directories (three levels deep).
            Means are task-balanced (repeats averaged within an item, items within a task, tasks weigh the same); \
            agent failures count 0; invalid evaluations are excluded and counted; missing results are reported.
            Files: report/report.html (self-contained, inline SVG figures), report/summary.md and report/summary.json \
            are written into the first directory (the current one with --compare) unless --no-write.
            Examples:
              ai4sci-bench report
              ai4sci-bench report --output-dir results/run1 --output-dir results/run2 --format markdown
              ai4sci-bench report --compare results/base results/new --pass-threshold 60
              ai4sci-bench report --compare results/demo:coarse results/demo:oracle --format json
            Exit codes: 0 report written · 1 validation problems with --strict · 2 bad input.
            """
    )

    @Option(name: .customLong("output-dir"), help: "A run or batch-run directory, or a folder holding them (repeatable).")
    var outputDirs: [String] = []
    @Option(parsing: .upToNextOption, help: "Compare two runs: BASELINE CURRENT (each DIR or DIR:AGENT for one agent of a batch).")
    var compare: [String] = []
    @Option(name: .customLong("agent"), help: "Keep only this agent (repeatable).")
    var agents: [String] = []
    @Option(help: "Output format on stdout: text, markdown, json or csv.")
    var format: ReportFormat = .text
    @Option(help: "Where to write the HTML report (default: report/report.html in the run directory).")
    var html: String?
    @Flag(help: "Write no files; print the report only.")
    var noWrite = false
    @Option(help: "A score at or above this passes (pass@k, McNemar, low-scoring list).")
    var passThreshold: Double = 50
    @Option(help: "Bootstrap resamples for the confidence intervals.")
    var bootstrap: Int = 2000
    @Option(help: "Seed of the bootstrap (same seed, same intervals).")
    var seed: UInt64 = 0
    @Option(help: "Rows in the low-scoring and flip lists.")
    var limit: Int = 20
    @Option(help: "Generation time written into the report (pin it for byte-identical output); default: now.")
    var timestamp: String?
    @Flag(help: "Exit 1 when validation found problems in any directory.")
    var strict = false

    func validate() throws {
        if !compare.isEmpty && compare.count != 2 {
            throw ValidationError("--compare takes two runs: BASELINE CURRENT (got \(compare.count))")
        }
        if !compare.isEmpty && !outputDirs.isEmpty {
            throw ValidationError("use either --compare BASELINE CURRENT or --output-dir, not both")
        }
        guard passThreshold >= 0, passThreshold <= 100 else { throw ValidationError("--pass-threshold must be within 0…100 (got \(passThreshold))") }
        guard bootstrap >= 0, bootstrap <= 1_000_000 else { throw ValidationError("--bootstrap must be within 0…1000000 (got \(bootstrap))") }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
    }

    func run() async throws {
        var options = ReportOptions()
        options.passThreshold = passThreshold
        options.resamples = bootstrap
        options.seed = seed
        options.listLimit = limit
        options.timestamp = timestamp ?? BenchmarkRunner.timestamp()

        var labelled: [ReportRun]
        var comparePair: (Int, Int)?
        if compare.count == 2 {
            // Loaded one at a time, so the two labels are made distinct here (e.g. the same agent in two runs).
            labelled = [try loadOne(compare[0], role: "baseline"), try loadOne(compare[1], role: "current")]
            ReportLoader.disambiguateLabels(&labelled)
            comparePair = (0, 1)
        } else {
            labelled = try loadAll()
        }
        let report = ReportBuilder.build(runs: labelled, options: options, compare: comparePair)

        for w in report.runs.flatMap(ReportDocument.runWarnings) where format != .text { Console.warn("warning: \(w)") }
        print(try report.rendered(format), terminator: "")

        if !noWrite {
            let home = comparePair.map { labelled[$0.1].url } ?? labelled[0].url
            let htmlURL = html.map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(ReportFiles.folder).appendingPathComponent("report.html")
            do {
                try ReportFiles.write(report, runs: labelled, html: htmlURL, summaries: html == nil)
                Console.info("report: \(PathDisplay.relative(htmlURL))")
            } catch {
                throw BenchError(.io, "cannot write the report to \(PathDisplay.relative(htmlURL)): \(error)", hint: "pass --html FILE elsewhere or --no-write")
            }
        }
        if strict && report.runs.contains(where: { !$0.health.isClean }) { throw CLIExit(code: 1) }
    }

    /// Every run of every directory given (default `results/`), discovering run directories below plain folders.
    func loadAll() throws -> [ReportRun] {
        let given = outputDirs.isEmpty ? ["results"] : outputDirs
        var urls: [URL] = []
        for d in given {
            let url = URL(fileURLWithPath: d)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw BenchError(.badInput, "\(d) does not exist", hint: "pass the --output-dir of a `run` or `batch-run`")
            }
            let found = ReportFiles.discover(under: url)
            if found.isEmpty {
                throw BenchError(.badInput, "\(d) holds no run directory (no manifest.json, batch.json or run_metadata.json within three levels)",
                                 hint: "pass the --output-dir of a `run` or `batch-run`")
            }
            urls += found
        }
        let runs = try ReportLoader.load(directories: urls, agents: Set(agents), reasonsBelow: passThreshold)
        if runs.isEmpty { throw BenchError(.badInput, "no results of agent(s) \(agents.joined(separator: ", ")) in \(given.joined(separator: ", "))") }
        return runs
    }

    /// One run for --compare: `DIR` with a single agent, or `DIR:AGENT`.
    func loadOne(_ spec: String, role: String) throws -> ReportRun {
        var path = spec, agent: String?
        if !FileManager.default.fileExists(atPath: spec), let colon = spec.lastIndex(of: ":") {
            path = String(spec[..<colon])
            agent = String(spec[spec.index(after: colon)...])
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw BenchError(.badInput, "--compare \(role) \(spec) does not exist", hint: "pass a run directory, or DIR:AGENT for one agent of a batch")
        }
        let filter = agent.map { Set([$0]) } ?? Set(agents)
        let runs = try ReportLoader.load(directories: [URL(fileURLWithPath: path)], agents: filter, reasonsBelow: passThreshold)
        guard runs.count == 1 else {
            let names = try ReportLoader.load(directories: [URL(fileURLWithPath: path)]).map(\.agent)
            throw BenchError(.badInput, runs.isEmpty ? "--compare \(role) \(spec): no agent \(agent ?? "") there (agents: \(names.joined(separator: ", ")))"
                                 : "--compare \(role) \(path) holds \(runs.count) agents (\(names.joined(separator: ", ")))",
                             hint: "name one: \(path):\(names.first ?? "AGENT")")
        }
        return runs[0]
    }
}
