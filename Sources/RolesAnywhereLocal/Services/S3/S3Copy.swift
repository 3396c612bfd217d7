#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import RolesAnywhereSigning
import RolesAnywhereSupport

/// CopyObject and UploadPartCopy: the source named by `x-amz-copy-source` (`bucket/key`, URL-encoded,
/// with or without a leading `/`), read with `s3:GetObject` on it and written with `s3:PutObject`
/// on the destination; `x-amz-copy-source-if-*` conditions on the source (412 when one fails);
/// `x-amz-metadata-directive` COPY (the default: the source's content type and metadata) or
/// REPLACE (the request's), and `x-amz-tagging-directive` likewise for the tags (`x-amz-tagging`);
/// and for a part, an optional `x-amz-copy-source-range`.
extension S3Call {
    /// The source object of a copy, checked, authorised and read.
    func copySource() async throws -> (object: ObjectRecord, data: [UInt8], versionHeader: [(String, String)]) {
        guard let header = request.header("x-amz-copy-source") else {
            throw AWSError("InvalidArgument", status: 400, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
        }
        var text = Substring(header)
        var sourceVersion: String?
        if let query = text.firstIndex(of: "?") {
            let parameter = text[text.index(after: query)...]
            guard parameter.hasPrefix("versionId="), let version = URIEncoding.decode(String(parameter.dropFirst("versionId=".count))), !version.isEmpty else {
                throw AWSError("InvalidArgument", status: 400, "Invalid version id specified")
            }
            sourceVersion = version
            text = text[..<query]
        }
        if text.hasPrefix("/") { text = text.dropFirst() }
        guard let decoded = URIEncoding.decode(String(text)), let slash = decoded.firstIndex(of: "/"), slash != decoded.startIndex,
            decoded.index(after: slash) != decoded.endIndex
        else {
            throw AWSError("InvalidArgument", status: 400, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
        }
        let bucket = String(decoded[..<slash])
        let key = String(decoded[decoded.index(after: slash)...])
        // A named version is read with s3:GetObjectVersion, as on S3.
        let action = sourceVersion == nil ? "s3:GetObject" : Self.versionAction(of: "s3:GetObject")
        try await service.authorizer.authorize(caller, action: action, resource: objectARN(bucket, key).description, request: request)
        let sourceBucket = try await existingBucket(bucket)
        let object: ObjectRecord
        let data: [UInt8]
        if let sourceVersion {
            try checkVersion(sourceVersion, in: sourceBucket)
            guard let version = try await store.objectVersion(bucket: bucket, key: key, versionId: sourceVersion) else { throw Self.noSuchVersion }
            // S3 refuses a delete marker as a copy source.
            guard !version.isDeleteMarker, let bytes = try await store.objectVersionData(bucket: bucket, key: key, versionId: sourceVersion) else {
                throw AWSError("InvalidRequest", status: 400, "The source of a copy request may not specifically refer to a delete marker by version id.")
            }
            (object, data) = (version.record, bytes)
        } else {
            guard let current = try await store.object(bucket: bucket, key: key), let bytes = try await store.objectData(bucket: bucket, key: key) else {
                throw try await noCurrentObject(key, in: sourceBucket)
            }
            (object, data) = (current, bytes)
        }
        guard S3Preconditions(request, prefix: "x-amz-copy-source-").evaluate(etag: object.etag, lastModified: object.lastModified) == .proceed else {
            throw AWSError("PreconditionFailed", status: 412, "At least one of the pre-conditions you specified did not hold")
        }
        let versionHeader = sourceBucket.configuration.versioning == nil ? [] : [("x-amz-copy-source-version-id", object.versionId ?? ObjectVersion.nullID)]
        return (object, data, versionHeader)
    }

    /// `PUT /{Bucket}/{Key+}` with `x-amz-copy-source`.
    func copyObject(_ bucket: String, _ key: String) async throws -> LocalResponse {
        guard key.utf8.count <= 1024 else { throw AWSError("KeyTooLongError", status: 400, "Your key is too long") }
        let directive = request.header("x-amz-metadata-directive")?.uppercased() ?? "COPY"
        guard directive == "COPY" || directive == "REPLACE" else {
            throw AWSError("InvalidArgument", status: 400, "Unknown metadata directive.")
        }
        let taggingDirective = request.header("x-amz-tagging-directive")?.uppercased() ?? "COPY"
        guard taggingDirective == "COPY" || taggingDirective == "REPLACE" else {
            throw AWSError("InvalidArgument", status: 400, "Unknown tagging directive.")
        }
        let replacedTags = try S3Tagging.header(request, for: .object)
        _ = try await existingBucket(bucket)
        let (source, data, sourceVersionHeader) = try await copySource()
        // Copying a key onto itself unchanged is refused; copying a noncurrent version of it over
        // it restores that version.
        if source.bucket == bucket, source.key == key, directive == "COPY", source.versionId == (try await store.object(bucket: bucket, key: key))?.versionId {
            throw AWSError(
                "InvalidRequest", status: 400,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
            )
        }
        var metadata = source.metadata
        var contentType = source.contentType
        if directive == "REPLACE" {
            metadata = [:]
            for header in request.headers where header.canonicalName.hasPrefix("x-amz-meta-") {
                metadata[String(header.canonicalName.dropFirst("x-amz-meta-".count))] = header.value
            }
            contentType = request.header("content-type") ?? "binary/octet-stream"
        }
        let modified = Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down))
        let etag = Hex.encode(Insecure.MD5.hash(data: data))
        let tags = taggingDirective == "REPLACE" ? (replacedTags ?? []) : source.tags
        let object = ObjectRecord(
            bucket: bucket, key: key, size: data.count, etag: etag, lastModified: modified, contentType: contentType, metadata: metadata, tags: tags,
            versionId: Self.newVersionID()
        )
        let stored = try await store.putObject(object, data: data)
        var writer = XMLWriter(declaration: true)
        writer.element("CopyObjectResult", namespace: S3Formats.namespace) { xml in
            xml.element("ETag", "\"\(etag)\"")
            xml.element("LastModified", S3Formats.xmlDate(modified))
        }
        return LocalResponse(
            status: 200, headers: headers([("Content-Type", "application/xml")] + sourceVersionHeader + Self.versionHeader(written: stored)),
            body: Array(writer.text.utf8)
        )
    }

