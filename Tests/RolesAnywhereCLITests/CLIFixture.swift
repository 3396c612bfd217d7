import Foundation
import RolesAnywhereTesting

/// A certificate, its key and the ARNs for driving `rolesanywhere` from tests.
struct CLIFixture {
    let directory: TemporaryDirectory
    let root: TestPKI.Issued
    let leaf: TestPKI.Issued
    let certificate: String
    let privateKey: String

    static let trustAnchorArn = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/11111111-1111-1111-1111-111111111111"
    static let profileArn = "arn:aws:rolesanywhere:us-east-1:123456789012:profile/22222222-2222-2222-2222-222222222222"
    static let roleArn = "arn:aws:iam::123456789012:role/bucket-lister"

    init(key: TestPKI.KeyKind = .rsa2048) throws {
        directory = try TemporaryDirectory(prefix: "cli")
        root = try TestPKI.makeRoot()
        leaf = try TestPKI.makeLeaf(issuer: root, key: key)
        certificate = try directory.write("cert.pem", leaf.certificatePEM)
        privateKey = try directory.write("key.pem", leaf.privateKeyPEM, mode: 0o600)
    }

    /// The flags of a `credential_process` line written for `aws_signing_helper`.
    var credentialFlags: [String] {
        [
            "--certificate", certificate, "--private-key", privateKey, "--trust-anchor-arn", Self.trustAnchorArn,
            "--profile-arn", Self.profileArn, "--role-arn", Self.roleArn,
        ]
    }
}
