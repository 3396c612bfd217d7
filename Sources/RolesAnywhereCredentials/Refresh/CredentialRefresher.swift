#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Logging
import RolesAnywhereSigning
public import RolesAnywhereSupport

/// Keeps temporary credentials fresh for `serve` and `update`, without the official helper's failure
/// modes:
///
/// - **Single flight.** However many readers ask at once, at most one CreateSession is in flight;
///   the others wait for it (or keep using the current credentials while they are valid).
/// - **Ahead of expiry.** ``run()`` refreshes in the background at ``RefreshSchedule/refreshTime(fetchedAt:expiration:)``.
/// - **Backoff.** A failed refresh is retried with exponential backoff and jitter; readers never
///   trigger attempts faster than that.
/// - **Last good credentials.** They are handed out until they expire; after that readers get
///   ``CredentialState/unavailable(_:)`` with the last error - never empty credentials.
/// - **Rotation at once.** ``identityRotated()`` (called by an ``IdentityFileWatcher`` when a new
///   certificate lands on disk) fetches new credentials right away, whatever the schedule or backoff
///   says; if that fails the current credentials are kept and the attempt is retried with backoff.
public actor CredentialRefresher {
    /// Fetches new credentials (one CreateSession, with its own quick retries).
    public typealias Fetch = @Sendable () async throws(CredentialsError) -> SessionCredentials

    private let fetch: Fetch
    public nonisolated let schedule: RefreshSchedule
    public nonisolated let clock: any CredentialClock
    /// The latest valid credentials, for synchronous readers.
    public nonisolated let snapshot = CredentialSnapshot()
    private let logger: Logger

    private var current: FetchedCredentials?
    private var inFlight: Task<Void, Never>?
    /// Failures, the last error and the next attempt: the retry state, which ``snapshot`` also reports.
    private var status = RefreshStatus()
    /// A rotation arrived while an attempt (with the previous identity) was in flight: another
    /// attempt follows it.
    private var rotationPending = false
    /// The sleeps of ``run()`` and ``sleep(until:)``, cut short when a rotation changes the schedule.
    private var sleepers: [Int: Task<Void, Never>] = [:]
    private var nextSleeperID = 0

    public init(schedule: RefreshSchedule, clock: any CredentialClock = SystemCredentialClock(), logger: Logger, fetch: @escaping Fetch) {
        self.schedule = schedule
        self.clock = clock
        self.logger = logger
        self.fetch = fetch
    }

    /// Fetches credentials now (waiting for a refresh already in flight instead of starting
    /// another) and returns them, or throws the error of that attempt. Used at start-up, to fail
    /// fast, and by `update --once`.
    @discardableResult
    public func refreshNow() async throws(CredentialsError) -> FetchedCredentials {
        if let inFlight {
            await inFlight.value
        } else {
            await refresh()
        }
        if status.consecutiveFailures == 0, let current {
            return current
        }
        throw status.lastError ?? CredentialsError(.invalidResponse, "no credentials were obtained")
    }

    /// Waits until the refresher holds valid credentials other than `previous`, and returns them:
    /// what `update` writes, each time ``run()`` (or a rotation) obtains new ones. Throws if the
    /// task is cancelled.
    public func waitForCredentials(newerThan previous: FetchedCredentials?) async throws -> FetchedCredentials {
        while true {
            if let current, current != previous, current.isValid(at: clock.now) {
                return current
            }
            // Every attempt wakes this sleep when it ends; it is registered in this same turn of
            // the actor, so none can end unseen in between.
            try await sleep(until: nil)
        }
    }

    /// The certificate or key changed on disk and the new pair loads: fetch credentials with it now
    /// (after the attempt in flight, if any, which used the previous pair). The backoff of earlier
    /// failures does not hold back this attempt; if it fails, the current credentials are kept and
    /// it is retried with backoff.
    public func identityRotated() {
        status.nextAttempt = nil
        if inFlight == nil {
            startRefresh()
        } else {
            rotationPending = true
        }
        wakeSleepers()
    }

    /// Sleeps until `deadline` (nil: indefinitely), or until a rotation or the end of an attempt
    /// changes the schedule; then returns early, so that the caller looks again. Throws if the task
    /// is cancelled.
    public func sleep(until deadline: Date?) async throws {
        let id = nextSleeperID
        nextSleeperID += 1
        let clock = self.clock
        let sleeper = Task {
            if let deadline {
                try? await clock.sleep(until: deadline)
            } else {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }
        }
        sleepers[id] = sleeper
        await withTaskCancellationHandler {
            await sleeper.value
        } onCancel: {
            sleeper.cancel()
        }
        sleepers[id] = nil
        try Task.checkCancellation()
    }

    private func wakeSleepers() {
        for sleeper in sleepers.values { sleeper.cancel() }
    }

    /// The credentials to hand out now. Starts a refresh (in the background) when they are due for
    /// one; waits for a refresh only when there are no valid credentials.
    public func credentials() async -> CredentialState {
        let now = clock.now
        if let current, current.isValid(at: now) {
            if now >= current.refreshAt, inFlight == nil, attemptAllowed(at: now) {
                startRefresh()
            }
            return .available(current)
        }
        if let inFlight {
            await inFlight.value
        } else if attemptAllowed(at: now) {
            await refresh()
        }
        return state(at: clock.now)
    }

    /// The state without starting anything.
    private func state(at now: Date) -> CredentialState {
        if let current, current.isValid(at: now) {
            return .available(current)
        }
        return .unavailable(unavailableReason(at: now))
    }

    /// Refreshes in the background until the task is cancelled: at the scheduled time while all is
    /// well, at the next backoff time after a failure.
    public func run() async {
        while !Task.isCancelled {
            let deadline = nextWakeUp()
            do {
                try await sleep(until: deadline)
            } catch {
                return
            }
            if Task.isCancelled { return }
            await refreshIfDue()
        }
    }

    // MARK: - Internals

    private func nextWakeUp() -> Date {
        if status.consecutiveFailures > 0 || current == nil {
            return status.nextAttempt ?? clock.now
        }
        return current!.refreshAt
    }

    private func refreshIfDue() async {
        if let inFlight {
            await inFlight.value
            return
        }
        let now = clock.now
        let due: Bool
        if status.consecutiveFailures > 0 || current == nil {
            due = attemptAllowed(at: now)
        } else {
            due = now >= current!.refreshAt
        }
        if due { await refresh() }
    }

    private func attemptAllowed(at now: Date) -> Bool {
        guard let nextAttempt = status.nextAttempt else { return true }
        return now >= nextAttempt
    }

    private func startRefresh() {
        let task = Task { await self.attempt() }
        inFlight = task
    }

    private func refresh() async {
        if inFlight == nil { startRefresh() }
        await inFlight?.value
    }

    private func attempt() async {
        defer {
            inFlight = nil
            if rotationPending {
                rotationPending = false
                startRefresh()
            }
            // The outcome sets the next refresh or retry time: sleepers look again.
            wakeSleepers()
        }
        let outcome: Result<SessionCredentials, CredentialsError>
        do {
            outcome = .success(try await fetch())
        } catch {
            outcome = .failure(error)
        }
        let now = clock.now
        switch outcome {
        case .success(let credentials):
            let fetched: FetchedCredentials
            do {
                fetched = try FetchedCredentials(validating: credentials, fetchedAt: now, schedule: schedule)
            } catch {
                failed(error, now: now)
                return
            }
            current = fetched
            status.successes += 1
            status.consecutiveFailures = 0
            status.lastError = nil
            status.credentialsExpiration = fetched.expiration
            status.nextAttempt = nil
            snapshot.publish(fetched, status: status)
            logger.info(
                "obtained temporary credentials",
                metadata: ["expiration": "\(credentials.expiration)", "refresh-at": "\(AmzDate(fetched.refreshAt).iso8601)"]
            )
        case .failure(let error):
            failed(error, now: now)
        }
    }

    private func failed(_ error: CredentialsError, now: Date) {
        status.failures += 1
        status.consecutiveFailures += 1
        status.lastError = error
        let delay = schedule.retryDelay(afterFailures: status.consecutiveFailures)
        status.nextAttempt = now.addingTimeInterval(delay.seconds)
        var metadata: Logger.Metadata = [
            "error": "\(error.message)", "consecutive-failures": "\(status.consecutiveFailures)",
            "retry-in": "\(Int(delay.seconds.rounded(.up)))s",
        ]
        if let current, current.isValid(at: now) {
            metadata["serving-until"] = "\(current.credentials.expiration)"
            logger.warning("refreshing the credentials failed; retrying with backoff, and the current ones are still valid", metadata: metadata)
            snapshot.publish(current, status: status)
        } else {
            snapshot.publish(nil, status: status)
            logger.error("refreshing the credentials failed and no valid credentials remain; retrying with backoff", metadata: metadata)
        }
    }

    private func unavailableReason(at now: Date) -> String {
        status.unavailableReason(at: now)
    }
}
