import Foundation

/// The network part of one launch: the proxy it starts, the launcher arguments and environment that
/// connect the sandbox to it, the seccomp override it needs, and the `network` evidence of the result.
struct NetworkSetup {
    let policy: NetworkPolicy
    /// Set when the request cannot be honoured in this mode (the run is refused at step `network`).
    var refusal: String?
    private(set) var proxy: NetworkProxy?
    private var log: [NetworkLogEntry] = []
    /// The seccomp override in force (name, description, derived profile and policy hashes).
    private(set) var seccompOverride: JSONValue?

    /// Starts the proxy for a `proxy` policy in task/strict mode and swaps the context's filter for
    /// one compiled with the socket-family override; refuses `proxy` in modes without a netns.
    init(_ policy: NetworkPolicy, mode: SandboxMode, context: inout LaunchContext) throws {
        self.policy = policy
        guard policy.mode == .proxy else { return }
        guard mode == .task || mode == .strict else {
            refusal = NetworkPolicy.namespaceRequired(mode)
            return
        }
        guard !policy.allowedHosts.isEmpty else {
            throw BenchError(.badInput, "--network proxy needs at least one --allow-host HOST[:PORT]",
                             hint: "name every host the agent may reach")
        }
        if let path = context.profilePath {
            let profile = try SeccompProfile.load(from: URL(fileURLWithPath: path)).withProxyNetworkOverride()
            let filter = try SeccompCompiler.shared.compile(profile)
            context.filter = filter
            seccompOverride = .object([
                "name": .string(SeccompProfile.proxyNetworkOverrideName),
                "description": .string(SeccompProfile.proxyNetworkOverrideDescription),
                "profile_sha256": .string(profile.sha256),
                "policy_sha256": .string(filter.sha256),
            ])
        }
        proxy = try NetworkProxy(policy: policy)
    }

    /// `--proxy-socket PATH --proxy-port PORT` when the proxy runs.
    var launcherArguments: [String] {
        guard let proxy else { return [] }
        return ["--proxy-socket", proxy.socketPath, "--proxy-port", String(NetworkPolicy.relayPort)]
    }

    /// The proxy variables for the agent (empty without the proxy).
    var environment: [String: String] { proxy == nil ? [:] : policy.agentEnvironment }

    /// Stops the proxy (idempotent) and keeps its log.
    mutating func stop() {
        if let proxy { log = proxy.stop() }
    }

    /// Stops the proxy and adds the `network` evidence (mode, allow list, log) to the result.
    mutating func attach(to result: LaunchResult) -> LaunchResult {
        stop()
        var result = result
        result.provenance.evidence["network"] = NetworkProxy.evidence(policy: policy, log: log)
        if let seccompOverride { result.provenance.evidence["seccomp_network_override"] = seccompOverride }
        return result
    }
}
