import Foundation
import Testing

@testable import AI4SciBench

/// Parsing and compiling OCI seccomp profiles, and the provenance encoding.
@Suite("Sandbox seccomp profiles")
struct SandboxProfileTests {
    static let defaultProfile = SandboxScratch.profilesDirectory.appendingPathComponent("default.json")

    @Test("the default profile parses and compiles to a stable, native-only BPF program")
    func defaultProfileCompiles() throws {
        let profile = try SeccompProfile.load(from: Self.defaultProfile)
        #expect(profile.defaultAction == .allow)
        #expect(profile.architectures.contains("SCMP_ARCH_X86_64") && profile.architectures.contains("SCMP_ARCH_AARCH64"))
        let clone = profile.rules.filter { $0.names == ["clone"] }
        #expect(clone.count == 8)
        #expect(clone.allSatisfy { $0.conditions.first?.op == .maskedEqual && $0.action == .errno(UInt16(EPERM)) })
        let compiled = try profile.compile()
        #expect(compiled.sha256.count == 64)
        #expect(compiled.bpf.count % 8 == 0 && compiled.bpf.count > 8)
        #expect(compiled.ruleCount > 40)
        #expect(!compiled.libseccompVersion.isEmpty && compiled.libseccompVersion != "unknown")
        #expect(FileManager.default.contents(atPath: compiled.file.path) == compiled.bpf)
        #if arch(x86_64)
        #expect(compiled.architecture == "x86_64")
        #endif
        // A fresh parse of the same bytes compiles to the same policy hash.
        let again = try SeccompProfile(data: Data(contentsOf: Self.defaultProfile), source: "copy").compile()
        #expect(again.sha256 == compiled.sha256)
    }

    @Test("syscall names unknown on this architecture are skipped, not errors")
    func unknownNamesSkipped() throws {
        let json = #"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["no_such_syscall","bpf"],"action":"SCMP_ACT_ERRNO"}]}"#
        let compiled = try SeccompProfile(data: Data(json.utf8), source: "t.json").compile()
        #expect(compiled.skippedSyscalls == ["no_such_syscall"])
        #expect(compiled.ruleCount == 1)
    }

    static let badProfiles: [(json: String, mentions: [String])] = [
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["bpf"],"action":"SCMP_ACT_EXPLODE"}]}"#,
         ["syscalls[0].action", "unknown action", "SCMP_ACT_EXPLODE"]),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}"#,
         ["syscalls[0].args[0].op", "unknown operator"]),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
         ["syscalls[0].args[0].index", "0 to 5"]),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":"EPERM"}]}"#,
         ["syscalls[0].errnoRet"]),
        (#"{"syscalls":[]}"#, ["defaultAction", "missing"]),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]}"#, ["syscalls[0].names"]),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscall":[]}"#, ["syscall", "unknown field"]),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["bpf"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}}]}"#,
         ["syscalls[0].includes.caps"]),
        (#"{"defaultAction": "#, ["not valid JSON"]),
    ]

    @Test("bad profiles are rejected with the file and the field named", arguments: 0..<badProfiles.count)
    func badProfileNamesField(index: Int) throws {
        let (json, mentions) = Self.badProfiles[index]
        let error = #expect(throws: BenchError.self) { try SeccompProfile(data: Data(json.utf8), source: "Sandbox/profiles/bad.json") }
        #expect(error?.code == .badInput)
        #expect(error?.message.hasPrefix("Sandbox/profiles/bad.json") == true)
        for text in mentions { #expect(error?.message.contains(text) == true, "\(error?.message ?? "") lacks \(text)") }
    }

    @Test("a profile that does not list the native architecture fails to compile with a hint")
    func nativeArchitectureRequired() throws {
        let json = #"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_S390X"],"syscalls":[]}"#
        let profile = try SeccompProfile(data: Data(json.utf8), source: "s390.json")
        let error = #expect(throws: BenchError.self) { try profile.compile() }
        #expect(error?.message.contains("architectures") == true)
    }

    @Test("provenance encodes with the result field names and the evidence under `sandbox`")
    func provenanceEncoding() throws {
        let p = SandboxProvenance(
            requestedMode: .seccomp, effectiveMode: .none, enforcementStatus: .notRequested,
            verificationStatus: .notApplicable, evidence: ["policy_sha256": "abc"])
        let json = try JSONValue(encoding: p)
        #expect(json["requested_mode"] == "seccomp")
        #expect(json["effective_mode"] == "none")
        #expect(json["enforcement_status"] == "not_requested")
        #expect(json["verification_status"] == "not_applicable")
        #expect(json["sandbox"]?["policy_sha256"] == "abc")
        let back = try JSONDecoder().decode(SandboxProvenance.self, from: JSONValue.encode(p))
        #expect(back == p)
    }

    @Test("the profiles directory is found from the current directory")
    func profilesDirectoryFound() throws {
        let found = try #require(SandboxResources.defaultProfilesDirectory())
        #expect(FileManager.default.fileExists(atPath: found.appendingPathComponent("default.json").path))
    }
}

