import Foundation
import Testing
@testable import AI4SciBench

/// Attacks whose success writes the stolen answer: a score above 0 is a hole.
let answerStealingAttacks = ["abs_path", "dotdot", "proc_cwd", "proc_cmdline", "root_home", "symlink_out", "symlink_dir", "hardlink",
                             "net_tcp", "abstract_unix", "io_uring", "int80", "vm_readv", "canary"]
/// Kernel-surface attacks that cannot carry the answer: each reports per line, and every line must say blocked.
let kernelAttacks: [(agent: String, lines: [String])] = [
    ("af_packet", ["af_packet"]), ("af_vsock", ["af_vsock"]), ("af_netlink", ["af_netlink"]),
    ("unshare", ["clone_newuser", "clone3", "unshare"]), ("ptrace_runner", ["ptrace_runner"]), ("bpf", ["bpf"]),
    ("perf_event_open", ["perf_event_open"]), ("keyctl", ["keyctl"]), ("userfaultfd", ["userfaultfd"]),
    ("open_by_handle_at", ["open_by_handle_at"]), ("tiocsti", ["tiocsti"]), ("remount", ["remount.mount", "remount"]),
]

/// Runs `body` with a fresh rig and always cleans it up.
func withRig(_ body: (EscapeRig) async throws -> Void) async throws {
    let rig = try await EscapeRig()
    defer { rig.cleanup() }
    try await body(rig)
}

/// The provenance a run in `mode` must record.
func expectProvenance(_ run: EscapeRun, _ level: String = "b1", mode: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let r = run.result(level)
    let enforced = mode == "none" ? ("not_requested", "not_applicable") : ("enforced", "verified")
    #expect(r?["requested_mode"]?.stringValue == mode, "\(run.summary)", sourceLocation: sourceLocation)
    #expect(r?["effective_mode"]?.stringValue == mode, "\(run.summary)", sourceLocation: sourceLocation)
    #expect(r?["enforcement_status"]?.stringValue == enforced.0, "\(run.summary)", sourceLocation: sourceLocation)
    #expect(r?["verification_status"]?.stringValue == enforced.1, "\(run.summary)", sourceLocation: sourceLocation)
}

/// Hostile agents in `--sandbox task`: every attack fails and the result says the sandbox was enforced and verified.
/// Skipped (not failed) until the task sandbox exists. `AI4SCI_ESCAPE_MODE=strict` runs the same suite against
/// another mode (e.g. `strict`, or `seccomp` to see which holes that mode leaves).
@Suite(.serialized, .enabled("--sandbox task is implemented (or AI4SCI_ESCAPE_MODE is set)") { await TaskSandbox.enabled })
struct EscapeTaskModeTests {
    let mode = TaskSandbox.mode

