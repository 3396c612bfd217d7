import RolesAnywhereSigning
import RolesAnywhereSupport

/// S3 tag sets: the `<Tagging><TagSet><Tag><Key/><Value/></Tag>...` document of the `?tagging`
/// sub-resources, the `x-amz-tagging` header of PutObject, CopyObject and CreateMultipartUpload
/// (`k1=v1&k2=v2`, URL-encoded), and S3's rules for both: a key of 1 to 128 characters, a value
/// of up to 256, letters, digits, spaces and `_ . : / = + - @` only, no key twice, no `aws:`
/// prefix, and at most 10 tags on an object or 50 on a bucket. Each tag is checked before the
/// count, in order, so the first bad tag is the one reported.
enum S3Tagging {
    /// What a tag set belongs to, which sets its limit and the error for too many.
    enum Target: Sendable {
        case bucket
        case object

        var limit: Int {
            switch self {
            case .bucket: 50
            case .object: 10
            }
        }

        var tooMany: AWSError {
            switch self {
            case .bucket: AWSError("InvalidTag", status: 400, "Bucket tag count cannot be greater than 50")
            case .object: AWSError("BadRequest", status: 400, "Object tags cannot be greater than 10")
            }
        }
    }

    static let maximumKeyLength = 128
    static let maximumValueLength = 256

    /// The tags of a `Tagging` document, checked; MalformedXML if it is not one.
    static func parse(_ body: [UInt8], for target: Target) throws(AWSError) -> [Tag] {
        let tree = try S3Formats.document(body, root: "Tagging")
        guard let set = tree.root.child(named: "TagSet") else { throw S3Formats.malformedXML }
        var tags = [Tag]()
        for entry in set.children {
            guard entry.localName == "Tag", let key = entry.child(named: "Key"), key.children.isEmpty,
                let value = entry.child(named: "Value"), value.children.isEmpty
            else { throw S3Formats.malformedXML }
            tags.append(Tag(key: key.text, value: value.text))
        }
        try validate(tags, for: target)
        return tags
    }

    /// The tags of an `x-amz-tagging` header, checked (nil without the header).
    static func header(_ request: LocalRequest, for target: Target) throws(AWSError) -> [Tag]? {
        guard let text = request.header("x-amz-tagging") else { return nil }
        let malformed = AWSError(
            "InvalidArgument", status: 400,
            "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."
        )
        var tags = [Tag]()
        var keys = Set<String>()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Form encoding: `+` is a space.
            func decoded(_ part: Substring) -> String? { URIEncoding.decode(part.replacing("+", with: " ")) }
            guard let key = decoded(parts[0]), let value = parts.count == 2 ? decoded(parts[1]) : "" else { throw malformed }
            guard keys.insert(key).inserted else { throw malformed }
            tags.append(Tag(key: key, value: value))
        }
        try validate(tags, for: target)
        return tags
    }

    /// S3's rules for a tag set.
    static func validate(_ tags: [Tag], for target: Target) throws(AWSError) {
        var keys = Set<String>()
        for tag in tags {
            guard (1...maximumKeyLength).contains(tag.key.count), tag.key.allSatisfy(isAllowed) else {
                throw AWSError("InvalidTag", status: 400, "The TagKey you have provided is invalid")
            }
            guard tag.value.count <= maximumValueLength, tag.value.allSatisfy(isAllowed) else {
                throw AWSError("InvalidTag", status: 400, "The TagValue you have provided is invalid")
            }
            guard !tag.key.lowercased().hasPrefix("aws:") else {
                throw AWSError("InvalidTag", status: 400, "Your TagKey cannot be prefixed with aws:")
            }
            guard keys.insert(tag.key).inserted else {
                throw AWSError("InvalidTag", status: 400, "Cannot provide multiple Tags with the same key")
            }
        }
        guard tags.count <= target.limit else { throw target.tooMany }
    }

    /// Letters, digits and spaces in any script, and `_ . : / = + - @`.
    static func isAllowed(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == " " || "_.:/=+-@".contains(character)
    }

    /// The `Tagging` document of a tag set (GetBucketTagging, GetObjectTagging).
    static func document(_ tags: [Tag]) -> [UInt8] {
        var writer = XMLWriter(declaration: true)
        writer.element("Tagging", namespace: S3Formats.namespace) { xml in
            xml.element("TagSet") { set in
                for tag in tags {
                    set.element("Tag") { entry in
                        entry.element("Key", tag.key)
                        entry.element("Value", tag.value)
                    }
                }
            }
        }
        return Array(writer.text.utf8)
    }
}

extension S3Call {
    // MARK: - Object tagging

    /// `GET /{Bucket}/{Key+}?tagging`: the object's tags, an empty set if it has none.
    func getObjectTagging(_ bucket: String, _ key: String) async throws -> LocalResponse {
        let object = try await existingObject(bucket, key)
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: S3Tagging.document(object.tags))
    }

    /// `PUT /{Bucket}/{Key+}?tagging`: replaces the object's tags (a checksum or Content-MD5 is required).
    func putObjectTagging(_ bucket: String, _ key: String) async throws -> LocalResponse {
        let tags = try S3Tagging.parse(try integrityCheckedPayload(), for: .object)
        _ = try await existingObject(bucket, key)
        try await setTags(tags, bucket, key)
        return LocalResponse(status: 200, headers: headers())
    }

    /// `DELETE /{Bucket}/{Key+}?tagging`.
    func deleteObjectTagging(_ bucket: String, _ key: String) async throws -> LocalResponse {
        _ = try await existingObject(bucket, key)
        try await setTags([], bucket, key)
        return LocalResponse(status: 204, headers: headers())
    }

    func setTags(_ tags: [Tag], _ bucket: String, _ key: String) async throws {
        do {
            try await store.setObjectTags(tags, bucket: bucket, key: key)
        } catch let error as StoreError where error.kind == .notFound {
            // Deleted since it was read.
            throw S3Errors.noSuchKey(key)
        }
    }

    /// The key's current object. Tags are kept for current objects only: a `versionId` naming
    /// another version answers NotImplemented rather than acting on the current one.
    func existingObject(_ bucket: String, _ key: String) async throws -> ObjectRecord {
        let bucketRecord = try await existingBucket(bucket)
        if let version = try requestedVersion() {
            try checkVersion(version, in: bucketRecord)
            guard let named = try await store.objectVersion(bucket: bucket, key: key, versionId: version) else { throw Self.noSuchVersion }
            guard named.isLatest, !named.isDeleteMarker else {
                throw AWSError("NotImplemented", status: 501, "\(model.name) of a noncurrent version or a delete marker is not implemented here: only current objects keep tags.")
            }
            return named.record
        }
        guard let object = try await store.object(bucket: bucket, key: key) else { throw try await noCurrentObject(key, in: bucketRecord) }
        return object
    }
}
