import Foundation
import Testing
@testable import AI4SciBench

@Suite("numerical scorer", .timeLimit(.minutes(1)))
struct ScoringNumericalTests {
    let scorer = NumericalScorer()

    func run(_ config: [String: JSONValue], weight: Double = 10) throws -> ScoreDetail {
        try scorer.score(config: config, weight: weight, context: ScoringFixtures.scoringContext())
    }

    func expected(_ key: String) throws -> Double {
        try #require(ScoringFixtures.expected()[key]?.doubleValue, "expected.json has \(key)")
    }

    /// Each metric's value equals numpy's (within 1e-12 relative), under the key asibench uses.
    @Test(arguments: [
        ("relative_l2", "relative_l2", "relative_l2"),
        ("mean_relative_l2", "mean_relative_l2", "mean_relative_l2"),
        ("rmse", "rmse", "rmse"),
        ("mape", "mape", "mape"),
        ("relative_error", "max_relative_error", "relative_error"),
        ("absolute_error", "max_absolute_error", "absolute_error"),
        ("cosine_similarity", "cosine_similarity", "cosine_similarity"),
        ("correlation", "correlation", "correlation"),
        ("allclose", "fraction_close", "allclose_fraction"),
    ])
    func metricMatchesNumpy(metric: String, detailKey: String, expectedKey: String) throws {
        let d = try run(["metric": .string(metric), "file": "field.npy", "rtol": 0.05, "atol": 0.02])
        #expect(d.scorerName == "numerical:\(metric)")
        #expect(d.maxScore == 10)
        let got = d.details[detailKey]?.doubleValue
        #expect(closeRel(got, try expected(expectedKey)), "\(metric): \(String(describing: got))")
    }

    @Test func scoringModes() throws {
        let e = try expected("relative_l2")
        let lin = try run(["file": "field.npy", "scoring": "linear_interpolation", "full_score_threshold": 0.01, "zero_score_threshold": 0.10])
        #expect(closeRel(lin.score, 10 * (1 - (e - 0.01) / 0.09)))
        #expect(lin.passed)
        #expect(lin.message.hasPrefix("relative_l2=0.044771; score=6.14/10.00; linear interpolation with full<=0.010000"))
        let full = try run(["file": "field.npy", "scoring": "linear_interpolation", "full_score_threshold": 0.05])
        #expect(full.score == 10)
        let thrPass = try run(["file": "field.npy", "threshold": 0.05])
        #expect(thrPass.score == 10 && thrPass.passed)
        let thrFail = try run(["file": "field.npy", "threshold": 0.04])
        #expect(thrFail.score == 0 && !thrFail.passed)
        #expect(thrFail.message.contains("> threshold 0.040000"))
        let prop = try run(["file": "field.npy"])
        #expect(closeRel(prop.score, 10 * (1 - e)))
        #expect(prop.details["scoring_mode"] == "proportional")
    }

    @Test func toleranceDefaultsForRelativeAndAbsoluteError() throws {
        let rel = try run(["metric": "relative_error", "file": "field.npy"])
        #expect(rel.score == 0 && rel.details["threshold"]?.doubleValue == 1e-4)
        let relLoose = try run(["metric": "relative_error", "file": "field.npy", "tolerance": 100])
        #expect(relLoose.score == 10)
        let abs = try run(["metric": "absolute_error", "file": "field.npy", "tolerance": 0.2])
        #expect(abs.score == 10 && abs.passed)
        // With a scoring mode, absolute_error is graded like every other error (not pass/fail on tolerance).
        let absErr = try #require(abs.details["max_absolute_error"]?.doubleValue)
        let absLin = try run(["metric": "absolute_error", "file": "field.npy", "scoring": "linear_interpolation",
                              "full_score_threshold": 0, "zero_score_threshold": .number(absErr * 2)])
        #expect(closeRel(absLin.score, 5) && absLin.details["scoring_mode"] == "linear_interpolation")
        let exact = try run(["metric": "exact_match", "file": "exact.npy"])
        #expect(exact.score == 10 && exact.details["match"] == true)
        let differ = try run(["metric": "exact_match", "file": "field.npy"])
        #expect(differ.score == 0)
    }

