#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import RolesAnywhereSigning
import RolesAnywhereSupport

/// S3 over REST-XML with path-style addressing (`/bucket/key`), as the AWS CLI uses it with
/// `--endpoint-url`: buckets, and objects put whole or in parts (multipart uploads), stored durably
/// with MD5 ETags.
struct S3Service: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let authorizer: Authorizer

    func handle(
        _ operation: S3Operation, resolved: ResolvedOperation, request: LocalRequest, caller: Caller, signedIn location: SignatureLocation
    ) async throws(AWSError) -> LocalResponse {
        let payloadHash = try S3PayloadHash(request, signedIn: location)
        let parameters = Dictionary(request.queryParameters.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        let call = S3Call(service: self, request: request, caller: caller, parameters: parameters, model: resolved.model, payloadHash: payloadHash)
        let bucket = resolved.label("Bucket")
        let key = resolved.label("Key")
        do {
            switch operation {
            case .listBuckets: return try await call.listBuckets()
            case .createBucket: return try await call.createBucket(bucket)
            case .headBucket: return try await call.headBucket(bucket)
            case .deleteBucket: return try await call.deleteBucket(bucket)
            case .getBucketLocation: return try await call.bucketLocation(bucket)
            case .listObjects: return try await call.listObjects(bucket, version2: false)
            case .listObjectsV2: return try await call.listObjects(bucket, version2: true)
            case .putObject: return try await call.putObject(bucket, key)
            case .getObject: return try await call.getObject(bucket, key, includeBody: true)
            case .headObject: return try await call.getObject(bucket, key, includeBody: false)
            case .deleteObject: return try await call.deleteObject(bucket, key)
            case .deleteObjects: return try await call.deleteObjects(bucket)
            case .createMultipartUpload: return try await call.createMultipartUpload(bucket, key)
            case .uploadPart: return try await call.uploadPart(bucket, key)
            case .completeMultipartUpload: return try await call.completeMultipartUpload(bucket, key)
            case .abortMultipartUpload: return try await call.abortMultipartUpload(bucket, key)
            case .listParts: return try await call.listParts(bucket, key)
            case .listMultipartUploads: return try await call.listMultipartUploads(bucket)
            case .copyObject: return try await call.copyObject(bucket, key)
            case .uploadPartCopy: return try await call.uploadPartCopy(bucket, key)
            case .getObjectTagging: return try await call.getObjectTagging(bucket, key)
            case .putObjectTagging: return try await call.putObjectTagging(bucket, key)
            case .deleteObjectTagging: return try await call.deleteObjectTagging(bucket, key)
            case .getBucketTagging: return try await call.getBucketTagging(bucket)
            case .putBucketTagging: return try await call.putBucketTagging(bucket)
            case .deleteBucketTagging: return try await call.deleteBucketTagging(bucket)
            case .getPublicAccessBlock: return try await call.getPublicAccessBlock(bucket)
            case .putPublicAccessBlock: return try await call.putPublicAccessBlock(bucket)
            case .deletePublicAccessBlock: return try await call.deletePublicAccessBlock(bucket)
            case .getBucketOwnershipControls: return try await call.getBucketOwnershipControls(bucket)
            case .putBucketOwnershipControls: return try await call.putBucketOwnershipControls(bucket)
            case .deleteBucketOwnershipControls: return try await call.deleteBucketOwnershipControls(bucket)
            case .getBucketPolicy: return try await call.getBucketPolicy(bucket)
            case .getBucketPolicyStatus: return try await call.getBucketPolicyStatus(bucket)
            case .putBucketPolicy: return try await call.putBucketPolicy(bucket)
            case .deleteBucketPolicy: return try await call.deleteBucketPolicy(bucket)
            case .putBucketVersioning: return try await call.putBucketVersioning(bucket)
            case .getBucketVersioning: return try await call.getBucketVersioning(bucket)
            case .listObjectVersions: return try await call.listObjectVersions(bucket)
            default:
                if let answer = try await call.bucketDefault(operation, bucket) { return answer }
                throw AWSService.s3.notImplemented(resolved.model)
            }
        } catch let error as AWSError {
            throw error
        } catch let error as StoreError {
            switch error.kind {
            case .notFound: throw S3Errors.noSuchBucket(bucket)
            case .alreadyExists: throw S3Errors.bucketAlreadyOwnedByYou(bucket, error.message)
            case .conflict, .limitExceeded: throw S3Errors.bucketNotEmpty(bucket, error.message)
            }
        } catch {
            throw AWSError("InternalError", status: 500, "We encountered an internal error. Please try again.", senderFault: false)
        }
    }
}

