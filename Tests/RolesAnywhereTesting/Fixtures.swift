import Foundation

/// The checked-in test vectors under `Tests/Fixtures` (copied from the official helper captures in
/// `shared/testdata`). They are for fixed-date checks with the clock pinned; fresh certificates come
/// from ``TestPKI``.
public enum Fixtures {
    /// The absolute path of `Tests/Fixtures`.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // RolesAnywhereTesting
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    /// The absolute path of a fixture, e.g. `official-helper/leaf-rsa-key.pem`.
    public static func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    /// The text of a fixture.
    public static func string(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// The bytes of a fixture.
    public static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    /// The root of the package checkout.
    public static let packageRoot: URL = directory.deletingLastPathComponent().deletingLastPathComponent()
}

/// The executables this package builds, beside the test bundle (or from `ROLESANYWHERE_BIN_DIR`,
/// to test a release or static build).
public enum Binaries {
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["ROLESANYWHERE_BIN_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Runs the `rolesanywhere` CLI.
    @discardableResult
    public static func rolesanywhere(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess.Output {
        var merged = ProcessInfo.processInfo.environment
        for key in merged.keys where key.hasPrefix("AWS_") || key.hasPrefix("ROLESANYWHERE_") || key.lowercased().hasSuffix("_proxy") {
            if key != "ROLESANYWHERE_BIN_DIR" { merged[key] = nil }
        }
        merged.merge(environment) { $1 }
        return try ChildProcess.run(path("rolesanywhere"), arguments, environment: merged)
    }
}
