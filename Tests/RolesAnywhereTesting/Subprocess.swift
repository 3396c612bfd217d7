import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, with the part of Foundation's `Process` interface the
/// tests use. Foundation's `Process.run()` on Linux (Swift 6.3.1) over-reads a `dirent` while it
/// lists `/proc/self/fd` and crashes now and then (swiftlang/swift-corelibs-foundation#5472); our
/// suite, which starts hundreds of processes, crashed that way in CI. Here the child gets exactly
/// its three standard descriptors (everything above 2 is closed with `closefrom` semantics), so no
/// pipe of a concurrently started process leaks into it.
public final class Subprocess: @unchecked Sendable {
    public enum TerminationReason: Sendable { case exit, uncaughtSignal }

    public var executableURL: URL?
    public var arguments: [String] = []
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    /// A `Pipe`, a `FileHandle`, or nil for the parent's own descriptor.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?

    private let lock = NSLock()
    private var pid: pid_t = 0
    private var status: Int32?

    public init() {}

    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }
    static let addChangeDirectory: AddChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChangeDirectory.self) }

    public var processIdentifier: Int32 { lock.withLock { pid } }

    /// Starts the process.
    public func run() throws {
        guard let executable = executableURL?.path else { throw TestFailure("Subprocess: no executable") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        func descriptor(_ value: Any?, reading: Bool) -> Int32? {
            switch value {
            case let pipe as Pipe: reading ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
            case let handle as FileHandle: handle.fileDescriptor
            default: nil
            }
        }
        for (target, source) in [(Int32(0), descriptor(standardInput, reading: true)), (1, descriptor(standardOutput, reading: false)), (2, descriptor(standardError, reading: false))] {
            if let source { posix_spawn_file_actions_adddup2(&actions, source, target) }
        }
        // glibc 2.34+ has both, but its headers declare them only for _GNU_SOURCE: look them up.
        guard let closeFrom = Self.addCloseFrom else { throw TestFailure("Subprocess: posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34+)") }
        _ = closeFrom(&actions, 3)
        if let directory = currentDirectoryURL?.path {
            guard let changeDirectory = Self.addChangeDirectory else { throw TestFailure("Subprocess: posix_spawn_file_actions_addchdir_np is missing") }
            _ = directory.withCString { changeDirectory(&actions, $0) }
        }
        let environmentList = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environmentList.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw TestFailure("Subprocess: posix_spawn \(executable) failed: \(String(cString: strerror(result)))") }
        lock.withLock { pid = child }
        // The parent's copies of the child's ends of its pipes are closed, so EOF arrives when it exits.
        if let pipe = standardInput as? Pipe { try? pipe.fileHandleForReading.close() }
        if let pipe = standardOutput as? Pipe { try? pipe.fileHandleForWriting.close() }
        if let pipe = standardError as? Pipe { try? pipe.fileHandleForWriting.close() }
    }

    /// Reaps the child without blocking; the status once it has exited.
    private func poll() -> Int32? {
        lock.withLock {
            if let status { return status }
            guard pid > 0 else { return nil }
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid { status = raw }
            return status
        }
    }

    public var isRunning: Bool { processIdentifier > 0 && poll() == nil }

    public func terminate() {
        if isRunning { kill(processIdentifier, SIGTERM) }
    }

    /// The exit code, or the signal that ended it.
    public var terminationStatus: Int32 {
        guard let raw = poll() else { return -1 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }

    public var terminationReason: TerminationReason {
        guard let raw = poll() else { return .exit }
        return raw & 0x7f == 0 ? .exit : .uncaughtSignal
    }
}
