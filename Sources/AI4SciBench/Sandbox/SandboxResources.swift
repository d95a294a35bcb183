import Foundation
import Synchronization

/// Locates the sandbox's data files and the launcher binary.
public enum SandboxResources {
    /// The `Sandbox/profiles` directory: `$AI4SCI_HOME/Sandbox/profiles`, else the first one found in
    /// the current directory or its ancestors, else in the running executable's ancestors.
    public static func defaultProfilesDirectory() -> URL? {
        let fm = FileManager.default
        func profiles(in dir: URL) -> URL? {
            let candidate = dir.appendingPathComponent("Sandbox/profiles", isDirectory: true)
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: candidate.path, isDirectory: &isDir) && isDir.boolValue ? candidate : nil
        }
        if let home = ProcessInfo.processInfo.environment["AI4SCI_HOME"], !home.isEmpty,
           let found = profiles(in: URL(fileURLWithPath: home, isDirectory: true)) {
            return found
        }
        for start in [URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true), executableURL()?.deletingLastPathComponent()] {
            guard var dir = start?.standardizedFileURL else { continue }
            while true {
                if let found = profiles(in: dir) { return found }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    /// The running executable, resolved through `/proc/self/exe`.
    static func executableURL() -> URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return Bundle.main.executableURL
        }
        return URL(fileURLWithPath: path)
    }

    /// The launcher: `$AI4SCI_SANDBOX_EXEC`, else `ai4sci-sandbox-exec` next to the running executable
    /// (for a test bundle, next to the bundle directory as well).
    static func locateLauncher() throws -> URL {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["AI4SCI_SANDBOX_EXEC"], !env.isEmpty {
            guard fm.isExecutableFile(atPath: env) else {
                throw BenchError(.sandboxRefused, "AI4SCI_SANDBOX_EXEC=\(env): not an executable file",
                                 hint: "point it at the built ai4sci-sandbox-exec, or unset it")
            }
            return URL(fileURLWithPath: env)
        }
        var dir = executableURL()?.deletingLastPathComponent()
        // Walk up a few levels so that `.build/debug/X.xctest/...` finds `.build/debug/ai4sci-sandbox-exec`.
        for _ in 0..<4 {
            guard let d = dir else { break }
            let candidate = d.appendingPathComponent("ai4sci-sandbox-exec")
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = d.deletingLastPathComponent()
        }
        throw BenchError(.sandboxRefused, "the agent launcher ai4sci-sandbox-exec was not found next to \(executableURL()?.path ?? "the running program")",
                         hint: "run `swift build` (it builds the launcher), or set AI4SCI_SANDBOX_EXEC to its path")
    }

    /// The kernel release (`uname -r`).
    static func kernelRelease() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &u.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    private static let privateDirectory = Mutex<URL?>(nil)

    /// A 0700 directory made once per process with mkdtemp, for compiled filters and launcher
    /// reports, so that no other user can swap or read them.
    static func privateTemporaryDirectory() throws -> URL {
        try privateDirectory.withLock { dir in
            if let dir { return dir }
            var template = Array((NSTemporaryDirectory() + "/ai4sci-sandbox-XXXXXX").utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            guard made != nil else {
                throw BenchError(.io, "cannot create a private directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))",
                                 hint: "check that TMPDIR is writable")
            }
            let url = URL(fileURLWithPath: String(cString: template.withUnsafeBufferPointer { $0.baseAddress! }))
            dir = url
            return url
        }
    }
}

extension SandboxResources {
    /// The toolchain roots of the PATH entries outside /usr, /bin, /sbin and /lib*, to be bound
    /// read-only in task mode: for a path under a hidden directory of /root or /home/USER that hidden
    /// directory (e.g. /root/.pyenv, /root/.cargo); for /opt/X/... /opt/X; else the entry itself.
    /// Never a home directory or /root itself.
    public static func runtimeReadOnlyPaths(forPATH path: String) -> [URL] {
        var roots: [String] = []
        for entry in path.split(separator: ":").map(String.init) where entry.hasPrefix("/") {
            let parts = URL(fileURLWithPath: entry).standardizedFileURL.path.split(separator: "/").map(String.init)
            guard let first = parts.first else { continue }
            if ["usr", "bin", "sbin"].contains(first) || first.hasPrefix("lib") { continue }
            var root: String
            if first == "root", parts.count >= 2 {
                root = parts[1].hasPrefix(".") ? "/root/\(parts[1])" : "/" + parts.joined(separator: "/")
            } else if first == "home", parts.count >= 3 {
                root = parts[2].hasPrefix(".") ? "/home/\(parts[1])/\(parts[2])" : "/" + parts.joined(separator: "/")
            } else if first == "opt", parts.count >= 2 {
                root = "/opt/\(parts[1])"
            } else {
                root = "/" + parts.joined(separator: "/")
            }
            if root == "/root" || (parts.first == "home" && root.split(separator: "/").count < 3) { continue }
            guard FileManager.default.fileExists(atPath: root), !roots.contains(root) else { continue }
            roots.append(root)
        }
        // A root inside another is covered by it.
        return roots.filter { r in !roots.contains { $0 != r && TaskPaths.contains($0, r) } }
            .map { URL(fileURLWithPath: $0, isDirectory: true) }
    }
}