    @Test func correlationThresholdAndInterpolation() throws {
        let c = try expected("corr_band")
        let thr = try run(["metric": "correlation", "file": "corr.npy"])
        #expect(closeRel(thr.details["correlation"]?.doubleValue, c))
        #expect(thr.score == 0)
        let lin = try run(["metric": "correlation", "file": "corr.npy", "scoring": "linear_interpolation"])
        #expect(closeRel(lin.score, 10 * (c - 0.5) / 0.45))
        let rmse = try run(["metric": "rmse", "file": "corr.npy"])  // float32 prediction against float64 reference
        #expect(closeRel(rmse.details["rmse"]?.doubleValue, try expected("corr_band_rmse")))
    }

    @Test func nanPolicyOmitAndNonFiniteError() throws {
        let omit = try run(["file": "nan.npy", "nan_policy": "omit"])
        #expect(closeRel(omit.details["relative_l2"]?.doubleValue, try expected("relative_l2_omit")))
        #expect(omit.details["omitted"] == 3)
        let propagate = try run(["file": "nan.npy", "threshold": 1])
        #expect(propagate.score == 0 && !propagate.passed)
        #expect(propagate.details["relative_l2"] == "nan")
        #expect(propagate.message == "relative_l2=non-finite; score=0.00/10.00")
    }

    @Test func maxRatioNeedsNoReference() throws {
        let d = try run(["metric": "max_ratio", "file": "energy.npy", "threshold": 10])
        #expect(closeRel(d.details["max_ratio"]?.doubleValue, try expected("max_ratio")))
        #expect(d.score == 10)
    }

