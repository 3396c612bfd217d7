import Dispatch
import Synchronization

/// Runs async work from the synchronous root command and waits for it.
///
/// The helper's entry point stays synchronous (an async `main` costs ~10 ms at exit in a static
/// binary); commands that need the network bridge here.
func runBlocking<Success: Sendable>(_ body: @escaping @Sendable () async throws -> Success) throws -> Success {
    let result = Mutex<Result<Success, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let outcome: Result<Success, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}
