import RolesAnywhereCredentials
import RolesAnywhereSupport

/// The few TPM 2.0 commands a signing key needs, with password authorisation (`TPM_RS_PW`).
struct TPMCommands {
    let device: TPMDevice

    /// A command the TPM refused: its response code.
    struct Refusal: Error {
        var code: UInt32
        var command: String
        var description: String { "\(command) failed: \(TPM2.describe(code))" }
    }

    /// Runs a command. With `password`, one password session authorises the first handle. Returns the
    /// response's handles and a reader at its parameters.
    private func execute(
        _ command: String,
        code: UInt32,
        handles: [UInt32],
        password: [UInt8]?,
        parameters: [UInt8],
        responseHandles: Int = 0
    ) throws(CredentialsError) -> Result<(handles: [UInt32], parameters: TPMReader), Refusal> {
        var writer = TPMWriter()
        writer.u16(password == nil ? TPM2.tagNoSessions : TPM2.tagSessions)
        writer.u32(0)  // size, set below
        writer.u32(code)
        for handle in handles { writer.u32(handle) }
        if let password {
            var session = TPMWriter()
            session.u32(TPM2.passwordSession)
            session.sized([])  // nonce
            session.u8(0)  // session attributes
            session.sized(password)
            writer.u32(UInt32(session.bytes.count))
            writer.bytes += session.bytes
        }
        writer.bytes += parameters
        let size = UInt32(writer.bytes.count)
        writer.bytes.replaceSubrange(2..<6, with: [UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)])

        let response = try device.transmit(writer.bytes)
        var reader = TPMReader(response)
        do {
            let tag = try reader.u16()
            _ = try reader.u32()
            let rc = try reader.u32()
            guard rc == 0 else { return .failure(Refusal(code: rc, command: command)) }
            var returned = [UInt32]()
            for _ in 0..<responseHandles { returned.append(try reader.u32()) }
            if tag == TPM2.tagSessions { _ = try reader.u32() }  // parameter size
            return .success((returned, reader))
        } catch {
            throw CredentialsError(.invalidInput, "the TPM at '\(device.path)' sent a truncated answer to \(command)")
        }
    }

    /// `TPM2_ReadPublic`: the object's `TPMT_PUBLIC` (without the size prefix).
    func readPublic(_ handle: UInt32) throws(CredentialsError) -> Result<[UInt8], Refusal> {
        switch try execute("TPM2_ReadPublic", code: TPM2.commandReadPublic, handles: [handle], password: nil, parameters: []) {
        case .failure(let refusal): return .failure(refusal)
        case .success(var answer):
            do {
                return .success(try answer.parameters.sized())
            } catch {
                throw CredentialsError(.invalidInput, "the TPM sent a truncated public area for handle 0x\(String(handle, radix: 16))")
            }
        }
    }

    /// `TPM2_Load`: loads a key blob under `parent`; the caller flushes the returned handle.
    func load(parent: UInt32, parentPassword: [UInt8], privateBlob: [UInt8], publicBlob: [UInt8]) throws(CredentialsError) -> Result<UInt32, Refusal> {
        // The key file holds both as TPM2B structures already (with their size prefixes).
        switch try execute(
            "TPM2_Load", code: TPM2.commandLoad, handles: [parent], password: parentPassword,
            parameters: privateBlob + publicBlob, responseHandles: 1
        ) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let answer): return .success(answer.handles[0])
        }
    }

    /// `TPM2_CreatePrimary` of the storage key that TSS2 key files mean by a hierarchy parent: ECC
    /// P-256, AES-128-CFB, restricted decryption, no dictionary-attack protection, empty unique.
    func createStoragePrimary(hierarchy: UInt32) throws(CredentialsError) -> Result<UInt32, Refusal> {
        var template = TPMWriter()
        template.u16(TPM2.algorithmECC)
        template.u16(TPM2.algorithmSHA256)
        template.u32(0x0003_0472)  // fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, noDA, restricted, decrypt
        template.sized([])  // authPolicy
        template.u16(TPM2.algorithmAES)
        template.u16(128)
        template.u16(TPM2.algorithmCFB)
        template.u16(TPM2.algorithmNull)  // scheme
        template.u16(TPM2.curveP256)
        template.u16(TPM2.algorithmNull)  // kdf
        template.sized([])  // unique.x
        template.sized([])  // unique.y
        var parameters = TPMWriter()
        parameters.u16(4)  // TPM2B_SENSITIVE_CREATE: userAuth and data, both empty
        parameters.sized([])
        parameters.sized([])
        parameters.sized(template.bytes)
        parameters.sized([])  // outsideInfo
        parameters.u32(0)  // creationPCR: no selections
        switch try execute(
            "TPM2_CreatePrimary", code: TPM2.commandCreatePrimary, handles: [hierarchy], password: [],
            parameters: parameters.bytes, responseHandles: 1
        ) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let answer): return .success(answer.handles[0])
        }
    }

    /// `TPM2_Sign` of a digest, with no restriction ticket (the key must be an unrestricted signing key).
    func sign(key: UInt32, password: [UInt8], digest: [UInt8], scheme: UInt16, hash: UInt16) throws(CredentialsError) -> Result<TPMSignature, Refusal> {
        var parameters = TPMWriter()
        parameters.sized(digest)
        parameters.u16(scheme)
        parameters.u16(hash)
        parameters.u16(TPM2.tagHashCheck)
        parameters.u32(TPM2.nullHierarchy)
        parameters.sized([])
        switch try execute("TPM2_Sign", code: TPM2.commandSign, handles: [key], password: password, parameters: parameters.bytes) {
        case .failure(let refusal): return .failure(refusal)
        case .success(var answer):
            do {
                let algorithm = try answer.parameters.u16()
                _ = try answer.parameters.u16()  // hash
                if algorithm == TPM2.algorithmRSASSA {
                    return .success(.rsa(try answer.parameters.sized()))
                }
                guard algorithm == TPM2.algorithmECDSA else {
                    throw CredentialsError(.invalidInput, "the TPM signed with algorithm 0x\(String(algorithm, radix: 16)), neither RSASSA nor ECDSA")
                }
                let r = try answer.parameters.sized()
                let s = try answer.parameters.sized()
                return .success(.ecdsa(r: r, s: s))
            } catch let error as CredentialsError {
                throw error
            } catch {
                throw CredentialsError(.invalidInput, "the TPM sent a truncated signature")
            }
        }
    }

    /// `TPM2_FlushContext`: unloads a transient object (there is no resource manager on a raw device or swtpm socket).
    func flush(_ handle: UInt32) {
        var parameters = TPMWriter()
        parameters.u32(handle)
        _ = try? execute("TPM2_FlushContext", code: TPM2.commandFlushContext, handles: [], password: nil, parameters: parameters.bytes)
    }
}

/// A signature as the TPM returns it.
enum TPMSignature {
    case rsa([UInt8])
    case ecdsa(r: [UInt8], s: [UInt8])
}
