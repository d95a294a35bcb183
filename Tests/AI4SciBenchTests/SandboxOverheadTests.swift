import Foundation
import Subprocess
import Testing

@testable import AI4SciBench

/// Launch overhead of a trivial agent; a measurement, run only with AI4SCI_MEASURE_LAUNCH=1.
@Suite("Sandbox launch overhead", .serialized)
struct SandboxOverheadTests {
    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
    }

    static func median(_ body: () async throws -> Void) async throws -> (median: Double, min: Double, max: Double) {
        try await body()   // warm-up (compiles the filter once)
        var samples: [Double] = []
        for _ in 0..<50 {
            let start = ContinuousClock.now
            try await body()
            samples.append(milliseconds(ContinuousClock.now - start))
        }
        samples.sort()
        return (samples[25], samples[0], samples[49])
    }

    @Test("median wall time of `true`: plain spawn, launcher in none, seccomp and task mode (50 runs each)",
          .enabled(if: ProcessInfo.processInfo.environment["AI4SCI_MEASURE_LAUNCH"] == "1"),
          .timeLimit(.minutes(2)))
    func launchOverhead() async throws {
        let scratch = try SandboxScratch()
        defer { scratch.remove() }
        let launcher = try SandboxScratch.launcher()
        let plain = try await Self.median {
            _ = try await Subprocess.run(.name("true"), output: .discarded)
        }
        print(String(format: "launch overhead (plain spawn): median %.2f ms, min %.2f, max %.2f", plain.median, plain.min, plain.max))
        for mode in [SandboxMode.none, .seccomp, .task] {
            let m = try await Self.median {
                var request = scratch.request(["true"], mode: mode)
                request.readOnlyPaths = SandboxResources.runtimeReadOnlyPaths(forPATH: ProcessInfo.processInfo.environment["PATH"] ?? "")
                let result = try await launcher.launch(request)
                #expect(result.status == .completed)
            }
            print(String(format: "launch overhead (%@): median %.2f ms, min %.2f, max %.2f", mode.rawValue, m.median, m.min, m.max))
        }
    }
}
