import Foundation
import Subprocess
@testable import AI4SciBench

/// Paths and helpers shared by the end-to-end tests.
enum TestSupport {
    /// The repository root (three levels above this file).
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The bundled tasks.
    static let tasks = repo.appendingPathComponent("Tasks")
    /// Folder of the built products (the test binary sits there too).
    static let products: URL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/").deletingLastPathComponent()
    /// The CLI built beside the tests.
    static let cli = products.appendingPathComponent("ai4sci-bench")

    /// A fresh temporary directory.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ai4sci-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// An agent command running one of the demo agents.
    static func agent(_ name: String) throws -> AgentCommand {
        try AgentCommand(template: "python3 \(repo.path)/Agents/\(name).py --task-id {task_id}")
    }

    /// Runs the CLI; returns exit code, stdout and stderr.
    static func runCLI(_ arguments: [String], cwd: URL = repo, environment: [Environment.Key: String?] = [:]) async throws -> (code: Int32, out: String, err: String) {
        let result = try await Subprocess.run(
            .path(.init(cli.path)), arguments: .init(arguments),
            environment: .inherit.updating(environment),
            workingDirectory: .init(cwd.path),
            output: .string(limit: 1 << 22), error: .string(limit: 1 << 22))
        let code: Int32
        switch result.terminationStatus {
        case .exited(let c): code = c
        case .signaled(let s): code = 128 + s
        }
        return (code, result.standardOutput, result.standardError)
    }
}
