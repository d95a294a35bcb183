import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import AI4SciBench

/// Report values built by hand (no run directory needed).
enum ReportHTMLFixture {
    static let hostile = "<script>alert(1)</script>&\""

    static func health(clean: Bool) throws -> RunHealth {
        let json = clean
            ? #"{"files":10,"problems":{},"examples":[],"rejected_results":0,"planned_missing":0}"#
            : #"{"files":10,"problems":{"changed_file":1},"examples":["a/<b>.json: changed & \"edited\""],"rejected_results":1,"planned_missing":0}"#
        return try JSONDecoder().decode(RunHealth.self, from: Data(json.utf8))
    }

    static func facts() -> RunFacts {
        RunFacts(model: "m<1>", agentCommand: "python3 agent.py --x '&'", agentVersion: nil, frameworkVersion: "0.1.0",
                 benchmarkVersion: nil, sandbox: "seccomp", timeoutSeconds: 120, seed: 42, promptLevels: ["b1", "b2"],
                 instancesPerTask: 1, repeats: 2, tasks: [:])
    }

    static func summary(label: String, hostileTask: String, base: Double, clean: Bool) throws -> AgentRunSummary {
        let ci = ReportStatistics.Interval(low: base - 5, high: base + 5)
        let levels: [String: ScoreSummary] = [
            "b1": ScoreSummary(mean: base, ci: ci, tasks: 2, items: 2),
            "b2": ScoreSummary(mean: base / 2, ci: nil, tasks: 1, items: 1),
        ]
        let nullB2: [String: Double?] = ["b1": base, "b2": nil]
        let tasks = [
            TaskRow(taskID: hostileTask, domain: ReportItem.domain(of: hostileTask), levels: ["b1": base, "b2": base / 2],
                    counts: ["b1": 1, "b2": 1], mean: base * 0.75, n: 2, invalid: 0, missing: 0),
            TaskRow(taskID: "physics.nulltask", domain: "physics", levels: nullB2,
                    counts: ["b1": 1, "b2": 0], mean: base, n: 1, invalid: 1, missing: 2),
        ]
        let low = LowScore(taskID: hostileTask, instanceID: hostileTask + "__seed1__b2__r1", level: "b2", repeatIndex: 1,
                           outcome: "scored", agentStatus: "completed", score: 10,
                           reasons: ["file_match: missing \(hostile)", "rmse 1.2 > zero threshold 1"],
                           result: "\(label)/t/a b\"c&.json", stdout: "\(label)/t/a b\"c&.agent_stdout.jsonl")
        return AgentRunSummary(
            label: label, agent: label, directory: "/tmp/<dir>", kind: "batch", facts: facts(), health: try health(clean: clean),
            overall: ScoreSummary(mean: base * 0.8, ci: ci, tasks: 2, items: 3), levels: levels, tasks: tasks,
            domains: [DomainRow(domain: "physics", mean: base, tasks: 1)],
            outcomes: OutcomeCounts(results: 4, scored: 3, agentFailed: 1, failed: 0, timeout: 1, refused: 0, evaluationInvalid: 0),
            gates: GateSummary(evaluated: 4, hardFailedResults: 2,
                               hard: [GateCount(gate: "file_match", check: hostile, count: 2), GateCount(gate: "no_nan", check: "", count: 1)],
                               soft: [GateCount(gate: "code_analysis", check: "", count: 3)]),
            lowScoring: [low], lowScoringTotal: 1,
            sandbox: SandboxSummary(enforced: 3, degraded: 1, unsandboxed: 0, refused: 0, enforcement: ["enforced": 3, "degraded": 1],
                                    verification: ["verified": 4], requested: ["seccomp": 4], effective: ["seccomp": 3, "landlock": 1],
                                    mixedModes: true),
            usage: UsageSummary(observed: 2, results: 4, inputTokens: 123_456, outputTokens: 789, costUSD: 0.125, costed: 2),
            passAtK: [PassAtK(k: 1, passAtK: 0.5, passHatK: 0.5, items: 3), PassAtK(k: 2, passAtK: 0.75, passHatK: 0.25, items: 3)],
            coverage: Coverage(expected: 8, present: 4, missing: 3, invalid: 1, rejected: 0),
            medianWallSeconds: 1.5, levelScores: ["b1": [base, base - 10, 100], "b2": [base / 2]])
    }

