import Foundation

/// Runs programs for tests (openssl, python3, the AWS CLI, our own binary).
public enum ChildProcess {
    /// What a finished program left behind.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` (a path, or a name looked up in `PATH`) to completion.
    @discardableResult
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: [UInt8]? = nil,
        currentDirectory: String? = nil
    ) throws -> Output {
        let process = Subprocess()
        process.executableURL = URL(fileURLWithPath: try resolve(executable))
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes concurrently so neither fills up and blocks the child.
        let errorData = LockedData()
        let reader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        waitForExit(process, timeout: 600)
        while !errorData.isSet { usleep(1000) }
        return Output(status: process.terminationStatus, stdout: Array(outData), stderr: Array(errorData.get()))
    }

    /// Waits for `process` to end by polling: `Process.waitUntilExit()` spins its run loop and can
    /// hang when called from a Swift concurrency thread.
    public static func waitForExit(_ process: Subprocess, timeout: TimeInterval) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline {
            usleep(2000)
        }
    }

    /// Runs `openssl` with `arguments` and fails the test when it fails.
    @discardableResult
    public static func openssl(_ arguments: [String], input: [UInt8]? = nil) throws -> Output {
        let output = try run("openssl", arguments, input: input)
        guard output.status == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")) failed: \(output.stderrText)")
        }
        return output
    }

    /// The absolute path of `name` from `PATH`, or `name` if it already is a path.
    public static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure("\(name) is not installed (not found in PATH)")
    }
}

/// A failure of test set-up, with a message.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data ?? Data() } }
    var isSet: Bool { lock.withLock { data != nil } }
}
