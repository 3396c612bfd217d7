import Logging

/// The logger of a command: debug output on standard error with `--debug`, nothing otherwise.
/// Libraries never log secrets (keys, passwords, session tokens), so `--debug` output can be shared.
enum DebugLogging {
    static func logger(label: String, debug: Bool) -> Logger {
        guard debug else {
            return Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
        }
        var logger = Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .debug
        return logger
    }
}
