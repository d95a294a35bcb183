import AI4SciBench
import ArgumentParser
import Foundation

/// `ai4sci-bench sandbox check`: what this host can enforce, per requested mode.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Inspect the sandbox on this host.",
        subcommands: [Check.self, Bench.self]
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

    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure launch overhead per sandbox mode against a plain spawn of the same command.",
            discussion: """
                Launches `/bin/true` --runs times in each mode through the launcher (workspace writable, nothing \
                else bound) and as a plain spawn, and prints median and p90 wall times, the ratio to the plain \
                spawn and the added milliseconds. Build in release mode for meaningful figures.
                Example: swift build -c release && .build/release/ai4sci-bench sandbox bench --runs 200
                """
        )
        @Option(help: "Launches per mode.")
        var runs: Int = 200
        @Option(help: "Comma-separated modes to measure.")
        var modes: String = "none,seccomp,task,strict"

        func validate() throws {
            if runs < 5 { throw ValidationError("--runs must be at least 5, got \(runs)") }
        }

        func run() async throws {
            let selected = try modes.split(separator: ",").map { name -> SandboxMode in
                guard let m = SandboxMode(rawValue: String(name)) else {
                    throw BenchError(.badInput, "--modes: unknown mode \"\(name)\"", hint: "use none, seccomp, task, strict")
                }
                return m
            }
            let bench = try LaunchBenchmark(runs: runs)
            defer { bench.cleanUp() }
            Console.info("measuring \(runs) launches of /bin/true per mode…")
            let plain = try await bench.plainSpawn()
            var rows = [["MODE", "MEDIAN ms", "P90 ms", "RATIO", "ADDED ms"]]
            rows.append(["plain spawn", fmt(plain.median), fmt(plain.p90), "1.00", "-"])
            for mode in selected {
                let m = try await bench.launches(mode: mode)
                rows.append([mode.rawValue, fmt(m.median), fmt(m.p90), String(format: "%.2f", m.median / plain.median), fmt(m.median - plain.median)])
            }
            print(TextTable.render(rows))
        }

        func fmt(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
    }
}
