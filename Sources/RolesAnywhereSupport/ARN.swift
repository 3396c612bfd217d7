/// An Amazon Resource Name: `arn:partition:service:region:account-id:resource`.
///
/// The one ARN type of the project: the helper's `--role-arn` flags, the server's resources and the
/// resources its operations authorise all build and read ARNs through it, in the partition of their
/// region (`aws`, `aws-cn`, `aws-us-gov`, ...), never by joining strings.
public struct ARN: Sendable, Hashable, CustomStringConvertible {
    public var partition: Partition
    /// The service namespace, e.g. `iam`, `s3` or `rolesanywhere`.
    public var service: String
    /// Empty for global services (IAM, S3).
    public var region: String
    /// Empty for S3 buckets and objects; `aws` for AWS managed policies.
    public var accountID: String
    /// Everything after the fifth colon, e.g. `trust-anchor/<uuid>` or `role/path/name`.
    public var resource: String

    public init(partition: Partition, service: String, region: String = "", accountID: String = "", resource: String) {
        self.partition = partition
        self.service = service
        self.region = region
        self.accountID = accountID
        self.resource = resource
    }

    /// Parses an ARN, or returns `nil` when `text` is not one (or names an unknown partition).
    public init?(_ text: some StringProtocol) {
        // Split on the bytes: `:` is ASCII, so every cut falls between characters, and no
        // grapheme breaking is paid for (CreateSession reads three ARNs per call).
        let text = String(text)
        let parts = text.utf8.split(separator: UInt8(ascii: ":"), maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].elementsEqual("arn".utf8), let partition = Partition(rawValue: String(Substring(parts[1]))),
            !parts[2].isEmpty, !parts[5].isEmpty
        else {
            return nil
        }
        self.partition = partition
        service = String(Substring(parts[2]))
        region = String(Substring(parts[3]))
        accountID = String(Substring(parts[4]))
        resource = String(Substring(parts[5]))
    }

    public var description: String { "arn:\(partition.rawValue):\(service):\(region):\(accountID):\(resource)" }

    /// The resource type: the part of ``resource`` before the first `/` (or `:`).
    public var resourceType: String {
        String(Substring(resource.utf8.prefix(while: { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") })))
    }

    /// The resource after its type and separator: `path/name` of `role/path/name`, the ID of `profile/ID`.
    public var resourceID: String {
        String(Substring(resource.utf8.dropFirst(resourceType.utf8.count + 1)))
    }

    /// The last path segment of the resource, e.g. the role name of `role/path/ExampleRole`.
    public var resourceName: String {
        guard let slash = resource.utf8.lastIndex(of: UInt8(ascii: "/")) else { return resource }
        return String(resource[resource.utf8.index(after: slash)...])
    }

    /// Whether this is an ARN of `service` with a resource of `resourceType` (and something after it).
    public func isResource(of service: String, type resourceType: String) -> Bool {
        self.service == service && self.resourceType == resourceType && resource.utf8.count > resourceType.utf8.count + 1
    }

    // MARK: The ARNs of the services the project speaks to

    /// `arn:P:iam::ACCOUNT:role/PATH/NAME`; `path` begins and ends with `/`.
    public static func iamRole(_ partition: Partition, account: String, path: String = "/", name: String) -> ARN {
        ARN(partition: partition, service: "iam", accountID: account, resource: "role" + path + name)
    }

    /// `arn:P:iam::ACCOUNT:policy/PATH/NAME`.
    public static func iamPolicy(_ partition: Partition, account: String, path: String = "/", name: String) -> ARN {
        ARN(partition: partition, service: "iam", accountID: account, resource: "policy" + path + name)
    }

    /// `arn:P:iam::ACCOUNT:<type>PATH<name>` for other IAM resources, e.g. `instance-profile`; a
    /// `name` of `*` makes the pattern of every such resource under `path`.
    public static func iam(_ partition: Partition, account: String, type: String, path: String = "/", name: String) -> ARN {
        ARN(partition: partition, service: "iam", accountID: account, resource: type + path + name)
    }

    /// `arn:P:iam::ACCOUNT:root`, the account as a principal.
    public static func accountRoot(_ partition: Partition, account: String) -> ARN {
        ARN(partition: partition, service: "iam", accountID: account, resource: "root")
    }

    /// `arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    public static func assumedRole(_ partition: Partition, account: String, roleName: String, sessionName: String) -> ARN {
        ARN(partition: partition, service: "sts", accountID: account, resource: "assumed-role/\(roleName)/\(sessionName)")
    }

    /// `arn:P:s3:::BUCKET`.
    public static func s3Bucket(_ partition: Partition, _ bucket: String) -> ARN {
        ARN(partition: partition, service: "s3", resource: bucket)
    }

    /// `arn:P:s3:::BUCKET/KEY`.
    public static func s3Object(_ partition: Partition, bucket: String, key: String) -> ARN {
        ARN(partition: partition, service: "s3", resource: bucket + "/" + key)
    }

    /// `arn:P:rolesanywhere:REGION:ACCOUNT:KIND/ID`, e.g. `trust-anchor/<uuid>`.
    public static func rolesAnywhere(_ partition: Partition, region: String, account: String, type: String, id: String) -> ARN {
        ARN(partition: partition, service: "rolesanywhere", region: region, accountID: account, resource: type + "/" + id)
    }
}

extension ARN {
    /// An AWS partition: the first field of an ARN, and the set of regions it spans.
    public enum Partition: String, Sendable, Hashable, CaseIterable {
        case aws
        case awsCN = "aws-cn"
        case awsUSGov = "aws-us-gov"
        case awsISO = "aws-iso"
        case awsISOB = "aws-iso-b"
        case awsISOE = "aws-iso-e"
        case awsISOF = "aws-iso-f"
        case awsEUSC = "aws-eusc"

        /// The partition of a region, by its documented prefix (`cn-`, `us-gov-`, `us-iso-`, ...);
        /// every other region is in `aws`.
        public init(region: String) {
            let prefixes: [(String, Partition)] = [
                ("cn-", .awsCN), ("us-gov-", .awsUSGov), ("us-isob-", .awsISOB), ("us-iso-", .awsISO),
                ("eu-isoe-", .awsISOE), ("us-isof-", .awsISOF), ("eusc-", .awsEUSC),
            ]
            self = prefixes.first { region.hasPrefix($0.0) }?.1 ?? .aws
        }
    }
}

extension ARN {
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
        guard arn.isResource(of: service, type: resourceType), !arn.accountID.isEmpty, !requiresRegion || !arn.region.isEmpty else {
            throw CredentialsError(.invalidConfiguration, "\(flag) '\(text)' is not the ARN of \(kind) (expected \(example))")
        }
        return arn
    }
}
