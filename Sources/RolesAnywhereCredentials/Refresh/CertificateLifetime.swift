#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import RolesAnywhereSupport
import RolesAnywhereSigning

/// The check `serve` and `update` make on every refresh: a certificate that expires before the
/// credentials it got. IAM Roles Anywhere does not cut the session at the certificate's expiry, so
/// the credentials stay usable - but the next refresh will fail unless the certificate is renewed
/// by then, which is worth saying while there is time to act.
public enum CertificateLifetime {
    /// The warning for a certificate valid until `notAfter` that signed a CreateSession at `now` for
    /// credentials that expire at `credentialsExpiration`; nil when the certificate outlives them.
    public static func warning(notAfter: Date, credentialsExpiration: Date, now: Date) -> String? {
        guard notAfter < credentialsExpiration else { return nil }
        let left = notAfter.timeIntervalSince(now)
        let expiry = AmzDate(notAfter).iso8601
        if left <= 0 {
            return "the certificate expired at \(expiry); renew it: no further CreateSession will succeed with it"
        }
        return "the certificate expires at \(expiry), in \(describe(seconds: left)), before the credentials it got "
            + "(\(AmzDate(credentialsExpiration).iso8601)); renew it by then, or the next refresh will fail"
    }

    /// A duration as people read it: `45s`, `4m 10s`, `2h 5m`, `3d 4h`.
    public static func describe(seconds: Double) -> String {
        let total = Int(max(seconds, 0).rounded(.down))
        let (days, hours, minutes, secs) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        if minutes > 0 { return secs > 0 ? "\(minutes)m \(secs)s" : "\(minutes)m" }
        return "\(secs)s"
    }
}