    static func comparison() -> Comparison {
        let d = Comparison.Delta(baselineMean: 80, currentMean: 60, delta: -20, ci: .init(low: -30, high: -10), pairs: 4, tasks: 2)
        return Comparison(
            baseline: "base", current: "cur", pairs: 4, excludedInvalid: 1, baselineOnly: 0, currentOnly: 1, overall: d,
            levels: ["b1": d, "b2": Comparison.Delta(baselineMean: nil, currentMean: nil, delta: nil, ci: nil, pairs: 0, tasks: 0)],
            mcnemar: Comparison.McNemar(threshold: 50, bothPass: 1, bothFail: 1, passToFail: 2, failToPass: 0, pValue: 0.5),
            passToFail: [Comparison.Flip(taskID: hostile, instanceID: hostile + "__seed1__b1__r1", level: "b1", baselineScore: 90,
                                         currentScore: 10, reasons: ["gate <x> failed"])],
            failToPass: [],
            gateChanges: [Comparison.GateChange(gate: "file_match", newlyFailing: 2, newlyPassing: 0)],
            provenanceDifferences: [Comparison.ProvenanceDifference(field: "model", baseline: "m<1>", current: "m&2")])
    }

    static func report(comparison withComparison: Bool = false) throws -> Report {
        Report(generatedAt: "2025-01-01T00:00:00Z", frameworkVersion: "0.1.0", passThreshold: 50,
               bootstrap: ["resamples": 2000, "seed": 0, "confidence": 0.95], definitions: Report.definitionTexts,
               runs: [try summary(label: "base", hostileTask: hostile, base: 80, clean: true),
                      try summary(label: "cur", hostileTask: hostile, base: 60, clean: false)],
               comparison: withComparison ? comparison() : nil)
    }

    static func item(_ label: String, task: String, level: String, rep: Int, outcome: RunOutcome, score: Double?) -> ReportItem {
        let instance = "\(task)__seed1__\(level)__r\(rep)"
        return ReportItem(path: "\(label)/\(task)/\(instance) x.json", taskID: task, variant: "seed1", level: level, repeatIndex: rep,
                          instanceID: instance, outcome: outcome, agentStatus: outcome == .agentFailed ? .timeout : .completed,
                          finalScore: score, hardGatesPassed: true, failedGates: [], reasons: score == 100 ? [] : ["reason & <why>"],
                          wallSeconds: 1, inputTokens: nil, outputTokens: nil, costUSD: nil, cacheReadTokens: nil, usageCoverage: "unknown",
                          requestedMode: "seccomp", effectiveMode: "seccomp", enforcement: "enforced", verification: "verified",
                          taskVersion: "1", taskHash: "abc")
    }

    static func instances() -> [String: [ReportItem]] {
        ["base": [item("base", task: hostile, level: "b1", rep: 1, outcome: .scored, score: 100),
                  item("base", task: "physics.nulltask", level: "b1", rep: 1, outcome: .evaluationInvalid, score: nil)],
         "cur": [item("cur", task: hostile, level: "b1", rep: 1, outcome: .agentFailed, score: nil),
                 item("cur", task: "physics.nulltask", level: "b2", rep: 2, outcome: .scored, score: 42.25)]]
    }
}

/// Collects well-formedness errors of one XML document.
final class XMLCheck: NSObject, XMLParserDelegate {
    var error: String?
    var elements = 0
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) { elements += 1 }
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { error = "\(parseError)" }

    static func parse(_ text: String) -> (ok: Bool, error: String?, elements: Int) {
        let parser = XMLParser(data: Data(text.utf8))
        let check = XMLCheck()
        parser.delegate = check
        let ok = parser.parse()
        return (ok && check.error == nil, check.error ?? parser.parserError.map { "\($0)" }, check.elements)
    }
}

