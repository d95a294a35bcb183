import Foundation

/// What the direct-llm agent tells the model, and how the program is taken from its answer.
public enum ModelAnswer {
    /// The built-in system prompt: one complete Python program, run in the task's folder without network.
    public static let systemPrompt = """
        You are solving a computational-science task. You cannot run tools or see files: answer with ONE complete, \
        self-contained Python 3 program in a single ```python fenced block. The program is saved under the file name \
        given below and run once, without network access and with a time limit, in the working directory that holds \
        the task's input files; it must read its inputs from there and write every requested output file there. \
        Do not ask questions. Text outside the code block is kept but not run.
        """

    /// The first user message: the task's prompt, then the facts the program needs.
    public static func firstMessage(prompt: String, codeFile: String, python: String, timeoutSeconds: Double,
                                    packages: [String], workspaceFiles: [String]) -> String {
        var facts = ["- The program is saved as `\(codeFile)` and run as `\(python) \(codeFile)` in the working directory.",
                     "- Time limit: \(Int(timeoutSeconds)) s; no network."]
        if !packages.isEmpty { facts.append("- Python packages available: \(packages.joined(separator: ", ")).") }
        if !workspaceFiles.isEmpty { facts.append("- Files in the working directory: \(workspaceFiles.joined(separator: ", ")).") }
        return prompt.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n## How your answer is run\n" + facts.joined(separator: "\n") + "\n"
    }

    /// The repair message after a failed run: what failed and the end of its stderr.
    public static func repairMessage(codeFile: String, failure: String, stderrTail: String) -> String {
        var text = "Running `\(codeFile)` failed: \(failure)."
        if !stderrTail.isEmpty { text += "\n\nThe end of its stderr:\n```\n\(stderrTail)\n```" }
        return text + "\n\nAnswer with the complete corrected program in one ```python block."
    }

    /// The message when the answer held no program.
    public static let noCodeMessage = "Your answer held no ```python code block. Answer with the complete program in one ```python block."

    /// The program in an answer: the last fenced block tagged python/py/python3, else the last untagged fenced block;
    /// nil when there is none. Also returns how many fenced blocks the answer had.
    public static func extractCode(_ text: String) -> (code: String?, blocks: Int) {
        var blocks: [(tag: String, body: String)] = []
        var current: (tag: String, lines: [Substring])?
        var fence = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var block = current {
                if trimmed.hasPrefix(fence), trimmed.allSatisfy({ $0 == fence.first }) {
                    blocks.append((block.tag, block.lines.joined(separator: "\n")))
                    current = nil
                } else {
                    block.lines.append(line)
                    current = block
                }
            } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                let mark = trimmed.first!
                let run = trimmed.prefix { $0 == mark }
                fence = String(run)
                current = (String(trimmed.dropFirst(run.count)).trimmingCharacters(in: .whitespaces).lowercased(), [])
            }
        }
        // An unclosed last block (the answer was cut off) still counts: the run will show whether it works.
        if let block = current { blocks.append((block.tag, block.lines.joined(separator: "\n"))) }
        let pythonTags: Set<String> = ["python", "py", "python3"]
        let chosen = blocks.last { pythonTags.contains($0.tag.split(separator: " ").first.map(String.init) ?? "") }
            ?? blocks.last { $0.tag.isEmpty }
        guard let body = chosen?.body, !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return (nil, blocks.count) }
        return (body.hasSuffix("\n") ? body : body + "\n", blocks.count)
    }

    /// The last `maxLines` lines of `text` (at most `maxBytes` bytes), for feeding back to the model.
    public static func tail(_ text: String, maxLines: Int = 40, maxBytes: Int = 4000) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(maxLines).joined(separator: "\n")
        if lines.utf8.count > maxBytes { lines = "…" + String(decoding: lines.utf8.suffix(maxBytes), as: UTF8.self) }
        return lines.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
