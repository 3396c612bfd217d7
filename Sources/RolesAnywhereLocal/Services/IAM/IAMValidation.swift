import RolesAnywherePolicy
import RolesAnywhereSupport

/// IAM's input constraints, with its messages.
enum IAMValidation {
    static let nameCharacters = "[\\w+=,.@-]+"

    static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "_+=,.@-".contains(character))
    }

    static func roleName(_ value: String, member: String = "roleName") throws(AWSError) -> String {
        try name(value, member: member, limit: 64)
    }

    static func policyName(_ value: String) throws(AWSError) -> String {
        try name(value, member: "policyName", limit: 128)
    }

    static func name(_ value: String, member: String, limit: Int) throws(AWSError) -> String {
        guard !value.isEmpty, value.count <= limit else {
            throw AWSError.constraint(value, member: member, "Member must have length between 1 and \(limit)")
        }
        guard value.allSatisfy(isNameCharacter) else {
            throw AWSError.constraint(value, member: member, "Member must satisfy regular expression pattern: \(nameCharacters)")
        }
        return value
    }

    static func path(_ value: String?) throws(AWSError) -> String {
        guard let value else { return "/" }
        let valid = value == "/" || (value.count >= 2 && value.count <= 512 && value.hasPrefix("/") && value.hasSuffix("/")
            && value.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value <= 0x7e })
        guard valid else {
            throw AWSError.constraint(value, member: "path", "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)")
        }
        return value
    }

    static func description(_ value: String?) throws(AWSError) -> String? {
        guard let value else { return nil }
        guard value.count <= 1000 else {
            throw AWSError.constraint(value, member: "description", "Member must have length less than or equal to 1000")
        }
        return value
    }

    static func maxSessionDuration(_ value: Int?) throws(AWSError) -> Int? {
        guard let value else { return nil }
        guard (3600...43200).contains(value) else {
            throw AWSError.constraint(String(value), member: "maxSessionDuration", "Member must have value between 3600 and 43200")
        }
        return value
    }

    /// Checks a policy document: length, characters, then IAM's grammar for its kind.
    static func policyDocument(_ text: String, kind: PolicyDocument.Kind, member: String = "policyDocument") throws(AWSError) -> String {
        guard !text.isEmpty, text.count <= PolicyDocument.maximumLength else {
            throw AWSError.constraint(String(text.prefix(40)), member: member, "Member must have length between 1 and \(PolicyDocument.maximumLength)")
        }
        guard text.unicodeScalars.allSatisfy({ $0 == "\t" || $0 == "\n" || $0 == "\r" || ($0.value >= 0x20 && $0.value <= 0xff) }) else {
            throw AWSError.constraint(String(text.prefix(40)), member: member, "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")
        }
        do {
            _ = try PolicyDocument(json: text, kind: kind)
        } catch {
            throw AWSError("MalformedPolicyDocument", status: 400, error.message)
        }
        return text
    }

    /// IAM's default size quotas, in characters without white space (IAM does not count it).
    enum Quota {
        static let trustPolicy = 2_048
        static let inlinePoliciesPerRole = 10_240
        static let inlinePoliciesPerUser = 2_048
        static let inlinePoliciesPerGroup = 5_120
        static let managedPolicy = 6_144
    }

    /// A policy's size as IAM counts it against the quotas: characters other than white space.
    static func quotaSize(_ document: String) -> Int {
        document.unicodeScalars.reduce(0) { $0 + ($1 == " " || $1 == "\t" || $1 == "\n" || $1 == "\r" ? 0 : 1) }
    }

    static func checkTrustPolicySize(_ document: String) throws(AWSError) {
        guard quotaSize(document) <= Quota.trustPolicy else {
            throw AWSError("LimitExceeded", status: 409, "Cannot exceed quota for ACLSizePerRole: \(Quota.trustPolicy)")
        }
    }

    static func checkManagedPolicySize(_ document: String) throws(AWSError) {
        guard quotaSize(document) <= Quota.managedPolicy else {
            throw AWSError("LimitExceeded", status: 409, "Cannot exceed quota for PolicySize: \(Quota.managedPolicy)")
        }
    }

    /// The inline policies of a role count together: `others` are the role's other policies.
    static func checkInlinePolicySize(_ document: String, others: [String], roleName: String) throws(AWSError) {
        let total = others.reduce(quotaSize(document)) { $0 + quotaSize($1) }
        guard total <= Quota.inlinePoliciesPerRole else {
            throw AWSError("LimitExceeded", status: 409, "Maximum policy size of \(Quota.inlinePoliciesPerRole) bytes exceeded for role \(roleName)")
        }
    }

    /// Tags of an entity (`Role`, `User`, `Policy`): 50 at most, keys 1-128 and values up to 256
    /// characters.
    static func tags(_ tags: [Tag], entity: String = "Role") throws(AWSError) -> [Tag] {
        guard tags.count <= 50 else {
            throw AWSError("LimitExceeded", status: 409, "Cannot exceed quota for TagsPer\(entity): 50")
        }
        for tag in tags {
            guard (1...128).contains(tag.key.count), tag.value.count <= 256 else {
                throw AWSError.constraint(tag.key, member: "tags.member.key", "Member must have length between 1 and 128")
            }
        }
        return tags
    }

    /// TagRole's and TagUser's merge: the tags added replace the values of keys already there
    /// (keys compare case-insensitively, as IAM's do); at least one, 50 at most in all.
    static func merging(_ added: [Tag], into existing: [Tag], entity: String) throws(AWSError) -> [Tag] {
        let added = try tags(added, entity: entity)
        guard !added.isEmpty else {
            throw AWSError.constraint("[]", member: "tags", "Member must have length greater than or equal to 1")
        }
        var merged = existing
        for tag in added {
            merged.removeAll { $0.key.lowercased() == tag.key.lowercased() }
            merged.append(tag)
        }
        return try tags(merged, entity: entity)
    }

    /// UntagRole's and UntagUser's removal of the keys given (at least one; missing keys are not
    /// an error).
    static func removing(_ keys: [String], from existing: [Tag]) throws(AWSError) -> [Tag] {
        let keys = Set(keys.map { $0.lowercased() })
        guard !keys.isEmpty else {
            throw AWSError.constraint("[]", member: "tagKeys", "Member must have length greater than or equal to 1")
        }
        return existing.filter { !keys.contains($0.key.lowercased()) }
    }

    /// Checks a managed policy ARN: `arn:aws:iam::ACCOUNT|aws:policy/PATH/NAME`.
    static func policyArn(_ value: String) throws(AWSError) -> String {
        guard let arn = ARN(value), arn.isResource(of: "iam", type: "policy") else {
            throw AWSError("InvalidInput", status: 400, "ARN \(value) is not valid.")
        }
        return value
    }
}
