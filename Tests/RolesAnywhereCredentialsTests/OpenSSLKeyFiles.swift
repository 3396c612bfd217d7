import Foundation
import RolesAnywhereTesting
import SwiftASN1
import X509

/// Key and certificate files written by the `openssl` command line, the way users make them.
struct OpenSSLKeyFiles {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "openssl-keys")
    }

    /// A fresh unencrypted PKCS#8 key: `rsa:2048`, `rsa:1024`, `P-256`, `P-384`, `P-521`, `secp256k1`, `ed25519`.
    func generate(_ kind: String, name: String = UUID().uuidString) throws -> String {
        let path = directory.path(name + ".pem")
        switch kind {
        case let rsa where rsa.hasPrefix("rsa:"):
            try ChildProcess.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(rsa.dropFirst(4))", "-out", path])
        case "ed25519":
            try ChildProcess.openssl(["genpkey", "-algorithm", "ed25519", "-out", path])
        default:
            try ChildProcess.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(kind)", "-out", path])
        }
        return path
    }

    /// The key at `path` converted with `openssl pkey`/`pkcs8` arguments, written to a new file.
    func convert(_ path: String, _ arguments: [String], command: String = "pkey") throws -> String {
        let output = directory.path(UUID().uuidString + ".pem")
        try ChildProcess.openssl([command, "-in", path] + arguments + ["-out", output])
        return output
    }

    /// The SubjectPublicKeyInfo of a private key, as OpenSSL computes it.
    func publicKey(of path: String, password: String? = nil) throws -> Certificate.PublicKey {
        var arguments = ["pkey", "-in", path, "-pubout", "-outform", "DER"]
        if let password { arguments += ["-passin", "pass:\(password)"] }
        return try Certificate.PublicKey(derEncoded: try ChildProcess.openssl(arguments).stdout)
    }

    /// A self-signed certificate for the key at `path`.
    func selfSignedCertificate(key path: String, subject: String = "/CN=myContainer") throws -> String {
        let output = directory.path(UUID().uuidString + ".crt")
        try ChildProcess.openssl(["req", "-x509", "-new", "-key", path, "-subj", subject, "-days", "1", "-out", output])
        return output
    }
}
