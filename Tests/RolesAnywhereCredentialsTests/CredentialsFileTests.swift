import Foundation
@testable import RolesAnywhereCredentials
import RolesAnywhereTesting
import Testing
import RolesAnywhereSupport

@Suite("update: the credentials file")
struct CredentialsFileTests {
    static let fresh = SessionCredentials(accessKeyId: "ASIANEWKEY", secretAccessKey: "new/secret+key", sessionToken: "NEWTOKEN==", expiration: "2026-11-29T12:00:00Z")

    static func merge(_ text: String, profile: String = "default") -> String {
        String(decoding: CredentialsFileEditor.merge(Array(text.utf8), profile: profile, credentials: fresh), as: UTF8.self)
    }

    /// The text without the lines of the three credential keys.
    static func outsideKeys(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !CredentialsFileEditor.keys.contains { line.hasPrefix($0) } }
            .joined(separator: "\n")
    }

    @Test("keys are replaced in place; every other byte is kept, including a last line without a newline")
    func replacesInPlace() {
        let before = "# managed by hand\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n\n[default]\naws_access_key_id = OLD\naws_secret_access_key = OLDSECRET\n; a comment\naws_session_token = OLDTOKEN\nregion = eu-west-1"
        let after = Self.merge(before)
        #expect(after == "# managed by hand\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n\n[default]\naws_access_key_id = ASIANEWKEY\naws_secret_access_key = new/secret+key\n; a comment\naws_session_token = NEWTOKEN==\nregion = eu-west-1")
    }

    @Test("missing keys go right after the profile's header, so no existing line changes")
    func addsMissingKeys() {
        let before = "[default]\nregion = eu-west-1\noutput = json"
        let after = Self.merge(before)
        #expect(after == "[default]\naws_access_key_id = ASIANEWKEY\naws_secret_access_key = new/secret+key\naws_session_token = NEWTOKEN==\nregion = eu-west-1\noutput = json")
        #expect(Self.outsideKeys(after) == before)
    }

    @Test("a missing profile is appended; an empty file gets just the profile")
    func appendsProfile() {
        #expect(Self.merge("", profile: "ra") == "[ra]\naws_access_key_id = ASIANEWKEY\naws_secret_access_key = new/secret+key\naws_session_token = NEWTOKEN==\n")
        let before = "[default]\nregion = eu-west-1"
        let after = Self.merge(before, profile: "ra")
        #expect(after.hasPrefix(before + "\n\n[ra]\naws_access_key_id = ASIANEWKEY\n"))
    }

    @Test("CRLF files keep CRLF; other sections with similar names are left alone")
    func lineEndingsAndLookalikes() {
        let before = "[default-old]\r\naws_access_key_id = KEEP\r\n[ default ]\r\naws_access_key_id = KEEP2\r\n[default] # main\r\nAWS_ACCESS_KEY_ID=OLD\r\n"
        let after = Self.merge(before)
        #expect(after == "[default-old]\r\naws_access_key_id = KEEP\r\n[ default ]\r\naws_access_key_id = KEEP2\r\n[default] # main\r\naws_secret_access_key = new/secret+key\r\naws_session_token = NEWTOKEN==\r\naws_access_key_id = ASIANEWKEY\r\n")
    }

    @Test("the indented continuation lines of an old value go with it")
    func continuationLines() {
        let after = Self.merge("[default]\naws_session_token = part1\n  part2\nregion = us-east-1\n")
        #expect(after == "[default]\naws_access_key_id = ASIANEWKEY\naws_secret_access_key = new/secret+key\naws_session_token = NEWTOKEN==\nregion = us-east-1\n")
    }

    @Test("the writer creates the directory 0700 and the file 0600, replaces it atomically, and follows a symbolic link")
    func writerModesAndLinks() throws {
        let directory = try TemporaryDirectory(prefix: "credentials")
        let path = directory.path("home/.aws/credentials")
        try CredentialsFileWriter(path: path, profile: "default").write(Self.fresh)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let awsDirectory = try FileManager.default.attributesOfItem(atPath: directory.path("home/.aws"))
        #expect((awsDirectory[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("aws_session_token = NEWTOKEN=="))

        // A world-readable file becomes 0600; a link keeps pointing at the real file, now updated.
        let real = try directory.write("real-credentials", "[keep]\nx = 1\n")
        chmod(real, 0o644)
        let link = directory.path("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try CredentialsFileWriter(path: link, profile: "default").write(Self.fresh)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
        #expect(try String(contentsOfFile: real, encoding: .utf8).hasPrefix("[keep]\nx = 1\n\n[default]\n"))
        #expect((try FileManager.default.attributesOfItem(atPath: real)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("home/.aws")) == ["credentials"])
    }

    @Test("a directory where the file should be, and a profile name that cannot be a section, are clear errors")
    func writerErrors() throws {
        let directory = try TemporaryDirectory(prefix: "credentials")
        try FileManager.default.createDirectory(atPath: directory.path("credentials"), withIntermediateDirectories: true)
        #expect(throws: CredentialsError.self) { try CredentialsFileWriter(path: directory.path("credentials"), profile: "default").write(Self.fresh) }
        do {
            try CredentialsFileWriter(path: directory.path("file"), profile: "bad]name").write(Self.fresh)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidConfiguration && error.message.contains("bad]name"))
        }
    }

    @Test("the path is AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials")
    func defaultPath() throws {
        #expect(try CredentialsFileWriter.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.aws/credentials")
        #expect(try CredentialsFileWriter.defaultPath(environment: ["HOME": "/home/u", "AWS_SHARED_CREDENTIALS_FILE": "~/creds"]) == "/home/u/creds")
        #expect(try CredentialsFileWriter.defaultPath(environment: ["AWS_SHARED_CREDENTIALS_FILE": "/etc/aws/creds"]) == "/etc/aws/creds")
        #expect(throws: CredentialsError.self) { try CredentialsFileWriter.defaultPath(environment: [:]) }
    }

    @Test("refresh times: 15 minutes ahead for serve, 5 for update, never before half the lifetime; backoff doubles with jitter")
    func schedule() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(RefreshSchedule.serve.refreshTime(fetchedAt: start, expiration: start + 3600) == start + 2700)
        #expect(RefreshSchedule.update.refreshTime(fetchedAt: start, expiration: start + 3600) == start + 3300)
        #expect(RefreshSchedule.serve.refreshTime(fetchedAt: start, expiration: start + 900) == start + 450)
        #expect(RefreshSchedule.update.refreshTime(fetchedAt: start, expiration: start + 900) == start + 600)
        let schedule = RefreshSchedule.serve
        #expect(schedule.retryDelay(afterFailures: 1, random: 0) == .milliseconds(500))
        #expect(schedule.retryDelay(afterFailures: 1, random: 0.999) < .seconds(1))
        #expect(schedule.retryDelay(afterFailures: 3, random: 0) == .seconds(2))
        #expect(schedule.retryDelay(afterFailures: 30, random: 0.999) <= .seconds(60))
        #expect(schedule.retryDelay(afterFailures: 30, random: 0) == .seconds(30))
    }

    /// A person's edit made without the lock between update's read and its rename was lost (1-2 of
    /// 25 under load); the writer now checks the file just before replacing it and merges again.
    @Test("an edit made without the lock while update writes is kept, and the credentials still land")
    func concurrentUnlockedEdit() throws {
        let directory = try TemporaryDirectory(prefix: "credentials-race")
        let path = try directory.write("credentials", "[default]\nregion = eu-west-1\n")
        var writer = CredentialsFileWriter(path: path, profile: "default")
        writer.beforeReplace = { attempt in
            // The "editor" saves its change right after update read the file, twice.
            guard attempt <= 2 else { return }
            let old = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            try? (old + "# typed by a person, save \(attempt)\n").write(toFile: path, atomically: false, encoding: .utf8)
        }
        try writer.write(Self.fresh)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("# typed by a person, save 1"))
        #expect(text.contains("# typed by a person, save 2"))
        #expect(text.contains("aws_access_key_id = ASIANEWKEY"))
        #expect(text.contains("region = eu-west-1"))

        // A file that never stops changing is not overwritten: update says so and gives up.
        var restless = CredentialsFileWriter(path: path, profile: "default")
        restless.beforeReplace = { attempt in
            try? "[default]\n# change \(attempt)\n".write(toFile: path, atomically: false, encoding: .utf8)
        }
        #expect(throws: CredentialsError.self) { try restless.write(Self.fresh) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "[default]\n# change \(CredentialsFileWriter.maximumAttempts)\n")
    }
}
