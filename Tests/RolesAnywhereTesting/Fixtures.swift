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
