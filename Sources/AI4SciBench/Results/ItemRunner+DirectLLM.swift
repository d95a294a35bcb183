import Foundation

/// How the `direct-llm` agent's turns ended.
enum DirectLLMOutcome {
    /// The program ran at least once: the last run, and a service failure if a later call failed.
    case ran(LaunchResult, serviceFailure: String?)
    /// Nothing ran: the API failed (`evaluation_invalid`) or no answer held a program (`agent_failed`).
    case nothingRan(message: String, outcome: RunOutcome)
}

extension ItemRunner {
    /// The task's declared code output ending in `.py` (the first), else `solution.py`.
    static func codeFile(for task: TaskDefinition) -> String {
        task.outputFiles.first { $0.type == "code" && $0.name.hasSuffix(".py") }?.name ?? "solution.py"
    }

    /// Runs the `direct-llm` turns: ask the model, save its program as the task's code output, run it in the sandbox
    /// (`request` with the program as its command), and on failure feed the end of its stderr back, up to
    /// `repair_turns` times. Writes the captures of every run (in order) to the request's stdout/stderr files and the
    /// whole conversation, secrets removed, to `modelOutput`.
    func runDirectLLM(_ llm: DirectLLMSettings, plan: AgentLaunchPlan, item: RunItem, workspace ws: Workspace,
                      request: LaunchRequest, modelOutput: URL, redaction: SecretRedaction,
                      transcript: inout DirectLLMTranscript) async throws -> DirectLLMOutcome {
        let fm = FileManager.default
        let codeFile = transcript.codeFile
        let python = plan.arguments[0]
        let client = ChatCompletionsClient(settings: llm, apiKey: plan.apiKey)
        let inputs = (fm.enumerator(atPath: ws.directory.path)?.allObjects as? [String] ?? []).filter { path in
            var isDir: ObjCBool = false
            return !path.hasPrefix(".") && fm.fileExists(atPath: ws.directory.appendingPathComponent(path).path, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
        let prompt = (try? String(contentsOf: ws.promptFile, encoding: .utf8)) ?? ""
        var messages = [
            ChatMessage(role: "system", content: llm.systemPrompt ?? ModelAnswer.systemPrompt),
            ChatMessage(role: "user", content: ModelAnswer.firstMessage(
                prompt: prompt, codeFile: codeFile, python: URL(fileURLWithPath: python).lastPathComponent, timeoutSeconds: request.timeoutSeconds,
                packages: item.task.runtimePackages, workspaceFiles: inputs)),
        ]
        var md = "# direct-llm: \(item.instanceID)\n\nmodel `\(llm.model)` at \(llm.endpoint.absoluteString)"
            + (llm.stream ? " (streamed)" : "") + "; program saved as `\(codeFile)`\n\n## System\n\n\(messages[0].content)\n"
        var stdoutAll = Data()
        var stderrAll = Data()
        var last: LaunchResult?
        var serviceFailure: String?
        defer {
            let (clean, removed) = redaction.redact(md)
            transcript.redactions = removed
            try? AtomicFile.write(Data(clean.utf8), to: modelOutput)
            try? AtomicFile.write(stdoutAll, to: request.stdoutFile)
            try? AtomicFile.write(stderrAll, to: request.stderrFile)
        }
        let turns = 1 + llm.repairTurns
        for n in 1...turns {
            try Task.checkCancellation()
            md += "\n## Turn \(n)\n\n### Sent\n\n\(messages[messages.count - 1].content)\n"
            let (answer, attempts) = await client.complete(messages)
            var turn = DirectLLMTranscript.Turn(turn: n, attempts: attempts)
            let completion: ChatCompletion
            switch answer {
            case .failure(let f):
                turn.error = redaction.redact(f.detail).0
                turn.attempts = attempts.map { var a = $0; a.error = a.error.map { redaction.redact($0).0 }; return a }
                transcript.append(turn)
                serviceFailure = Self.describe(f, llm: llm, requests: attempts.count, keyNames: plan.secretNames)
                md += "\n### No answer\n\n\(f.detail) (\(attempts.count) request\(attempts.count == 1 ? "" : "s"))\n"
                if let last { return .ran(last, serviceFailure: serviceFailure) }
                return .nothingRan(message: serviceFailure!, outcome: .evaluationInvalid)
            case .success(let c):
                completion = c
            }
            turn.finishReason = completion.finishReason
            turn.usage = completion.usage
            transcript.servedModel = completion.model ?? transcript.servedModel
            transcript.systemFingerprint = completion.systemFingerprint ?? transcript.systemFingerprint
            transcript.server = completion.server ?? transcript.server
            let retried = attempts.count > 1 ? ", after \(attempts.count - 1) retr\(attempts.count == 2 ? "y" : "ies")" : ""
            md += "\n### Answer (finish_reason \(completion.finishReason ?? "unknown")\(retried))\n\n\(completion.content)\n"
            messages.append(ChatMessage(role: "assistant", content: completion.content))
            let (code, blocks) = ModelAnswer.extractCode(completion.content)
            turn.codeBlocks = blocks
            guard let code else {
                transcript.append(turn)
                md += "\n### Run\n\nnothing to run: the answer held no program\n"
                if n < turns { messages.append(ChatMessage(role: "user", content: ModelAnswer.noCodeMessage)) }
                continue
            }
            turn.codeBytes = code.utf8.count
            let codeURL = ws.directory.appendingPathComponent(codeFile)
            try fm.createDirectory(at: codeURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Data(code.utf8), to: codeURL)

            var run = request
            run.arguments = [python, codeFile]
            run.stdinFile = nil
            run.stdoutFile = URL(fileURLWithPath: request.stdoutFile.path + ".turn\(n)")
            run.stderrFile = URL(fileURLWithPath: request.stderrFile.path + ".turn\(n)")
            let launch = try await launcher.launch(run)
            let out = fm.contents(atPath: run.stdoutFile.path) ?? Data()
            let err = fm.contents(atPath: run.stderrFile.path) ?? Data()
            try? fm.removeItem(at: run.stdoutFile)
            try? fm.removeItem(at: run.stderrFile)
            if launch.status == .cancelled { throw CancellationError() }
            stdoutAll.append(out)
            if turns > 1 { stderrAll.append(Data("[ai4sci-bench] turn \(n): \(URL(fileURLWithPath: python).lastPathComponent) \(codeFile)\n".utf8)) }
            stderrAll.append(err)
            last = launch
            let status: String
            switch launch.status {
            case .completed: status = "completed"
            case .failed: status = "failed"
            case .timeout: status = "timeout"
            case .refused: status = "refused"
            case .cancelled: status = "cancelled"
            }
            turn.run = DirectLLMTranscript.Run(status: status, exitCode: launch.exitCode, signal: launch.signal, seconds: launch.wallSeconds)
            transcript.append(turn)
            let failure = launch.status == .completed ? nil : Self.describeFailure(launch, timeout: request.timeoutSeconds)
            let tail = ModelAnswer.tail(redaction.redact(String(decoding: err, as: UTF8.self)).0)
            md += "\n### Run\n\n`\(URL(fileURLWithPath: python).lastPathComponent) \(codeFile)`: \(failure ?? "exited 0") after "
                + String(format: "%.1f", launch.wallSeconds) + " s\n" + (tail.isEmpty ? "" : "\n```\n\(tail)\n```\n")
            guard let failure, launch.status != .refused else { break }
            if n < turns {
                messages.append(ChatMessage(role: "user", content: ModelAnswer.repairMessage(codeFile: codeFile, failure: failure, stderrTail: tail)))
            }
        }
        if let last { return .ran(last, serviceFailure: nil) }
        return .nothingRan(message: "direct-llm: no answer held a ```python program (\(turns) turn\(turns == 1 ? "" : "s")); see the model output", outcome: .agentFailed)
    }

    /// The message of an item whose model call failed: what happened and what to change.
    static func describe(_ f: ChatFailure, llm: DirectLLMSettings, requests: Int, keyNames: [String]) -> String {
        let at = "direct-llm: \(llm.endpoint.absoluteString)"
        let tries = "after \(requests) request\(requests == 1 ? "" : "s")"
        switch f.kind {
        case .auth:
            let key = keyNames.last ?? "the key variable"
            return "\(at) refused the key (\(f.detail)); renew or export \(key) (api_key_env) and run again"
        case .unreachable:
            return "\(at) could not be reached \(tries): \(f.detail); check base_url and that the server is up"
        case .timeout:
            return "\(at) gave no complete answer \(tries) (\(f.detail)); raise request_timeout or check the server"
        case .rateLimited:
            return "\(at) was still rate-limiting \(tries) (\(f.detail)); raise retries or backoff_seconds, or run fewer items at once"
        case .server:
            return "\(at) failed \(tries) (\(f.detail)); try again later (batch-run --resume re-runs such items)"
        case .rejected:
            return "\(at) rejected the request (\(f.detail)); check model and extra_body in --agent-config"
        case .badResponse:
            return "\(at) did not answer as an OpenAI-compatible Chat Completions API (\(f.detail)); check base_url (it ends before /chat/completions, e.g. …/v1)"
        }
    }
}
