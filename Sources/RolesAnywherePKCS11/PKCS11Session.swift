import CPKCS11
import RolesAnywhereCredentials
import Synchronization
import RolesAnywhereSupport

/// A logged-in session on one token, opened once and reused for every signature (`serve` and
/// `update` sign many times). Calls are serialised: a PKCS#11 session runs one operation at a time.
///
/// When the module reports that the session is gone (the token was re-inserted, the module restarted
/// its state), the session is opened and logged in again once before the call fails.
final class PKCS11Session: @unchecked Sendable {
    let module: PKCS11Module
    let slot: PKCS11Slot
    /// The user PIN, kept for logging in again and for `--reuse-pin`.
    let pin: String?
    /// Whether the session logs in (certificate listings need not).
    let login: Bool
    private let handle: Mutex<CK_SESSION_HANDLE>

    private static let reopenOn: Set<CK_RV> = [0xB0, 0xB3, 0x32, 0xE0, 0x101]  // session closed/invalid, removed, not logged in

    init(module: PKCS11Module, slot: PKCS11Slot, pin: String?, login: Bool = true) throws(CredentialsError) {
        self.module = module
        self.slot = slot
        self.pin = pin
        self.login = login
        handle = Mutex(try Self.open(module: module, slot: slot, pin: pin, login: login))
    }

    private static func open(module: PKCS11Module, slot: PKCS11Slot, pin: String?, login: Bool) throws(CredentialsError) -> CK_SESSION_HANDLE {
        let f = module.functions.pointee
        var session: CK_SESSION_HANDLE = 0
        let opened = f.C_OpenSession!(slot.id, CK.serialSession, nil, nil, &session)
        guard opened == CK.ok else {
            throw CredentialsError(.invalidInput, "cannot open a session on the PKCS#11 token \(slot.summary) (\(returnValueName(opened)))")
        }
        guard login, slot.flags & CK.loginRequired != 0 else { return session }
        if slot.flags & CK.userPINLocked != 0 {
            _ = f.C_CloseSession!(session)
            throw lockedError(slot)
        }
        let hasPINPad = slot.flags & CK.protectedAuthenticationPath != 0
        guard pin != nil || hasPINPad else {
            _ = f.C_CloseSession!(session)
            throw CredentialsError(
                .passwordRequired,
                "the PKCS#11 token \(slot.summary) needs its user PIN: add pin-value=PIN or pin-source=FILE to the URI, or set \(PKCS11PIN.environmentVariable) (rolesanywhere never prompts)"
            )
        }
        let rv = logIn(f, session, CK.user, pin)
        guard rv == CK.ok || rv == 0x100 else {  // CKR_USER_ALREADY_LOGGED_IN: another session of this process did
            _ = f.C_CloseSession!(session)
            throw loginError(rv, slot)
        }
        return session
    }

    static func logIn(_ f: CK_FUNCTION_LIST, _ session: CK_SESSION_HANDLE, _ user: CK_USER_TYPE, _ pin: String?) -> CK_RV {
        guard let pin else { return f.C_Login!(session, user, nil, 0) }
        var bytes = Array(pin.utf8)
        return f.C_Login!(session, user, &bytes, CK_ULONG(bytes.count))
    }

    static func loginError(_ rv: CK_RV, _ slot: PKCS11Slot) -> CredentialsError {
        switch rv {
        case 0xA0, 0xA1, 0xA2:  // incorrect, invalid, wrong length
            return CredentialsError(
                .wrongPassword,
                "the PIN of the PKCS#11 token \(slot.summary) is wrong (\(returnValueName(rv))); check it before trying again: the token locks after a few wrong PINs"
            )
        case 0xA4:
            return lockedError(slot)
        case 0xA3:
            return CredentialsError(.invalidInput, "the user PIN of the PKCS#11 token \(slot.summary) has expired (CKR_PIN_EXPIRED); set a new one")
        case 0x102:
            return CredentialsError(.invalidInput, "the PKCS#11 token \(slot.summary) has no user PIN yet (CKR_USER_PIN_NOT_INITIALIZED); initialise it")
        default:
            return CredentialsError(.invalidInput, "cannot log in to the PKCS#11 token \(slot.summary) (\(returnValueName(rv)))")
        }
    }

    static func lockedError(_ slot: PKCS11Slot) -> CredentialsError {
        CredentialsError(
            .invalidInput,
            "the user PIN of the PKCS#11 token \(slot.summary) is locked after too many wrong PINs (CKR_PIN_LOCKED); have the security officer unlock it (e.g. pkcs11-tool --init-pin --login --login-type so)"
        )
    }

    /// Runs `body` with the session handle, opening and logging in again once if the session was lost.
    private func withSession<T: Sendable>(_ body: (CK_FUNCTION_LIST, CK_SESSION_HANDLE) throws(PKCS11Failure) -> T) throws(CredentialsError) -> T {
        let f = module.functions.pointee
        let outcome = handle.withLock { session -> Result<T, CredentialsError> in
            do throws(PKCS11Failure) {
                return .success(try body(f, session))
            } catch let failure where Self.reopenOn.contains(failure.rv) {
                _ = f.C_CloseSession!(session)
                do {
                    session = try Self.open(module: module, slot: slot, pin: pin, login: login)
                    return .success(try body(f, session))
                } catch let error as CredentialsError {
                    return .failure(error)
                } catch let failure as PKCS11Failure {
                    return .failure(self.error(failure))
                } catch {
                    return .failure(CredentialsError(.invalidInput, "the PKCS#11 token \(slot.summary) failed: \(error)"))
                }
            } catch {
                return .failure(self.error(error))
            }
        }
        return try outcome.get()
    }

