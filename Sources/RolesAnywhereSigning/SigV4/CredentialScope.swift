/// The credential scope of a SigV4 signature: `YYYYMMDD/region/service/aws4_request`.
public struct CredentialScope: Sendable, Hashable, CustomStringConvertible {
    /// `YYYYMMDD`.
    public var date: String
    public var region: String
    public var service: String

    /// The fixed last component.
    public static let terminator = "aws4_request"

    public init(date: String, region: String, service: String) {
        self.date = date
        self.region = region
        self.service = service
    }

    public init(date: AmzDate, region: String, service: String) {
        self.init(date: date.scopeDate, region: region, service: service)
    }

    /// Parses `YYYYMMDD/region/service/aws4_request`, or returns `nil`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3] == Self.terminator, parts[0].utf8.count == 8,
            parts[0].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            !parts[1].isEmpty, !parts[2].isEmpty
        else { return nil }
        self.init(date: String(parts[0]), region: String(parts[1]), service: String(parts[2]))
    }

    public var description: String { date + "/" + region + "/" + service + "/" + Self.terminator }
}
