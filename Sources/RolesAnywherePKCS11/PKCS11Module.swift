#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPKCS11
import RolesAnywhereCredentials
import Synchronization
public import RolesAnywhereSupport

/// A PKCS#11 module (a shared library such as `p11-kit-proxy.so` or `libsofthsm2.so`), loaded with
/// `dlopen` the first time a command needs it and initialised once for the life of the process.
///
/// Nothing is loaded for users who do not name a `pkcs11:` URI, so the helper starts as fast as
/// before and links no PKCS#11 library.
public final class PKCS11Module: @unchecked Sendable {
    /// The module loaded when neither `--pkcs11-lib` nor the URI's `module-path` says otherwise: p11-kit's
    /// proxy, which offers every module registered with p11-kit (SoftHSM, OpenSC, vendor modules).
    public static let defaultPath = "p11-kit-proxy.so"

    /// What `--pkcs11-lib`, the URI or the default named.
    public let path: String
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>

    private static let loaded = Mutex<[String: PKCS11Module]>([:])

    private init(path: String, functions: UnsafeMutablePointer<CK_FUNCTION_LIST>) {
        self.path = path
        self.functions = functions
    }

    /// The module at `path` (a path, or a file name looked up in the library path), loaded and
    /// initialised on first use. Modules stay loaded: PKCS#11 allows one initialisation per process.
    ///
    /// - Throws: ``CredentialsError`` (`invalidConfiguration`) when the library cannot be loaded, is
    ///   not a PKCS#11 module, or fails to initialise.
    public static func load(path: String) throws(CredentialsError) -> PKCS11Module {
        let result = loaded.withLock { modules -> Result<PKCS11Module, CredentialsError> in
            if let module = modules[path] { return .success(module) }
            do throws(CredentialsError) {
                let module = try open(path: path)
                modules[path] = module
                return .success(module)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func open(path: String) throws(CredentialsError) -> PKCS11Module {
        guard !isStaticExecutable else {
            throw CredentialsError(
                .invalidConfiguration,
                "this rolesanywhere is a fully static executable, which cannot load a PKCS#11 module (a shared library); use a dynamically linked build for keys on tokens (swift build -c release, or with --static-swift-stdlib)"
            )
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            let hint = path == defaultPath
                ? "install p11-kit (Debian: apt-get install p11-kit) or name the module with --pkcs11-lib"
                : "check the path given with --pkcs11-lib or module-path"
            throw CredentialsError(.invalidConfiguration, "cannot load the PKCS#11 module '\(path)' (\(reason)); \(hint)")
        }
        guard let symbol = dlsym(handle, "C_GetFunctionList") else {
            throw CredentialsError(.invalidConfiguration, "'\(path)' is not a PKCS#11 module (it has no C_GetFunctionList)")
        }
        let getFunctionList = unsafeBitCast(symbol, to: CK_C_GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let rv = getFunctionList(&list)
        guard rv == CK.ok, let list, let initialize = list.pointee.C_Initialize else {
            throw CredentialsError(.invalidConfiguration, "the PKCS#11 module '\(path)' gave no function list (\(returnValueName(rv)))")
        }
        // Let the module use the operating system's locks: serve signs from several threads.
        var arguments = CK_C_INITIALIZE_ARGS(
            CreateMutex: nil, DestroyMutex: nil, LockMutex: nil, UnlockMutex: nil,
            flags: CK.osLockingOK, pReserved: nil
        )
        let initialized = initialize(&arguments)
        guard initialized == CK.ok || initialized == CK.cryptokiAlreadyInitialized else {
            throw CredentialsError(
                .invalidConfiguration,
                "the PKCS#11 module '\(path)' failed to initialise (\(returnValueName(initialized))); check its configuration (for SoftHSM, SOFTHSM2_CONF and its token directory)"
            )
        }
        return PKCS11Module(path: path, functions: list)
    }

    /// Whether this process is a fully static executable, which has no dynamic loader to share the C
    /// library with a module: loading one would crash. Such a process has no program interpreter, so
    /// the auxiliary vector's `AT_BASE` (the interpreter's address) is 0.
    static var isStaticExecutable: Bool {
        cpkcs11_is_static_executable() != 0
    }

    /// The slots that hold a token, with their descriptions.
    func slotsWithTokens() throws(PKCS11Failure) -> [PKCS11Slot] {
        let f = functions.pointee
        var count: CK_ULONG = 0
        try PKCS11Failure.check(f.C_GetSlotList!(1, nil, &count), "C_GetSlotList")
        var ids = [CK_SLOT_ID](repeating: 0, count: Int(count))
        if count > 0 {
            try PKCS11Failure.check(f.C_GetSlotList!(1, &ids, &count), "C_GetSlotList")
        }
        var slots = [PKCS11Slot]()
        for id in ids.prefix(Int(count)) {
            var slotInfo = CK_SLOT_INFO()
            var tokenInfo = CK_TOKEN_INFO()
            guard f.C_GetSlotInfo!(id, &slotInfo) == CK.ok, f.C_GetTokenInfo!(id, &tokenInfo) == CK.ok,
                  tokenInfo.flags & CK.tokenInitialized != 0
            else { continue }  // an empty slot or a token nobody has initialised yet
            slots.append(PKCS11Slot(id: id, slotInfo: slotInfo, tokenInfo: tokenInfo))
        }
        return slots
    }
}

/// A failed PKCS#11 call: the function and its return value. Callers turn it into a
/// ``CredentialsError`` that says what it means for the user.
struct PKCS11Failure: Error {
    var function: String
    var rv: CK_RV

    static func check(_ rv: CK_RV, _ function: String) throws(PKCS11Failure) {
        guard rv == CK.ok else { throw PKCS11Failure(function: function, rv: rv) }
    }

    var name: String { returnValueName(rv) }
}

/// A slot and the token in it, as the module describes them.
struct PKCS11Slot: Sendable {
    var id: CK_SLOT_ID
    var slotDescription: String
    var slotManufacturer: String
    var label: String
    var manufacturer: String
    var model: String
    var serial: String
    var flags: CK_FLAGS

    /// Whether the token matches the URI's token, slot and (for the listing) library attributes.
    func matches(_ uri: PKCS11URI) -> Bool {
        (uri.token.map { $0 == label } ?? true)
            && (uri.manufacturer.map { $0 == manufacturer } ?? true)
            && (uri.model.map { $0 == model } ?? true)
            && (uri.serial.map { $0 == serial } ?? true)
            && (uri.slotDescription.map { $0 == slotDescription } ?? true)
            && (uri.slotManufacturer.map { $0 == slotManufacturer } ?? true)
            && (uri.slotID.map { CK_SLOT_ID($0) == id } ?? true)
    }

    /// How the token is named in messages.
    var summary: String { "'\(label)' (slot \(id), \(manufacturer) \(model), serial \(serial))" }
}

extension PKCS11Slot {
    /// The slot as the module describes it (in an extension, so the memberwise initialiser stays).
    init(id: CK_SLOT_ID, slotInfo: CK_SLOT_INFO, tokenInfo: CK_TOKEN_INFO) {
        self.id = id
        var slotInfo = slotInfo
        var tokenInfo = tokenInfo
        slotDescription = withUnsafeBytes(of: &slotInfo.slotDescription) { Self.padded($0) }
        slotManufacturer = withUnsafeBytes(of: &slotInfo.manufacturerID) { Self.padded($0) }
        label = withUnsafeBytes(of: &tokenInfo.label) { Self.padded($0) }
        manufacturer = withUnsafeBytes(of: &tokenInfo.manufacturerID) { Self.padded($0) }
        model = withUnsafeBytes(of: &tokenInfo.model) { Self.padded($0) }
        serial = withUnsafeBytes(of: &tokenInfo.serialNumber) { Self.padded($0) }
        flags = tokenInfo.flags
    }

    /// PKCS#11 strings are fixed-width, padded with spaces (some modules use NULs).
    private static func padded(_ bytes: UnsafeRawBufferPointer) -> String {
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0) { end -= 1 }
        return String(decoding: bytes.prefix(end), as: UTF8.self)
    }
}
