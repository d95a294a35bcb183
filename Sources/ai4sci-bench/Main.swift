import AI4SciBench
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `ai4sci-bench` command.
struct AI4SciBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai4sci-bench",
        abstract: "Evaluate AI agents on computational-science tasks, in a sandbox, with scores you can trust.",
        discussion: """
            Exit codes: 0 success · 1 some items failed (with --fail-on-error) · 2 bad input · \
            3 sandbox refused · 130 interrupted.

            Example:
              ai4sci-bench run --tasks physics.sod_shock_tube --agent-cmd 'python3 Agents/oracle.py --task-id {task_id}'
            """,
        version: BenchmarkRunner.frameworkVersion,
        subcommands: [RunCommand.self, BatchRunCommand.self, ReportCommand.self, ValidateCommand.self, TasksCommand.self, SandboxCommand.self, RunItemCommand.self]
    )
}

@main
enum Main {
    static func main() async {
        let code: Int32
        do {
            var command = try AI4SciBenchCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = 0
        } catch let exit as CLIExit {
            code = exit.code
        } catch {
            code = CLIErrors.render(error)
        }
        fflush(nil)
        Glibc.exit(code)
    }
}

/// A finished command with a specific exit code (after it has printed what it had to say).
struct CLIExit: Error {
    var code: Int32
}

/// Maps errors to messages on stderr and exit codes (DESIGN.md §7).
enum CLIErrors {
    static func render(_ error: any Error) -> Int32 {
        switch error {
        case let e as BenchError:
            Console.error("error: \(e.message)" + (e.hint.map { "\n  hint: \($0)" } ?? ""))
            switch e.code {
            case .badInput: return 2
            case .sandboxRefused: return 3
            case .cancelled: return 130
            case .evaluationFailed, .generationFailed, .io: return 1
            }
        case let v as ValidationFailed:
            Console.printIssues(v.issues)
            return 2
        case is CancellationError:
            Console.error("interrupted")
            return 130
        default:
            let code = AI4SciBenchCommand.exitCode(for: error)
            let message = AI4SciBenchCommand.fullMessage(for: error)
            if code == .success {
                print(message)  // --help, --version
                return 0
            }
            Console.error(message)
            // Usage errors are bad input: exit 2, not ArgumentParser's 64.
            return 2
        }
    }
}

/// stderr output with optional colour (only on a TTY, and never with NO_COLOR).
enum Console {
    static let colour: Bool = isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func error(_ s: String) { write(colour ? "\u{1B}[31m\(s)\u{1B}[0m" : s) }
    static func warn(_ s: String) { write(colour ? "\u{1B}[33m\(s)\u{1B}[0m" : s) }
    static func info(_ s: String) { write(s) }

    static func write(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    static func printIssues(_ issues: [ValidationIssue]) {
        let errors = issues.filter { $0.severity == .error }
        for issue in issues {
            let line = "\(issue.severity == .error ? "error" : "warning"): \(issue)"
            if issue.severity == .error { error(line) } else { warn(line) }
        }
        if !errors.isEmpty { error("\(errors.count) error(s), \(issues.count - errors.count) warning(s)") }
    }
}
