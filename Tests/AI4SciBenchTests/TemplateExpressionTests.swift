import Foundation
import Testing
@testable import AI4SciBench

@Suite struct TemplateExpressionTests {
    let params: [String: JSONValue] = ["n": 400, "nx": 7, "ny": -3, "dt": 0.5, "name": "hllc", "flag": true]

    @Test func arithmeticFollowsPythonSemantics() throws {
        #expect(try TemplateExpression.evaluateNumber("n*2", parameters: params) == 800)
        #expect(try TemplateExpression.evaluateNumber("n/3", parameters: params) == 400.0 / 3.0)
        #expect(try TemplateExpression.evaluateNumber("nx//2", parameters: params) == 3)
        #expect(try TemplateExpression.evaluateNumber("ny//2", parameters: params) == -2)  // floor, like Python
        #expect(try TemplateExpression.evaluateNumber("ny%5", parameters: params) == 2)  // sign of divisor
        #expect(try TemplateExpression.evaluateNumber("7%-5", parameters: params) == -3)
        #expect(try TemplateExpression.evaluateNumber("-(n+1)*2 - -3", parameters: params) == -799)
        #expect(try TemplateExpression.evaluateNumber("1 + 2 * 3", parameters: params) == 7)
        #expect(try TemplateExpression.evaluateNumber("(1 + 2) * 3", parameters: params) == 9)
        #expect(try TemplateExpression.evaluateNumber("dt * 1e2", parameters: params) == 50)
        #expect(try TemplateExpression.evaluateNumber("+flag", parameters: params) == 1)
    }

    @Test func templatesGiveNumbersAndTuples() throws {
        #expect(try TemplateExpression.evaluate("{n}", parameters: params) == .number(400))
        #expect(try TemplateExpression.evaluate("{nx, ny*2}", parameters: params) == .array([7, -6]))
        #expect(TemplateExpression.isTemplate("{n}"))
        #expect(!TemplateExpression.isTemplate("{{ n }}"))
        #expect(!TemplateExpression.isTemplate("2,200"))
        let resolved = try TemplateResolver.resolve(["shape": "{n, 2}", "file": "a.npy", "nested": ["x": "{nx+1}"]], parameters: params)
        #expect(resolved["shape"] == .array([400, 2]))
        #expect(resolved["file"] == "a.npy")
        #expect(resolved["nested"]?["x"] == .number(8))
    }

    @Test func errorsNameTheProblem() {
        #expect(throws: BenchError.self) { try TemplateExpression.evaluateNumber("m*2", parameters: params) }
        do {
            _ = try TemplateExpression.evaluateNumber("m*2", parameters: params)
        } catch let e as BenchError {
            #expect(e.message.contains("\"m\""))
            #expect(e.hint?.contains("nx") == true)
        } catch { Issue.record("wrong error \(error)") }
        #expect(throws: BenchError.self) { try TemplateExpression.evaluateNumber("n/0", parameters: params) }
        #expect(throws: BenchError.self) { try TemplateExpression.evaluateNumber("n**2", parameters: params) }
        #expect(throws: BenchError.self) { try TemplateExpression.evaluateNumber("(n+1", parameters: params) }
        #expect(throws: BenchError.self) { try TemplateExpression.evaluateNumber("name*2", parameters: params) }
        #expect(throws: BenchError.self) { try TemplateExpression.evaluateNumber("n $ 2", parameters: params) }
    }

    @Test func checkReportsUnknownNamesWithKeyPath() {
        let found = TemplateResolver.check(["shape": "{n_cells}", "ok": "{n}"], known: ["n"], path: "evaluation.gates[0].config")
        #expect(found.count == 1)
        #expect(found.first?.0 == "evaluation.gates[0].config.shape")
        #expect(found.first?.1.contains("n_cells") == true)
        #expect(TemplateResolver.check("{n, n*2, 3}", known: ["n"], path: "shape").isEmpty)
        #expect(TemplateResolver.check("{n, m}", known: ["n"], path: "shape").first?.1.contains("\"m\"") == true)
    }
}

@Suite struct ParameterSamplerTests {
    func task(mode: GenerationSpec.Mode = .infinite, settings: [[String: JSONValue]] = []) -> TaskDefinition {
        TaskDefinition(
            id: "physics.demo", name: "demo", version: "1", status: .final, domain: "physics", directory: URL(fileURLWithPath: "/tmp"),
            prompts: [:], outputFiles: [], evaluation: EvaluationSpec(),
            generation: GenerationSpec(mode: mode, parameters: [
                ParameterSpec(name: "n", kind: .int, range: 10...20),
                ParameterSpec(name: "t", kind: .float, range: 0.1...0.2),
                ParameterSpec(name: "scheme", kind: .choice, options: ["a", "b", "c"]),
            ], settings: settings))
    }

    @Test func sameSeedSameParametersDifferentSeedsDiffer() {
        let a = ParameterSampler.parameters(for: task(), seed: 42)
        let b = ParameterSampler.parameters(for: task(), seed: 42)
        #expect(a == b)
        #expect(a["seed"] == .number(42))
        let n = a["n"]!.intValue!
        #expect((10...20).contains(n))
        let t = a["t"]!.doubleValue!
        #expect(t >= 0.1 && t <= 0.2)
        let others = (43..<60).map { ParameterSampler.parameters(for: task(), seed: $0) }
        #expect(others.allSatisfy { $0 != a })
        #expect(Set(others.map { ParameterSampler.parameterHash($0) }).count == others.count)
    }

    @Test func finiteModeCyclesSettings() {
        let t = task(mode: .finite, settings: [["n": 11], ["n": 12]])
        #expect(ParameterSampler.parameters(for: t, seed: 4)["n"] == .number(11))
        #expect(ParameterSampler.parameters(for: t, seed: 5)["n"] == .number(12))
    }

    @Test func parameterHashIsCanonical() {
        let a: [String: JSONValue] = ["x": 1, "y": "z"]
        let b: [String: JSONValue] = ["y": "z", "x": 1.0]
        #expect(ParameterSampler.parameterHash(a) == ParameterSampler.parameterHash(b))
        #expect(ParameterSampler.parameterHash(a).count == 10)
        #expect(ParameterSampler.parameterHash(a) != ParameterSampler.parameterHash(["x": 2, "y": "z"]))
    }
}
