#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning

/// S3 versioning: Put/GetBucketVersioning, ListObjectVersions, and the version IDs and delete
/// markers of the object calls (``S3Store/putObject(_:data:)`` decides what a write or delete does
/// to a key's versions, in one transaction).
extension S3Call {
    /// A new version ID: 32 characters of S3's URL-safe alphabet.
    static func newVersionID() -> String {
        RandomText.base32(32)
    }

    /// The `versionId` query parameter, if sent; an empty one is S3's InvalidArgument.
    func requestedVersion() throws(AWSError) -> String? {
        guard let version = parameters["versionId"] else { return nil }
        guard !version.isEmpty, version.utf8.count <= 1024 else {
            throw AWSError("InvalidArgument", status: 400, "Version id cannot be the empty string")
        }
        return version
    }

    /// A version ID named for a bucket that was never versioned: only `null` can exist there.
    func checkVersion(_ version: String, in bucket: BucketRecord) throws(AWSError) {
        guard bucket.configuration.versioning != nil || version == ObjectVersion.nullID else {
            throw AWSError("InvalidArgument", status: 400, "Invalid version id specified")
        }
    }

    /// `x-amz-version-id` for an object read from a bucket that has versioning (enabled or
    /// suspended): `null` for one written before versioning was enabled.
    func versionHeader(_ object: ObjectRecord, in bucket: BucketRecord) -> [(String, String)] {
        guard bucket.configuration.versioning != nil else { return [] }
        return [("x-amz-version-id", object.versionId ?? ObjectVersion.nullID)]
    }

    /// `x-amz-version-id` for an object just written: the store gives it an ID exactly when its
    /// bucket has versioning (``S3Store/putObject(_:data:)``), so no second read of the bucket.
    static func versionHeader(written object: ObjectRecord) -> [(String, String)] {
        object.versionId.map { [("x-amz-version-id", $0)] } ?? []
    }

    /// The actions S3 authorises object actions by when they name a version (`versionId`), as
    /// each operation's documentation says: `s3:GetObject` becomes `s3:GetObjectVersion`, and so on.
    static let versionActions: [String: String] = [
        "s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion",
        "s3:GetObjectTagging": "s3:GetObjectVersionTagging", "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging", "s3:GetObjectAcl": "s3:GetObjectVersionAcl",
        "s3:PutObjectAcl": "s3:PutObjectVersionAcl",
    ]

    /// `action`'s version form, or `action` itself when it has none.
    static func versionAction(of action: String) -> String {
        versionActions[action] ?? action
    }

    /// The 404 for a key without a current object: NoSuchKey, with `x-amz-delete-marker` when a
    /// delete marker is its newest version, as S3 answers.
    func noCurrentObject(_ key: String, in bucket: BucketRecord) async throws -> AWSError {
        var error = S3Errors.noSuchKey(key)
        if bucket.configuration.versioning != nil,
            let newest = try await store.objectVersions(bucket: bucket.name, prefix: key, afterKey: nil, keyLimit: 1).first,
            newest.record.key == key, newest.isDeleteMarker
        {
            error.headers = [.init("x-amz-delete-marker", "true"), .init("x-amz-version-id", newest.versionId)]
        }
        return error
    }

    /// The 405 S3 answers a GET or HEAD of a delete marker by its version ID.
    static func deleteMarkerRequested(_ version: ObjectVersion) -> AWSError {
        var error = AWSError("MethodNotAllowed", status: 405, "The specified method is not allowed against this resource.")
        error.headers = [
            .init("x-amz-delete-marker", "true"), .init("x-amz-version-id", version.versionId), .init("Allow", "DELETE"),
            .init("Last-Modified", S3Formats.httpDate(version.record.lastModified)),
        ]
        return error
    }

    static var noSuchVersion: AWSError { AWSError("NoSuchVersion", status: 404, "The specified version does not exist.") }

    // MARK: - Bucket versioning

    /// `PUT /{Bucket}?versioning`: `Enabled` or `Suspended` (once enabled, a bucket never returns
    /// to unversioned, as on S3). MFA Delete needs an MFA device, which this server has none of.
    func putBucketVersioning(_ name: String) async throws -> LocalResponse {
        let root = try S3Formats.document(try integrityCheckedPayload(), root: "VersioningConfiguration").root
        if let mfaDelete = root.child(named: "MfaDelete")?.text, mfaDelete == "Enabled" {
            throw AWSError("InvalidRequest", status: 400, "MFA Delete needs an MFA device (the x-amz-mfa header), and this server has none.")
        }
        guard let text = root.child(named: "Status")?.text, let status = BucketVersioning(rawValue: text) else { throw S3Formats.malformedXML }
        _ = try await store.updateBucketConfiguration(named: name) { $0.versioning = status }
        return LocalResponse(status: 200, headers: headers())
    }