/// How the read-back in the launcher's setup record turns into provenance.
@Suite("Sandbox provenance from the launcher report")
struct SandboxProvenanceDerivationTests {
    func derive(_ procStatus: String, read: Bool = true) throws -> SandboxProvenance {
        var context = LaunchContext(requested: .seccomp, launcher: URL(fileURLWithPath: "/x/ai4sci-sandbox-exec"))
        context.filter = try SeccompProfile.load(from: SandboxProfileTests.defaultProfile).compile()
        let bytes = context.filter!.bpf.count
        let report = LauncherReport(output: """
            {"type":"setup","ok":true,"pid":42,"steps":["exec"],"proc_status_read":\(read),"proc_status":{\(procStatus)},"limits":{},"seccomp_bpf_bytes":\(bytes)}
            {"type":"exit","status":"completed","exit_code":0,"signal":null,"wall_seconds":0.1,"user_cpu_seconds":0,"system_cpu_seconds":0,"peak_rss_bytes":1024,"stdout_bytes":0,"stdout_kept_bytes":0,"stdout_truncated":false,"stderr_bytes":0,"stderr_kept_bytes":0,"stderr_truncated":false,"leftover_processes_killed":0,"timed_out":false,"cancelled":false}
            """)
        return context.result(from: report).provenance
    }

    @Test("Seccomp 2 and NoNewPrivs 1 read back: enforced, verified, effective seccomp")
    func verified() throws {
        let p = try derive(#""Seccomp":"2","Seccomp_filters":"1","NoNewPrivs":"1","CapEff":"0""#)
        #expect(p.effectiveMode == .seccomp && p.verificationStatus == .verified && p.enforcementStatus == .enforced)
    }

    @Test("a read-back showing Seccomp 0 is a mismatch and the effective mode is none")
    func mismatch() throws {
        let p = try derive(#""Seccomp":"0","Seccomp_filters":"0","NoNewPrivs":"1""#)
        #expect(p.effectiveMode == SandboxMode.none && p.verificationStatus == .mismatch)
        #expect(p.enforcementStatus == .degraded)
        #expect(p.evidence["degraded_reasons"]?.arrayValue?.first?.stringValue?.contains("Seccomp is 0") == true)
        #expect(p.evidence["verification"]?.stringValue?.contains("Seccomp is 0") == true)
    }

    @Test("nothing read back is unverified and the effective mode is none")
    func unverified() throws {
        let p = try derive("", read: false)
        #expect(p.effectiveMode == SandboxMode.none && p.verificationStatus == .unverified)
        #expect(p.enforcementStatus == .degraded)
        let q = try derive(#""CapEff":"0""#)
        #expect(q.verificationStatus == .unverified)
    }
}
