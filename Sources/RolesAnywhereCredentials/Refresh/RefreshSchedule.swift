#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSupport

/// When ``CredentialRefresher`` fetches new credentials, and how it backs off after a failure.
public struct RefreshSchedule: Sendable, Hashable {
    /// Refresh this long before the credentials expire...
    public var leadTime: Duration
    /// ...but not before this fraction of their lifetime has passed (so that short sessions are
    /// not refreshed as soon as they arrive).
    public var minimumUseFraction: Double
    /// The first delay after a failed refresh; it doubles per consecutive failure.
    public var retryBaseDelay: Duration
    /// The longest delay between two attempts.
    public var retryMaximumDelay: Duration

    public init(leadTime: Duration, minimumUseFraction: Double = 0.5, retryBaseDelay: Duration = .seconds(1), retryMaximumDelay: Duration = .seconds(60)) {
        self.leadTime = leadTime
        self.minimumUseFraction = minimumUseFraction
        self.retryBaseDelay = retryBaseDelay
        self.retryMaximumDelay = retryMaximumDelay
    }

    /// `serve`: 15 minutes ahead, so that SDKs (which refresh on their own when fewer than 15
    /// minutes remain) always get credentials they consider fresh.
    public static let serve = RefreshSchedule(leadTime: .seconds(15 * 60))

    /// `update`: 5 minutes ahead, as `aws_signing_helper update` does.
    public static let update = RefreshSchedule(leadTime: .seconds(5 * 60))

    /// The instant to refresh credentials fetched at `fetchedAt` that expire at `expiration`.
    public func refreshTime(fetchedAt: Date, expiration: Date) -> Date {
        let lifetime = expiration.timeIntervalSince(fetchedAt)
        let lead = min(leadTime.seconds, max(lifetime, 0) * (1 - minimumUseFraction))
        return max(fetchedAt, expiration.addingTimeInterval(-lead))
    }

    /// The delay after `failures` consecutive failed attempts: exponential with "equal jitter"
    /// (half fixed, half random), so retries spread out but never hammer the service.
    public func retryDelay(afterFailures failures: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let exponent = min(max(failures - 1, 0), 20)
        let ceiling = min(retryBaseDelay.seconds * Double(1 << exponent), retryMaximumDelay.seconds)
        return .milliseconds(Int64((ceiling / 2 + ceiling / 2 * random) * 1000))
    }
}
