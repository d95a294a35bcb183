import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What this host can enforce: the launcher's `--probe` facts and, per mode, what would be effective.
public struct SandboxHostReport: Sendable, Codable, Equatable {
    /// One requested mode's outlook on this host.
    public struct ModeOutlook: Sendable, Codable, Equatable {
        /// The mode asked for.
        public var requested: SandboxMode
        /// The strongest mode whose requirements all hold here.
        public var effective: SandboxMode
        /// Why `effective` is lower than `requested` (empty when it is not).
        public var gaps: [String]
    }

    /// The launcher's probe object: kernel, each primitive's `ok`/`error`, Landlock ABI, cgroups.
    public var facts: [String: JSONValue]
    /// One outlook per mode, in the order none, seccomp, task, strict.
    public var modes: [ModeOutlook]
}

/// Runs the launcher's `--probe` and derives which mode would be effective for each requested mode.
public enum SandboxProbe {
    /// Probes this host with `launcher` (each primitive is tried in a throwaway child).
    public static func run(launcher: AgentLauncher) async throws -> SandboxHostReport {
        let out = try await Subprocess.run(.path(FilePath(launcher.launcherPath.path)), arguments: ["--probe"],
                                           output: .string(limit: 1 << 16), error: .discarded)
        let text = out.standardOutput
        guard let facts = try? JSONValue.parse(Data(text.utf8)).objectValue else {
            throw BenchError(.io, "the agent launcher's --probe printed no JSON object", hint: "rebuild with `swift build`")
        }
        let profiles = launcher.profilesDirectory ?? SandboxResources.defaultProfilesDirectory()
        let strictPresent = profiles.map { FileManager.default.fileExists(atPath: $0.appendingPathComponent("strict.json").path) } ?? false
        return SandboxHostReport(facts: facts, modes: outlooks(facts: facts, strictProfilePresent: strictPresent))
    }

    /// The per-mode outlook for probe `facts`.
    static func outlooks(facts: [String: JSONValue], strictProfilePresent: Bool) -> [SandboxHostReport.ModeOutlook] {
        func ok(_ key: String) -> Bool { facts[key]?.objectValue?["ok"]?.boolValue == true }
        func gap(_ key: String, _ what: String) -> String? {
            ok(key) ? nil : "\(what) unavailable: \(facts[key]?.objectValue?["error"]?.stringValue ?? "not probed")"
        }
        let seccompGaps = [gap("seccomp", "seccomp filter")].compactMap { $0 }
        var taskGaps = [gap("userns", "user namespace"), gap("pidns", "pid namespace"), gap("netns", "network namespace"),
                        gap("mntns", "mount namespace"), gap("ipcns", "ipc namespace"), gap("utsns", "uts namespace"),
                        gap("mount_setattr", "mount_setattr (read-only binds)"), gap("pivot_root", "pivot_root")].compactMap { $0 }
        if (facts["landlock_abi"]?.intValue ?? 0) < 1 { taskGaps.append("Landlock unavailable (ABI 0)") }
        taskGaps = seccompGaps + taskGaps
        let strictGaps = taskGaps + (strictProfilePresent ? [] : ["Sandbox/profiles/strict.json not found"])
        func outlook(_ mode: SandboxMode, _ gaps: [String]) -> SandboxHostReport.ModeOutlook {
            let effective: SandboxMode = gaps.isEmpty ? mode
                : (mode.rank > SandboxMode.task.rank && taskGaps.isEmpty) ? .task
                : (mode.rank > SandboxMode.seccomp.rank && seccompGaps.isEmpty) ? .seccomp : .none
            return .init(requested: mode, effective: effective, gaps: gaps)
        }
        return [outlook(.none, []), outlook(.seccomp, seccompGaps), outlook(.task, taskGaps), outlook(.strict, strictGaps)]
    }
}
