import Foundation

/// The numeric formulas of the `numerical` scorer over flat C-ordered arrays (numpy semantics:
/// NaN propagates, `max` of a NaN-holding array is NaN). Sums use compensated summation.
public enum NumericalMetrics {
    /// Σ xs with Neumaier compensation.
    public static func sum(_ xs: [Double]) -> Double {
        var s = 0.0, c = 0.0
        for x in xs {
            let t = s + x
            if abs(s) >= abs(x) { c += (s - t) + x } else { c += (x - t) + s }
            s = t
        }
        return s + c
    }

    /// ‖x‖₂.
    public static func norm(_ x: [Double]) -> Double {
        sum(x.map { $0 * $0 }).squareRoot()
    }

    /// Maximum with NaN propagation; `nil` for an empty array.
    public static func nanMax(_ xs: [Double]) -> Double? {
        guard var m = xs.first else { return nil }
        for x in xs {
            if x.isNaN { return .nan }
            if x > m { m = x }
        }
        return m
    }

    /// ‖p−r‖₂ / ‖r‖₂, or ‖p‖₂ when ‖r‖₂ = 0.
    public static func relativeL2(_ p: [Double], _ r: [Double]) -> Double {
        let rn = norm(r)
        if rn == 0 { return norm(p) }
        return norm(zip(p, r).map { $0 - $1 }) / rn
    }

    /// √mean((p−r)²); NaN for empty arrays.
    public static func rmse(_ p: [Double], _ r: [Double]) -> Double {
        guard !p.isEmpty else { return .nan }
        return (sum(zip(p, r).map { ($0 - $1) * ($0 - $1) }) / Double(p.count)).squareRoot()
    }

    /// mean(|p−r|/|r|) over elements with |r| > 0; 0 when there are none.
    public static func mape(_ p: [Double], _ r: [Double]) -> Double {
        var terms: [Double] = []
        for (a, b) in zip(p, r) where abs(b) > 0 { terms.append(abs(a - b) / abs(b)) }
        return terms.isEmpty ? 0 : sum(terms) / Double(terms.count)
    }

    /// max(|p−r| / d) with d = |r|, or 1 where |r| = 0; `nil` for empty arrays.
    public static func relativeError(_ p: [Double], _ r: [Double]) -> Double? {
        nanMax(zip(p, r).map { a, b in abs(a - b) / (abs(b) == 0 ? 1 : abs(b)) })
    }

    /// max|p−r|; `nil` for empty arrays.
    public static func absoluteError(_ p: [Double], _ r: [Double]) -> Double? {
        nanMax(zip(p, r).map { abs($0 - $1) })
    }

    /// p·r / (‖p‖‖r‖), or 0 when the denominator is 0.
    public static func cosineSimilarity(_ p: [Double], _ r: [Double]) -> Double {
        let denom = norm(p) * norm(r)
        guard denom > 0 else { return 0 }
        return sum(zip(p, r).map { $0 * $1 }) / denom
    }

    /// Pearson correlation as `np.corrcoef(p, r)[0, 1]` (NaN when either side is constant), clipped to [-1, 1].
    public static func correlation(_ p: [Double], _ r: [Double]) -> Double {
        guard p.count > 1 else { return .nan }
        let n = Double(p.count)
        let mp = sum(p) / n, mr = sum(r) / n
        let dp = p.map { $0 - mp }, dr = r.map { $0 - mr }
        let cov = sum(zip(dp, dr).map { $0 * $1 })
        let vp = sum(dp.map { $0 * $0 }), vr = sum(dr.map { $0 * $0 })
        let c = cov / vp.squareRoot() / vr.squareRoot()
        return c.isNaN ? c : min(1, max(-1, c))
    }

    /// max|p| / |p[0]|; ∞ when p[0] = 0 and some |p| > 0, 1 when p is all zeros; `nil` for empty arrays.
    public static func maxRatio(_ p: [Double]) -> Double? {
        guard let first = p.first, let m = nanMax(p.map(abs)) else { return nil }
        if first == 0 { return m > 0 ? .infinity : 1 }
        return m / abs(first)
    }

    /// numpy's `isclose`: |p−r| ≤ atol + rtol·|r| elementwise; equal infinities are close; NaNs only when `equalNaN`.
    public static func isClose(_ a: Double, _ b: Double, rtol: Double, atol: Double, equalNaN: Bool) -> Bool {
        if a.isNaN || b.isNaN { return equalNaN && a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        return abs(a - b) <= atol + rtol * abs(b)
    }

    /// The number of elements for which ``isClose(_:_:rtol:atol:equalNaN:)`` holds.
    public static func closeCount(_ p: [Double], _ r: [Double], rtol: Double, atol: Double, equalNaN: Bool) -> Int {
        zip(p, r).reduce(0) { $0 + (isClose($1.0, $1.1, rtol: rtol, atol: atol, equalNaN: equalNaN) ? 1 : 0) }
    }

    /// Rolls a C-ordered array of `shape` by `dx` along axis 0 and `dy` along axis 1 (numpy `np.roll`).
    public static func roll(_ x: [Double], shape: [Int], dx: Int, dy: Int) -> [Double] {
        guard let a = shape.first, a > 0, !x.isEmpty else { return x }
        let b = shape.count > 1 ? shape[1] : 1
        let inner = x.count / (a * max(b, 1))
        guard b > 0, inner > 0 else { return x }
        var out = [Double](repeating: 0, count: x.count)
        for i in 0..<a {
            let si = ((i - dx) % a + a) % a
            for j in 0..<b {
                let sj = ((j - dy) % b + b) % b
                let dst = (i * b + j) * inner, src = (si * b + sj) * inner
                for k in 0..<inner { out[dst + k] = x[src + k] }
            }
        }
        return out
    }
}
