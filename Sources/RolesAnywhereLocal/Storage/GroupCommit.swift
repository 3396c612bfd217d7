import GRDB
import Synchronization

/// Group commit: writes that arrive while a transaction is being written wait for it and then
/// share the next one, each inside its own savepoint.
///
/// Every CreateSession stores a session, and at thousands of calls a second a transaction per call
/// spends more on `BEGIN`, the WAL frames and `COMMIT` than on the row. Here the first writer to
/// find the writer idle schedules a drain on the database's writer queue; the drain takes every
/// write queued so far, runs each in a savepoint of one immediate transaction, commits, and only
/// then resumes the callers, so a caller still returns only once its change is committed. A write
/// that throws rolls back its own savepoint and gets its error; the others commit. If `BEGIN` or
/// `COMMIT` fails, every write of that transaction gets the error.
final class GroupCommit: Sendable {
    /// One queued write: runs its body on the writer queue and returns how to finish it once the
    /// transaction has ended, or is failed before it could run.
    private struct Job: Sendable {
        let run: @Sendable (Database) -> @Sendable ((any Error)?) -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var draining = false
    }

    private let writer: any DatabaseWriter
    private let state = Mutex(State())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// How many writes wait for the next transaction (for tests and diagnostics).
    var queued: Int { state.withLock { $0.pending.count } }

    /// Runs `body` in the next transaction and returns its result once that transaction has been
    /// committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let result: Result<T, any Error>
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        // `value` is set whenever the savepoint committed without throwing.
                        result = value.map(Result.success) ?? .failure(DatabaseError(resultCode: .SQLITE_ERROR, message: "the write returned no value"))
                    } catch {
                        result = .failure(error)
                    }
                    return { transactionError in
                        switch (result, transactionError) {
                        case (.success, let error?): continuation.resume(throwing: error)
                        default: continuation.resume(with: result)
                        }
                    }
                },
                fail: { error in continuation.resume(throwing: error) }
            )
            let leads = state.withLock { state -> Bool in
                state.pending.append(job)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if leads {
                writer.asyncWriteWithoutTransaction { [self] db in drain(db) }
            }
        }
    }

    /// On the writer queue: commits queued writes, a transaction per batch, until none is left.
    private func drain(_ db: Database) {
        while true {
            let jobs = state.withLock { state -> [Job] in
                let jobs = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if jobs.isEmpty { state.draining = false }
                return jobs
            }
            guard !jobs.isEmpty else { return }
            var finishers: [@Sendable ((any Error)?) -> Void] = []
            finishers.reserveCapacity(jobs.count)
            do {
                try db.inTransaction(.immediate) {
                    for job in jobs { finishers.append(job.run(db)) }
                    return .commit
                }
                for finish in finishers { finish(nil) }
            } catch {
                for finish in finishers { finish(error) }
                for job in jobs.dropFirst(finishers.count) { job.fail(error) }
            }
        }
    }
}