@Suite struct ReportHTMLTests {
    /// The `<svg …>…</svg>` blocks of a page.
    static func svgBlocks(_ html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    static func render(comparison: Bool = true) throws -> String {
        ReportHTML.render(try ReportHTMLFixture.report(comparison: comparison), instances: ReportHTMLFixture.instances(),
                          linkPrefix: ["base": "../", "cur": "../"])
    }

    @Test func selfContained() throws {
        let html = try Self.render()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespace.contains("http://"))
        #expect(!withoutNamespace.contains("https://"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
        #expect(!html.contains("&nbsp;"))
        // One inline script (ours), one inline style.
        #expect(html.components(separatedBy: "<script").count == 2)
        #expect(html.components(separatedBy: "<style").count == 2)
    }

    @Test func svgFiguresAreWellFormedXML() throws {
        // The check itself rejects what a browser's HTML parser would forgive.
        #expect(!XMLCheck.parse("<svg xmlns=\"http://www.w3.org/2000/svg\"><text>a&nbsp;b</text></svg>").ok)
        #expect(!XMLCheck.parse("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect></svg>").ok)
        let html = try Self.render()
        let blocks = Self.svgBlocks(html)
        // Level bars, distribution, delta plot, and per run a heat map and gate bars.
        #expect(blocks.count == 7)
        for block in blocks {
            #expect(block.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(block.contains("<title>"))
            let result = XMLCheck.parse(block)
            #expect(result.ok, "\(result.error ?? "") in \(block.prefix(200))")
            #expect(result.elements > 5)
        }
    }

    @Test func hostileTextIsEscaped() throws {
        let html = try Self.render()
        #expect(!html.contains("<script>alert(1)"))
        #expect(!html.contains("<b>.json"))
        #expect(!html.contains("gate <x>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;"))
        #expect(html.contains("m&lt;1&gt;"))
        // Links: the prefix, then the path percent-encoded (space, quote, ampersand, angle brackets).
        #expect(html.contains("href=\"../base/t/a%20b%22c%26.json\""))
        #expect(html.contains("href=\"../base/%3Cscript%3Ealert%281%29%3C/script%3E%26%22/"))
        #expect(!html.contains("href=\"../base/t/a b"))
    }

    @Test func deterministic() throws {
        let a = try Self.render()
        let b = try Self.render()
        #expect(a == b)
        // The same content with dictionaries filled in another order.
        var report = try ReportHTMLFixture.report(comparison: true)
        var reordered: [String: ScoreSummary] = [:]
        for key in report.runs[0].levels.keys.sorted().reversed() { reordered[key] = report.runs[0].levels[key] }
        report.runs[0].levels = reordered
        var bootstrap: [String: Double] = [:]
        for key in report.bootstrap.keys.sorted().reversed() { bootstrap[key] = report.bootstrap[key] }
        report.bootstrap = bootstrap
        let c = ReportHTML.render(report, instances: ReportHTMLFixture.instances(), linkPrefix: ["cur": "../", "base": "../"])
        #expect(a == c)
    }

    @Test func nullLevelMeanIsTheDashCell() throws {
        let html = try Self.render()
        // The task table row of the task without a b2 mean: b1 value, then the dash cell.
        #expect(html.contains("<tr><td>physics.nulltask</td><td>physics</td><td class=\"n\">80.0</td><td class=\"na\" data-v=\"\">–</td>"))
        // The heat map: a grey null cell with a dash.
        let heat = Self.svgBlocks(html).filter { $0.contains("Task × prompt level") }
        #expect(heat.count == 2)
        for svg in heat {
            #expect(svg.contains("data-null=\"1\""))
            #expect(svg.contains(">physics.nulltask b2: no counted result</title></rect>"))
            #expect(svg.contains(">–</text>"))
        }
    }

