import Foundation
import Testing

@testable import AI4SciBench

/// Process-tree control, output capture and refusals of the launcher, through `AgentLauncher`.
@Suite("Sandbox launcher", .serialized, .timeLimit(.minutes(1)))
struct SandboxLauncherTests {
    @Test("timeout kills a setsid grandchild that ignores SIGTERM, and reports timeout")
    func timeoutKillsSetsidGrandchild() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        // The grandchild leaves the agent's session and ignores SIGTERM (inherited across exec).
        let script = #"setsid sh -c 'trap "" TERM; echo $$ > grandchild.pid; exec sleep 300' & sleep 300"#
        let result = try await SandboxScratch.launcher().launch(
            scratch.request(["sh", "-c", script], mode: .seccomp, timeout: 1.5, grace: 0.5))
        #expect(result.status == .timeout)
        #expect(result.signal == SIGTERM)
        #expect(result.exitCode == nil)
        #expect(result.wallSeconds >= 1.4 && result.wallSeconds < 10)
        #expect(result.leftoverProcessesKilled >= 2)
        let grandchild = try await scratch.waitForPid("grandchild.pid", seconds: 1)
        #expect(!processAlive(grandchild), "grandchild \(grandchild) survived the timeout")
    }

    @Test("a daemon left behind by an agent that exits is killed")
    func leftoverDaemonKilled() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let script = "setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! > daemon.pid; exit 0"
        let result = try await SandboxScratch.launcher().launch(scratch.request(["sh", "-c", script], mode: .none, grace: 0.5))
        #expect(result.status == .completed)
        #expect(result.exitCode == 0)
        #expect(result.leftoverProcessesKilled == 1)
        let daemon = try await scratch.waitForPid("daemon.pid", seconds: 1)
        #expect(!processAlive(daemon), "daemon \(daemon) survived its agent")
    }

    @Test("output beyond the cap is counted, discarded and marked")
    func outputCapTruncates() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let script = "import sys; sys.stdout.write('x' * 10000); sys.stderr.write('short')"
        let result = try await SandboxScratch.launcher().launch(scratch.request(["python3", "-c", script], mode: .seccomp, cap: 1000))
        #expect(result.status == .completed)
        #expect(result.stdoutBytes == 10000)
        #expect(result.stdoutTruncated)
        #expect(result.stderrBytes == 5)
        #expect(!result.stderrTruncated)
        let lines = scratch.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == Substring(String(repeating: "x", count: 1000)))
        #expect(lines.last?.contains("output cut at 1000 bytes") == true)
        #expect(scratch.stderr == "short")
    }

    @Test("a missing program is refused at step exec; the result names it")
    func missingProgramRefused() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let result = try await SandboxScratch.launcher().launch(scratch.request(["ai4sci-no-such-program", "--x"], mode: .seccomp))
        #expect(result.status == .refused)
        #expect(result.refusal?.step == "exec")
        #expect(result.refusal?.message.contains("ai4sci-no-such-program") == true)
        #expect(result.refusal?.message.contains("No such file") == true)
        #expect(result.provenance.enforcementStatus == .refused)
        #expect(result.provenance.effectiveMode == SandboxMode.none)
        #expect(result.exitCode == nil && result.pid == nil)
    }

    @Test("a missing working directory is refused at step chdir")
    func missingWorkingDirectoryRefused() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        var request = scratch.request(["true"], mode: .none)
        request.workingDirectory = scratch.dir.appendingPathComponent("nope")
        let result = try await SandboxScratch.launcher().launch(request)
        #expect(result.status == .refused)
        #expect(result.refusal?.step == "chdir")
    }

    @Test("task mode rejects a working directory outside the sandbox's paths before starting anything")
    func taskWorkingDirectoryOutsideBinds() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        var request = scratch.request(["sh", "-c", "touch ran"], mode: .task)
        request.writablePaths = [scratch.dir.appendingPathComponent("elsewhere")]
        await #expect(throws: BenchError.self) { try await SandboxScratch.launcher().launch(request) }
        #expect(!FileManager.default.fileExists(atPath: scratch.dir.appendingPathComponent("ran").path))
    }

    @Test("exit code, CPU time, peak RSS and read-back rlimits are reported")
    func accounting() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let script = """
            import sys, time
            t = time.process_time(); x = bytearray(50 << 20)
            while time.process_time() - t < 0.3: pass
            sys.exit(3)
            """
        let result = try await SandboxScratch.launcher().launch(scratch.request(["python3", "-c", script], mode: .seccomp))
        #expect(result.status == .failed)
        #expect(result.exitCode == 3)
        #expect(result.userCPUSeconds + result.systemCPUSeconds >= 0.25)
        #expect((result.peakRSSBytes ?? 0) >= 50 << 20)
        #expect(result.wallSeconds >= 0.25)
        #expect(result.pid != nil)
        let limits = result.provenance.evidence["limits"]?.objectValue ?? [:]
        #expect(limits["nofile"] == "4096:4096")
        #expect(limits["core"] == "0:0")
    }

    @Test("the agent's environment is exactly the request's")
    func exactEnvironment() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let request = LaunchRequest(
            arguments: ["/usr/bin/env"], workingDirectory: scratch.dir,
            environment: ["PATH": "/usr/bin:/bin", "AI4SCI_MARKER": "a b=c"],
            stdoutFile: scratch.dir.appendingPathComponent("agent_stdout.jsonl"),
            stderrFile: scratch.dir.appendingPathComponent("agent_stderr.log"), timeoutSeconds: 10, mode: .seccomp)
        let result = try await SandboxScratch.launcher().launch(request)
        #expect(result.status == .completed)
        let lines = scratch.stdout.split(separator: "\n").map(String.init).sorted()
        #expect(lines == ["AI4SCI_MARKER=a b=c", "PATH=/usr/bin:/bin"])
    }

    @Test("cancelling the launching task tears the agent and its setsid child down")
    func cancellationTearsDown() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let script = #"echo $$ > agent.pid; setsid sh -c 'echo $$ > child.pid; exec sleep 300' & sleep 300"#
        let request = scratch.request(["sh", "-c", script], mode: .seccomp, timeout: 50, grace: 0.5)
        let launcher = try SandboxScratch.launcher()
        let task = Task { try await launcher.launch(request) }
        let agent = try await scratch.waitForPid("agent.pid")
        let child = try await scratch.waitForPid("child.pid")
        task.cancel()
        let result = try await task.value
        #expect(result.status == .cancelled)
        #expect(!processAlive(agent))
        #expect(!processAlive(child))
        #expect(result.leftoverProcessesKilled >= 1)
    }
}
