import AI4SciBench
import ArgumentParser
import Foundation

/// `ai4sci-bench sandbox check`: what this host can enforce, per requested mode.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Inspect the sandbox on this host.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Probe which sandbox primitives work here and which mode would be effective for each requested mode.",
            discussion: """
                Every primitive (namespaces, pivot_root, mount_setattr, Landlock, cgroups, seccomp) is tried in a \
                throwaway child. Exit 0 when the default mode (task) would be fully effective, 3 when it would not.
                Example: ai4sci-bench sandbox check --format json
                """
        )
        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() async throws {
            let report = try await SandboxProbe.run(launcher: try AgentLauncher())
            if format == .json {
                print(try JSONValue.encodeString(report))
            } else {
                var rows = [["REQUESTED", "EFFECTIVE", "GAPS"]]
                for m in report.modes {
                    rows.append([m.requested.rawValue, m.effective.rawValue, m.gaps.isEmpty ? "-" : m.gaps.joined(separator: "; ")])
                }
                print(TextTable.render(rows))
                print("")
                var facts = [["PRIMITIVE", "WORKS", "DETAIL"]]
                for key in report.facts.keys.sorted() {
                    let v = report.facts[key]!
                    if let o = v.objectValue, let ok = o["ok"]?.boolValue {
                        facts.append([key, ok ? "yes" : "no", o["error"]?.stringValue ?? o["detail"]?.stringValue ?? ""])
                    } else {
                        facts.append([key, "", v.shortDescription])
                    }
                }
                print(TextTable.render(facts))
            }
            if report.modes.first(where: { $0.requested == .task })?.effective != .task { throw CLIExit(code: 3) }
        }
    }
}
