import Crypto
import Foundation

/// Canonical (compact, sorted-key) JSON text of a value and its sha256: the one hash behind instance names,
/// task and config hashes, plan hashes and journal lines.
public enum CanonicalJSON {
    /// Compact sorted-key JSON text of a value.
    public static func text(_ value: JSONValue) -> String {
        (try? JSONValue.encodeString(value, pretty: false)) ?? "null"
    }

    /// Hex sha256 of the canonical JSON of `value`.
    public static func sha256(_ value: JSONValue) -> String {
        Hex.string(SHA256.hash(data: Data(text(value).utf8)))
    }
}

/// Lower-case hex of bytes (digests): one pass over a lookup table, no formatting machinery per byte.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lower-case hex.
    public static func string<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
