import Foundation

/// The statistics behind the report: task-cluster bootstrap intervals, pass@k / pass^k and McNemar's exact test.
public enum ReportStatistics {
    /// A confidence interval.
    public struct Interval: Sendable, Codable, Equatable {
        public var low: Double
        public var high: Double
    }

    /// Percentile bootstrap interval of the mean of `values` (one value per task, so tasks are resampled).
    ///
    /// Deterministic: the generator is seeded from `seed` and `key`, so the same input gives the same interval
    /// whatever else is computed first. Nil below two values (no spread to resample).
    public static func bootstrapMean(_ values: [Double], resamples: Int, confidence: Double = 0.95, seed: UInt64, key: String) -> Interval? {
        guard values.count >= 2, resamples > 0 else { return nil }
        var rng = SeededGenerator(key: "\(seed)|\(key)")
        let n = values.count
        var means = [Double](repeating: 0, count: resamples)
        for b in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[Int(rng.next() % UInt64(n))] }
            means[b] = sum / Double(n)
        }
        return percentile(&means, confidence: confidence)
    }

    /// Percentile interval of bootstrap replicates (sorted in place).
    static func percentile(_ replicates: inout [Double], confidence: Double) -> Interval {
        replicates.sort()
        let alpha = (1 - confidence) / 2
        let n = replicates.count
        let lo = min(n - 1, max(0, Int((alpha * Double(n)).rounded(.down))))
        let hi = min(n - 1, max(0, Int((Double(n) * (1 - alpha)).rounded(.up)) - 1))
        return Interval(low: replicates[lo], high: replicates[hi])
    }

    /// Unbiased pass@k from `n` attempts with `c` passes: 1 − C(n−c, k) / C(n, k). Nil when n < k.
    public static func passAtK(n: Int, c: Int, k: Int) -> Double? {
        guard k >= 1, n >= k, c >= 0, c <= n else { return nil }
        if n - c < k { return 1 }
        // C(n−c, k)/C(n, k) = Π_{i=0}^{k−1} (n−c−i)/(n−i)
        var ratio = 1.0
        for i in 0..<k { ratio *= Double(n - c - i) / Double(n - i) }
        return 1 - ratio
    }

    /// pass^k (all k of k attempts pass) from `n` attempts with `c` passes: C(c, k) / C(n, k). Nil when n < k.
    public static func passHatK(n: Int, c: Int, k: Int) -> Double? {
        guard k >= 1, n >= k, c >= 0, c <= n else { return nil }
        if c < k { return 0 }
        var ratio = 1.0
        for i in 0..<k { ratio *= Double(c - i) / Double(n - i) }
        return ratio
    }

    /// Two-sided exact McNemar p-value for discordant counts `b` (pass→fail) and `c` (fail→pass):
    /// min(1, 2 · P[X ≤ min(b, c)]) with X ~ Binomial(b + c, 1/2). 1 when there is no discordant pair.
    public static func mcnemarExact(b: Int, c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let m = min(b, c)
        // Sum in log space: log C(n, i) − n log 2, with lgamma, stable for large n.
        let logHalfN = Double(n) * log(2.0)
        var terms: [Double] = []
        terms.reserveCapacity(m + 1)
        for i in 0...m { terms.append(logChoose(n, i) - logHalfN) }
        let top = terms.max()!
        let tail = exp(top) * terms.reduce(0) { $0 + exp($1 - top) }
        return min(1, 2 * tail)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// Arithmetic mean, nil when empty.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
