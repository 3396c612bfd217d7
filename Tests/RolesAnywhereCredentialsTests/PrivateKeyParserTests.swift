import Foundation
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing
import X509
import RolesAnywhereSupport
import RolesAnywhereKeys

/// Every key format users bring, made by the real `openssl` command line, must load, and load the
/// right key (the public key OpenSSL derives from the same file).
struct PrivateKeyParserTests {
    let files: OpenSSLKeyFiles

    init() throws {
        files = try OpenSSLKeyFiles()
    }

    func load(_ path: String, password: PasswordSource = .none) throws(CredentialsError) -> Certificate.PrivateKey {
        let key = try FileIdentitySource(certificatePath: nil, privateKeyPath: path, password: password).loadPrivateKey()
        guard let classic = key.certificateKey else { throw CredentialsError(.unsupportedKey, "expected an RSA or EC key, got \(key.publicKey)") }
        return classic
    }

    static let supportedKinds = ["rsa:2048", "rsa:3072", "P-256", "P-384", "P-521"]

    @Test(arguments: supportedKinds)
    func unencryptedPKCS8AndTraditionalFormsLoad(kind: String) throws {
        let pkcs8 = try files.generate(kind)
        let expected = try files.publicKey(of: pkcs8)
        #expect(try load(pkcs8).publicKey == expected)
        // PKCS#1 for RSA, SEC1 for EC.
        let traditional = try files.convert(pkcs8, ["-traditional"])
        let header = try String(contentsOfFile: traditional, encoding: .utf8)
        #expect(header.contains(kind.hasPrefix("rsa") ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY"))
        #expect(try load(traditional).publicKey == expected)
    }

    @Test(arguments: [
        ["-v2", "aes-256-cbc"],
        ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"],  // what AWS Certificate Manager exports
        ["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA384"],
        ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"],
        ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA224"],
        ["-scrypt"],
        ["-v2", "des3"],  // what `openssl req -newkey -keyout` writes
    ])
    func encryptedPKCS8Loads(scheme: [String]) throws {
        for kind in ["rsa:2048", "P-256", "P-384", "P-521"] {
            let plain = try files.generate(kind)
            let encrypted = try files.convert(plain, ["-topk8", "-passout", "pass:s3cret pass"] + scheme, command: "pkcs8")
            #expect(try String(contentsOfFile: encrypted, encoding: .utf8).contains("ENCRYPTED PRIVATE KEY"))
            #expect(try load(encrypted, password: .value("s3cret pass")).publicKey == files.publicKey(of: plain), "\(kind) \(scheme)")
        }
    }

    @Test func theWalkthroughsPasswordProtectedKeysLoad() throws {
        // openssl genrsa -aes256 (OpenSSL 3 writes encrypted PKCS#8) and openssl req -newkey -keyout.
        let ca = files.directory.path("ca-key.pem")
        try ChildProcess.openssl(["genrsa", "-aes256", "-passout", "pass:capass", "-out", ca, "2048"])
        #expect(try load(ca, password: .value("capass")).publicKey == files.publicKey(of: ca, password: "capass"))
        let leaf = files.directory.path("key.pem")
        let csr = files.directory.path("csr.pem")
        try ChildProcess.openssl(["req", "-newkey", "rsa:2048", "-keyout", leaf, "-out", csr, "-subj", "/CN=myContainer", "-passout", "pass:leafpass"])
        #expect(try load(leaf, password: .value("leafpass")).publicKey == files.publicKey(of: leaf, password: "leafpass"))
    }

    @Test(arguments: ["-aes128", "-aes192", "-aes256", "-des3"])
    func legacyOpenSSLEncryptedPEMLoads(cipher: String) throws {
        let plain = try files.generate("rsa:2048")
        let legacy = try files.convert(plain, ["-traditional", cipher, "-passout", "pass:pw"])
        #expect(try String(contentsOfFile: legacy, encoding: .utf8).contains("Proc-Type: 4,ENCRYPTED"))
        #expect(try load(legacy, password: .value("pw")).publicKey == files.publicKey(of: plain))
        #expect(throws: CredentialsError.self) { try load(legacy, password: .value("wrong")) }
    }

