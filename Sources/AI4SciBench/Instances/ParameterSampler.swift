import Crypto
import Foundation

/// A small deterministic generator (SplitMix64): the same seed gives the same sequence on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Seeds from a number.
    public init(seed: UInt64) { state = seed }

    /// Seeds from a string (e.g. `"physics.sod_shock_tube#42"`), through sha256.
    public init(key: String) {
        let digest = SHA256.hash(data: Data(key.utf8))
        state = digest.prefix(8).reduce(0) { ($0 << 8) | UInt64($1) }
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double uniformly in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// Chooses instance parameters from a task's parameter space, deterministically per (task, seed).
public enum ParameterSampler {
    /// Parameters for the instance with `seed`: sampled (infinite mode) or `settings[seed % n]` (finite mode).
    /// The result always holds `seed`.
    public static func parameters(for task: TaskDefinition, seed: Int) -> [String: JSONValue] {
        let gen = task.generation
        var out: [String: JSONValue] = [:]
        if gen.mode == .finite, !gen.settings.isEmpty {
            let index = ((seed % gen.settings.count) + gen.settings.count) % gen.settings.count
            out = gen.settings[index]
            for p in gen.parameters where out[p.name] == nil { out[p.name] = p.defaultValue ?? .null }
        } else {
            var rng = SeededGenerator(key: "\(task.id)#\(seed)")
            for p in gen.parameters {  // file order is sorted by name: stable across runs
                out[p.name] = sample(p, rng: &rng)
            }
        }
        out["seed"] = .number(Double(seed))
        return out
    }

    static func sample(_ p: ParameterSpec, rng: inout SeededGenerator) -> JSONValue {
        switch p.kind {
        case .int:
            guard let r = p.range else { return p.defaultValue ?? .null }
            let lo = Int(r.lowerBound), hi = Int(r.upperBound)
            return .number(Double(lo + Int(rng.next() % UInt64(hi - lo + 1))))
        case .float:
            guard let r = p.range else { return p.defaultValue ?? .null }
            let v = r.lowerBound + (r.upperBound - r.lowerBound) * rng.unit()
            // Six significant digits keep generated prompts and ids readable; still deterministic.
            return .number(Double(String(format: "%.6g", v)) ?? v)
        case .choice:
            guard !p.options.isEmpty else { return p.defaultValue ?? .null }
            return p.options[Int(rng.next() % UInt64(p.options.count))]
        case .bool:
            return .bool(rng.next() & 1 == 1)
        }
    }

    /// Canonical JSON of parameters (sorted keys, compact), the input of the `p<hash>` instance names.
    public static func canonicalJSON(_ params: [String: JSONValue]) -> String {
        CanonicalJSON.text(.object(params))
    }

    /// First 10 hex digits of sha256(canonical params).
    public static func parameterHash(_ params: [String: JSONValue]) -> String {
        String(CanonicalJSON.sha256(.object(params)).prefix(10))
    }
}
