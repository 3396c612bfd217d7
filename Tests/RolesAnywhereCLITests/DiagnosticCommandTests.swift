import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import Testing

struct DiagnosticCommandTests {
    @Test func readCertificateDataPrintsTheOfficialJSON() throws {
        let output = try Binaries.rolesanywhere(["read-certificate-data", "--certificate", Fixtures.path("official-helper/leaf-ec-cert.pem")])
        #expect(output.status == 0)
        let der = try ChildProcess.openssl(["x509", "-in", Fixtures.path("official-helper/leaf-ec-cert.pem"), "-outform", "DER"]).stdout
        #expect(
            output.stdoutText
                == #"{"keyType":"EC","certificateData":"\#(Data(der).base64EncodedString())","serialNumber":"124562745837719059303232313298209415765143613485","supportedAlgorithms":["ECSHA256","ECSHA384","ECSHA512"]}"#
        )
        let rsa = try Binaries.rolesanywhere(["read-certificate-data", "--certificate", Fixtures.path("official-helper/leaf-rsa-cert.pem")])
        #expect(rsa.stdoutText.contains(#""keyType":"RSA""#))
        #expect(rsa.stdoutText.contains(#""serialNumber":"1234567""#))
        #expect(rsa.stdoutText.hasSuffix(#"["RSASHA256","RSASHA384","RSASHA512"]}"#))
    }

    @Test func signStringFormatsAgree() throws {
        let key = Fixtures.path("official-helper/leaf-rsa-key.pem")
        let certificate = Fixtures.path("official-helper/leaf-rsa-cert.pem")
        let json = try Binaries.rolesanywhere(["sign-string", "--certificate", certificate, "--private-key", key])
        let text = try Binaries.rolesanywhere(["sign-string", "--private-key", key, "--format", "text"])
        let binary = try Binaries.rolesanywhere(["sign-string", "--private-key", key, "--format", "bin"])
        #expect(json.status == 0 && text.status == 0 && binary.status == 0)
        #expect(json.stdoutText == "\"" + text.stdoutText + "\"")
        #expect(Hex.decode(text.stdoutText) == binary.stdout)
        #expect(binary.stdout.count == 256)
        let sha512 = try Binaries.rolesanywhere(["sign-string", "--private-key", key, "--format", "text", "--digest", "SHA512"])
        #expect(sha512.stdoutText != text.stdoutText)
        let badFormat = try Binaries.rolesanywhere(["sign-string", "--private-key", key, "--format", "xml"])
        #expect(badFormat.status == 2)
        let noKey = try Binaries.rolesanywhere(["sign-string"])
        #expect(noKey.status == 2)
        #expect(noKey.stderrText.contains("--private-key"))
        let mismatch = try Binaries.rolesanywhere(["sign-string", "--certificate", Fixtures.path("official-helper/leaf-ec-cert.pem"), "--private-key", key])
        #expect(mismatch.status == 3)
    }

    @Test func versionAndHelp() throws {
        let version = try Binaries.rolesanywhere(["version"])
        #expect(version.status == 0)
        #expect(version.stdoutText.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
        let help = try Binaries.rolesanywhere(["--help"])
        #expect(help.status == 0)
        for command in ["credential-process", "sign-string", "read-certificate-data", "version"] {
            #expect(help.stdoutText.contains(command))
        }
        #expect(help.stdoutText.contains("Exit codes"))
    }
}
