#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
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

/// The latest credentials, readable without `await` (for request handlers on an event loop).
public final class CredentialSnapshot: Sendable {
    private let value = Mutex<FetchedCredentials?>(nil)

    public init() {}

    public var current: FetchedCredentials? { value.withLock { $0 } }

    func publish(_ credentials: FetchedCredentials?) {
        value.withLock { $0 = credentials }
    }
}
