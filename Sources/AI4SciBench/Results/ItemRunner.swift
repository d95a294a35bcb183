import Foundation

/// Runs one item end to end and writes its result files.
struct ItemRunner: Sendable {
    let config: RunConfiguration
    let registry: ScorerRegistry
    let launcher: AgentLauncher
    let workspaceRoot: URL
    /// The attempt number recorded in the result (batch retries and resumes count up from 1).
    var attempt: Int = 1

    func run(_ item: RunItem) async throws -> InstanceResult {
        try await runDetailed(item).result
    }

    /// Runs the item; also returns the sandbox refusal step when the launcher refused it.
    func runDetailed(_ item: RunItem) async throws -> (result: InstanceResult, refusalStep: String?) {
        let fm = FileManager.default
        let startedAt = BenchmarkRunner.timestamp()
        let clock = ContinuousClock()
        let t0 = clock.now
        let taskDir = config.outputDirectory.appendingPathComponent(item.task.id)
        try fm.createDirectory(at: taskDir, withIntermediateDirectories: true)
        let base = taskDir.appendingPathComponent(item.instanceID)
        let stdoutURL = URL(fileURLWithPath: base.path + ".agent_stdout.jsonl")
        let stderrURL = URL(fileURLWithPath: base.path + ".agent_stderr.log")
        let outputsURL = URL(fileURLWithPath: base.path + ".outputs", isDirectory: true)
        try? fm.removeItem(at: outputsURL)

        let timeout = config.timeoutSeconds ?? item.task.timeoutSeconds ?? 600
        let ws = try Workspace.create(root: workspaceRoot, instanceID: item.instanceID, instance: item.instance,
                                      task: item.task, level: item.level, timeoutSeconds: timeout)
        defer { if !config.keepWorkspaces { ws.remove() } }
        let values = [
            "workspace": ws.directory.path, "prompt_file": ws.promptFile.path, "prompt_level": item.level.rawValue,
            "task_id": item.task.id, "instance_id": item.instanceID,
        ]
        let facts = ["workspace": ws.directory.path, "prompt_file": ws.promptFile.path, "prompt_level": item.level.rawValue,
                     "timeout_seconds": String(Int(timeout)), "instance_id": item.instanceID]
        // In the namespace modes /tmp is the agent's own size-limited tmpfs; otherwise a private host directory.
        let tmp = config.isolatesFileSystem ? "/tmp" : ws.tmpDirectory.path
        var env = try AgentEnvironment.agent(home: ws.directory.path, tmp: tmp, runFacts: facts, passEnv: config.passEnv).env
        var plan = AgentLaunchPlan(arguments: config.agentCommand.argv(values), network: config.network,
                                   readOnly: config.agentCommand.programDirectories, secretNames: config.passEnv)
        if let adapter = config.agentAdapter {
            await Self.learnVersion(of: adapter)
            switch Self.adapterPlan(adapter, environment: &env, promptFile: ws.promptFile, config: config) {
            case .success(let p): plan = p
            case .failure(let notStarted):
                // No CLI or no key: nothing ran, so nothing is the agent's fault; the batch goes on.
                let result = InstanceResult.notRun(
                    task: item.task, instanceID: item.instanceID, variant: item.instance.variant, parameters: item.instance.parameters,
                    level: item.level, attempt: attempt, agent: agentProvenance(version: nil), requestedMode: config.sandbox,
                    message: notStarted.message, note: "the agent was not started", executor: config.executor)
                try AtomicFile.writeJSON(result, to: URL(fileURLWithPath: base.path + ".json"))
                return (result, nil)
            }
        }
        let t1 = clock.now

        var request = LaunchRequest(
            arguments: plan.arguments, workingDirectory: ws.directory, environment: env,
            stdoutFile: stdoutURL, stderrFile: stderrURL, outputCapBytes: config.outputCapBytes,
            timeoutSeconds: timeout, graceSeconds: 5, mode: config.sandbox, seccompProfile: nil, limits: ResourceLimits(),
            readOnlyPaths: SandboxResources.runtimeReadOnlyPaths(forPATH: env["PATH"] ?? AgentEnvironment.defaultPath)
                + plan.readOnly + config.readOnlyBinds,
            writablePaths: [ws.directory], allowDegraded: config.allowDegraded, network: plan.network)
        request.stdinFile = plan.stdinFile
        // Secrets never reach a kept file: the agent's keys and known key shapes are replaced before anything reads the captures.
        let redaction = SecretRedaction(secretNames: plan.secretNames)
        let modelOutputURL = URL(fileURLWithPath: base.path + ".agent_model_output.md")
        try? fm.removeItem(at: modelOutputURL)
        let launch: LaunchResult
        var llmTranscript: DirectLLMTranscript?
        var llmServiceFailure: String?
        if let llm = config.agentAdapter?.llm {
            var transcript = DirectLLMTranscript(codeFile: Self.codeFile(for: item.task))
            let turns = try await runDirectLLM(llm, plan: plan, item: item, workspace: ws, request: request,
                                               modelOutput: modelOutputURL, redaction: redaction, transcript: &transcript)
            llmTranscript = transcript
            switch turns {
            case .ran(let last, let failure):
                launch = last
                llmServiceFailure = failure
            case .nothingRan(let message, let outcome):
                var result = InstanceResult.notRun(
                    task: item.task, instanceID: item.instanceID, variant: item.instance.variant, parameters: item.instance.parameters,
                    level: item.level, attempt: attempt, agent: agentProvenance(version: plan.cliVersion, readOnly: plan.readOnly, llm: transcript),
                    requestedMode: config.sandbox, message: message,
                    note: outcome == .agentFailed ? "no answer of the model held a program to run" : "the model's API failed before any program ran",
                    executor: config.executor)
                result.outcome = outcome
                if outcome == .agentFailed { result.finalScore = 0 }
                result.usage = config.prices?.priced(transcript.totalUsage, model: llm.model) ?? transcript.totalUsage
                result.agentOutput.usage = result.usage
                result.agentOutput.stream = transcript.summary
                result.agentOutput.llm = transcript
                if transcript.redactions > 0 { result.agentOutput.redactions = transcript.redactions }
                result.artifacts = try [stdoutURL, stderrURL, modelOutputURL].filter { fm.fileExists(atPath: $0.path) }.map(artifact)
                result.timing = Timing(startedAt: startedAt, finishedAt: BenchmarkRunner.timestamp(), workspaceSeconds: (t1 - t0).inSeconds,
                                       agentSeconds: (clock.now - t1).inSeconds, scoringSeconds: 0)
                try AtomicFile.writeJSON(result, to: URL(fileURLWithPath: base.path + ".json"))
                return (result, nil)
            }
        } else {
            launch = try await launcher.launch(request)
        }
        let t2 = clock.now
        for url in [stdoutURL, stderrURL] where !fm.fileExists(atPath: url.path) {
            _ = fm.createFile(atPath: url.path, contents: Data())
        }
        let redacted = ((try? redaction.redact(file: stdoutURL)) ?? 0) + ((try? redaction.redact(file: stderrURL)) ?? 0)
        var output = AgentOutputParser.parse(file: stdoutURL, truncated: launch.stdoutTruncated)
        let removed = redacted + (llmTranscript?.redactions ?? 0)
        if removed > 0 { output.redactions = removed }
        var serviceFailure: String?
        if let transcript = llmTranscript, let llm = config.agentAdapter?.llm {
            output.stream = transcript.summary
            output.llm = transcript
            output.usage = config.prices?.priced(transcript.totalUsage, model: llm.model) ?? transcript.totalUsage
            serviceFailure = llmServiceFailure
        } else if let adapter = config.agentAdapter {
            let (stream, usage) = adapter.parse(FileManager.default.contents(atPath: stdoutURL.path) ?? Data())
            output.stream = stream
            output.usage = config.prices?.priced(usage, model: adapter.model ?? stream.model) ?? usage
            if launch.status != .completed || !stream.errors.isEmpty {
                serviceFailure = adapter.serviceFailure(stream, stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
            }
        }

        let agentStatus: AgentStatus
        switch launch.status {
        case .completed: agentStatus = .completed
        case .failed: agentStatus = .failed
        case .timeout: agentStatus = .timeout
        case .refused: agentStatus = .refused
        case .cancelled: throw CancellationError()
        }

        var outcome = RunOutcome.scored
        var finalScore: Double?
        var message: String?
        var components: [JSONValue] = []
        var gates: [JSONValue] = []
        var hardPassed: Bool?
        var softFailures: [String] = []
        var workspaceBytes: Int64?
        var scorerBridge: JSONValue?
        let scorerStderrURL = URL(fileURLWithPath: base.path + ".scorer_stderr.log")
        try? fm.removeItem(at: scorerStderrURL)
        let maxScore = item.task.evaluation.maxPossibleScore

        if agentStatus == .refused {
            outcome = .evaluationInvalid
            message = "sandbox refused the run at step \(launch.refusal?.step ?? "?"): \(launch.refusal?.message ?? "")"
        } else {
            workspaceBytes = ws.regularFileBytes()
            let removedLinks = ws.removeNonRegularFiles()
            if !removedLinks.isEmpty { message = "removed before scoring (links and special files are not outputs): \(removedLinks.joined(separator: ", "))" }
            let (evaluation, bridge) = await evaluate(item, predictionDir: ws.directory)
            if let bridge {
                scorerBridge = bridge.json
                if !bridge.stderr.isEmpty {
                    try? AtomicFile.write(Data(bridge.stderr.utf8), to: scorerStderrURL)
                }
            }
            components = evaluation.componentScores.compactMap { try? JSONValue(encoding: $0) }
            gates = evaluation.gateResults.compactMap { try? JSONValue(encoding: $0) }
            hardPassed = evaluation.hardGatesPassed
            softFailures = evaluation.softGateFailures
            if let reason = evaluation.invalidReason {
                outcome = .evaluationInvalid
                message = "evaluation invalid: \(reason)" + (message.map { "; \($0)" } ?? "")
            } else if agentStatus == .completed {
                finalScore = evaluation.finalScore
            } else {
                // The agent failed: its score counts as 0; what it left is still evaluated for diagnosis.
                outcome = .agentFailed
                finalScore = 0
                message = Self.describeFailure(launch, timeout: timeout) + (message.map { "; \($0)" } ?? "")
            }
        }
        if let serviceFailure, outcome != .evaluationInvalid {
            // The model's service refused or could not be reached: not the agent's work, so not a 0 for it.
            outcome = .evaluationInvalid
            finalScore = nil
            message = serviceFailure
        }
        _ = try? ws.collectOutputs(item.task.outputFiles, to: outputsURL)
        let t3 = clock.now

        var artifacts: [ArtifactRecord] = []
        var files = [stdoutURL, stderrURL]
        if fm.fileExists(atPath: modelOutputURL.path) { files.append(modelOutputURL) }
        if fm.fileExists(atPath: scorerStderrURL.path) { files.append(scorerStderrURL) }
        if let e = fm.enumerator(at: outputsURL, includingPropertiesForKeys: nil) {
            for case let u as URL in e where (try? u.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(u) }
        }
        for url in files { artifacts.append(try artifact(url)) }
        let result = InstanceResult(
            taskID: item.task.id, taskVersion: item.task.version, taskHash: item.task.contentHash, instanceID: item.instanceID,
            instance: ["name": .string(item.instance.name), "variant": .string(item.instance.variant), "params_used": .object(item.instance.parameters)],
            promptLevel: item.level, attempt: attempt,
            agent: agentProvenance(version: plan.cliVersion, readOnly: plan.readOnly, llm: llmTranscript),
            outcome: outcome, agentStatus: agentStatus, finalScore: finalScore, maxPossibleScore: maxScore,
            componentScores: components, gateResults: gates, hardGatesPassed: hardPassed, softGateFailures: softFailures,
            message: message,
            requestedMode: launch.provenance.requestedMode, effectiveMode: launch.provenance.effectiveMode,
            enforcementStatus: launch.provenance.enforcementStatus, verificationStatus: launch.provenance.verificationStatus,
            sandbox: launch.provenance.evidence, usage: output.usage, agentOutput: output,
            resources: agentStatus == .refused ? nil : ResourceUsage(
                wallSeconds: launch.wallSeconds, userCPUSeconds: launch.userCPUSeconds, systemCPUSeconds: launch.systemCPUSeconds,
                peakRSSBytes: launch.peakRSSBytes, exitCode: launch.exitCode, signal: launch.signal, timedOut: launch.status == .timeout,
                leftoverProcessesKilled: launch.leftoverProcessesKilled, stdoutBytes: launch.stdoutBytes, stdoutTruncated: launch.stdoutTruncated,
                stderrBytes: launch.stderrBytes, stderrTruncated: launch.stderrTruncated,
                processesStarted: Self.nonNegative(launch.provenance.evidence["sandbox_processes_started"]).map(Int.init),
                workspaceBytes: workspaceBytes,
                cgroupPeakMemoryBytes: Self.nonNegative(launch.provenance.evidence["cgroup_peak_memory_bytes"]),
                oomKills: Self.nonNegative(launch.provenance.evidence["cgroup_oom_kills"]).map(Int.init)),
            timing: Timing(startedAt: startedAt, finishedAt: BenchmarkRunner.timestamp(), workspaceSeconds: (t1 - t0).inSeconds,
                           agentSeconds: (t2 - t1).inSeconds, scoringSeconds: (t3 - t2).inSeconds),
            artifacts: artifacts, scorerBridge: scorerBridge, executor: config.executor)
        try AtomicFile.writeJSON(result, to: URL(fileURLWithPath: base.path + ".json"))
        return (result, agentStatus == .refused ? (launch.refusal?.step ?? "?") : nil)
    }

    /// The result's `agent` object: name, command, passed variable names, binds and, for a built-in agent, its settings.
    func agentProvenance(version: String?, readOnly: [URL]? = nil, llm: DirectLLMTranscript? = nil) -> [String: JSONValue] {
        let binds: [URL] = (readOnly ?? config.agentCommand.programDirectories) + config.readOnlyBinds
        var o: [String: JSONValue] = [:]
        o["name"] = .string(config.agentName)
        o["command_template"] = .string(config.agentCommand.template)
        o["pass_env"] = JSONValue.array(config.passEnv.map(JSONValue.string))
        o["read_only_binds"] = JSONValue.array(binds.map { JSONValue.string($0.path) })
        if let adapter = config.agentAdapter {
            var a = adapter.provenance(version: version)
            if let llm {
                // What the server said about itself, next to what was asked for.
                a["python_version"] = version.map(JSONValue.string) ?? JSONValue.null
                a["served_model"] = llm.servedModel.map(JSONValue.string) ?? JSONValue.null
                a["system_fingerprint"] = llm.systemFingerprint.map(JSONValue.string) ?? JSONValue.null
                a["server"] = llm.server.map(JSONValue.string) ?? JSONValue.null
            }
            o["adapter"] = .object(a)
        }
        if let prices = config.prices { o["prices"] = .string(prices.source) }
        return o
    }

    /// The artifact record of a file under the output directory.
    func artifact(_ url: URL) throws -> ArtifactRecord {
        let h = try AtomicFile.sha256(of: url)
        let rel = String(url.standardizedFileURL.path.dropFirst(config.outputDirectory.standardizedFileURL.path.count + 1))
        return ArtifactRecord(path: rel, bytes: h.bytes, sha256: h.hex)
    }

    /// A non-negative integer from evidence (the launcher writes -1 for "not measured").
    static func nonNegative(_ v: JSONValue?) -> Int64? {
        guard let d = v?.doubleValue, d >= 0 else { return nil }
        return Int64(d)
    }

    static func describeFailure(_ launch: LaunchResult, timeout: Double) -> String {
        if launch.status == .timeout { return "timeout after \(Int(timeout)) s" }
        let wall = String(format: "%.1f", launch.wallSeconds)
        if let code = launch.exitCode { return "agent exited \(code) after \(wall) s" }
        if let sig = launch.signal { return "agent was killed by signal \(sig) (\(signalName(sig))) after \(wall) s" }
        return "agent failed after \(wall) s"
    }

    static func signalName(_ sig: Int32) -> String {
        [1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM", 31: "SIGSYS", 25: "SIGXFSZ", 24: "SIGXCPU"][sig] ?? "signal \(sig)"
    }
}
