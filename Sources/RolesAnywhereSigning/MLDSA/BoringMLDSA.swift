import CBoringSSLMLDSA
import CCryptoBoringSSL

/// The calls into BoringSSL's ML-DSA, one `switch` per operation over the three parameter sets.
/// Nothing here does lattice arithmetic: every function is BoringSSL's.
enum BoringMLDSA {
    /// BoringSSL's private key struct of one parameter set, on the heap, zeroed when released.
    /// Immutable after it is filled in, so it can be shared across threads.
    final class PrivateKeyStorage: @unchecked Sendable {
        let parameterSet: MLDSAParameterSet
        let pointer: UnsafeMutableRawPointer
        let byteCount: Int

        init(_ parameterSet: MLDSAParameterSet) {
            self.parameterSet = parameterSet
            switch parameterSet {
            case .mlDSA44:
                byteCount = MemoryLayout<MLDSA44_private_key>.size
                pointer = UnsafeMutableRawPointer(UnsafeMutablePointer<MLDSA44_private_key>.allocate(capacity: 1))
            case .mlDSA65:
                byteCount = MemoryLayout<MLDSA65_private_key>.size
                pointer = UnsafeMutableRawPointer(UnsafeMutablePointer<MLDSA65_private_key>.allocate(capacity: 1))
            case .mlDSA87:
                byteCount = MemoryLayout<MLDSA87_private_key>.size
                pointer = UnsafeMutableRawPointer(UnsafeMutablePointer<MLDSA87_private_key>.allocate(capacity: 1))
            }
            pointer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        }

        deinit {
            CCryptoBoringSSL_OPENSSL_cleanse(pointer, byteCount)
            pointer.deallocate()
        }
    }

    /// BoringSSL's `bcm_status`: 0 approved and 1 not approved are successes, 2 a failure.
    private static func succeeded(_ status: Int32) -> Bool { status == 0 || status == 1 }

    static func fromSeed(_ key: PrivateKeyStorage, _ seed: [UInt8]) -> Bool {
        seed.withUnsafeBufferPointer { seed in
            switch key.parameterSet {
            case .mlDSA44:
                CCryptoBoringSSL_MLDSA44_private_key_from_seed(key.pointer.assumingMemoryBound(to: MLDSA44_private_key.self), seed.baseAddress, seed.count) == 1
            case .mlDSA65:
                CCryptoBoringSSL_MLDSA65_private_key_from_seed(key.pointer.assumingMemoryBound(to: MLDSA65_private_key.self), seed.baseAddress, seed.count) == 1
            case .mlDSA87:
                CCryptoBoringSSL_MLDSA87_private_key_from_seed(key.pointer.assumingMemoryBound(to: MLDSA87_private_key.self), seed.baseAddress, seed.count) == 1
            }
        }
    }

