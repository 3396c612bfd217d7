#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// IMDSv2 session tokens: random, 100 characters, each with its own lifetime. At most
/// ``MetadataServerConfiguration/maximumTokens`` are kept; expired ones are dropped as new ones are
/// made, and when the table is full the one closest to expiry makes room. Token values are never
/// logged.
final class MetadataTokens: Sendable {
    private let tokens = Mutex<[String: Date]>([:])
    private let capacity: Int

    init(capacity: Int = MetadataServerConfiguration.maximumTokens) {
        self.capacity = capacity
    }

    /// A new token valid for `ttl` seconds from `now`, or nil while `capacity` live tokens exist:
    /// expired tokens make room, a live token is never dropped for a new one (so no local process
    /// can invalidate another client's token by asking for many).
    func issue(ttl: Int, now: Date) -> String? {
        let token = Self.randomToken()
        let issued = tokens.withLock { table -> Bool in
            if table.count >= capacity {
                table = table.filter { $0.value > now }
            }
            guard table.count < capacity else { return false }
            table[token] = now.addingTimeInterval(TimeInterval(ttl))
            return true
        }
        return issued ? token : nil
    }

    /// The seconds `token` has left at `now`, or nil if it is unknown or expired.
    func remainingSeconds(of token: String, now: Date) -> Int? {
        guard let expiry = tokens.withLock({ $0[token] }) else { return nil }
        let remaining = expiry.timeIntervalSince(now)
        guard remaining > 0 else { return nil }
        return Int(remaining.rounded(.up))
    }

    /// 75 random bytes in base64: 100 characters.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 75)
        for index in bytes.indices { bytes[index] = generator.next() }
        return Data(bytes).base64EncodedString()
    }
}
