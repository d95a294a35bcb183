import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Times launches of `/bin/true` through the launcher per sandbox mode, and a plain spawn for scale.
public struct LaunchBenchmark: Sendable {
    /// Median and 90th percentile of a series of wall times, in seconds.
    public struct Figures: Sendable {
        /// Median seconds.
        public var median: Double
        /// 90th percentile seconds.
        public var p90: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            p90 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.9).rounded(.up)) - 1)]
        }
    }

    let runs: Int
    let launcher: AgentLauncher
    let scratch: URL

    /// Prepares a scratch workspace; throws when the launcher cannot be found.
    public init(runs: Int) throws {
        self.runs = runs
        launcher = try AgentLauncher()
        scratch = try BenchmarkRunner.makeTemporaryDirectory(prefix: "ai4sci-launchbench-")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("ws"), withIntermediateDirectories: true)
    }

    /// Wall times of `runs` plain spawns of `/bin/true` (swift-subprocess, no launcher).
    public func plainSpawn() async throws -> Figures {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            _ = try await Subprocess.run(.path(FilePath("/bin/true")), output: .discarded)
            samples.append((ContinuousClock.now - start).inSeconds)
        }
        return Figures(samples)
    }

    /// Wall times of `runs` launches of `/bin/true` in `mode`; throws if a launch does not complete.
    public func launches(mode: SandboxMode) async throws -> Figures {
        let ws = scratch.appendingPathComponent("ws")
        let request = LaunchRequest(
            arguments: ["/bin/true"], workingDirectory: ws, environment: AgentEnvironment.minimal(home: ws.path, tmp: "/tmp"),
            stdoutFile: scratch.appendingPathComponent("out.log"), stderrFile: scratch.appendingPathComponent("err.log"),
            timeoutSeconds: 30, graceSeconds: 1, mode: mode, writablePaths: [ws])
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let result = try await launcher.launch(request)
            samples.append((ContinuousClock.now - start).inSeconds)
            guard result.status == .completed else {
                throw BenchError(.sandboxRefused, "\(mode.rawValue): /bin/true did not complete (\(result.status.rawValue): \(result.refusal?.message ?? ""))",
                                 hint: "`ai4sci-bench sandbox check` shows what this host supports")
            }
        }
        return Figures(samples)
    }

    /// Removes the scratch directory.
    public func cleanUp() { try? FileManager.default.removeItem(at: scratch) }

}
