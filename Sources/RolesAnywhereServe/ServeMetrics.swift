#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Prometheus
import RolesAnywhereCredentials
import RolesAnywhereSupport
import Synchronization

/// The paths `serve` counts requests by: a closed set, so that a client asking for random paths
/// cannot grow the metrics without bound.
enum RequestPath: String, Sendable, CaseIterable {
    case token
    case roleName = "role-name"
    case credentials
    case containerCredentials = "container-credentials"
    case metadata
    case healthz
    case metrics
    case other
}

/// `serve`'s Prometheus metrics (swift-prometheus's registry, which renders the text exposition
/// format): the credentials' and certificate's expiry, refreshes by outcome, the last error's
/// kind, and requests by path and status. Gauges that depend on the time are set when scraped.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let credentialsValid: Gauge
    private let credentialsExpiration: Gauge
    private let credentialsExpiresIn: Gauge
    /// Only when the certificate's not-after is known (a gauge reads 0 until set, which would look expired).
    private let certificateNotAfter: Gauge?
    private let certificateExpiresIn: Gauge?
    private let refreshSuccesses: Counter
    private let refreshFailures: Counter
    private let consecutiveFailures: Gauge
    /// Refresh counts already added to the counters (the snapshot holds totals).
    private let counted = Mutex<(successes: Int, failures: Int)>((0, 0))
    /// The last-error gauge of each kind seen so far (1 for the current one, 0 for the others).
    private let errorKinds = Mutex<[String: Gauge]>([:])
    private let requests = Mutex<[RequestKey: Counter]>([:])
    /// Where the certificate's not-after comes from (the file in use now), if known.
    private let certificateExpiry: (@Sendable () -> Date?)?

    struct RequestKey: Hashable {
        var path: RequestPath
        var status: Int
    }

    init(certificateNotAfter: (@Sendable () -> Date?)?) {
        certificateExpiry = certificateNotAfter
        let registry = self.registry
        credentialsValid = registry.makeGauge(descriptor: Self.descriptor("credentials_valid", "1 while valid credentials are held, else 0."))
        credentialsExpiration = registry.makeGauge(descriptor: Self.descriptor("credentials_expiration_timestamp_seconds", "When the last credentials obtained expire, as a Unix time."))
        credentialsExpiresIn = registry.makeGauge(descriptor: Self.descriptor("credentials_expires_in_seconds", "Seconds until the last credentials obtained expire (negative once they have)."))
        self.certificateNotAfter = certificateNotAfter.map { _ in
            registry.makeGauge(descriptor: Self.descriptor("certificate_not_after_timestamp_seconds", "The not-after time of the certificate in use, as a Unix time."))
        }
        certificateExpiresIn = certificateNotAfter.map { _ in
            registry.makeGauge(descriptor: Self.descriptor("certificate_expires_in_seconds", "Seconds until the certificate in use expires (negative once it has)."))
        }
        refreshSuccesses = registry.makeCounter(descriptor: Self.descriptor("refreshes_total", "Credential refreshes (CreateSession calls), by outcome."), labels: [("outcome", "success")])
        refreshFailures = registry.makeCounter(descriptor: Self.descriptor("refreshes_total", "Credential refreshes (CreateSession calls), by outcome."), labels: [("outcome", "failure")])
        consecutiveFailures = registry.makeGauge(descriptor: Self.descriptor("consecutive_refresh_failures", "Refreshes failed since the last success."))
    }

    /// `rolesanywhere_serve_NAME`, with its help text.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "rolesanywhere", subsystem: "serve", metricName: name, unitName: "", helpText: help)
    }

    /// Counts one answered request.
    func recordRequest(_ path: RequestPath, status: Int) {
        let key = RequestKey(path: path, status: status)
        let counter = requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.descriptor("requests_total", "Requests answered, by path and HTTP status."), labels: [("path", path.rawValue), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// The exposition text, with the time-dependent gauges set for `now`.
    func scrape(_ snapshot: (credentials: FetchedCredentials?, status: RefreshStatus), now: Date) -> ByteBuffer {
        let status = snapshot.status
        credentialsValid.set(to: snapshot.credentials.map { $0.isValid(at: now) ? 1 : 0 } ?? 0)
        if let expiration = status.credentialsExpiration {
            credentialsExpiration.set(to: expiration.timeIntervalSince1970)
            credentialsExpiresIn.set(to: expiration.timeIntervalSince(now).rounded(.down))
        }
        if let notAfter = certificateExpiry?() {
            certificateNotAfter?.set(to: notAfter.timeIntervalSince1970)
            certificateExpiresIn?.set(to: notAfter.timeIntervalSince(now).rounded(.down))
        }
        let (newSuccesses, newFailures) = counted.withLock { counted -> (Int, Int) in
            defer { counted = (status.successes, status.failures) }
            return (max(0, status.successes - counted.successes), max(0, status.failures - counted.failures))
        }
        if newSuccesses > 0 { refreshSuccesses.increment(by: Int64(newSuccesses)) }
        if newFailures > 0 { refreshFailures.increment(by: Int64(newFailures)) }
        consecutiveFailures.set(to: Double(status.consecutiveFailures))
        errorKinds.withLock { gauges in
            if let kind = status.lastError?.code.rawValue, gauges[kind] == nil {
                gauges[kind] = registry.makeGauge(descriptor: Self.descriptor("last_refresh_error", "1 for the kind of the last refresh error while refreshes fail, 0 for kinds seen before."), labels: [("kind", kind)])
            }
            for (kind, gauge) in gauges { gauge.set(to: kind == status.lastError?.code.rawValue ? 1 : 0) }
        }
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }
}
