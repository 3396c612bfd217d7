import Foundation
import Testing
import RolesAnywhereLocal
import RolesAnywhereTesting

/// A `rolesanywhere-local` process started for one test, on a free port and its own state file,
/// plus ways to drive it: the real AWS CLI, boto3, and sessions minted straight into its database
/// (the internal API CreateSession will use), as the part-1 server has no way to mint them itself.
final class LocalServerProcess: @unchecked Sendable {
    let directory: TemporaryDirectory
    let statePath: String
    let server: BackgroundServer
    let arguments: [String]

    /// The administrator keys the server prints on its READY line.
    static let admin = Credentials(accessKeyID: LocalConfiguration.defaultAdminAccessKeyID, secretAccessKey: LocalConfiguration.defaultAdminSecretAccessKey)

    struct Credentials: Sendable {
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?

        init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        init(_ session: SessionRecord) {
            self.init(accessKeyID: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken)
        }
    }

    /// Starts the server; `directory` and `statePath` let a test restart it on the same state.
    init(arguments: [String] = [], directory: TemporaryDirectory? = nil, statePath: String? = nil, logLevel: String = "warning", logPath: String? = nil) throws {
        let directory = try directory ?? TemporaryDirectory(prefix: "local")
        self.directory = directory
        self.statePath = statePath ?? directory.path("state.sqlite")
        self.arguments = ["--port", "0", "--state", self.statePath, "--log-level", logLevel] + arguments
        server = try BackgroundServer(Binaries.path("rolesanywhere-local"), self.arguments, standardErrorPath: logPath)
    }

    var port: Int { server.port }
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The environment for AWS tools: no user configuration, the given keys, us-east-1.
    func awsEnvironment(_ credentials: Credentials = LocalServerProcess.admin, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.lowercased().hasSuffix("_proxy") }
        environment["AWS_CONFIG_FILE"] = directory.path("no-aws-config")
        environment["AWS_SHARED_CREDENTIALS_FILE"] = directory.path("no-aws-credentials")
        environment["AWS_ACCESS_KEY_ID"] = credentials.accessKeyID
        environment["AWS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
        if let token = credentials.sessionToken { environment["AWS_SESSION_TOKEN"] = token }
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_RETRY_MODE"] = "standard"
        environment["AWS_MAX_ATTEMPTS"] = "1"
        environment.merge(extra) { $1 }
        return environment
    }

    /// Runs `aws --endpoint-url <server> <arguments>` (the real AWS CLI).
    @discardableResult
    func aws(_ arguments: [String], as credentials: Credentials = LocalServerProcess.admin, extra: [String: String] = [:]) throws -> ChildProcess.Output {
        try ChildProcess.run("aws", ["--endpoint-url", endpoint, "--output", "json"] + arguments, environment: awsEnvironment(credentials, extra: extra), currentDirectory: directory.url.path)
    }

    /// Runs `aws` and fails the test unless it succeeds; returns the parsed JSON output (or nil).
    @discardableResult
    func awsOK(_ arguments: [String], as credentials: Credentials = LocalServerProcess.admin) throws -> [String: Any]? {
        let output = try aws(arguments, as: credentials)
        guard output.status == 0 else {
            throw TestFailure("aws \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderrText)")
        }
        return try? JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any]
    }

    /// Runs a Python script from `Tests/Scripts` with the endpoint as its first argument.
    func python(_ script: String, _ arguments: [String] = [], as credentials: Credentials = LocalServerProcess.admin) throws -> ChildProcess.Output {
        let path = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/\(script)").path
        return try ChildProcess.run("python3", [path, endpoint] + arguments, environment: awsEnvironment(credentials))
    }

    /// Runs a script of `Tests/Scripts` (see ``python(_:_:as:)``) and expects it to succeed and to
    /// print `marker`, its last line when every step held; records its output otherwise.
    func expectScript(
        _ script: String, _ arguments: [String] = [], as credentials: Credentials = LocalServerProcess.admin, expecting marker: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let output = try python(script, arguments, as: credentials)
        #expect(output.status == 0, "\(output.stdoutText)\n\(output.stderrText)", sourceLocation: sourceLocation)
        #expect(output.stdoutText.contains(marker), sourceLocation: sourceLocation)
    }

    /// Opens the server's database from this process (SQLite WAL allows a second connection).
    func openStore() throws -> SQLiteStore {
        try SQLiteStore(path: statePath)
    }

    /// Mints a session for `roleName` into the server's database.
    func mintSession(
        roleName: String, duration: TimeInterval = 3600, tags: [String: String] = [:], sessionPolicy: String? = nil, sessionPolicyArns: [String] = [], now: Date = Date()
    ) async throws -> Credentials {
        let store = try openStore()
        guard let role = try await store.role(named: roleName) else { throw TestFailure("no role \(roleName)") }
        let request = SessionMinter.Request(role: role, sessionName: "test-session", duration: duration, tags: tags, sessionPolicy: sessionPolicy, sessionPolicyArns: sessionPolicyArns)
        let session = try await SessionMinter(store: store).mint(request, now: now)
        return Credentials(session)
    }

    /// Stops the server with SIGKILL (like a crash) and waits for it to be gone.
    func kill() {
        server.stop()
    }

    /// A new server on the same state file.
    func restarted(arguments extra: [String] = []) throws -> LocalServerProcess {
        kill()
        return try LocalServerProcess(arguments: extra, directory: directory, statePath: statePath)
    }
}

/// Policy documents the tests use.
enum Policies {
    static let trustRolesAnywhere = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},\
        "Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],\
        "Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/CN":"myContainer"}}}]}
        """

    static let listAllMyBuckets = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#

    static let allowAll = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
}

extension ChildProcess.Output {
    /// The stdout parsed as a JSON object.
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(stdout)) as? [String: Any] }
}
