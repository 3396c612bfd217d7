import Foundation

/// A real software TPM 2.0 (`swtpm`) on a Unix socket in a temporary directory, provisioned with
/// `tpm2-tools`, for tests of keys that stay in a TPM. The helper reaches it with
/// `TPM_DEVICE=<socket>` (``environment``).
public final class SoftwareTPM: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let process: Subprocess
    public var socketPath: String { directory.path("tpm.sock") }
    /// Variables for the helper: the TPM to use.
    public var environment: [String: String] { ["TPM_DEVICE": socketPath] }
    /// The persistent storage key that ``createKey`` puts keys under.
    public static let storageKeyHandle = "0x81000001"

    public init() throws {
        for tool in ["swtpm", "tpm2_createprimary", "tpm2_encodeobject"] where (try? ChildProcess.resolve(tool)) == nil {
            throw TestFailure("\(tool) is not installed: run scripts/test (it installs swtpm and tpm2-tools) or apt-get install swtpm tpm2-tools")
        }
        directory = try TemporaryDirectory(prefix: "swtpm")
        try FileManager.default.createDirectory(atPath: directory.path("state"), withIntermediateDirectories: true)
        process = Subprocess()
        process.executableURL = URL(fileURLWithPath: try ChildProcess.resolve("swtpm"))
        // tpm2-tools' swtpm TCTI finds the control channel at "<socket>.ctrl".
        process.arguments = [
            "socket", "--tpm2", "--tpmstate", "dir=\(directory.path("state"))",
            "--server", "type=unixio,path=\(directory.path("tpm.sock"))",
            "--ctrl", "type=unixio,path=\(directory.path("tpm.sock")).ctrl",
            "--flags", "not-need-init,startup-clear",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        BackgroundServer.registerForCleanUp(process.processIdentifier)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: directory.path("tpm.sock.ctrl")) || !FileManager.default.fileExists(atPath: directory.path("tpm.sock")) {
            guard Date() < deadline, process.isRunning else { throw TestFailure("swtpm did not start") }
            usleep(20_000)
        }
        try tool("tpm2_createprimary", ["-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb", "-c", directory.path("primary.ctx"), "-Q"])
        try tool("tpm2_evictcontrol", ["-C", "o", "-c", directory.path("primary.ctx"), Self.storageKeyHandle, "-Q"])
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            ChildProcess.waitForExit(process, timeout: 10)
        }
    }

    /// tpm2-tools' algorithm for a key kind.
    public static func algorithm(rsa: Bool) -> String { rsa ? "rsa2048:rsassa-sha256:null" : "ecc256:ecdsa-sha256:null" }

    /// Creates a signing key under the storage key and makes it persistent at `handle`.
    public func createPersistentKey(rsa: Bool, handle: String, password: String?) throws {
        let name = "key-\(handle)"
        try tool("tpm2_create", ["-C", Self.storageKeyHandle, "-G", Self.algorithm(rsa: rsa), "-g", "sha256", "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
                                 "-u", directory.path("\(name).pub"), "-r", directory.path("\(name).priv"), "-Q"] + (password.map { ["-p", $0] } ?? []))
        try tool("tpm2_load", ["-C", Self.storageKeyHandle, "-u", directory.path("\(name).pub"), "-r", directory.path("\(name).priv"), "-c", directory.path("\(name).ctx"), "-Q"])
        try tool("tpm2_evictcontrol", ["-C", "o", "-c", directory.path("\(name).ctx"), handle, "-Q"])
    }

    /// Creates a signing key and writes it as a `TSS2 PRIVATE KEY` file, under the persistent storage
    /// key or, with `ownerParent`, under the owner hierarchy's standard storage primary.
    public func createKeyFile(rsa: Bool, ownerParent: Bool, path: String) throws {
        let parent: String
        if ownerParent {
            parent = directory.path("srk.ctx")
            try tool("tpm2_createprimary", ["-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb", "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt", "-c", parent, "-Q"])
        } else {
            parent = Self.storageKeyHandle
        }
        let name = "file-\(UUID().uuidString)"
        try tool("tpm2_create", ["-C", parent, "-G", Self.algorithm(rsa: rsa), "-g", "sha256", "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
                                 "-u", directory.path("\(name).pub"), "-r", directory.path("\(name).priv"), "-Q"])
        try tool("tpm2_encodeobject", ["-C", parent, "-u", directory.path("\(name).pub"), "-r", directory.path("\(name).priv"), "-o", path])
    }

    /// Runs a tpm2-tools command against this TPM, then flushes the transient objects it leaves
    /// (there is no resource manager on the socket).
    @discardableResult
    public func tool(_ name: String, _ arguments: [String]) throws -> ChildProcess.Output {
        var environment = ProcessInfo.processInfo.environment
        environment["TPM2TOOLS_TCTI"] = "swtpm:path=\(socketPath)"
        let output = try ChildProcess.run(name, arguments, environment: environment)
        guard output.status == 0 else {
            throw TestFailure("\(name) \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderrText)")
        }
        _ = try ChildProcess.run("tpm2_flushcontext", ["-t"], environment: environment)
        return output
    }

    /// The transient objects loaded now (none should be left behind by the helper).
    public func transientHandles() throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["TPM2TOOLS_TCTI"] = "swtpm:path=\(socketPath)"
        return try ChildProcess.run("tpm2_getcap", ["handles-transient"], environment: environment).stdoutText
    }
}