    @Test func perFrameWithAndWithoutAlignment() throws {
        let exp = try ScoringFixtures.expected()
        let plain = try run(["metric": "per_frame_relative_l2", "file": "frames.npy"], weight: 30)
        let plainErr = exp["frames_plain"]?.arrayValue?.compactMap { $0.doubleValue } ?? []
        try #require(plainErr.count == 3)
        for i in 0..<3 { #expect(closeRel(plain.details["frame_\(i)"]?["rel_err"]?.doubleValue, plainErr[i])) }
        #expect(plain.score == 10)  // only the unshifted frame is within 0.30
        let aligned = try run(["metric": "per_frame_relative_l2", "file": "frames.npy",
                               "alignment": ["enabled": true, "max_shift": 2]], weight: 30)
        let best = try #require(exp["frames_aligned"]?.arrayValue)
        for i in 0..<3 {
            #expect(closeRel(aligned.details["frame_\(i)"]?["rel_err"]?.doubleValue, best[i]["rel_err"]?.doubleValue))
            #expect(aligned.details["frame_\(i)"]?["shift"] == best[i]["shift"])
        }
        #expect(aligned.details["frame_0"]?["shift"] == [2, -1])
        #expect(aligned.score == 20)
        let two = try run(["metric": "per_frame_relative_l2", "file": "frames.npy", "items": 2,
                           "alignment": ["enabled": true, "max_shift": 2]], weight: 30)
        #expect(two.score == 30)  // each of the first 2 frames earns 30/2
        let perFrame = exp["per_frame"]?.arrayValue?.compactMap { $0.doubleValue } ?? []
        let mean = try run(["metric": "mean_relative_l2", "file": "field.npy"])
        #expect(mean.details["per_frame_errors"]?.arrayValue?.count == perFrame.count)
    }

    @Test(arguments: [
        (JSONValue.string("1:4"), "rows_1_4", [3, 40]),
        (JSONValue.number(-1), "row_last", [1, 40]),
        (JSONValue.string("::2"), "rows_step2", [3, 40]),
        (JSONValue.string("-3:"), "rows_neg3", [3, 40]),
        (JSONValue.string("::-2"), "rows_rev", [3, 40]),
    ])
    func rowSelections(row: JSONValue, key: String, shape: [Int]) throws {
        let d = try run(["file": "field.npy", "row": row])
        #expect(closeRel(d.details["relative_l2"]?.doubleValue, try expected(key)), "row \(row)")
        #expect(RowSelection(row)?.rows(count: 5)?.count == shape[0])
    }

    @Test func csvColumnsByNameAndIndex() throws {
        let y = try run(["metric": "rmse", "file": "series.csv", "column": "y"])
        #expect(closeRel(y.details["rmse"]?.doubleValue, try expected("csv_rmse_y")))
        let x = try run(["file": "series.csv", "column": 1])
        #expect(closeRel(x.details["relative_l2"]?.doubleValue, try expected("csv_relative_l2_x")))
    }

    @Test func agentFaultsScoreZeroWithMessage() throws {
        let shape = try run(["file": "short.npy"])
        #expect(shape.score == 0 && !shape.passed)
        #expect(shape.message == "short.npy: shape (2,100) expected (2,200)")
        let tmp = try TempDirs()
        try tmp.writeNPY([1, 2, 3], shape: [3], "density.npy", in: tmp.ref)
        let missing = try scorer.score(config: ["file": "density.npy"], weight: 5, context: tmp.context)
        #expect(missing.score == 0 && missing.message == "density.npy: prediction file not found")
        try tmp.write("garbage", "density.npy")
        let broken = try scorer.score(config: ["file": "density.npy"], weight: 5, context: tmp.context)
        #expect(broken.score == 0 && broken.message.contains("bad magic"))
        try tmp.writeNPY([1, 2, 3], shape: [3], "density.npy")
        let row = try scorer.score(config: ["file": "density.npy", "row": 0], weight: 5, context: tmp.context)
        #expect(row.score == 5)  // 1-D: row 0 selects the first element of both
    }

    @Test func referenceProblemsThrowEvaluationFailed() throws {
        let missing = try #require(throws: BenchError.self) { try run(["pred_file": "field.npy", "ref_file": "nope.npy"]) }
        #expect(missing.code == .evaluationFailed && missing.message.contains("reference file nope.npy not found"))
        let broken = try #require(throws: BenchError.self) { try run(["file": "broken_ref.npy"]) }
        #expect(broken.code == .evaluationFailed && broken.message.contains("object array"))
        let metric = try #require(throws: BenchError.self) { try run(["file": "field.npy", "metric": "l3"]) }
        #expect(metric.code == .evaluationFailed)
        let row = try #require(throws: BenchError.self) { try run(["file": "field.npy", "row": 9]) }
        #expect(row.message.contains("out of range"))
    }

    @Test func validationNamesKeysAndValidValues() {
        let issues = scorer.validate(config: ["metric": "l3", "file": "a.npy", "threshold": "high", "row": "x:y",
                                              "scoring": "cubic", "alignment": ["max_shift": 1.5], "colour": 1])
        let errors = Dictionary(issues.filter { $0.severity == .error }.map { ($0.keyPath, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(errors["metric"]?.hint?.contains("relative_l2") == true)
        #expect(errors["threshold"]?.message == "expected a number, got \"high\"")
        #expect(errors["row"] != nil)
        #expect(errors["scoring"]?.hint == "one of: linear_interpolation, threshold, proportional")
        #expect(errors["alignment.max_shift"] != nil)
        #expect(issues.contains { $0.keyPath == "colour" && $0.severity == .warning })
        #expect(scorer.validate(config: ["file": "a.csv"]).contains { $0.keyPath == "column" })
        #expect(scorer.validate(config: ["metric": "allclose", "file": "a.npy", "rtol": "{tol}", "scoring_mode": "fraction"]).isEmpty)
        #expect(scorer.validate(config: [:]).contains { $0.keyPath == "file" })
    }
}