/// One S3 call.
struct S3Call {
    let service: S3Service
    let request: LocalRequest
    let caller: Caller
    let parameters: [String: String]
    let model: OperationModel
    /// What `x-amz-content-sha256` declared, already checked against the body.
    let payloadHash: S3PayloadHash

    var store: any Store { service.store }

    /// Authorises the operation's action (from the model) on one of the resources its body names
    /// (DeleteObjects' keys); the pipeline has authorised every other operation before its handler.
    func authorizeItem(_ resource: ARN) async throws(AWSError) {
        try await service.authorizer.authorize(caller, action: model.action, resource: resource.description, request: request)
    }

    /// `arn:P:s3:::BUCKET`, in the server's partition.
    func bucketARN(_ bucket: String) -> ARN { .s3Bucket(service.configuration.partition, bucket) }

    /// `arn:P:s3:::BUCKET/KEY`.
    func objectARN(_ bucket: String, _ key: String) -> ARN { .s3Object(service.configuration.partition, bucket: bucket, key: key) }

    func headers(_ extra: [(String, String)] = []) -> [(String, String)] {
        [("x-amz-request-id", request.requestID), ("x-amz-id-2", request.requestID)] + extra
    }

    func existingBucket(_ name: String) async throws -> BucketRecord {
        guard let bucket = try await store.bucket(named: name) else {
            throw S3Errors.noSuchBucket(name)
        }
        return bucket
    }

    // MARK: - Buckets

    func listBuckets() async throws -> LocalResponse {
        // ListAllMyBuckets has no resource type: both "*" and "arn:aws:s3:::*" grant it.
        let buckets = try await store.buckets()
        var writer = XMLWriter(declaration: true)
        writer.element("ListAllMyBucketsResult", namespace: S3Formats.namespace) { xml in
            xml.element("Owner") { owner in
                owner.element("ID", service.configuration.canonicalUserID)
                owner.element("DisplayName", "rolesanywhere-local")
            }
            xml.element("Buckets") { list in
                for bucket in buckets {
                    list.element("Bucket") { item in
                        item.element("Name", bucket.name)
                        item.element("CreationDate", S3Formats.xmlDate(bucket.creationDate))
                        item.element("BucketRegion", bucket.region)
                    }
                }
            }
        }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
    }

