import RolesAnywhereCredentials
import Testing
import RolesAnywhereSupport

@testable import RolesAnywherePKCS11

/// RFC 7512 URIs as users write them (and as `p11tool` and `pkcs11-tool` print them), and mistakes.
@Suite("PKCS#11 URIs")
struct PKCS11URITests {
    @Test("path and query attributes, percent-decoding, binary IDs")
    func parsing() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=4f1d;token=my%20token;slot-id=7;object=work%3Bload;id=%01%FF;type=private?pin-value=12%2634&module-path=/usr/lib/softhsm/libsofthsm2.so"
        )
        #expect(uri.model == "SoftHSM v2")
        #expect(uri.manufacturer == "SoftHSM project")
        #expect(uri.serial == "4f1d")
        #expect(uri.token == "my token")
        #expect(uri.slotID == 7)
        #expect(uri.object == "work;load")
        #expect(uri.id == [0x01, 0xFF])
        #expect(uri.type == .privateKey)
        #expect(uri.pinValue == "12&34")
        #expect(uri.modulePath == "/usr/lib/softhsm/libsofthsm2.so")
        // The printed form never holds the PIN.
        #expect(uri.description == "pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=4f1d;token=my%20token;slot-id=7;object=work%3Bload;id=%01%FF;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so")
        #expect(try PKCS11URI(parsing: uri.description).id == [0x01, 0xFF])
        #expect(try PKCS11URI(parsing: "PKCS11:").token == nil)
        #expect(PKCS11URI.isURI("pkcs11:token=a") && !PKCS11URI.isURI("/etc/key.pem"))
    }

    @Test("mistakes are named", arguments: [
        ("pkcs11:token=a;token=b", "gives 'token' twice"),
        ("pkcs11:colour=blue", "'colour' is not one rolesanywhere knows"),
        ("pkcs11:token=a?object=b", "'object' belongs in the path"),
        ("pkcs11:token=a;pin-value=1", "'pin-value' belongs in the query"),
        ("pkcs11:id=%0", "malformed %-escape"),
        ("pkcs11:token", "has no '=value'"),
        ("pkcs11:slot-id=first", "slot-id 'first' is not a decimal number"),
        ("pkcs11:type=key", "type 'key' is not one of"),
        ("pkcs11:token=a?pin-value=1&pin-source=/pin", "both pin-value and pin-source"),
        ("/etc/key.pem", "is not a PKCS#11 URI"),
    ])
    func mistakes(uri: String, message: String) {
        #expect {
            try PKCS11URI(parsing: uri)
        } throws: { error in
            guard let error = error as? CredentialsError else { return false }
            return error.code == .invalidConfiguration && error.message.contains(message)
        }
    }

    @Test("the PIN comes from the URI, a pin-source file, or the environment, never a prompt")
    func pins() throws {
        #expect(try PKCS11PIN.resolve(try PKCS11URI(parsing: "pkcs11:token=a?pin-value=42")) == "42")
        #expect(throws: CredentialsError.self) { try PKCS11PIN.resolve(try PKCS11URI(parsing: "pkcs11:token=a?pin-source=https://example.com/pin")) }
        #expect(throws: CredentialsError.self) { try PKCS11PIN.resolve(try PKCS11URI(parsing: "pkcs11:token=a?pin-source=file:/nonexistent/pin")) }
    }

    @Test("a token's raw r || s becomes a minimal DER ECDSA-Sig-Value")
    func ecdsaSignatureEncoding() throws {
        // r with its top bit set needs a leading zero; s with leading zero bytes loses them.
        let r = [UInt8](repeating: 0x80, count: 32)
        let s = [0x00, 0x00] + [UInt8](repeating: 0x11, count: 30)
        let der = try PKCS11PrivateKey.derSignature(raw: r + s, uri: "pkcs11:")
        #expect(der == [0x30, 0x43, 0x02, 0x21, 0x00] + r + [0x02, 0x1E] + [UInt8](repeating: 0x11, count: 30))
        #expect(throws: CredentialsError.self) { try PKCS11PrivateKey.derSignature(raw: [1, 2, 3], uri: "pkcs11:") }
    }

    @Test("login failures say what they mean, including a locked PIN (SoftHSM has no retry counter to lock one for real)")
    func loginMessages() throws {
        let slotInfo = "'t' (slot 1, M X, serial 1)"
        let slot = PKCS11Slot(id: 1, slotDescription: "", slotManufacturer: "", label: "t", manufacturer: "M", model: "X", serial: "1", flags: 0)
        #expect(slot.summary == slotInfo)
        let locked = PKCS11Session.loginError(0xA4, slot)
        #expect(locked.code == .invalidInput && locked.message.contains("is locked after too many wrong PINs (CKR_PIN_LOCKED)"))
        let wrong = PKCS11Session.loginError(0xA0, slot)
        #expect(wrong.code == .wrongPassword && wrong.message.contains("CKR_PIN_INCORRECT"))
        #expect(PKCS11Session.loginError(0xA3, slot).message.contains("expired"))
    }
}
