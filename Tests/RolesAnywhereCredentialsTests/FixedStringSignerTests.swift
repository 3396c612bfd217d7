import Foundation
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing
import X509

/// `sign-string` signs the official helper's fixed string; RSA signatures are deterministic, so they
/// must equal what `openssl dgst -sign` makes of the same bytes, and EC ones must verify with it.
struct FixedStringSignerTests {
    @Test(arguments: [("SHA256", FixedStringSigner.Digest.sha256), ("SHA384", .sha384), ("SHA512", .sha512)])
    func rsaSignaturesMatchOpenSSL(name: String, digest: FixedStringSigner.Digest) throws {
        let files = try OpenSSLKeyFiles()
        let keyPath = try files.generate("rsa:2048")
        let key = try FileIdentitySource(certificatePath: nil, privateKeyPath: keyPath).loadPrivateKey()
        let message = try FixedStringSigner.message(for: key.publicKey)
        #expect(message.count == "AWS Roles Anywhere Credential Helper Signing Test1".utf8.count + 32)
        let messagePath = try files.directory.write("message", message)
        let expected = try ChildProcess.openssl(["dgst", "-" + name.lowercased(), "-sign", keyPath, messagePath]).stdout
        #expect(try FixedStringSigner.sign(with: key, digest: digest) == expected)
    }

    @Test(arguments: ["P-256", "P-384", "P-521"])
    func ecSignaturesVerifyWithOpenSSL(curve: String) throws {
        let files = try OpenSSLKeyFiles()
        let keyPath = try files.generate(curve)
        let key = try FileIdentitySource(certificatePath: nil, privateKeyPath: keyPath).loadPrivateKey()
        let messagePath = try files.directory.write("message", try FixedStringSigner.message(for: key.publicKey))
        let publicPath = files.directory.path("public.pem")
        try ChildProcess.openssl(["pkey", "-in", keyPath, "-pubout", "-out", publicPath])
        for (name, digest) in [("sha256", FixedStringSigner.Digest.sha256), ("sha512", .sha512)] {
            let signaturePath = try files.directory.write("signature-\(name)", try FixedStringSigner.sign(with: key, digest: digest))
            try ChildProcess.openssl(["dgst", "-" + name, "-verify", publicPath, "-signature", signaturePath, messagePath])
        }
    }
}
