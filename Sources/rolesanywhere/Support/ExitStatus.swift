import RolesAnywhereCommandLine
import RolesAnywhereCredentials
import RolesAnywherePKI
import RolesAnywhereSupport

/// The documented exit codes. `aws_signing_helper` exits 1 for every failure; callers asked for
/// codes that tell a bad setup from a refusal from an outage (aws/rolesanywhere-credential-helper#15).
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    /// An unexpected failure.
    case failure = 1
    /// A flag is missing, malformed or contradicts another (including a malformed ARN or mismatched regions).
    case usage = 2
    /// A file, key, certificate or password is missing, unreadable, malformed, unsupported or wrong.
    case invalidInput = 3
    /// IAM Roles Anywhere refused the request (AccessDeniedException, ValidationException, ...).
    case accessDenied = 4
    /// The service could not be reached or answered with something unusable (network, TLS).
    case network = 5
    /// The service kept throttling or failing (HTTP 429/5xx) through every retry.
    case throttled = 6
    /// `pki check` found a requirement that fails.
    case checkFailed = 7

    /// The status and one-sentence message for an error thrown by a command.
    static func failure(for error: any Error) -> (status: ExitStatus, message: String) {
        switch error {
        case let error as CredentialsError: (status(for: error.code), error.message)
        case let error as UsageError: (.usage, error.message)
        case let error as PKIError: (error.code == .invalidConfiguration ? .usage : .invalidInput, error.message)
        case is CheckFailed: (.checkFailed, "")
        default: (.failure, String(describing: error))
        }
    }

    static func status(for code: CredentialsError.Code) -> ExitStatus {
        switch code {
        case .invalidConfiguration: .usage
        case .invalidInput, .passwordRequired, .wrongPassword, .unsupportedKey, .keyMismatch, .outputFailed: .invalidInput
        case .serviceRejected: .accessDenied
        case .network, .invalidResponse: .network
        case .serviceUnavailable: .throttled
        default: .failure
        }
    }
}
