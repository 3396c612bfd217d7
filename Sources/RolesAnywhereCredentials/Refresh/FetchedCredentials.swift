#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import RolesAnywhereSupport
import RolesAnywhereSigning
import Synchronization

/// Credentials as a long-running command holds them: with when they were fetched, when they expire
/// and when they will be refreshed.
public struct FetchedCredentials: Sendable, Hashable {
    public var credentials: SessionCredentials
    public var fetchedAt: Date
    public var expiration: Date
    public var refreshAt: Date

    public init(credentials: SessionCredentials, fetchedAt: Date, expiration: Date, refreshAt: Date) {
        self.credentials = credentials
        self.fetchedAt = fetchedAt
        self.expiration = expiration
        self.refreshAt = refreshAt
    }

    /// Credentials just returned by CreateSession, checked: the expiration must be a date after
    /// `now` (a host clock far ahead of the service's shows up here); the refresh time follows
    /// `schedule`.
    public init(validating credentials: SessionCredentials, fetchedAt now: Date, schedule: RefreshSchedule) throws(CredentialsError) {
        guard let expiration = AmzDate(iso8601: credentials.expiration)?.date else {
            throw CredentialsError(.invalidResponse, "the service returned an expiration that is not a date: '\(credentials.expiration)'")
        }
        guard expiration > now else {
            throw CredentialsError(
                .invalidResponse,
                "the service returned credentials that expired at \(credentials.expiration), before now (\(AmzDate(now).iso8601)); check this host's clock"
            )
        }
        self.init(credentials: credentials, fetchedAt: now, expiration: expiration, refreshAt: schedule.refreshTime(fetchedAt: now, expiration: expiration))
    }

    /// Whether they can still be handed out at `now`.
    public func isValid(at now: Date) -> Bool { now < expiration }
}

/// What a reader gets from ``CredentialRefresher``.
public enum CredentialState: Sendable, Hashable {
    /// Valid credentials.
    case available(FetchedCredentials)
    /// No valid credentials, and why (the last error; never a secret).
    case unavailable(String)
}

/// How refreshing has gone so far: for health checks and metrics. Never holds a secret.
public struct RefreshStatus: Sendable, Hashable {
    /// Refreshes that obtained credentials.
    public var successes = 0
    /// Refreshes that failed.
    public var failures = 0
    /// Failures since the last success.
    public var consecutiveFailures = 0
    /// The error of the last failure, until a refresh succeeds.
    public var lastError: CredentialsError?
    /// When the last credentials obtained expire (kept after they have).
    public var credentialsExpiration: Date?
    /// When the next attempt is allowed, after a failure.
    public var nextAttempt: Date?

    public init() {}

    /// Why no valid credentials can be handed out at `now` (for a 503 answer): that they expired
    /// or were never obtained, the last error, and when the next attempt is.
    public func unavailableReason(at now: Date) -> String {
        var reason = credentialsExpiration.map { "the credentials expired at \(AmzDate($0).iso8601)" } ?? "no credentials have been obtained yet"
        if let lastError {
            reason += " and the last refresh failed: \(lastError.message)"
        }
        if let nextAttempt, nextAttempt > now {
            reason += "; next attempt in \(Int(nextAttempt.timeIntervalSince(now).rounded(.up))) s"
        }
        return reason
    }
}

/// The latest credentials and how refreshing has gone, readable without `await` (for request
/// handlers on an event loop).
public final class CredentialSnapshot: Sendable {
    private let value = Mutex<(credentials: FetchedCredentials?, status: RefreshStatus)>((nil, RefreshStatus()))

    public init() {}

    /// The credentials being handed out (nil when none are valid).
    public var current: FetchedCredentials? { value.withLock { $0.credentials } }

    /// How refreshing has gone.
    public var status: RefreshStatus { value.withLock { $0.status } }

    /// Both, read together.
    public var both: (credentials: FetchedCredentials?, status: RefreshStatus) { value.withLock { $0 } }

    func publish(_ credentials: FetchedCredentials?, status: RefreshStatus) {
        value.withLock { $0 = (credentials, status) }
    }
}
