import Foundation
import Subprocess
import Testing

@testable import AI4SciBench

/// The launcher binary driven directly, for what `AgentLauncher` cannot set up: descriptors inherited
/// from the launcher's own parent, and the raw report protocol.
@Suite("Sandbox exec launcher binary", .serialized, .timeLimit(.minutes(1)))
struct SandboxExecTests {
    /// Runs `sh -c SCRIPT` where SCRIPT opens extra descriptors and execs the launcher.
    func runThroughShell(_ shellPrefix: String, launcherArgs: [String], agent: [String]) async throws -> LauncherReport {
        let launcher = try SandboxScratch.launcher().launcherPath.path
        let quoted = ([launcher] + launcherArgs + ["--"] + agent).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let script = "\(shellPrefix) exec \(quoted.joined(separator: " "))"
        let outcome = try await Subprocess.run(.name("sh"), arguments: ["-c", script], output: .string(limit: 1 << 20))
        return LauncherReport(output: outcome.standardOutput)
    }

    @Test("inherited descriptors are closed and stdin is /dev/null in the agent")
    func descriptorsClosedStdinNull() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let secret = scratch.dir.appendingPathComponent("secret.txt")
        try Data("secret".utf8).write(to: secret)
        let agent = """
            import os
            for fd in sorted(os.listdir('/proc/self/fd'), key=int):
                try: print(fd, os.readlink('/proc/self/fd/' + fd))
                except OSError: pass
            """
        let out = scratch.dir.appendingPathComponent("out.txt").path
        let report = try await runThroughShell(
            "exec 7<'\(secret.path)' 9<'\(secret.path)';",
            launcherArgs: ["--cwd", scratch.dir.path, "--stdout", out, "--stderr", scratch.dir.appendingPathComponent("err.txt").path,
                           "--output-cap", "100000", "--timeout", "20", "--grace", "1"],
            agent: ["python3", "-c", agent])
        #expect(report.setup?["ok"] == true)
        #expect(report.exit?["status"] == "completed")
        let listing = try String(contentsOfFile: out, encoding: .utf8)
        #expect(!listing.contains("secret.txt"), "\(listing)")
        #expect(listing.contains("0 /dev/null"))
        #expect(listing.contains("1 pipe:"))
        #expect(listing.contains("2 pipe:"))
    }

    @Test("the report protocol: setup then exit record, with read-back and rlimits")
    func reportProtocol() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let report = try await runThroughShell(
            "",
            launcherArgs: ["--cwd", scratch.dir.path, "--stdout", scratch.dir.appendingPathComponent("o").path,
                           "--stderr", scratch.dir.appendingPathComponent("e").path, "--output-cap", "10",
                           "--timeout", "20", "--grace", "1", "--no-new-privs", "--rlimit", "nofile=64", "--rlimit", "fsize=1000:2000"],
            agent: ["sh", "-c", "echo 12345678901234567890; exit 4"])
        let setup = try #require(report.setup)
        #expect(setup["ok"] == true)
        #expect(setup["proc_status"]?["NoNewPrivs"] == "1")
        #expect(setup["proc_status"]?["Seccomp"] == "0")
        #expect(setup["limits"]?["nofile"] == "64:64")
        #expect(setup["limits"]?["fsize"] == "1000:2000")
        let exit = try #require(report.exit)
        #expect(exit["status"] == "failed")
        #expect(exit["exit_code"] == 4)
        #expect(exit["stdout_bytes"] == 21)
        #expect(exit["stdout_kept_bytes"] == 10)
        #expect(exit["stdout_truncated"] == true)
        #expect(exit["timed_out"] == false)
    }

    @Test("a usage error exits 2 with a message and no records")
    func usageError() async throws {
        let launcher = try SandboxScratch.launcher().launcherPath.path
        let outcome = try await Subprocess.run(
            .path(.init(launcher)), arguments: ["--cwd", "/tmp", "--", "true"],
            output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
        #expect(outcome.terminationStatus == .exited(2))
        #expect(outcome.standardOutput.isEmpty)
        #expect(outcome.standardError.contains("required"))
    }
}
