import CPKCS11

/// Numeric constants of the PKCS#11 2.40 interface that rolesanywhere uses.
enum CK {
    // Return values
    static let ok: CK_RV = 0x0
    static let cryptokiAlreadyInitialized: CK_RV = 0x191
    static let bufferTooSmall: CK_RV = 0x150

    // Object classes, key types and certificate types
    static let certificateClass: CK_OBJECT_CLASS = 1
    static let publicKeyClass: CK_OBJECT_CLASS = 2
    static let privateKeyClass: CK_OBJECT_CLASS = 3
    static let rsaKey: CK_KEY_TYPE = 0x0
    static let ecKey: CK_KEY_TYPE = 0x3
    /// `CKK_ML_DSA` (PKCS#11 3.2).
    static let mlDSAKey: CK_KEY_TYPE = 0x4a
    static let x509Certificate: CK_CERTIFICATE_TYPE = 0x0

    // Attributes
    static let attributeClass: CK_ATTRIBUTE_TYPE = 0x0
    static let attributeLabel: CK_ATTRIBUTE_TYPE = 0x3
    static let attributeValue: CK_ATTRIBUTE_TYPE = 0x11
    static let attributeCertificateType: CK_ATTRIBUTE_TYPE = 0x80
    static let attributeKeyType: CK_ATTRIBUTE_TYPE = 0x100
    static let attributeID: CK_ATTRIBUTE_TYPE = 0x102
    static let attributeModulus: CK_ATTRIBUTE_TYPE = 0x120
    static let attributePublicExponent: CK_ATTRIBUTE_TYPE = 0x122
    static let attributeECParameters: CK_ATTRIBUTE_TYPE = 0x180
    static let attributeECPoint: CK_ATTRIBUTE_TYPE = 0x181
    static let attributeAlwaysAuthenticate: CK_ATTRIBUTE_TYPE = 0x202
    /// The value length a module reports for an attribute it cannot return.
    static let unavailableInformation: CK_ULONG = ~0

    // Mechanisms
    static let sha256RSAPKCS: CK_MECHANISM_TYPE = 0x40
    static let sha384RSAPKCS: CK_MECHANISM_TYPE = 0x41
    static let sha512RSAPKCS: CK_MECHANISM_TYPE = 0x42
    static let ecdsa: CK_MECHANISM_TYPE = 0x1041

    // Flags
    static let osLockingOK: CK_FLAGS = 0x2
    static let serialSession: CK_FLAGS = 0x4
    static let tokenPresent: CK_FLAGS = 0x1
    static let loginRequired: CK_FLAGS = 0x4
    static let userPINInitialized: CK_FLAGS = 0x8
    static let protectedAuthenticationPath: CK_FLAGS = 0x100
    static let tokenInitialized: CK_FLAGS = 0x400
    static let userPINLocked: CK_FLAGS = 0x40000

    // Users
    static let user: CK_USER_TYPE = 1
    static let contextSpecific: CK_USER_TYPE = 2
}

/// The name of a PKCS#11 return value, for messages (`CKR_PIN_INCORRECT`).
func returnValueName(_ rv: CK_RV) -> String {
    let names: [CK_RV: String] = [
        0x0: "CKR_OK", 0x1: "CKR_CANCEL", 0x2: "CKR_HOST_MEMORY", 0x3: "CKR_SLOT_ID_INVALID",
        0x5: "CKR_GENERAL_ERROR", 0x6: "CKR_FUNCTION_FAILED", 0x7: "CKR_ARGUMENTS_BAD",
        0x11: "CKR_ATTRIBUTE_SENSITIVE", 0x12: "CKR_ATTRIBUTE_TYPE_INVALID",
        0x30: "CKR_DEVICE_ERROR", 0x31: "CKR_DEVICE_MEMORY", 0x32: "CKR_DEVICE_REMOVED",
        0x40: "CKR_DATA_INVALID", 0x41: "CKR_DATA_LEN_RANGE",
        0x60: "CKR_KEY_HANDLE_INVALID", 0x63: "CKR_KEY_TYPE_INCONSISTENT", 0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED",
        0x70: "CKR_MECHANISM_INVALID", 0x71: "CKR_MECHANISM_PARAM_INVALID", 0x82: "CKR_OBJECT_HANDLE_INVALID",
        0x90: "CKR_OPERATION_ACTIVE", 0x91: "CKR_OPERATION_NOT_INITIALIZED",
        0xA0: "CKR_PIN_INCORRECT", 0xA1: "CKR_PIN_INVALID", 0xA2: "CKR_PIN_LEN_RANGE", 0xA3: "CKR_PIN_EXPIRED",
        0xA4: "CKR_PIN_LOCKED", 0xB0: "CKR_SESSION_CLOSED", 0xB1: "CKR_SESSION_COUNT",
        0xB3: "CKR_SESSION_HANDLE_INVALID", 0xE0: "CKR_TOKEN_NOT_PRESENT", 0xE1: "CKR_TOKEN_NOT_RECOGNIZED",
        0x100: "CKR_USER_ALREADY_LOGGED_IN", 0x101: "CKR_USER_NOT_LOGGED_IN",
        0x102: "CKR_USER_PIN_NOT_INITIALIZED", 0x103: "CKR_USER_TYPE_INVALID",
        0x150: "CKR_BUFFER_TOO_SMALL", 0x190: "CKR_CRYPTOKI_NOT_INITIALIZED",
        0x191: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
    ]
    return names[rv] ?? "CKR_0x" + String(rv, radix: 16, uppercase: true)
}