    @Test func comparisonOnlyWhenSet() throws {
        let without = try Self.render(comparison: false)
        #expect(!without.contains("id=\"comparison\""))
        #expect(!without.contains("McNemar"))
        #expect(Self.svgBlocks(without).count == 6)
        let with = try Self.render(comparison: true)
        #expect(with.contains("<section id=\"comparison\">"))
        #expect(with.contains("href=\"#comparison\""))
        #expect(with.contains("McNemar"))
        #expect(with.contains("p = <b>0.5000</b>"))
        #expect(with.contains("Provenance differences"))
        #expect(with.contains("m&amp;2"))
        #expect(with.contains("Pass → fail (1 of 2 shown)"))
    }

    @Test func statusLinesAndTables() throws {
        let html = try Self.render()
        #expect(html.contains("<span class=\"badge ok\">clean</span>"))
        #expect(html.contains("<span class=\"badge bad\">tampered</span>"))
        #expect(html.contains("a/&lt;b&gt;.json: changed &amp; &quot;edited&quot;"))
        #expect(html.contains("4/8</span> present/expected · missing 3 · invalid 1 · rejected 0"))
        #expect(html.contains("mixed sandbox modes"))
        #expect(html.contains("tokens in 123,456 / out 789 (observed 2/4 results)"))
        #expect(html.contains("cost $0.1250 (costed 2/4 results)"))
        #expect(html.contains("<td class=\"n\">75.0</td><td class=\"n\">25.0</td>"))  // pass@2, pass^2 in %
    }

    @Test func instanceTableIsSortableAndComplete() throws {
        let html = try Self.render()
        guard let range = html.range(of: "<section id=\"instances\">") else {
            Issue.record("no instance section")
            return
        }
        let section = String(html[range.lowerBound...])
        let end = section.range(of: "</section>")!.lowerBound
        let body = section[..<end]
        #expect(body.components(separatedBy: "<table class=\"sortable inst\">").count == 3)
        #expect(body.components(separatedBy: "<tr><td>").count - 1 == 4)
        #expect(body.contains("<td class=\"n\">42.2</td>") || body.contains("<td class=\"n\">42.3</td>"))
        #expect(body.contains("href=\"../cur/physics.nulltask/physics.nulltask__seed1__b2__r2%20x.agent_stdout.jsonl\""))
        // No instances: no section.
        let bare = ReportHTML.render(try ReportHTMLFixture.report())
        #expect(!bare.contains("id=\"instances\""))
        #expect(!bare.contains("href=\"#instances\""))
    }

    @Test func emptyReport() {
        let report = Report(generatedAt: "", frameworkVersion: "0.1.0", passThreshold: 50, bootstrap: [:], definitions: [:], runs: [])
        let html = ReportHTML.render(report)
        #expect(html.contains("The report holds no run."))
        #expect(Self.svgBlocks(html).isEmpty)
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func escapeAndNumbers() {
        #expect(ReportHTML.escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;")
        #expect(ReportHTML.escape("x\u{1}y") == "x\u{FFFD}y")
        #expect(ReportHTML.fixed(-0.04, 1) == "0.0")
        #expect(ReportHTML.fixed(nil, 1) == "–")
        #expect(ReportHTML.fixed(.nan, 1) == "–")
        #expect(ReportHTML.signed(2.25, 1) == "+2.2" || ReportHTML.signed(2.25, 1) == "+2.3")
        #expect(ReportHTML.signed(-1, 0) == "-1")
        #expect(ReportHTML.grouped(1_234_567) == "1,234,567")
        #expect(ReportHTML.grouped(-1000) == "-1,000")
        #expect(ReportHTML.pValue(0.00001) == "< 0.0001")
        #expect(ReportHTML.href("../", "a b/c#d?.json") == "../a%20b/c%23d%3F.json")
    }
}
