import Foundation
import RolesAnywhereTesting
import SwiftASN1
import Testing

/// Inputs that once crashed the helper or `pki check` with an arithmetic trap, rebuilt from real
/// certificates, CRLs and key files with one field changed. Each must get exit 3 and one sentence.
@Suite("Hostile input: values that overflow")
struct HostileInputTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "hostile")
    }

    func path(_ name: String) -> String { directory.path(name) }

    func pki(_ arguments: [String], status: Int32) throws -> ChildProcess.Output {
        let output = try Binaries.rolesanywhere(["pki"] + arguments)
        #expect(output.status == status, "\(arguments): \(output.stderrText)")
        #expect(!output.stderrText.contains("Fatal error"))
        return output
    }

    /// `der` with the TBS part's first field (the version) replaced by `field`.
    static func replacingVersion(in der: [UInt8], with field: [UInt8]) throws -> [UInt8] {
        let root = try DER.parse(der)
        guard case .constructed(let parts) = root.content else { throw TestFailure("not a SEQUENCE") }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { outer in
            for (index, part) in parts.enumerated() {
                guard index == 0, case .constructed(let fields) = part.content else {
                    try outer.serialize(ASN1Any(derEncoded: part))
                    continue
                }
                try outer.appendConstructedNode(identifier: .sequence) { tbs in
                    for (position, node) in fields.enumerated() {
                        if position == 0 {
                            tbs.serializeRawBytes(field)
                        } else {
                            try tbs.serialize(ASN1Any(derEncoded: node))
                        }
                    }
                }
            }
        }
        return serializer.serializedBytes
    }

    static func pem(_ label: String, _ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }

    /// INTEGER 9223372036854775807.
    static let intMax: [UInt8] = [0x02, 0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]

    @Test("a certificate whose version INTEGER is Int.max: pki check refuses it")
    func certificateVersion() throws {
        _ = try pki(["ca", "--cn", "CA", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")], status: 0)
        let der = try ChildProcess.openssl(["x509", "-in", path("ca.pem"), "-outform", "DER"]).stdout
        // [0] EXPLICIT { INTEGER Int.max }
        let version: [UInt8] = [0xA0, UInt8(Self.intMax.count)] + Self.intMax
        try directory.write("hostile.pem", Self.pem("CERTIFICATE", try Self.replacingVersion(in: Array(der), with: version)))
        let output = try pki(["check", "--certificate", path("hostile.pem")], status: 3)
        #expect(output.stderrText.contains("version"), "\(output.stderrText)")
        let asCA = try pki(["check", "--ca", path("hostile.pem")], status: 3)
        #expect(asCA.stderrText.contains("version"), "\(asCA.stderrText)")
    }

    @Test("a CRL whose version INTEGER is Int.max: pki check refuses it")
    func crlVersion() throws {
        _ = try pki(["ca", "--cn", "CA", "--key-type", "p256", "--out-cert", path("ca.pem"), "--out-key", path("ca.key")], status: 0)
        _ = try pki(["crl", "--ca-cert", path("ca.pem"), "--ca-key", path("ca.key"), "--out", path("crl.pem")], status: 0)
        let der = try ChildProcess.openssl(["crl", "-in", path("crl.pem"), "-outform", "DER"]).stdout
        try directory.write("hostile-crl.pem", Self.pem("X509 CRL", try Self.replacingVersion(in: Array(der), with: Self.intMax)))
        let output = try pki(["check", "--ca", path("ca.pem"), "--crl", path("hostile-crl.pem")], status: 3)
        #expect(output.stderrText.contains("version"), "\(output.stderrText)")
    }

    @Test("an encrypted PKCS#8 key with scrypt N=2^62, r=1024: refused before any memory is sized")
    func scryptParameters() throws {
        let fixture = try CLIFixture()
        // EncryptedPrivateKeyInfo { PBES2 { scrypt { salt, N, r, p }, aes-256-cbc { iv } }, ciphertext }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { info in
            try info.appendConstructedNode(identifier: .sequence) { algorithm in
                try algorithm.serialize(ASN1ObjectIdentifier("1.2.840.113549.1.5.13"))
                try algorithm.appendConstructedNode(identifier: .sequence) { pbes2 in
                    try pbes2.appendConstructedNode(identifier: .sequence) { kdf in
                        try kdf.serialize(ASN1ObjectIdentifier("1.3.6.1.4.1.11591.4.11"))
                        try kdf.appendConstructedNode(identifier: .sequence) { parameters in
                            try parameters.serialize(ASN1OctetString(contentBytes: [UInt8](repeating: 7, count: 16)[...]))
                            try parameters.serialize(1 << 62)
                            try parameters.serialize(1024)
                            try parameters.serialize(1)
                        }
                    }
                    try pbes2.appendConstructedNode(identifier: .sequence) { cipher in
                        try cipher.serialize(ASN1ObjectIdentifier("2.16.840.1.101.3.4.1.42"))
                        try cipher.serialize(ASN1OctetString(contentBytes: [UInt8](repeating: 1, count: 16)[...]))
                    }
                }
            }
            try info.serialize(ASN1OctetString(contentBytes: [UInt8](repeating: 2, count: 32)[...]))
        }
        let key = try fixture.directory.write("scrypt.pem", Self.pem("ENCRYPTED PRIVATE KEY", serializer.serializedBytes), mode: 0o600)
        for command in [["credential-process"], ["sign-string", "--format", "text"]] {
            var flags = command + fixture.credentialFlags + ["--pkcs8-password", "hunter2"]
            flags[flags.firstIndex(of: fixture.privateKey)!] = key
            if command[0] == "sign-string" {
                flags = command + ["--certificate", fixture.certificate, "--private-key", key, "--pkcs8-password", "hunter2"]
            }
            let output = try Binaries.rolesanywhere(flags)
            #expect(output.status == 3, "\(command): \(output.stderrText)")
            #expect(output.stderrText.contains("scrypt parameters"), "\(output.stderrText)")
        }
    }
}
