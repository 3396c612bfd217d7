#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The time source of ``CredentialRefresher``: the wall clock in production, a clock the test moves
/// by hand in tests (so that "an hour later" takes no time).
public protocol CredentialClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// Returns at `deadline` or later; throws if the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

/// The wall clock.
public struct SystemCredentialClock: CredentialClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        // Sleep in slices of at most a minute so that a suspended machine (a laptop lid, a paused
        // VM) that wakes past the deadline notices within a minute.
        while true {
            let remaining = deadline.timeIntervalSince(Date())
            if remaining <= 0 { return }
            try await Task.sleep(for: .milliseconds(Int64(min(remaining, 60) * 1000) + 1))
        }
    }
}
