#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// When a certificate is valid. New certificates start five minutes in the past, so that a verifier
/// whose clock is slightly behind still accepts them at once.
public struct ValidityPeriod: Sendable, Hashable {
    public var notBefore: Date
    public var notAfter: Date

    /// How far `notBefore` is set back from now.
    public static let backdating: TimeInterval = 300

    public init(notBefore: Date, notAfter: Date) {
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// A period of `seconds` from `now` (whole seconds; `notBefore` backdated).
    public static func starting(at now: Date = Date(), lasting seconds: TimeInterval) -> ValidityPeriod {
        let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970).rounded(.down))
        return ValidityPeriod(notBefore: start.addingTimeInterval(-backdating), notAfter: start.addingTimeInterval(seconds))
    }
}