    /// `PUT /{Bucket}/{Key+}?partNumber=N&uploadId=ID` with `x-amz-copy-source`.
    func uploadPartCopy(_ bucket: String, _ key: String) async throws -> LocalResponse {
        guard let text = parameters["partNumber"], text.utf8.count <= 5, let number = Int(text), Self.partNumbers.contains(number) else {
            throw AWSError("InvalidArgument", status: 400, "Part number must be an integer between 1 and 10000, inclusive")
        }
        let upload = try await upload(bucket, key)
        var (_, data, _) = try await copySource()
        if let range = request.header("x-amz-copy-source-range") {
            // Only `bytes=first-last`, inside the object.
            guard range.hasPrefix("bytes="), let (first, last) = Self.byteRange(range, size: data.count), !range.hasSuffix("-"),
                !range.dropFirst("bytes=".count).hasPrefix("-")
            else {
                throw AWSError("InvalidArgument", status: 400, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
            }
            data = Array(data[first...last])
        }
        let modified = Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down))
        let etag = Hex.encode(Insecure.MD5.hash(data: data))
        var checksum: (S3Checksum, String)?
        if let name = upload.checksumAlgorithm, let algorithm = S3Checksum(rawValue: name) { checksum = (algorithm, algorithm.value(of: data)) }
        let part = PartRecord(
            uploadID: upload.uploadID, partNumber: number, size: data.count, etag: etag, lastModified: modified,
            checksumAlgorithm: checksum?.0.rawValue, checksumValue: checksum?.1
        )
        do {
            try await store.putPart(part, data: data)
        } catch let error as StoreError where error.kind == .notFound {
            throw S3Errors.noSuchUpload(upload.uploadID)
        }
        var writer = XMLWriter(declaration: true)
        writer.element("CopyPartResult", namespace: S3Formats.namespace) { xml in
            xml.element("ETag", "\"\(etag)\"")
            xml.element("LastModified", S3Formats.xmlDate(modified))
            if let (algorithm, value) = checksum { xml.element(algorithm.completeElementName, value) }
        }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
    }
}