    @Test func passwordsComeFromFlagsEnvironmentAndFiles() throws {
        let plain = try files.generate("P-256")
        let encrypted = try files.convert(plain, ["-topk8", "-v2", "aes-256-cbc", "-passout", "pass:from-everywhere"], command: "pkcs8")
        let expected = try files.publicKey(of: plain)
        let passwordFile = try files.directory.write("password", "from-everywhere\n")
        #expect(try load(encrypted, password: .file(passwordFile)).publicKey == expected)
        let crlfFile = try files.directory.write("password-crlf", "from-everywhere\r\n")
        #expect(try load(encrypted, password: .file(crlfFile)).publicKey == expected)
        // From a variable: one the test process already has (HOME), because setenv while other
        // tests start processes races with Foundation's Process copying the environment (it
        // crashed the suite once).
        let home = try #require(ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 })
        let byHome = try files.convert(plain, ["-topk8", "-v2", "aes-256-cbc", "-passout", "pass:\(home)"], command: "pkcs8")
        #expect(try load(byHome, password: .environment("HOME")).publicKey == expected)
    }

    @Test func wrongAndMissingPasswordsAreNamed() throws {
        let plain = try files.generate("rsa:2048")
        let encrypted = try files.convert(plain, ["-topk8", "-v2", "aes-256-cbc", "-passout", "pass:right"], command: "pkcs8")
        #expect(code { try load(encrypted, password: .value("wrong")) } == .wrongPassword)
        #expect(code { try load(encrypted) } == .passwordRequired)
        #expect(code { try load(encrypted, password: .value("")) } == .passwordRequired)
        #expect(code { try load(encrypted, password: .file(files.directory.path("missing"))) } == .invalidInput)
    }

    @Test(arguments: ["rsa:1024", "secp256k1", "ed25519"])
    func keysRolesAnywhereRejectsAreRefusedByName(kind: String) throws {
        let path = try files.generate(kind)
        let error = try #require(catching { try load(path) })
        #expect(error.code == .unsupportedKey)
        let expectedName = ["rsa:1024": "1024 bits", "secp256k1": "secp256k1", "ed25519": "Ed25519"][kind]!
        #expect(error.message.contains(expectedName), "\(error.message)")
    }

    @Test func malformedKeyFilesGetClearErrors() throws {
        let dir = files.directory
        let cases: [(String, String)] = [
            ("not-pem", "this is not a key"),
            ("empty-block", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"),
            ("garbage-der", "-----BEGIN PRIVATE KEY-----\nAAECAwQF\n-----END PRIVATE KEY-----\n"),
            ("bad-base64", "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"),
            ("no-end", "-----BEGIN PRIVATE KEY-----\nAAECAwQF\n"),
            ("certificate", try Fixtures.string("official-helper/leaf-rsa-cert.pem")),
            ("garbage-ec", "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n"),
            ("garbage-encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAMCAQE=\n-----END ENCRYPTED PRIVATE KEY-----\n"),
        ]
        for (name, contents) in cases {
            let path = try dir.write(name, contents)
            let error = try #require(catching { try load(path) }, "\(name)")
            #expect(error.code == .invalidInput, "\(name): \(error)")
            #expect(!error.message.isEmpty)
        }
        #expect(code { try load(dir.path("does-not-exist")) } == .invalidInput)
        #expect(code { try load(dir.url.path) } == .invalidInput)
        let unreadable = try dir.write("unreadable", "x", mode: 0o000)
        if getuid() != 0 {
            #expect(code { try load(unreadable) } == .invalidInput)
        }
    }

    @Test func encryptedKeysWeWriteOpenWithOpenSSL() throws {
        let plain = try files.generate("P-384")
        let der = try ChildProcess.openssl(["pkcs8", "-topk8", "-nocrypt", "-in", plain, "-outform", "DER"]).stdout
        let encrypted = try EncryptedPrivateKeyInfo.encrypt(privateKeyInfo: der, password: "pw", iterations: 2048)
        let pem = PEMBlock(type: "ENCRYPTED PRIVATE KEY", derBytes: encrypted).pemString
        let path = try files.directory.write("ours.pem", pem)
        let opened = try ChildProcess.openssl(["pkey", "-in", path, "-passin", "pass:pw", "-pubout", "-outform", "DER"]).stdout
        #expect(try Certificate.PublicKey(derEncoded: opened) == files.publicKey(of: plain))
        #expect(try load(path, password: .value("pw")).publicKey == files.publicKey(of: plain))
    }
}

func code(_ body: () throws -> Any) -> CredentialsError.Code? {
    catching(body)?.code
}

func catching(_ body: () throws -> Any) -> CredentialsError? {
    do {
        _ = try body()
        return nil
    } catch let error as CredentialsError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}
