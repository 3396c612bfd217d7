import Foundation
import Synchronization

/// A server process started for a test (the independent verifier, `rolesanywhere-local`), stopped
/// when the value is dropped. It must print a line containing `READY <port>` when it listens.
public final class BackgroundServer: @unchecked Sendable {
    public let process: Subprocess
    public let port: Int
    /// What it printed on standard output up to (and including) the ready line.
    public let startupOutput: String
    private let output: Pipe

    /// Starts `executable`; its standard error goes to the test's, or to the file `standardErrorPath`.
    /// `readyMarker` is the text before the port in the line that says it listens.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, standardErrorPath: String? = nil, timeout: TimeInterval = 60,
        readyMarker: String = "READY "
    ) throws {
        process = Subprocess()
        process.executableURL = URL(fileURLWithPath: try ChildProcess.resolve(executable))
        process.arguments = arguments
        if let environment { process.environment = environment }
        output = Pipe()
        process.standardOutput = output
        if let standardErrorPath {
            // Created only when missing: createFile replaces what is there by renaming a new file
            // over it, which would turn a device such as /dev/null into a regular file.
            if !FileManager.default.fileExists(atPath: standardErrorPath) {
                _ = FileManager.default.createFile(atPath: standardErrorPath, contents: nil)
            }
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: standardErrorPath))
        } else {
            process.standardError = FileHandle.standardError
        }
        try process.run()
        BackgroundServer.registerForCleanUp(process.processIdentifier)
        let handle = output.fileHandleForReading
        var buffer = ""
        let deadline = Date().addingTimeInterval(timeout)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            let data = handle.availableData
            if data.isEmpty { break }
            buffer += String(decoding: data, as: UTF8.self)
            for line in buffer.split(separator: "\n") {
                if let range = line.range(of: readyMarker), let value = Int(line[range.upperBound...].prefix(while: \.isNumber)) {
                    found = value
                }
            }
        }
        guard let found else {
            process.terminate()
            throw TestFailure("\(executable) did not report '\(readyMarker)<port>': \(buffer)")
        }
        port = found
        startupOutput = buffer
        // Keep draining its output so it never blocks on a full pipe.
        handle.readabilityHandler = { handle in _ = handle.availableData }
    }

    deinit {
        stop()
    }

    /// Children still running when the test process exits are killed then: one left behind would
    /// keep the test runner's output pipe open, and `swift test` would wait for it forever.
    private static let children = Mutex<Set<Int32>>([])

    private static let installExitHandler: Void = {
        atexit {
            for pid in BackgroundServer.children.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
    }()

    static func registerForCleanUp(_ pid: Int32) {
        _ = installExitHandler
        children.withLock { _ = $0.insert(pid) }
    }

    /// Stops the server with SIGKILL: a child spawned from a thread that blocks SIGTERM inherits
    /// the blocked signal and would never stop.
    public func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            ChildProcess.waitForExit(process, timeout: 10)
        }
    }
}

/// The independent SigV4-X509 verifier (`Tests/Scripts/independent_verifier.py`): botocore's
/// canonicalisation and pyca/cryptography's signature check. It stands in for the signature check of
/// IAM Roles Anywhere only, so that our client is tested against code we did not write.
public final class IndependentVerifier: @unchecked Sendable {
    public let server: BackgroundServer
    public let directory: TemporaryDirectory
    /// The CA that issued the server's TLS certificate (for `AWS_CA_BUNDLE`).
    public let caBundlePath: String
    public let useTLS: Bool

    /// `serverNames` are DNS names its TLS certificate holds besides `localhost` (for a client that
    /// reaches it through a proxy under another name).
    public init(tls: Bool = true, serverNames: [String] = [], extraArguments: [String] = []) throws {
        directory = try TemporaryDirectory(prefix: "verifier")
        let ca = try TestPKI.makeRoot(commonName: "Verifier TLS CA")
        let server = try TestPKI.makeTLSServer(issuer: ca, extraNames: serverNames)
        caBundlePath = try directory.write("ca.pem", ca.certificatePEM)
        let cert = try directory.write("server.pem", server.certificatePEM)
        let key = try directory.write("server.key", server.privateKeyPEM)
        var arguments = [Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/independent_verifier.py").path]
        if tls { arguments += ["--tls-cert", cert, "--tls-key", key] }
        self.server = try BackgroundServer("python3", arguments + extraArguments)
        useTLS = tls
    }

    public var endpoint: String { "\(useTLS ? "https" : "http")://127.0.0.1:\(server.port)" }

    /// What the verifier received, as JSON objects.
    public func receivedRequests() throws -> [[String: Any]] {
        let output = try ChildProcess.run(
            "python3",
            ["-c", "import urllib.request,ssl;print(urllib.request.urlopen('\(endpoint)/__requests', context=ssl._create_unverified_context()).read().decode())"]
        )
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout))
        return object as? [[String: Any]] ?? []
    }
}

/// An HTTP forward proxy (`Tests/Scripts/http_proxy.py`): CONNECT tunnels and absolute-form
/// requests, with Basic proxy authentication when `user` is given. Each `routes` entry maps a target
/// a client asks for (`host:port`) to the loopback address that serves it, as a proxy resolving
/// names the client's machine cannot.
public final class HTTPProxy: @unchecked Sendable {
    public let server: BackgroundServer

    public init(user: String? = nil, password: String = "", routes: [String: String]) throws {
        var arguments = [Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/http_proxy.py").path]
        if let user { arguments += ["--user", user, "--password", password] }
        for (target, address) in routes.sorted(by: { $0.key < $1.key }) { arguments += ["--route", "\(target)=\(address)"] }
        server = try BackgroundServer("python3", arguments)
    }

    /// `http://[user:password@]127.0.0.1:PORT`, for `HTTPS_PROXY`/`HTTP_PROXY`.
    public func url(user: String? = nil, password: String = "") -> String {
        let userInfo = user.map { "\($0):\(password)@" } ?? ""
        return "http://\(userInfo)127.0.0.1:\(server.port)"
    }

    /// What the proxy was asked for: `method`, `target` and `authorized` of each request.
    public func receivedRequests() throws -> [[String: Any]] {
        let output = try ChildProcess.run(
            "python3", ["-c", "import urllib.request;print(urllib.request.build_opener(urllib.request.ProxyHandler({})).open('http://127.0.0.1:\(server.port)/__requests').read().decode())"]
        )
        return try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [[String: Any]] ?? []
    }
}