    @Test(.timeLimit(.minutes(1)), arguments: answerStealingAttacks)
    func answerStealingFails(attack: String) async throws {
        try await withRig { rig in
            if attack == "root_home" { try plantInHome(rig) }
            let run = try await rig.run(attack, sandbox: mode)
            #expect(run.code == 0, "\(run.summary)")
            #expect(run.score() == 0, "\(attack) scored: a hole. \(run.summary)")
            #expect(run.attack(attack)?.succeeded == false, "the agent must run and report blocked. \(run.summary)")
            expectProvenance(run, mode: mode)
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: kernelAttacks.map(\.agent))
    func kernelSurfaceIsClosed(agent: String) async throws {
        try await withRig { rig in
            let run = try await rig.run(agent, sandbox: mode)
            #expect(run.code == 0, "\(run.summary)")
            for line in kernelAttacks.first(where: { $0.agent == agent })!.lines {
                #expect(run.attack(line)?.succeeded == false, "\(line) \(run.summary)")
            }
            #expect(run.score() == 0)
            for path in rig.hostMarkers { #expect(!FileManager.default.fileExists(atPath: path), "\(path) written from the sandbox") }
            expectProvenance(run, mode: mode)
        }
    }

    @Test(.timeLimit(.minutes(1))) func writingOutsideTheWorkspaceFails() async throws {
        try await withRig { rig in
            let run = try await rig.run("write_outside", sandbox: mode)
            // The agent may write its own private /tmp (a tmpfs inside the sandbox); what counts is the host.
            #expect(run.attack("write_outside") != nil, "\(run.summary)")
            for path in rig.hostMarkers { #expect(!FileManager.default.fileExists(atPath: path), "\(path) written from the sandbox") }
            expectProvenance(run, mode: mode)
        }
    }

    @Test(.timeLimit(.minutes(1))) func anotherRunsWorkspaceIsInvisible() async throws {
        try await withRig { rig in
            let other = try plantOtherRun(rig)
            let run = try await rig.run("other_workspace", sandbox: mode, levels: "b1,b2")
            #expect(run.attack("other_workspace.plant")?.succeeded == true, "the first item must run. \(run.summary)")
            #expect(run.attack("other_workspace")?.succeeded == false, "\(run.summary)")
            #expect(run.score("b2") == 0, "\(run.summary)")
            expectProvenance(run, "b2", mode: mode)
            _ = other
        }
    }

    @Test(.timeLimit(.minutes(1))) func killingTheRunnerFails() async throws {
        try await withRig { rig in
            let run = try await rig.run("kill_runner", sandbox: mode)
            #expect(run.code == 0, "the CLI must survive. \(run.summary)")
            #expect(run.attack("kill_runner")?.succeeded == false, "\(run.summary)")
            expectProvenance(run, mode: mode)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aDaemonDoesNotOutliveTheRun() async throws {
        try await withRig { rig in
            let run = try await rig.run("daemon", sandbox: mode, timeout: 3)
            #expect(run.code == 0, "\(run.summary)")
            #expect(run.attack("daemon")?.succeeded == true, "the agent must run. \(run.summary)")
            #expect(await rig.waitForNoSurvivors(seconds: 2).isEmpty, "survivors after the run")
            try await Task.sleep(for: .seconds(7))  // past the daemon's delay
            for path in rig.hostMarkers { #expect(!FileManager.default.fileExists(atPath: path), "\(path) written by a survivor") }
            expectProvenance(run, mode: mode)
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["fork_bomb", "memory_bomb", "disk_fill", "cpu_burn"])
    func bombsAreContained(attack: String) async throws {
        try await withRig { rig in
            let started = Date()
            let run = try await rig.run(attack, sandbox: mode, timeout: 4)
            #expect(run.code == 0, "the runner must survive. \(run.summary)")
            let status = run.result()?["agent_status"]?.stringValue
            #expect(status == "timeout" || status == "failed", "\(run.summary)")
            #expect(run.score() == 0)
            #expect(Date().timeIntervalSince(started) < 30, "the run must end soon after its timeout")
            #expect(await rig.waitForNoSurvivors(seconds: 3).isEmpty, "processes of the bomb survived the run")
            if attack == "fork_bomb" || attack == "memory_bomb" || attack == "disk_fill" {
                #expect(run.attack(attack)?.succeeded != true, "no limit stopped the \(attack). \(run.summary)")
            }
            expectProvenance(run, mode: mode)
        }
    }
}

/// Copies the reference into the test user's home (`~/.ai4sci-escape-<token>/`), the bait of `root_home`.
func plantInHome(_ rig: EscapeRig) throws {
    let dir = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".ai4sci-escape-\(rig.token)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    rig.removeLater(dir)
    try rig.answer.write(to: dir.appendingPathComponent("answer_ref.npy"))
}

/// A finished "other run" on this host whose agent solved the task: `/tmp/ai4sci-bench-escape<token>/workspaces/x/answer.npy`.
func plantOtherRun(_ rig: EscapeRig) throws -> URL {
    let root = URL(fileURLWithPath: "/tmp/ai4sci-bench-escape\(rig.token)")
    let ws = root.appendingPathComponent("workspaces/\(EscapeFixture.taskID)__other\(rig.token)__b1")
    try FileManager.default.createDirectory(at: ws, withIntermediateDirectories: true)
    rig.removeLater(root)
    try rig.answer.write(to: ws.appendingPathComponent("answer.npy"))
    return root
}

/// Positive controls, run today: under `--sandbox none` the attacks work (each route is real), and
/// `--sandbox seccomp` stops the syscall routes while the file, /proc and unix-socket routes still work.
@Suite(.serialized) struct EscapeControlTests {
    /// Routes that steal the answer when nothing stops them (score 100 under none).
    static let stealUnderNone = ["abs_path", "dotdot", "proc_cwd", "proc_cmdline", "root_home", "symlink_dir", "hardlink",
                                 "net_tcp", "abstract_unix", "io_uring", "int80", "vm_readv", "canary"]
    /// Routes seccomp cannot stop (no filesystem or /proc view; AF_UNIX allowed): still score 100.
    static let stealUnderSeccomp = ["abs_path", "dotdot", "proc_cwd", "proc_cmdline", "hardlink", "abstract_unix", "canary"]
    /// Routes the seccomp profile stops (score 0, agent reports blocked).
    static let blockedBySeccomp = ["net_tcp", "io_uring", "int80", "vm_readv"]
    /// Kernel-surface probes that open under none (as root here) and are denied by the seccomp profile.
    static let kernelProbes: [(agent: String, lines: [String])] = kernelAttacks.filter { !["tiocsti", "remount"].contains($0.agent) }

    @Test(.timeLimit(.minutes(1)), arguments: stealUnderNone)
    func unsandboxedAttacksScore100(attack: String) async throws {
        try await withRig { rig in
            if attack == "root_home" { try plantInHome(rig) }
            let run = try await rig.run(attack, sandbox: "none")
            #expect(run.code == 0, "\(run.summary)")
            #expect(run.score() == 100, "\(attack) should work without a sandbox. \(run.summary)")
            #expect(run.attack(attack)?.succeeded == true, "\(run.summary)")
            expectProvenance(run, mode: "none")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: kernelProbes.map(\.agent))
    func unsandboxedKernelProbesOpen(agent: String) async throws {
        try await withRig { rig in
            let run = try await rig.run(agent, sandbox: "none")
            for line in Self.kernelProbes.first(where: { $0.agent == agent })!.lines {
                #expect(run.attack(line)?.succeeded == true, "\(line) \(run.summary)")
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func unsandboxedHostEffects() async throws {
        // A symlinked answer.npy must never score: the collector skips links, but the evaluator scores the
        // workspace itself and follows the link on the host (where the reference is visible in every mode).
        try await withRig { rig in
            let run = try await rig.run("symlink_out", sandbox: "none")
            #expect(run.attack("symlink_out")?.succeeded == true, "\(run.summary)")
            // The link is made, but the runner removes links before scoring: no sandbox mode is needed for that.
            #expect(run.score() == 0, "the evaluator must not follow a symlink. \(run.summary)")
        }
        try await withRig { rig in
            let run = try await rig.run("write_outside", sandbox: "none")
            #expect(run.attack("write_outside")?.succeeded == true, "\(run.summary)")
            #expect(FileManager.default.fileExists(atPath: rig.marker.path))
        }
        try await withRig { rig in
            _ = try plantOtherRun(rig)
            let run = try await rig.run("other_workspace", sandbox: "none", levels: "b1,b2")
            #expect(run.score("b2") == 100, "\(run.summary)")
        }
        try await withRig { rig in
            let run = try await rig.run("kill_runner", sandbox: "none")
            #expect(run.code == 128 + SIGKILL, "the unsandboxed agent can kill its runner. \(run.summary)")
            #expect(await rig.waitForNoSurvivors(seconds: 5).isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func daemonsDieEvenWithoutASandbox() async throws {
        try await withRig { rig in
            let run = try await rig.run("daemon", sandbox: "none", timeout: 3)
            #expect(run.code == 0, "\(run.summary)")
            #expect(run.attack("daemon")?.succeeded == true, "\(run.summary)")
            #expect(await rig.waitForNoSurvivors(seconds: 2).isEmpty, "survivors after the run")
            try await Task.sleep(for: .seconds(7))
            #expect(!FileManager.default.fileExists(atPath: rig.marker.path), "a daemon outlived the run")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: stealUnderSeccomp)
    func seccompDoesNotStopFileRoutes(attack: String) async throws {
        try await withRig { rig in
            let run = try await rig.run(attack, sandbox: "seccomp")
            #expect(run.score() == 100, "\(attack): documented seccomp gap closed? \(run.summary)")
            expectProvenance(run, mode: "seccomp")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: blockedBySeccomp)
    func seccompStopsNetworkAndMemoryRoutes(attack: String) async throws {
        try await withRig { rig in
            let run = try await rig.run(attack, sandbox: "seccomp")
            #expect(run.code == 0, "\(run.summary)")
            #expect(run.score() == 0, "\(run.summary)")
            #expect(run.attack(attack)?.succeeded == false, "\(run.summary)")
            expectProvenance(run, mode: "seccomp")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: kernelProbes.map(\.agent) + ["remount"])
    func seccompClosesTheKernelSurface(agent: String) async throws {
        try await withRig { rig in
            let run = try await rig.run(agent, sandbox: "seccomp")
            // remount: only the mount(2) line counts; without a read-only view root may still write /usr.
            let lines = agent == "remount" ? ["remount.mount"] : Self.kernelProbes.first(where: { $0.agent == agent })!.lines
            for line in lines { #expect(run.attack(line)?.succeeded == false, "\(line) \(run.summary)") }
            expectProvenance(run, mode: "seccomp")
        }
    }
}
