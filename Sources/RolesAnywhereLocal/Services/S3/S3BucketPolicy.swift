import RolesAnywherePolicy
import RolesAnywhereSupport

/// A bucket policy, checked as PutBucketPolicy checks one: a resource policy (`Principal` and
/// `Resource` in every statement) whose resources are this bucket or objects in it and whose
/// actions are S3's, each refusal S3's `MalformedPolicy` with S3's message. It also knows whether
/// it is public by S3's reading: an `Allow` to everyone (`"*"` or `{"AWS": "*"}`) without a
/// condition that pins the caller or the source to fixed values.
struct S3BucketPolicy: Sendable {
    /// The text as it was put (returned by GetBucketPolicy as is).
    let text: String
    let document: PolicyDocument
    let bucket: String

    static let maximumLength = 20 * 1024

    static func malformed(_ message: String) -> AWSError {
        AWSError("MalformedPolicy", status: 400, message)
    }

    init(_ text: String, bucket: String, partition: ARN.Partition) throws(AWSError) {
        guard text.utf8.count <= Self.maximumLength else { throw Self.malformed("Policies must be less than 20 KB") }
        guard text.utf8.first(where: { !XMLTree.Reader.isSpace($0) }) == UInt8(ascii: "{") else {
            throw Self.malformed("Policies must be valid JSON and the first byte must be '{'")
        }
        let document: PolicyDocument
        do {
            document = try PolicyDocument(json: text, kind: .resource)
        } catch {
            throw Self.malformed(error.message.hasPrefix("Syntax errors") ? "This policy contains invalid Json" : error.message)
        }
        let bucketResource = "arn:\(partition.rawValue):s3:::"
        for statement in document.statements {
            for action in statement.actions where action != "*" && !action.lowercased().hasPrefix("s3:") {
                throw Self.malformed("Policy has invalid action")
            }
            for resource in statement.resources ?? [] {
                // `arn:P:s3:::BUCKET` or `arn:P:s3:::BUCKET/...`, the bucket part as a pattern that
                // names this bucket.
                guard resource.hasPrefix(bucketResource) else { throw Self.malformed("Policy has invalid resource") }
                let path = resource.dropFirst(bucketResource.count)
                let bucketPart = path.prefix { $0 != "/" }
                guard PolicyDocument.globMatches(bucketPart, bucket)
                else { throw Self.malformed("Policy has invalid resource") }
            }
        }
        for statement in document.statements where !statement.actionIsNegated && !statement.resourceIsNegated {
            try Self.checkActionsApply(statement.actions, to: statement.resources ?? [], bucketResource: bucketResource)
        }
        self.text = text
        self.document = document
        self.bucket = bucket
    }

    /// What an S3 action acts on, for S3's "Action does not apply to any resource(s) in statement".
    enum ResourceLevel: Sendable {
        case bucket, object, everything
    }

    /// The level of each S3 action (lower-cased), from the operations AWS's model declares (an
    /// action of operations on both levels is `.everything`), and their version forms.
    static let actionLevels: [String: ResourceLevel] = {
        var levels = [String: ResourceLevel]()
        func add(_ action: String, _ level: ResourceLevel) {
            let key = action.lowercased()
            if let known = levels[key], known != level { levels[key] = .everything } else { levels[key] = level }
        }
        for model in OperationModel.s3 {
            switch model.resource {
            case .s3Bucket: add(model.action, .bucket)
            case .s3Object: add(model.action, .object)
            case .s3AllBuckets: add(model.action, .everything)
            default: break
            }
        }
        for action in S3Call.versionActions.values { add(action, .object) }
        return levels
    }()

    /// S3 refuses a statement with an action that applies to none of its resources: an object
    /// action (`s3:GetObject`) with only the bucket's ARN, or a bucket action (`s3:ListBucket`)
    /// with only object ARNs. A wildcard action, or one this server does not know, is not judged;
    /// a resource pattern that can match both (`arn:aws:s3:::b*`, `*`) serves both.
    static func checkActionsApply(_ actions: [String], to resources: [String], bucketResource: String) throws(AWSError) {
        var levels = Set<ResourceLevel>()
        for resource in resources {
            if resource == "*" {
                levels.formUnion([.bucket, .object])
                continue
            }
            let path = resource.dropFirst(bucketResource.count)
            if path.contains("/") {
                levels.insert(.object)
            } else if path.contains("*") {
                levels.formUnion([.bucket, .object])
            } else {
                levels.insert(.bucket)
            }
        }
        for action in actions where !action.contains("*") && !action.contains("?") {
            guard let level = actionLevels[action.lowercased()], level != .everything else { continue }
            guard levels.contains(level) else { throw malformed("Action does not apply to any resource(s) in statement") }
        }
    }

    /// Condition keys whose fixed values keep an `Allow` to everyone from making the policy public.
    static let pinningKeys: Set<String> = [
        "aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceaccount", "aws:sourceowner",
        "aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:userid",
        "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
    ]

    /// Whether the policy grants access to everyone, by S3's reading of "public".
    var isPublic: Bool {
        document.statements.contains { statement in
            guard statement.effect == .allow, let principal = statement.principal, !statement.principalIsNegated,
                principal.isEveryone || principal.values["AWS"]?.contains("*") == true
            else { return false }
            // Pinned by a condition with fixed values; an address range of everyone is no pin.
            let pinned = statement.conditions.contains { condition in
                Self.pinningKeys.contains(condition.key.lowercased()) && !condition.values.contains { $0.contains("*") || $0 == "0.0.0.0/0" || $0 == "::/0" }
            }
            return !pinned
        }
    }

    /// S3 refuses a policy naming an IAM principal that does not exist: in this account, every
    /// role and user it names must exist; account IDs, other accounts' ARNs, service principals
    /// and `*` are taken as they are.
    func checkPrincipals(in store: any Store, account: String) async throws {
        let invalid = Self.malformed("Invalid principal in policy")
        for statement in document.statements {
            for name in statement.principal?.values["AWS"] ?? [] where name != "*" {
                if name.utf8.count == 12, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { continue }
                guard let arn = ARN(name), arn.service == "iam" || arn.service == "sts", arn.region.isEmpty, !arn.accountID.isEmpty else { throw invalid }
                guard arn.accountID == account else { continue }
                switch arn.resourceType {
                case "root":
                    continue
                case "role":
                    guard try await store.role(named: arn.resourceName) != nil else { throw invalid }
                case "user" where arn.service == "iam":
                    guard try await store.user(named: arn.resourceName) != nil else { throw invalid }
                case "assumed-role" where arn.service == "sts":
                    continue
                default:
                    throw invalid
                }
            }
        }
    }
}
