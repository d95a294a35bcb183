import AI4SciBench
import ArgumentParser
import Foundation

/// `ai4sci-bench validate DIR`: recompute hashes, scores, records and completeness of an output directory.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a run or batch-run output directory against its manifest, results, records and journal.",
        discussion: """
            Reports every problem with its path: changed, missing or extra files, paths escaping the directory, \
            scores that disagree with their components, records that disagree with the results, unknown schema \
            markers or versions, planned items without a finished result, journal hashes that differ.
            Exit codes: 0 clean · 1 problems found · 2 not a run directory.
            Example: ai4sci-bench validate results --format json
            """
    )

    @Argument(help: "The output directory of `run` or `batch-run`.")
    var directory: String
    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        let report = try RunValidator.validate(directory: URL(fileURLWithPath: directory))
        if format == .json {
            print(try JSONValue.encodeString(report))
        } else {
            for p in report.problems { print("\(p.kind.rawValue)  \(p.path.isEmpty ? "." : p.path): \(p.message)") }
            let summary = "\(report.directory) (\(report.kind.rawValue)): \(report.files) file(s), \(report.results) result(s), "
                + (report.isClean ? "no problems" : "\(report.problems.count) problem(s)")
            if report.isClean { Console.info("ok  " + summary) } else { Console.error(summary) }
        }
        if !report.isClean { throw CLIExit(code: 1) }
    }
}
