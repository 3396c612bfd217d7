#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Logging
import Synchronization

/// What the long-running commands (`serve`, `update`) share: a logger that says what happens,
/// and a graceful stop on SIGTERM or SIGINT.
enum ServiceRuntime {
    /// Notices and errors on standard error; everything with `--debug`. Secrets (keys, session
    /// tokens, IMDS tokens, passwords) are never logged, with or without `--debug`.
    static func logger(label: String, debug: Bool) -> Logger {
        var logger = Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = debug ? .debug : .info
        return logger
    }

    /// Makes sure SIGTERM and SIGINT reach this process even if its parent started it with them
    /// blocked (a blocked mask is inherited, and a service that cannot be stopped is a bug). Call it
    /// first, before any thread starts, so that every thread inherits the mask.
    static func unblockTerminationSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Returns the first of SIGTERM and SIGINT received.
    static func waitForTerminationSignal() async -> Int32 {
        let signals = [SIGTERM, SIGINT]
        for number in signals { signal(number, SIG_IGN) }
        let sources = signals.map { DispatchSource.makeSignalSource(signal: $0, queue: .global()) }
        let received = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let resumed = Mutex(false)
            for (source, number) in zip(sources, signals) {
                source.setEventHandler {
                    let first = resumed.withLock { done in
                        defer { done = true }
                        return !done
                    }
                    if first { continuation.resume(returning: number) }
                }
                source.resume()
            }
        }
        sources.forEach { $0.cancel() }
        return received
    }

    static func signalName(_ number: Int32) -> String {
        number == SIGTERM ? "SIGTERM" : number == SIGINT ? "SIGINT" : "signal \(number)"
    }
}