    func createBucket(_ name: String) async throws -> LocalResponse {
        guard S3Formats.isValidBucketName(name) else {
            throw AWSError("InvalidBucketName", status: 400, "The specified bucket is not valid.")
        }
        var region = service.configuration.region
        if let constraint = try S3Formats.locationConstraint(in: request.body) {
            region = constraint
        }
        guard region == service.configuration.region else {
            throw AWSError(
                "IllegalLocationConstraintException", status: 400,
                "The \(region) location constraint is incompatible for the region specific endpoint this request was sent to (\(service.configuration.region))."
            )
        }
        do {
            try await store.createBucket(BucketRecord(name: name, region: region, creationDate: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down))))
        } catch let error as StoreError where error.kind == .alreadyExists && region == "us-east-1" {
            // Every bucket here belongs to this account. S3 answers BucketAlreadyOwnedByYou in every
            // region but North Virginia, where, for legacy compatibility, re-creating your own
            // bucket is 200 OK (and resets its ACLs, which are not kept here).
        }
        return LocalResponse(status: 200, headers: headers([("Location", "/\(name)")]))
    }

    func headBucket(_ name: String) async throws -> LocalResponse {
        let bucket = try await existingBucket(name)
        return LocalResponse(status: 200, headers: headers([("x-amz-bucket-region", bucket.region)]))
    }

    func bucketLocation(_ name: String) async throws -> LocalResponse {
        let bucket = try await existingBucket(name)
        // us-east-1 is written as an empty constraint, as S3 does.
        let value = bucket.region == "us-east-1" ? "" : XMLWriter.escape(bucket.region)
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"\(S3Formats.namespace)\">\(value)</LocationConstraint>"
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(text.utf8))
    }

    func deleteBucket(_ name: String) async throws -> LocalResponse {
        try await store.deleteBucket(named: name)
        return LocalResponse(status: 204, headers: headers())
    }

    // MARK: - Listing

    func listObjects(_ bucketName: String, version2: Bool) async throws -> LocalResponse {
        let prefix = parameters["prefix"] ?? ""
        let delimiter = parameters["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let maxKeys = try Self.maxKeys(parameters["max-keys"])
        let urlEncoding = parameters["encoding-type"] == "url"
        if let encoding = parameters["encoding-type"], encoding != "url" {
            throw AWSError("InvalidArgument", status: 400, "Invalid Encoding Method specified in Request")
        }
        _ = try await existingBucket(bucketName)

        var start: String?
        if version2 {
            if let token = parameters["continuation-token"] {
                guard let decoded = Data(base64Encoded: token).map({ String(decoding: $0, as: UTF8.self) }) else {
                    throw AWSError("InvalidArgument", status: 400, "The continuation token provided is incorrect")
                }
                start = decoded
            } else {
                start = parameters["start-after"]
            }
        } else {
            start = parameters["marker"]
        }

        var contents = [ObjectRecord]()
        var commonPrefixes = [String]()
        var truncated = false
        var lastKey: String?
        var cursor = start
        scan: while true {
            let batch = try await store.objects(bucket: bucketName, prefix: prefix, after: cursor, limit: 1000)
            if batch.isEmpty { break }
            for object in batch {
                cursor = object.key
                var entry: String? = nil
                if let delimiter, let range = object.key.dropFirst(prefix.count).firstRange(of: delimiter) {
                    entry = String(object.key[..<range.upperBound])
                }
                if let entry, commonPrefixes.last == entry {
                    lastKey = object.key
                    continue
                }
                if contents.count + commonPrefixes.count == maxKeys {
                    truncated = true
                    break scan
                }
                if let entry {
                    commonPrefixes.append(entry)
                } else {
                    contents.append(object)
                }
                lastKey = object.key
            }
            if batch.count < 1000 { break }
        }
        func encode(_ text: String) -> String { urlEncoding ? URIEncoding.encode(text, keepSlash: true) : text }

        var writer = XMLWriter(declaration: true)
        writer.element("ListBucketResult", namespace: S3Formats.namespace) { xml in
            xml.element("Name", bucketName)
            xml.element("Prefix", encode(prefix))
            if version2 {
                xml.element("KeyCount", contents.count + commonPrefixes.count)
                xml.element("ContinuationToken", parameters["continuation-token"])
                xml.element("StartAfter", parameters["start-after"].map(encode))
                if truncated, let lastKey { xml.element("NextContinuationToken", Data(lastKey.utf8).base64EncodedString()) }
            } else {
                xml.element("Marker", encode(parameters["marker"] ?? ""))
                if truncated, delimiter != nil, let lastKey { xml.element("NextMarker", encode(lastKey)) }
            }
            xml.element("MaxKeys", maxKeys)
            xml.element("Delimiter", delimiter.map(encode))
            if urlEncoding { xml.element("EncodingType", "url") }
            xml.element("IsTruncated", truncated)
            for object in contents {
                xml.element("Contents") { item in
                    item.element("Key", encode(object.key))
                    item.element("LastModified", S3Formats.xmlDate(object.lastModified))
                    item.element("ETag", "\"\(object.etag)\"")
                    item.element("Size", object.size)
                    item.element("StorageClass", "STANDARD")
                }
            }
            for commonPrefix in commonPrefixes {
                xml.element("CommonPrefixes") { $0.element("Prefix", encode(commonPrefix)) }
            }
        }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
    }

    static func maxKeys(_ text: String?) throws(AWSError) -> Int {
        guard let text else { return 1000 }
        guard let value = Int(text), value >= 0 else {
            throw AWSError("InvalidArgument", status: 400, "Provided max-keys not an integer or within integer range")
        }
        return min(value, 1000)
    }

    // MARK: - Objects

    /// The object bytes of a PutObject body (aws-chunked decoded), with every integrity check of
    /// the request made (the declared SHA-256 already, by ``S3PayloadHash``): chunk
    /// signatures, trailers, decoded length, Content-MD5 and the additional checksum
    /// (header or trailer), which is returned to be echoed.
    func payload() throws(AWSError) -> (body: [UInt8], checksum: (S3Checksum, String)?) {
        let (body, checksum, _) = try payloadWithMD5()
        return (body, checksum)
    }

    /// ``payload()`` with the body's MD5 (from the SHA-256 check's pass when it made one).
    func payloadWithMD5() throws(AWSError) -> (body: [UInt8], checksum: (S3Checksum, String)?, md5: [UInt8]) {
        var body = request.body
        var checksums = request.headers.filter { S3Checksum(headerName: $0.name) != nil }.map { (name: $0.name, value: $0.value) }
        if payloadHash.isStreaming {
            guard let decoded = AWSChunked.decode(body) else {
                throw AWSError("IncompleteBody", status: 400, "The request body terminated unexpectedly")
            }
            // The trailers sent must be the ones X-Amz-Trailer declares, no more and no fewer.
            let declaredTrailers = Set((request.header("x-amz-trailer") ?? "").split(separator: ",").map { String($0).trimmingCharacters().lowercased() }.filter { !$0.isEmpty })
            guard declaredTrailers == Set(decoded.trailers.map { $0.name.lowercased() }) else {
                throw AWSError("MalformedTrailerError", status: 400, "The request contained trailing data that was not well-formed or did not conform to our published schema.")
            }
            if case .streamingSigned(let trailer) = payloadHash {
                try verifyChunkSignatures(decoded, trailer: trailer)
            }
            body = decoded.payload
            checksums += decoded.trailers
        }
        // A declared SHA-256 of the body was checked once, by S3PayloadHash, before any handler ran.
        if let length = request.header("x-amz-decoded-content-length"), let expected = Int(length), expected != body.count {
            throw AWSError("IncompleteBody", status: 400, "You did not provide the number of bytes specified by the x-amz-decoded-content-length header.")
        }
        let md5 = (payloadHash.isStreaming ? nil : payloadHash.bodyMD5) ?? Array(Insecure.MD5.hash(data: body))
        if let declared = request.header("content-md5") {
            guard Data(md5).base64EncodedString() == declared else {
                throw AWSError("BadDigest", status: 400, "The Content-MD5 you specified did not match what we received.")
            }
        }
        return (body, try S3Checksum.verify(declared: checksums, body: body), md5)
    }

    /// The body of an operation whose model requires a checksum (`requestChecksumRequired`):
    /// ``payload()``, which must have carried Content-MD5 or an additional checksum.
    func integrityCheckedPayload() throws(AWSError) -> [UInt8] {
        let (body, checksum) = try payload()
        guard checksum != nil || request.header("content-md5") != nil else {
            throw AWSError("InvalidRequest", status: 400, "Missing required header for this request: Content-MD5")
        }
        return body
    }

    /// A signed streaming body: every chunk's signature must chain from the request's, and a
    /// signed trailer's too (403 SignatureDoesNotMatch otherwise, and nothing is stored).
    func verifyChunkSignatures(_ decoded: AWSChunked.Decoded, trailer: Bool) throws(AWSError) {
        let mismatch = AWSError(
            "SignatureDoesNotMatch", status: 403,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        )
        guard let header = request.header("authorization"), let authorization = try? SigV4Authorization(parsing: header),
            let dateText = request.header("x-amz-date"), let date = AmzDate(amzDateTime: dateText)
        else { throw mismatch }
        let secret = caller.secretAccessKey(in: service.configuration)
        var signatures = SigV4ChunkSignatures(
            signingKey: SigV4SigningKey(secretAccessKey: secret, scope: authorization.scope), date: date, scope: authorization.scope, seed: authorization.signature
        )
        for chunk in decoded.chunks {
            guard let signature = chunk.signature, signatures.verifyChunk(decoded.payload[chunk.range], signature: signature) else { throw mismatch }
        }
        if trailer {
            guard let signature = decoded.trailerSignature, signatures.verifyTrailer(decoded.trailers, signature: signature) else { throw mismatch }
        }
    }

    func putObject(_ bucket: String, _ key: String) async throws -> LocalResponse {
        guard key.utf8.count <= 1024 else { throw AWSError("KeyTooLongError", status: 400, "Your key is too long") }
        let tags = try S3Tagging.header(request, for: .object) ?? []
        _ = try await existingBucket(bucket)
        let (body, checksum, md5) = try payloadWithMD5()
        let etag = Hex.encode(md5)
        var metadata = [String: String]()
        for header in request.headers where header.canonicalName.hasPrefix("x-amz-meta-") {
            metadata[String(header.canonicalName.dropFirst("x-amz-meta-".count))] = header.value
        }
        let object = ObjectRecord(
            bucket: bucket, key: key, size: body.count, etag: etag,
            lastModified: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down)),
            contentType: request.header("content-type") ?? "binary/octet-stream", metadata: metadata, tags: tags, versionId: Self.newVersionID()
        )
        let stored = try await store.putObject(object, data: body)
        var responseHeaders = [("ETag", "\"\(etag)\"")] + Self.versionHeader(written: stored)
        if let (algorithm, value) = checksum {
            responseHeaders.append((algorithm.headerName, value))
            responseHeaders.append(("x-amz-checksum-type", "FULL_OBJECT"))
        }
        return LocalResponse(status: 200, headers: headers(responseHeaders))
    }

    func getObject(_ bucket: String, _ key: String, includeBody: Bool) async throws -> LocalResponse {
        let requestedVersion = try requestedVersion()
        let bucketRecord = try await existingBucket(bucket)
        let object: ObjectRecord
        if let requestedVersion {
            try checkVersion(requestedVersion, in: bucketRecord)
            guard let version = try await store.objectVersion(bucket: bucket, key: key, versionId: requestedVersion) else { throw Self.noSuchVersion }
            if version.isDeleteMarker { throw Self.deleteMarkerRequested(version) }
            object = version.record
        } else {
            guard let current = try await store.object(bucket: bucket, key: key) else {
                throw try await noCurrentObject(key, in: bucketRecord)
            }
            object = current
        }
        var responseHeaders = headers([
            ("ETag", "\"\(object.etag)\""), ("Last-Modified", S3Formats.httpDate(object.lastModified)),
            ("Content-Type", object.contentType), ("Accept-Ranges", "bytes"),
        ] + versionHeader(object, in: bucketRecord))
        for (name, value) in object.metadata.sorted(by: { $0.key < $1.key }) { responseHeaders.append(("x-amz-meta-\(name)", value)) }
        if !object.tags.isEmpty { responseHeaders.append(("x-amz-tagging-count", String(object.tags.count))) }
        // `response-content-type=...` and its kin override what is answered (presigned links use them).
        for (parameter, header) in Self.responseOverrides {
            guard let value = parameters[parameter] else { continue }
            responseHeaders.removeAll { $0.0.lowercased() == header.lowercased() }
            responseHeaders.append((header, value))
        }
        switch S3Preconditions(request).evaluate(etag: object.etag, lastModified: object.lastModified) {
        case .proceed: break
        case .notModified:
            return LocalResponse(status: 304, headers: headers([("ETag", "\"\(object.etag)\""), ("Last-Modified", S3Formats.httpDate(object.lastModified))]))
        case .failed:
            throw AWSError("PreconditionFailed", status: 412, "At least one of the pre-conditions you specified did not hold")
        }
        var status = 200
        var data: [UInt8] = []
        if includeBody {
            data = try await (requestedVersion != nil ? store.objectVersionData(bucket: bucket, key: key, versionId: object.versionId ?? ObjectVersion.nullID)
                : store.objectData(bucket: bucket, key: key)) ?? []
        }
        var length = object.size
        if let range = request.header("range") {
            guard let (first, last) = Self.byteRange(range, size: object.size) else {
                throw AWSError("InvalidRange", status: 416, "The requested range is not satisfiable")
            }
            status = 206
            length = last - first + 1
            responseHeaders.append(("Content-Range", "bytes \(first)-\(last)/\(object.size)"))
            if includeBody { data = Array(data[first...last]) }
        }
        responseHeaders.append(("Content-Length", String(length)))
        return LocalResponse(status: status, headers: responseHeaders, body: data)
    }

    /// GetObject's response header overrides, by query parameter.
    static let responseOverrides = [
        ("response-cache-control", "Cache-Control"), ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"), ("response-content-language", "Content-Language"),
        ("response-content-type", "Content-Type"), ("response-expires", "Expires"),
    ]

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n`, clamped to the object.
    static func byteRange(_ header: String, size: Int) -> (Int, Int)? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let startText = spec[..<dash]
        let endText = spec[spec.index(after: dash)...]
        if startText.isEmpty {
            guard let suffix = Int(endText), suffix > 0 else { return nil }
            return (max(0, size - suffix), size - 1)
        }
        guard let start = Int(startText), start < size else { return nil }
        let end = endText.isEmpty ? size - 1 : min(Int(endText) ?? -1, size - 1)
        guard end >= start else { return nil }
        return (start, end)
    }

    /// DeleteObject: without `versionId`, the object goes (a versioned bucket keeps it behind a
    /// new delete marker); with one, that version (or delete marker) goes for good.
    func deleteObject(_ bucket: String, _ key: String) async throws -> LocalResponse {
        let bucketRecord = try await existingBucket(bucket)
        let outcome = try await delete(key, version: try requestedVersion(), in: bucketRecord)
        return LocalResponse(status: 204, headers: headers(outcome.headers))
    }

    /// What one deletion did, as DeleteObject's headers and DeleteObjects' entries say it.
    struct DeletionOutcome {
        /// The version deleted, when one was named.
        var versionId: String?
        /// Whether a delete marker was made or deleted.
        var deleteMarker = false
        /// The delete marker's version ID.
        var deleteMarkerVersionId: String?

        var headers: [(String, String)] {
            var headers = [(String, String)]()
            if deleteMarker { headers.append(("x-amz-delete-marker", "true")) }
            if let id = deleteMarkerVersionId ?? versionId { headers.append(("x-amz-version-id", id)) }
            return headers
        }
    }

    func delete(_ key: String, version: String?, in bucket: BucketRecord) async throws -> DeletionOutcome {
        if let version {
            try checkVersion(version, in: bucket)
            let deleted = try await store.deleteObjectVersion(bucket: bucket.name, key: key, versionId: version)
            let marker = deleted?.isDeleteMarker ?? false
            return DeletionOutcome(versionId: version, deleteMarker: marker, deleteMarkerVersionId: marker ? version : nil)
        }
        let deletion = try await store.deleteObject(bucket: bucket.name, key: key, markerVersionId: Self.newVersionID(), at: request.receivedAt)
        return DeletionOutcome(versionId: nil, deleteMarker: deletion.deleteMarkerVersionId != nil, deleteMarkerVersionId: deletion.deleteMarkerVersionId)
    }

    /// `POST /{Bucket}?delete`: up to 1,000 keys in one `<Delete>` document, each authorised as
    /// `s3:DeleteObject` on its own object; a key that is refused is an `<Error>` entry, the others
    /// are deleted (a missing key counts as deleted, as on S3). `<Quiet>true</Quiet>` leaves out the
    /// `<Deleted>` entries. The body must carry `Content-MD5` or an additional checksum.
    func deleteObjects(_ bucket: String) async throws -> LocalResponse {
        let deletion = try S3DeleteRequest(try integrityCheckedPayload())
        let bucketRecord = try await existingBucket(bucket)
        var writer = XMLWriter(declaration: true)
        var deleted = [(S3DeleteRequest.Object, DeletionOutcome)]()
        var errors = [(S3DeleteRequest.Object, AWSError)]()
        for object in deletion.objects {
            do {
                // A version is deleted with s3:DeleteObjectVersion, as on S3.
                let action = object.versionId == nil ? model.action : Self.versionAction(of: model.action)
                try await service.authorizer.authorize(caller, action: action, resource: objectARN(bucket, object.key).description, request: request)
                deleted.append((object, try await delete(object.key, version: object.versionId, in: bucketRecord)))
            } catch let error as AWSError {
                errors.append((object, error))
            }
        }
        writer.element("DeleteResult", namespace: S3Formats.namespace) { xml in
            if !deletion.quiet {
                for (object, outcome) in deleted {
                    xml.element("Deleted") { entry in
                        entry.element("Key", object.key)
                        if let version = object.versionId { entry.element("VersionId", version) }
                        if outcome.deleteMarker { entry.element("DeleteMarker", true) }
                        if let marker = outcome.deleteMarkerVersionId { entry.element("DeleteMarkerVersionId", marker) }
                    }
                }
            }
            for (object, error) in errors {
                xml.element("Error") { entry in
                    entry.element("Key", object.key)
                    if let version = object.versionId { entry.element("VersionId", version) }
                    entry.element("Code", error.code)
                    entry.element("Message", error.code == "AccessDenied" ? "Access Denied" : error.message)
                }
            }
        }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
    }
}