    private func error(_ failure: PKCS11Failure) -> CredentialsError {
        CredentialsError(.invalidInput, "the PKCS#11 token \(slot.summary) failed: \(failure.function) returned \(failure.name)")
    }

    /// The objects of `objectClass` with the given label and ID (each only when given).
    func findObjects(class objectClass: CK_OBJECT_CLASS, label: String?, id: [UInt8]?) throws(CredentialsError) -> [CK_OBJECT_HANDLE] {
        // The template's values live in one buffer for the duration of the search.
        let labelBytes = Array((label ?? "").utf8)
        let idBytes = id ?? []
        let size = MemoryLayout<CK_OBJECT_CLASS>.size + labelBytes.count + idBytes.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: MemoryLayout<CK_ULONG>.alignment)
        defer { storage.deallocate() }
        storage.storeBytes(of: objectClass, as: CK_OBJECT_CLASS.self)
        let labelPointer = storage + MemoryLayout<CK_OBJECT_CLASS>.size
        labelPointer.copyMemory(from: labelBytes, byteCount: labelBytes.count)
        let idPointer = labelPointer + labelBytes.count
        idPointer.copyMemory(from: idBytes, byteCount: idBytes.count)
        var template = [CK_ATTRIBUTE(type: CK.attributeClass, pValue: storage, ulValueLen: CK_ULONG(MemoryLayout<CK_OBJECT_CLASS>.size))]
        if label != nil {
            template.append(CK_ATTRIBUTE(type: CK.attributeLabel, pValue: labelPointer, ulValueLen: CK_ULONG(labelBytes.count)))
        }
        if id != nil {
            template.append(CK_ATTRIBUTE(type: CK.attributeID, pValue: idPointer, ulValueLen: CK_ULONG(idBytes.count)))
        }
        return try withSession { (f, session) throws(PKCS11Failure) in
            try PKCS11Failure.check(f.C_FindObjectsInit!(session, &template, CK_ULONG(template.count)), "C_FindObjectsInit")
            var found = [CK_OBJECT_HANDLE]()
            var batch = [CK_OBJECT_HANDLE](repeating: 0, count: 32)
            while true {
                var count: CK_ULONG = 0
                let rv = f.C_FindObjects!(session, &batch, CK_ULONG(batch.count), &count)
                guard rv == CK.ok else {
                    _ = f.C_FindObjectsFinal!(session)
                    throw PKCS11Failure(function: "C_FindObjects", rv: rv)
                }
                found += batch.prefix(Int(count))
                if count == 0 || found.count > 10_000 { break }
            }
            try PKCS11Failure.check(f.C_FindObjectsFinal!(session), "C_FindObjectsFinal")
            return found
        }
    }

    /// An attribute's value, or `nil` when the object does not have it or will not reveal it.
    func attribute(_ type: CK_ATTRIBUTE_TYPE, of object: CK_OBJECT_HANDLE) throws(CredentialsError) -> [UInt8]? {
        try withSession { (f, session) throws(PKCS11Failure) -> [UInt8]? in
            var template = CK_ATTRIBUTE(type: type, pValue: nil, ulValueLen: 0)
            let sized = f.C_GetAttributeValue!(session, object, &template, 1)
            if sized == 0x11 || sized == 0x12 || template.ulValueLen == CK.unavailableInformation { return nil }  // sensitive, invalid type
            try PKCS11Failure.check(sized, "C_GetAttributeValue")
            let length = Int(template.ulValueLen)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(length, 1), alignment: 8)
            defer { buffer.deallocate() }
            template.pValue = buffer
            try PKCS11Failure.check(f.C_GetAttributeValue!(session, object, &template, 1), "C_GetAttributeValue")
            return Array(UnsafeRawBufferPointer(start: buffer, count: min(length, Int(template.ulValueLen))))
        }
    }

    /// Signs `data` with the key `object` and `mechanism`. For a key that needs the PIN for every
    /// signature (`CKA_ALWAYS_AUTHENTICATE`), `contextPIN` is given to a context-specific login.
    func sign(_ data: [UInt8], key object: CK_OBJECT_HANDLE, mechanism: CK_MECHANISM_TYPE, contextPIN: String??) throws(CredentialsError) -> [UInt8] {
        let slot = self.slot
        var loginFailure: CK_RV?
        let result = try withSession { (f, session) throws(PKCS11Failure) -> [UInt8]? in
            var mechanismValue = CK_MECHANISM(mechanism: mechanism, pParameter: nil, ulParameterLen: 0)
            try PKCS11Failure.check(f.C_SignInit!(session, &mechanismValue, object), "C_SignInit")
            if let contextPIN {
                let rv = Self.logIn(f, session, CK.contextSpecific, contextPIN)
                if rv != CK.ok {
                    loginFailure = rv
                    // End the operation so the session can be used again: a C_Sign into a buffer large
                    // enough for any signature ends it whatever it returns (a length query would not).
                    var input = data
                    var scratch = [UInt8](repeating: 0, count: 1024)
                    var length = CK_ULONG(scratch.count)
                    _ = f.C_Sign!(session, &input, CK_ULONG(input.count), &scratch, &length)
                    return nil
                }
            }
            var input = data
            var length: CK_ULONG = 0
            try PKCS11Failure.check(f.C_Sign!(session, &input, CK_ULONG(input.count), nil, &length), "C_Sign")
            var signature = [UInt8](repeating: 0, count: Int(length))
            try PKCS11Failure.check(f.C_Sign!(session, &input, CK_ULONG(input.count), &signature, &length), "C_Sign")
            return Array(signature.prefix(Int(length)))
        }
        if let loginFailure { throw Self.loginError(loginFailure, slot) }
        return result ?? []
    }

    deinit {
        let f = module.functions.pointee
        handle.withLock { session in _ = f.C_CloseSession!(session) }
    }
}
