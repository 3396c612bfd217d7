#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywherePolicy
import RolesAnywhereSupport

/// Managed policy versions (CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions,
/// DeletePolicyVersion, SetDefaultPolicyVersion), as Terraform's `aws_iam_policy` updates a policy:
/// at most five versions, numbered `v1`, `v2`, ... and never reused, one of them the default, which
/// is the one enforced. AWS managed policies have the one version of the catalog and cannot change.
extension IAMCall {
    /// IAM's version ID pattern: `v` and a number, optionally a dot and letters and digits.
    static func isVersionID(_ value: String) -> Bool {
        let parts = value.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let number = parts[0].utf8.dropFirst()
        return parts[0].utf8.first == UInt8(ascii: "v") && !number.isEmpty && number.first != UInt8(ascii: "0")
            && number.allSatisfy { (0x30...0x39).contains($0) }
            && (parts.count == 1 || parts[1].utf8.allSatisfy { $0 == UInt8(ascii: "-") || $0 < 0x80 && Character(Unicode.Scalar($0)).isLetter || (0x30...0x39).contains($0) })
    }

    func versionID() throws(AWSError) -> String {
        let value = try query.required("VersionId")
        guard Self.isVersionID(value) else {
            throw AWSError.constraint(value, member: "versionId", "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?")
        }
        return value
    }

    /// The AWS managed policy `arn` names, with its uses in this account counted.
    func awsManagedPolicy(_ arn: String) async throws -> ManagedPolicyRecord? {
        guard let document = ManagedPolicyCatalog.document(arn) else { return nil }
        let epoch = Date(timeIntervalSince1970: 1_420_070_400)
        let boundaryUses = try await store.roles(pathPrefix: "/").count { $0.permissionsBoundary == arn }
            + store.users(pathPrefix: "/").count { $0.permissionsBoundary == arn }
        let attachments = try await store.roleNames(attachedTo: arn).count
            + store.principalNames(attachedTo: arn, groups: false).count + store.principalNames(attachedTo: arn, groups: true).count
        return ManagedPolicyRecord(
            arn: arn, name: ManagedPolicyCatalog.name(of: arn), id: "ANPA" + String(repeating: "A", count: 17), path: "/",
            description: nil, document: document, createDate: epoch, updateDate: epoch,
            attachmentCount: attachments, permissionsBoundaryUsageCount: boundaryUses
        )
    }

    func versionNotFound(_ arn: String, _ version: String) -> AWSError {
        AWSError("NoSuchEntity", status: 404, "Policy \(arn) version \(version) does not exist or is not attachable.")
    }

    /// A customer managed policy's ARN: AWS managed policies cannot change.
    func customerPolicyArn() throws(AWSError) -> String {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        guard ManagedPolicyCatalog.document(arn) == nil else {
            throw AWSError("InvalidInput", status: 400, "The AWS managed policy \(arn) cannot be modified.")
        }
        return arn
    }

    func getPolicyVersion() async throws -> LocalResponse {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        let id = try versionID()
        let policy = try await existingPolicy(arn)
        guard let version = policy.version(id) else { throw versionNotFound(arn, id) }
        return respond { IAMXML.version(version, of: policy, document: true, into: &$0) }
    }

    func createPolicyVersion() async throws -> LocalResponse {
        let arn = try customerPolicyArn()
        let document = try IAMValidation.policyDocument(try query.required("PolicyDocument"), kind: .identity)
        try IAMValidation.checkManagedPolicySize(document)
        let setAsDefault = try query.boolean("SetAsDefault") ?? false
        let now = Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down))
        let policy = try await store.updatePolicy(arn: arn) { policy in
            guard policy.versions.count < ManagedPolicyRecord.versionLimit else {
                throw AWSError(
                    "LimitExceeded", status: 409,
                    "A managed policy can have up to \(ManagedPolicyRecord.versionLimit) versions. Before you create a new version, you must delete an existing version."
                )
            }
            policy.latestVersionNumber += 1
            let version = ManagedPolicyVersion(id: "v\(policy.latestVersionNumber)", document: document, createDate: now)
            policy.versions.append(version)
            policy.updateDate = now
            if setAsDefault { policy.defaultVersionID = version.id }
        }
        let created = policy.versions[policy.versions.count - 1]
        return respond { IAMXML.version(created, of: policy, document: false, into: &$0) }
    }

    /// Newest first, paged with `Marker` (the last version answered) and `MaxItems`.
    func listPolicyVersions() async throws -> LocalResponse {
        let arn = try IAMValidation.policyArn(try query.required("PolicyArn"))
        let policy = try await existingPolicy(arn)
        let (versions, marker) = try page(policy.versions.reversed(), key: \.id, ordered: false)
        return respond { xml in
            xml.element("Versions") { list in
                for version in versions { IAMXML.version(version, of: policy, document: false, into: &list, element: "member") }
            }
            xml.element("IsTruncated", marker != nil)
            xml.element("Marker", marker)
        }
    }

    func deletePolicyVersion() async throws -> LocalResponse {
        let arn = try customerPolicyArn()
        let id = try versionID()
        let notFound = versionNotFound(arn, id)
        _ = try await store.updatePolicy(arn: arn) { policy in
            guard let index = policy.versions.firstIndex(where: { $0.id == id }) else { throw notFound }
            guard id != policy.defaultVersionID else {
                throw AWSError("DeleteConflict", status: 409, "Cannot delete the default version of a policy.")
            }
            policy.versions.remove(at: index)
        }
        return respond()
    }

    func setDefaultPolicyVersion() async throws -> LocalResponse {
        let arn = try customerPolicyArn()
        let id = try versionID()
        let notFound = versionNotFound(arn, id)
        _ = try await store.updatePolicy(arn: arn) { policy in
            guard policy.version(id) != nil else { throw notFound }
            policy.defaultVersionID = id
        }
        return respond()
    }
}
