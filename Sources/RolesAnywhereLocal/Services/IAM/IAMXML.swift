#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning

/// The XML shapes of IAM's answers.
enum IAMXML {
    /// Policy documents travel URL-encoded in IAM answers; the CLI decodes them.
    static func encodedDocument(_ text: String) -> String {
        URIEncoding.encode(text)
    }

    static func date(_ date: Date) -> String { AmzDate(date).iso8601 }

    /// A role; GetRole (`lastUsed`) adds `RoleLastUsed`, which IAM's listings leave out.
    static func role(_ role: RoleRecord, into xml: inout XMLWriter, element: String = "Role", lastUsed: Bool = false) {
        xml.element(element) { xml in
            xml.element("Path", role.path)
            xml.element("RoleName", role.name)
            xml.element("RoleId", role.id)
            xml.element("Arn", role.arn)
            xml.element("CreateDate", date(role.createDate))
            xml.element("AssumeRolePolicyDocument", encodedDocument(role.assumeRolePolicyDocument))
            xml.element("Description", role.description)
            xml.element("MaxSessionDuration", role.maxSessionDuration)
            if let boundary = role.permissionsBoundary {
                xml.element("PermissionsBoundary") { entry in
                    entry.element("PermissionsBoundaryType", "Policy")
                    entry.element("PermissionsBoundaryArn", boundary)
                }
            }
            if !role.tags.isEmpty { tags(role.tags, into: &xml) }
            if lastUsed {
                xml.element("RoleLastUsed") { entry in
                    if let used = role.lastUsed {
                        entry.element("LastUsedDate", date(used.date))
                        entry.element("Region", used.region)
                    }
                }
            }
        }
    }

    /// A user as CreateUser and GetUser answer it; listings (`listed`: ListUsers, GetGroup) leave
    /// out the boundary and tags, as IAM's do.
    static func user(_ user: UserRecord, into xml: inout XMLWriter, element: String = "User", listed: Bool = false) {
        xml.element(element) { xml in
            xml.element("Path", user.path)
            xml.element("UserName", user.name)
            xml.element("UserId", user.id)
            xml.element("Arn", user.arn)
            xml.element("CreateDate", date(user.createDate))
            if !listed, let boundary = user.permissionsBoundary {
                xml.element("PermissionsBoundary") { entry in
                    entry.element("PermissionsBoundaryType", "Policy")
                    entry.element("PermissionsBoundaryArn", boundary)
                }
            }
            if !listed, !user.tags.isEmpty { tags(user.tags, into: &xml) }
        }
    }

    static func group(_ group: GroupRecord, into xml: inout XMLWriter, element: String = "Group") {
        xml.element(element) { xml in
            xml.element("Path", group.path)
            xml.element("GroupName", group.name)
            xml.element("GroupId", group.id)
            xml.element("Arn", group.arn)
            xml.element("CreateDate", date(group.createDate))
        }
    }

    /// A policy version; `document` only for GetPolicyVersion (CreatePolicyVersion and
    /// ListPolicyVersions leave it out, as the model says).
    static func version(
        _ version: ManagedPolicyVersion, of policy: ManagedPolicyRecord, document: Bool, into xml: inout XMLWriter, element: String = "PolicyVersion"
    ) {
        xml.element(element) { xml in
            if document { xml.element("Document", encodedDocument(version.document)) }
            xml.element("VersionId", version.id)
            xml.element("IsDefaultVersion", version.id == policy.defaultVersionID)
            xml.element("CreateDate", date(version.createDate))
        }
    }

    /// The `AttachedPolicies` of a ListAttached...Policies answer, and its paging.
    static func attachedPolicies(_ arns: [String], marker: String?, into xml: inout XMLWriter) {
        xml.element("AttachedPolicies") { list in
            for arn in arns {
                list.element("member") { member in
                    member.element("PolicyName", ManagedPolicyCatalog.name(of: arn))
                    member.element("PolicyArn", arn)
                }
            }
        }
        xml.element("IsTruncated", marker != nil)
        xml.element("Marker", marker)
    }

    /// `<Tags><member><Key>..</Key><Value>..</Value></member>...</Tags>`.
    static func tags(_ tags: [Tag], into xml: inout XMLWriter) {
        xml.element("Tags") { list in
            for tag in tags {
                list.element("member") { member in
                    member.element("Key", tag.key)
                    member.element("Value", tag.value)
                }
            }
        }
    }

    /// A policy as GetPolicy and CreatePolicy answer it; ListPolicies (`listed`) leaves out the
    /// description and tags, as IAM's listings do.
    static func policy(_ policy: ManagedPolicyRecord, into xml: inout XMLWriter, element: String = "Policy", listed: Bool = false) {
        xml.element(element) { xml in
            xml.element("PolicyName", policy.name)
            xml.element("PolicyId", policy.id)
            xml.element("Arn", policy.arn)
            xml.element("Path", policy.path)
            xml.element("DefaultVersionId", policy.defaultVersionID)
            xml.element("AttachmentCount", policy.attachmentCount)
            xml.element("PermissionsBoundaryUsageCount", policy.permissionsBoundaryUsageCount)
            xml.element("IsAttachable", true)
            if !listed { xml.element("Description", policy.description) }
            xml.element("CreateDate", date(policy.createDate))
            xml.element("UpdateDate", date(policy.updateDate))
            if !listed, !policy.tags.isEmpty { tags(policy.tags, into: &xml) }
        }
    }
}
