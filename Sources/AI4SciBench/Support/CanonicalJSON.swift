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
        SHA256.hash(data: Data(text(value).utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
