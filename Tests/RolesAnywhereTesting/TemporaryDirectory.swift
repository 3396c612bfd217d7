import Foundation

/// A directory under the system temporary directory, removed when the value is dropped.
public final class TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "rolesanywhere-test") throws {
        let name = prefix + "-" + UUID().uuidString.lowercased()
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The absolute path of `name` inside the directory.
    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `contents` to `name` and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String, mode: Int? = nil) throws -> String {
        try write(name, Array(contents.utf8), mode: mode)
    }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8], mode: Int? = nil) throws -> String {
        let target = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        if let mode {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        }
        return target
    }
}
