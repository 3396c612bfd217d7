/// An Amazon Resource Name: `arn:partition:service:region:account-id:resource`.
public struct ARN: Sendable, Hashable, CustomStringConvertible {
    public var partition: String
    public var service: String
    public var region: String
    public var accountID: String
    /// Everything after the fifth colon, e.g. `trust-anchor/<uuid>` or `role/path/name`.
    public var resource: String

    /// Parses an ARN, or returns `nil` when `text` is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, !parts[2].isEmpty, !parts[5].isEmpty else {
            return nil
        }
        partition = String(parts[1])
        service = String(parts[2])
        region = String(parts[3])
        accountID = String(parts[4])
        resource = String(parts[5])
    }

    public var description: String { "arn:\(partition):\(service):\(region):\(accountID):\(resource)" }

    /// The resource type: the part of ``resource`` before the first `/` (or `:`).
    public var resourceType: String {
        String(resource.prefix(while: { $0 != "/" && $0 != ":" }))
    }

    /// The last path segment of the resource, e.g. the role name of `role/path/ExampleRole`.
    public var resourceName: String {
        String(resource.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(resource))
    }

    /// Parses and checks an ARN of the given service and resource type, for a flag such as `--role-arn`.
    ///
    /// - Throws: ``CredentialsError/Code-swift.struct/invalidConfiguration`` naming the flag and the expected form.
    public static func parse(
        _ text: String,
        flag: String,
        service: String,
        resourceType: String,
        kind: String,
        requiresRegion: Bool
    ) throws(CredentialsError) -> ARN {
        let example = requiresRegion
            ? "arn:aws:\(service):REGION:ACCOUNT:\(resourceType)/ID"
            : "arn:aws:\(service)::ACCOUNT:\(resourceType)/NAME"
        guard !text.isEmpty else {
            throw CredentialsError(.invalidConfiguration, "\(flag) is required (\(example))")
        }
        guard let arn = ARN(text) else {
            throw CredentialsError(.invalidConfiguration, "\(flag) '\(text)' is not an ARN (expected \(example))")
        }
        guard arn.service == service, arn.resourceType == resourceType,
            arn.resource.count > resourceType.count + 1, !arn.accountID.isEmpty,
            !requiresRegion || !arn.region.isEmpty
        else {
            throw CredentialsError(.invalidConfiguration, "\(flag) '\(text)' is not the ARN of \(kind) (expected \(example))")
        }
        return arn
    }
}