    func getBucketVersioning(_ name: String) async throws -> LocalResponse {
        let bucket = try await existingBucket(name)
        return xmlResponse("VersioningConfiguration") { xml in
            if let status = bucket.configuration.versioning { xml.element("Status", status.rawValue) }
        }
    }

    // MARK: - Listing

    /// `GET /{Bucket}?versions`: every version and delete marker, by key and newest first, paged
    /// by `key-marker` and `version-id-marker`, with `prefix`, `delimiter` and `max-keys`. A bucket
    /// never versioned lists its objects as `null` versions.
    func listObjectVersions(_ name: String) async throws -> LocalResponse {
        let prefix = parameters["prefix"] ?? ""
        let delimiter = parameters["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let maxKeys = try Self.maxKeys(parameters["max-keys"])
        if let encoding = parameters["encoding-type"], encoding != "url" {
            throw AWSError("InvalidArgument", status: 400, "Invalid Encoding Method specified in Request")
        }
        let urlEncoding = parameters["encoding-type"] == "url"
        let keyMarker = parameters["key-marker"].flatMap { $0.isEmpty ? nil : $0 }
        let versionMarker = parameters["version-id-marker"].flatMap { $0.isEmpty ? nil : $0 }
        if versionMarker != nil, keyMarker == nil {
            throw AWSError("InvalidArgument", status: 400, "A version-id marker cannot be specified without a key marker.")
        }
        _ = try await existingBucket(name)

        var entries = [ObjectVersion]()
        var commonPrefixes = [String]()
        var truncated = false
        var last: (key: String, version: String?)?
        /// Adds one entry; false once the page is full (and more remain).
        func add(_ version: ObjectVersion) -> Bool {
            let key = version.record.key
            var rolled: String?
            if let delimiter, let range = key.utf8.dropFirst(prefix.utf8.count).firstRange(of: delimiter.utf8) {
                rolled = String(decoding: key.utf8[..<range.upperBound], as: UTF8.self)
            }
            if let rolled, commonPrefixes.last == rolled {
                last = (key, nil)
                return true
            }
            if entries.count + commonPrefixes.count == maxKeys {
                truncated = true
                return false
            }
            if let rolled {
                commonPrefixes.append(rolled)
                last = (key, nil)
            } else {
                entries.append(version)
                last = (key, version.versionId)
            }
            return true
        }
        var cursor = keyMarker
        scan: do {
            // The marker key's versions after the marker version, first.
            if let keyMarker, let versionMarker {
                let versions = try await store.objectVersions(bucket: name, prefix: keyMarker, afterKey: nil, keyLimit: 1).filter { $0.record.key == keyMarker }
                if let index = versions.firstIndex(where: { $0.versionId == versionMarker }), keyMarker.utf8.starts(with: prefix.utf8) {
                    for version in versions[(index + 1)...] where !add(version) { break scan }
                }
            }
            while true {
                let batch = try await store.objectVersions(bucket: name, prefix: prefix, afterKey: cursor, keyLimit: 100)
                if batch.isEmpty { break }
                for version in batch {
                    guard add(version) else { break scan }
                    cursor = version.record.key
                }
            }
        }
        func encode(_ text: String) -> String { urlEncoding ? URIEncoding.encode(text, keepSlash: true) : text }
        let owner = service.configuration.canonicalUserID
        return xmlResponse("ListVersionsResult") { xml in
            xml.element("Name", name)
            xml.element("Prefix", encode(prefix))
            xml.element("KeyMarker", encode(keyMarker ?? ""))
            xml.element("VersionIdMarker", versionMarker ?? "")
            if truncated, let last {
                xml.element("NextKeyMarker", encode(last.key))
                if let version = last.version { xml.element("NextVersionIdMarker", version) }
            }
            xml.element("MaxKeys", maxKeys)
            xml.element("Delimiter", delimiter.map(encode))
            if urlEncoding { xml.element("EncodingType", "url") }
            xml.element("IsTruncated", truncated)
            for entry in entries {
                xml.element(entry.isDeleteMarker ? "DeleteMarker" : "Version") { item in
                    item.element("Key", encode(entry.record.key))
                    item.element("VersionId", entry.versionId)
                    item.element("IsLatest", entry.isLatest)
                    item.element("LastModified", S3Formats.xmlDate(entry.record.lastModified))
                    if !entry.isDeleteMarker {
                        item.element("ETag", "\"\(entry.record.etag)\"")
                        item.element("Size", entry.record.size)
                        item.element("StorageClass", "STANDARD")
                    }
                    item.element("Owner") { $0.element("ID", owner) }
                }
            }
            for commonPrefix in commonPrefixes {
                xml.element("CommonPrefixes") { $0.element("Prefix", encode(commonPrefix)) }
            }
        }
    }
}
