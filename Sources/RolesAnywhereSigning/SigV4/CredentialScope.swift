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
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3].elementsEqual(Self.terminator.utf8), parts[0].count == 8,
            parts[0].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            !parts[1].isEmpty, !parts[2].isEmpty
        else { return nil }
        self.init(date: String(decoding: parts[0], as: UTF8.self), region: String(decoding: parts[1], as: UTF8.self), service: String(decoding: parts[2], as: UTF8.self))
    }

    public var description: String { date + "/" + region + "/" + service + "/" + Self.terminator }
}
