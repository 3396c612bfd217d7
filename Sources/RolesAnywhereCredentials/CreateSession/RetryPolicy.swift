/// How CreateSession retries: the AWS SDKs' "standard" mode. Throttling (HTTP 429 and throttling
/// error types), 5xx and transient network errors are retried with exponential backoff and full
/// jitter, re-signing the request each time.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts, the first included (`AWS_MAX_ATTEMPTS`; default 3).
    public var maxAttempts: Int
    /// The first backoff ceiling; it doubles per attempt.
    public var baseDelay: Duration
    /// The largest backoff.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The delay before retry number `retry` (1 for the first retry), with full jitter.
    public func delay(beforeRetry retry: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let exponent = min(retry - 1, 16)
        let ceiling = min(baseDelay * (1 << exponent), maxDelay)
        return ceiling * random
    }

    /// AWS error types that mean "slow down".
    static let throttlingErrorTypes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Whether a service answer is worth retrying.
    static func isRetryable(status: Int, errorType: String?) -> Bool {
        if status == 429 || [500, 502, 503, 504].contains(status) { return true }
        if let errorType, throttlingErrorTypes.contains(errorType) { return true }
        return false
    }
}