    /// Reads `skEncode` bytes; the caller has checked their length.
    static func parseExpanded(_ key: PrivateKeyStorage, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var cbs = CBS(data: buffer.baseAddress, len: buffer.count)
            let status: Int32 =
                switch key.parameterSet {
                case .mlDSA44: CCryptoBoringSSL_BCM_mldsa44_parse_private_key(key.pointer, &cbs)
                case .mlDSA65: CCryptoBoringSSL_BCM_mldsa65_parse_private_key(key.pointer, &cbs)
                case .mlDSA87: CCryptoBoringSSL_BCM_mldsa87_parse_private_key(key.pointer, &cbs)
                }
            return succeeded(status) && cbs.len == 0
        }
    }

    /// The `skEncode` bytes of a key.
    static func expanded(_ key: PrivateKeyStorage) -> [UInt8]? {
        let count = key.parameterSet.expandedKeyByteCount
        var output = [UInt8](repeating: 0, count: count)
        let ok = output.withUnsafeMutableBufferPointer { buffer -> Bool in
            var cbb = CBB()
            guard CCryptoBoringSSL_CBB_init_fixed(&cbb, buffer.baseAddress, buffer.count) == 1 else { return false }
            defer { CCryptoBoringSSL_CBB_cleanup(&cbb) }
            let status: Int32 =
                switch key.parameterSet {
                case .mlDSA44: CCryptoBoringSSL_BCM_mldsa44_marshal_private_key(&cbb, key.pointer)
                case .mlDSA65: CCryptoBoringSSL_BCM_mldsa65_marshal_private_key(&cbb, key.pointer)
                case .mlDSA87: CCryptoBoringSSL_BCM_mldsa87_marshal_private_key(&cbb, key.pointer)
                }
            return succeeded(status) && CCryptoBoringSSL_CBB_len(&cbb) == count
        }
        return ok ? output : nil
    }

    /// The `pkEncode` bytes of a key's public key.
    static func publicKey(of key: PrivateKeyStorage) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: key.parameterSet.publicKeyByteCount)
        let ok = output.withUnsafeMutableBufferPointer { buffer -> Bool in
            var cbb = CBB()
            guard CCryptoBoringSSL_CBB_init_fixed(&cbb, buffer.baseAddress, buffer.count) == 1 else { return false }
            defer { CCryptoBoringSSL_CBB_cleanup(&cbb) }
            let marshalled: Bool
            switch key.parameterSet {
            case .mlDSA44:
                var pub = MLDSA44_public_key()
                marshalled = CCryptoBoringSSL_MLDSA44_public_from_private(&pub, key.pointer.assumingMemoryBound(to: MLDSA44_private_key.self)) == 1
                    && CCryptoBoringSSL_MLDSA44_marshal_public_key(&cbb, &pub) == 1
            case .mlDSA65:
                var pub = MLDSA65_public_key()
                marshalled = CCryptoBoringSSL_MLDSA65_public_from_private(&pub, key.pointer.assumingMemoryBound(to: MLDSA65_private_key.self)) == 1
                    && CCryptoBoringSSL_MLDSA65_marshal_public_key(&cbb, &pub) == 1
            case .mlDSA87:
                var pub = MLDSA87_public_key()
                marshalled = CCryptoBoringSSL_MLDSA87_public_from_private(&pub, key.pointer.assumingMemoryBound(to: MLDSA87_private_key.self)) == 1
                    && CCryptoBoringSSL_MLDSA87_marshal_public_key(&cbb, &pub) == 1
            }
            return marshalled && CCryptoBoringSSL_CBB_len(&cbb) == buffer.count
        }
        return ok ? output : nil
    }

    /// FIPS 204's deterministic ML-DSA.Sign: the randomizer is all zeros, and the message is
    /// prefixed with `0 || len(ctx) || ctx` for the empty context, as pure ML-DSA signs.
    static func sign(_ key: PrivateKeyStorage, message: [UInt8]) -> [UInt8]? {
        var signature = [UInt8](repeating: 0, count: key.parameterSet.signatureByteCount)
        let randomizer = [UInt8](repeating: 0, count: 32)
        let contextPrefix: [UInt8] = [0, 0]
        let status = signature.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { message in
                switch key.parameterSet {
                case .mlDSA44:
                    CCryptoBoringSSL_BCM_mldsa44_sign_internal(out.baseAddress, key.pointer, message.baseAddress, message.count, contextPrefix, 2, nil, 0, randomizer)
                case .mlDSA65:
                    CCryptoBoringSSL_BCM_mldsa65_sign_internal(out.baseAddress, key.pointer, message.baseAddress, message.count, contextPrefix, 2, nil, 0, randomizer)
                case .mlDSA87:
                    CCryptoBoringSSL_BCM_mldsa87_sign_internal(out.baseAddress, key.pointer, message.baseAddress, message.count, contextPrefix, 2, nil, 0, randomizer)
                }
            }
        }
        return succeeded(status) ? signature : nil
    }

    /// A parsed public key of the parameter set, for the duration of `body`; nil if it does not parse.
    static func withPublicKey<T>(_ bytes: [UInt8], _ parameterSet: MLDSAParameterSet, _ body: (UnsafeRawPointer) -> T) -> T? {
        bytes.withUnsafeBufferPointer { buffer in
            var cbs = CBS(data: buffer.baseAddress, len: buffer.count)
            switch parameterSet {
            case .mlDSA44:
                var key = MLDSA44_public_key()
                guard CCryptoBoringSSL_MLDSA44_parse_public_key(&key, &cbs) == 1 else { return nil }
                return withUnsafePointer(to: &key) { body(UnsafeRawPointer($0)) }
            case .mlDSA65:
                var key = MLDSA65_public_key()
                guard CCryptoBoringSSL_MLDSA65_parse_public_key(&key, &cbs) == 1 else { return nil }
                return withUnsafePointer(to: &key) { body(UnsafeRawPointer($0)) }
            case .mlDSA87:
                var key = MLDSA87_public_key()
                guard CCryptoBoringSSL_MLDSA87_parse_public_key(&key, &cbs) == 1 else { return nil }
                return withUnsafePointer(to: &key) { body(UnsafeRawPointer($0)) }
            }
        }
    }

    /// Pure ML-DSA verification with the empty context (BoringSSL's public `MLDSA*_verify`).
    static func verify(_ parameterSet: MLDSAParameterSet, _ key: UnsafeRawPointer, signature: [UInt8], message: [UInt8]) -> Bool {
        signature.withUnsafeBufferPointer { signature in
            message.withUnsafeBufferPointer { message in
                switch parameterSet {
                case .mlDSA44:
                    CCryptoBoringSSL_MLDSA44_verify(key.assumingMemoryBound(to: MLDSA44_public_key.self), signature.baseAddress, signature.count, message.baseAddress, message.count, nil, 0) == 1
                case .mlDSA65:
                    CCryptoBoringSSL_MLDSA65_verify(key.assumingMemoryBound(to: MLDSA65_public_key.self), signature.baseAddress, signature.count, message.baseAddress, message.count, nil, 0) == 1
                case .mlDSA87:
                    CCryptoBoringSSL_MLDSA87_verify(key.assumingMemoryBound(to: MLDSA87_public_key.self), signature.baseAddress, signature.count, message.baseAddress, message.count, nil, 0) == 1
                }
            }
        }
    }
}
