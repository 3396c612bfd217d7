import Foundation
import RolesAnywhereTesting
import Testing

/// `credential-process --cache-dir` as the AWS CLI runs it: many commands, one CreateSession.
@Suite("credential-process with a cache, end to end", .serialized)
struct CredentialCacheCommandTests {
    /// How many CreateSession calls the server has allowed, from its log.
    static func sessionsCreated(_ log: String) throws -> Int {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.components(separatedBy: "\n").filter { $0.contains("CreateSession allowed") }.count
    }

    /// Runs `aws sts get-caller-identity` `count` times at once; returns the ARN each printed.
    static func callerIdentities(_ fixture: CredentialHelperFixture, config: String, count: Int, environment extra: [String: String] = [:]) throws -> [String] {
        let output = fixture.directory.path("runs")
        try? FileManager.default.removeItem(atPath: output)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let script = """
            for i in $(seq \(count)); do
                aws --endpoint-url "$ENDPOINT" --output json --profile cached sts get-caller-identity > "$OUT/$i.json" 2> "$OUT/$i.err" &
            done
            wait
            """
        var environment = ServeAndUpdateCommandTests.workloadEnvironment(fixture, extra)
        environment["AWS_CONFIG_FILE"] = config
        environment["ENDPOINT"] = fixture.endpoint
        environment["OUT"] = output
        try ChildProcess.run("bash", ["-c", script], environment: environment)
        return try (1...count).map { run in
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(output)/\(run).json"))
            let error = (try? String(contentsOfFile: "\(output)/\(run).err", encoding: .utf8)) ?? ""
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            return (object?["Arn"] as? String) ?? "failed: \(error)"
        }
    }

    static func config(_ fixture: CredentialHelperFixture, extraFlags: [String]) throws -> String {
        let line = ([Binaries.path("rolesanywhere"), "credential-process"] + fixture.helperFlags + extraFlags).joined(separator: " ")
        return try fixture.directory.write("config-\(extraFlags.count)", "[profile cached]\nregion = us-east-1\ncredential_process = \(line)\n")
    }

    @Test("50 concurrent aws commands cause one CreateSession; a tampered entry is not used; a rotated certificate gets new credentials; ROLESANYWHERE_CACHE_DIR is the same cache")
    func oneSessionForManyCommands() async throws {
        let logs = try TemporaryDirectory(prefix: "cache-log")
        let log = logs.path("local.log")
        let fixture = try await CredentialHelperFixture(logLevel: "info", logPath: log)
        let cache = fixture.directory.path("credential-cache")
        let config = try Self.config(fixture, extraFlags: ["--cache-dir", cache])
        let assumed = "arn:aws:sts::123456789012:assumed-role/bucket-lister/"

        let identities = try Self.callerIdentities(fixture, config: config, count: 50)
        #expect(identities.allSatisfy { $0.hasPrefix(assumed) }, "\(identities.filter { !$0.hasPrefix(assumed) }.prefix(3))")
        #expect(Set(identities).count == 1)
        #expect(try Self.sessionsCreated(log) == 1)

        // An entry changed by hand (its MAC no longer matches) is replaced by a new CreateSession.
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".json") }
        #expect(entries.count == 1)
        let entry = "\(cache)/\(entries[0])"
        let text = try String(contentsOfFile: entry, encoding: .utf8)
        try text.replacingOccurrences(of: "\"AccessKeyId\":\"ASIA", with: "\"AccessKeyId\":\"ASIB").write(toFile: entry, atomically: false, encoding: .utf8)
        #expect(try Self.callerIdentities(fixture, config: config, count: 1).allSatisfy { $0.hasPrefix(assumed) })
        #expect(try Self.sessionsCreated(log) == 2)

        // A rotated certificate is another key: new credentials at once.
        try fixture.writeLeaf()
        #expect(try Self.callerIdentities(fixture, config: config, count: 3).allSatisfy { $0.hasPrefix(assumed) })
        #expect(try Self.sessionsCreated(log) == 3)

        // The variable names the same cache: no new CreateSession.
        let byVariable = try Self.config(fixture, extraFlags: [])
        #expect(try Self.callerIdentities(fixture, config: byVariable, count: 2, environment: ["ROLESANYWHERE_CACHE_DIR": cache]).allSatisfy { $0.hasPrefix(assumed) })
        #expect(try Self.sessionsCreated(log) == 3)
    }
}
