import Foundation

/// A real SoftHSM2 token in a temporary directory, made and filled with SoftHSM's and OpenSC's own
/// tools (`softhsm2-util`, `pkcs11-tool`), for tests of keys that stay on a PKCS#11 token.
///
/// SoftHSM reads its configuration from `SOFTHSM2_CONF` when a process initialises it, so the
/// token is used by child processes given ``environment``. p11-kit's proxy (the helper's default
/// module) offers SoftHSM through the module registration Debian's `softhsm2` package installs.
public final class SoftHSMToken: Sendable {
    /// Where Debian's `softhsm2` package installs the module.
    public static let modulePath = "/usr/lib/softhsm/libsofthsm2.so"

    public let directory: TemporaryDirectory
    public let label: String
    public let userPIN: String
    public let securityOfficerPIN = "87654321"
    public var configurationPath: String { directory.path("softhsm2.conf") }

    /// Variables for a child process that uses this token (and nothing from the caller's AWS setup).
    public var environment: [String: String] { ["SOFTHSM2_CONF": configurationPath] }

    /// Creates and initialises a token. With `initializeUserPIN` false, the token has only a
    /// security officer PIN (no user can log in).
    public init(label: String = "rolesanywhere-test", userPIN: String = "1234", initializeUserPIN: Bool = true) throws {
        for tool in ["softhsm2-util", "pkcs11-tool"] where (try? ChildProcess.resolve(tool)) == nil {
            throw TestFailure("\(tool) is not installed: run scripts/test (it installs softhsm2 and opensc) or apt-get install softhsm2 opensc")
        }
        guard FileManager.default.fileExists(atPath: Self.modulePath) else {
            throw TestFailure("\(Self.modulePath) is missing: apt-get install softhsm2")
        }
        directory = try TemporaryDirectory(prefix: "softhsm")
        self.label = label
        self.userPIN = userPIN
        try FileManager.default.createDirectory(atPath: directory.path("tokens"), withIntermediateDirectories: true)
        _ = try directory.write("softhsm2.conf", "directories.tokendir = \(directory.path("tokens"))\nobjectstore.backend = file\nlog.level = ERROR\n")
        if initializeUserPIN {
            try run("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", securityOfficerPIN, "--pin", userPIN])
        } else {
            try tool(["--init-token", "--slot", "0", "--label", label, "--so-pin", securityOfficerPIN])
        }
    }

    /// Imports a private key (and its public half) from PEM, with `CKA_LABEL` and `CKA_ID`.
    public func importKey(pem: String, label: String, id: String) throws {
        let raw = try directory.write("import-\(id).pem", pem)
        // softhsm2-util wants PKCS#8.
        let pkcs8 = directory.path("import-\(id).p8")
        try ChildProcess.openssl(["pkcs8", "-topk8", "-nocrypt", "-in", raw, "-out", pkcs8])
        try run("softhsm2-util", ["--import", pkcs8, "--token", self.label, "--label", label, "--id", id, "--pin", userPIN])
        try FileManager.default.removeItem(atPath: raw)
        try FileManager.default.removeItem(atPath: pkcs8)
    }

    /// Stores a certificate object.
    public func importCertificate(der: [UInt8], label: String, id: String) throws {
        let path = try directory.write("cert-\(id)-\(label).der", der)
        try tool(["--login", "--pin", userPIN, "--write-object", path, "--type", "cert", "--id", id, "--label", label])
    }

    /// Generates a key pair on the token (its private key never exists anywhere else).
    /// `keyType` is pkcs11-tool's, e.g. `rsa:2048` or `EC:prime256v1`.
    public func generateKeyPair(keyType: String, label: String, id: String, alwaysAuthenticate: Bool = false) throws {
        try tool(
            ["--login", "--pin", userPIN, "--keypairgen", "--key-type", keyType, "--label", label, "--id", id, "--usage-sign"]
                + (alwaysAuthenticate ? ["--always-auth"] : [])
        )
    }

    /// Runs `pkcs11-tool` against this token with SoftHSM's module.
    @discardableResult
    public func tool(_ arguments: [String]) throws -> ChildProcess.Output {
        let tokenArguments = arguments.first == "--init-token" ? [] : ["--token-label", label]
        return try run("pkcs11-tool", ["--module", Self.modulePath] + tokenArguments + arguments)
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws -> ChildProcess.Output {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(self.environment) { $1 }
        let output = try ChildProcess.run(tool, arguments, environment: environment)
        guard output.status == 0 else {
            throw TestFailure("\(tool) \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderrText)\(output.stdoutText)")
        }
        return output
    }
}
