#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning
import RolesAnywhereSupport

/// The conditional headers of GetObject and HeadObject (`If-Match`, `If-None-Match`,
/// `If-Modified-Since`, `If-Unmodified-Since`), evaluated in the order RFC 7232 §6 gives and S3
/// documents: a failed `If-Match` (or, without one, a failed `If-Unmodified-Since`) is 412
/// PreconditionFailed; a matching `If-None-Match` (or, without one, an object not modified since
/// `If-Modified-Since`) is 304 Not Modified. A date that cannot be read is ignored, as HTTP says.
struct S3Preconditions: Sendable {
    enum Outcome: Sendable, Equatable {
        case proceed
        case notModified
        case failed
    }

    var ifMatch: String?
    var ifNoneMatch: String?
    var ifModifiedSince: Date?
    var ifUnmodifiedSince: Date?

    /// The conditions of a request; `prefix` reads another family of them, such as CopyObject's
    /// `x-amz-copy-source-if-match`, ... on the source object.
    init(_ request: LocalRequest, prefix: String = "") {
        ifMatch = request.header(prefix + "if-match")
        ifNoneMatch = request.header(prefix + "if-none-match")
        ifModifiedSince = request.header(prefix + "if-modified-since").flatMap(Self.httpDate)
        ifUnmodifiedSince = request.header(prefix + "if-unmodified-since").flatMap(Self.httpDate)
    }

    func evaluate(etag: String, lastModified: Date) -> Outcome {
        let modified = lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch {
            if !Self.matches(ifMatch, etag: etag) { return .failed }
        } else if let ifUnmodifiedSince, modified > ifUnmodifiedSince.timeIntervalSince1970 {
            return .failed
        }
        if let ifNoneMatch {
            if Self.matches(ifNoneMatch, etag: etag) { return .notModified }
        } else if let ifModifiedSince, modified <= ifModifiedSince.timeIntervalSince1970 {
            return .notModified
        }
        return .proceed
    }

    /// Whether a list of entity tags (`"a", W/"b"`, or `*`) names `etag`; weak tags compare by
    /// their value, as S3 does for GET.
    static func matches(_ list: String, etag: String) -> Bool {
        for item in list.split(separator: ",") {
            var tag = String(item).trimmingCharacters()[...]
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = tag.dropFirst().dropLast() }
            if tag == etag { return true }
        }
        return false
    }

    /// An IMF-fixdate (`Wed, 02 Dec 2026 00:14:37 GMT`), the form clients send; nil for anything else.
    static func httpDate(_ text: String) -> Date? {
        let parts = text.trimmingCharacters().split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), parts[1].count == 2,
            let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].firstIndex(of: String(parts[2])),
            parts[3].count == 4, let year = Int(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }), let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]),
            let date = AmzDate(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        return date.date
    }
}
