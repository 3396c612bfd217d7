#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import RolesAnywhereSigning

/// Multipart uploads, as `aws s3 cp`, boto3's `upload_file` and the SDKs' transfer managers use
/// them above 8 MiB: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
/// AbortMultipartUpload, ListParts and ListMultipartUploads, with S3's rules: parts numbered 1 to
/// 10,000, every part but the last at least 5 MiB, parts listed in ascending order with their
/// ETags, and the object's ETag the MD5 of the parts' MD5s followed by `-<count>`.
extension S3Call {
    /// Every part but the last must be at least this large.
    static let minimumPartSize = 5 << 20
    /// The largest object a multipart upload may make here. Completion assembles the object in
    /// memory, so it is bounded well below S3's 5 TiB: parts up to the 64 MiB body limit, 10,000
    /// of them, would otherwise let one client make the server hold 640 GiB.
    static let maximumObjectSize = 1 << 30
    static let partNumbers = 1...10_000

    /// The upload named by `uploadId`, which must be in progress for this bucket and key.
    func upload(_ bucket: String, _ key: String) async throws -> MultipartUploadRecord {
        guard let id = parameters["uploadId"], let upload = try await store.multipartUpload(id: id), upload.bucket == bucket, upload.key == key else {
            throw S3Errors.noSuchUpload(parameters["uploadId"] ?? "")
        }
        return upload
    }


    /// `POST /{Bucket}/{Key+}?uploads`.
    func createMultipartUpload(_ bucket: String, _ key: String) async throws -> LocalResponse {
        guard key.utf8.count <= 1024 else { throw AWSError("KeyTooLongError", status: 400, "Your key is too long") }
        let tags = try S3Tagging.header(request, for: .object) ?? []
        _ = try await existingBucket(bucket)
        var algorithm: S3Checksum?
        if let name = request.header("x-amz-checksum-algorithm") {
            guard let named = S3Checksum(algorithmName: name) else {
                throw AWSError("InvalidRequest", status: 400, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
            }
            algorithm = named
        }
        var metadata = [String: String]()
        for header in request.headers where header.canonicalName.hasPrefix("x-amz-meta-") {
            metadata[String(header.canonicalName.dropFirst("x-amz-meta-".count))] = header.value
        }
        let upload = MultipartUploadRecord(
            uploadID: Hex.encode(RandomText.bytes(32)), bucket: bucket, key: key,
            initiated: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down)),
            contentType: request.header("content-type") ?? "binary/octet-stream", metadata: metadata, checksumAlgorithm: algorithm?.rawValue,
            tags: tags
        )
        try await store.createMultipartUpload(upload)
        var writer = XMLWriter(declaration: true)
        writer.element("InitiateMultipartUploadResult", namespace: S3Formats.namespace) { xml in
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("UploadId", upload.uploadID)
        }
        var extra = [("Content-Type", "application/xml")]
        if let algorithm {
            extra.append(("x-amz-checksum-algorithm", algorithm.algorithmName))
            extra.append(("x-amz-checksum-type", "COMPOSITE"))
        }
        return LocalResponse(status: 200, headers: headers(extra), body: Array(writer.text.utf8))
    }

    /// `PUT /{Bucket}/{Key+}?partNumber=N&uploadId=ID`.
    func uploadPart(_ bucket: String, _ key: String) async throws -> LocalResponse {
        guard let text = parameters["partNumber"], text.utf8.count <= 5, let number = Int(text), Self.partNumbers.contains(number) else {
            throw AWSError("InvalidArgument", status: 400, "Part number must be an integer between 1 and 10000, inclusive")
        }
        let upload = try await upload(bucket, key)
        let (body, sent, md5) = try payloadWithMD5()
        var checksum = sent
        if let name = upload.checksumAlgorithm, let expected = S3Checksum(rawValue: name) {
            if let sent, sent.0 != expected {
                throw AWSError(
                    "InvalidRequest", status: 400,
                    "Checksum Type mismatch occurred, expected checksum Type: \(expected.rawValue), actual checksum Type: \(sent.0.rawValue)"
                )
            }
            // The upload's composite checksum needs every part's.
            checksum = checksum ?? (expected, expected.value(of: body))
        }
        let etag = Hex.encode(md5)
        let part = PartRecord(
            uploadID: upload.uploadID, partNumber: number, size: body.count, etag: etag,
            lastModified: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down)),
            checksumAlgorithm: checksum?.0.rawValue, checksumValue: checksum?.1
        )
        do {
            try await store.putPart(part, data: body)
        } catch let error as StoreError where error.kind == .notFound {
            throw S3Errors.noSuchUpload(upload.uploadID)
        }
        var extra = [("ETag", "\"\(etag)\"")]
        if let (algorithm, value) = sent { extra.append((algorithm.headerName, value)) }
        return LocalResponse(status: 200, headers: headers(extra))
    }

    /// `POST /{Bucket}/{Key+}?uploadId=ID` with the `<CompleteMultipartUpload>` list of parts.
    func completeMultipartUpload(_ bucket: String, _ key: String) async throws -> LocalResponse {
        let upload = try await upload(bucket, key)
        let completion = try S3CompleteRequest(try payload().body)
        let stored = Dictionary(try await store.parts(uploadID: upload.uploadID).map { ($0.partNumber, $0) }, uniquingKeysWith: { $1 })
        let invalidPart = AWSError(
            "InvalidPart", status: 400,
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
        )
        var previous = 0
        var chosen = [PartRecord]()
        for part in completion.parts {
            guard part.number > previous else {
                throw AWSError("InvalidPartOrder", status: 400, "The list of parts was not in ascending order. Parts must be ordered by part number.")
            }
            previous = part.number
            guard let found = stored[part.number], found.etag == part.etag.lowercased() else { throw invalidPart }
            if let given = part.checksum, given.algorithm.rawValue != found.checksumAlgorithm || given.value != found.checksumValue {
                throw invalidPart
            }
            chosen.append(found)
        }
        for part in chosen.dropLast() where part.size < Self.minimumPartSize {
            throw AWSError("EntityTooSmall", status: 400, "Your proposed upload is smaller than the minimum allowed size")
        }
        let size = chosen.reduce(0) { $0 + $1.size }
        guard size <= Self.maximumObjectSize else {
            throw AWSError("EntityTooLarge", status: 400, "Your proposed upload of \(size) bytes exceeds the maximum allowed object size of \(Self.maximumObjectSize) bytes (rolesanywhere-local).")
        }
        var digests = [UInt8]()
        for part in chosen { digests += Hex.decode(part.etag) ?? [] }
        let etag = Hex.encode(Insecure.MD5.hash(data: digests)) + "-\(chosen.count)"
        let object = ObjectRecord(
            bucket: bucket, key: key, size: size, etag: etag,
            lastModified: Date(timeIntervalSince1970: request.receivedAt.timeIntervalSince1970.rounded(.down)),
            contentType: upload.contentType, metadata: upload.metadata, tags: upload.tags, versionId: Self.newVersionID()
        )
        let completed: ObjectRecord
        do {
            completed = try await store.completeMultipartUpload(id: upload.uploadID, parts: chosen.map { ($0.partNumber, $0.etag) }, object: object)
        } catch let error as StoreError {
            // A part replaced or the upload ended by a concurrent call since the checks above.
            throw error.kind == .conflict ? invalidPart : S3Errors.noSuchUpload(upload.uploadID)
        }
        let composite = Self.compositeChecksum(upload, parts: chosen)
        var writer = XMLWriter(declaration: true)
        writer.element("CompleteMultipartUploadResult", namespace: S3Formats.namespace) { xml in
            xml.element("Location", "\(request.isSecure ? "https" : "http")://\(request.header("host") ?? "localhost")/\(bucket)/\(URIEncoding.encode(key, keepSlash: true))")
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("ETag", "\"\(etag)\"")
            if let (algorithm, value) = composite {
                xml.element(algorithm.completeElementName, value)
                xml.element("ChecksumType", "COMPOSITE")
            }
        }
        return LocalResponse(
            status: 200, headers: headers([("Content-Type", "application/xml")] + Self.versionHeader(written: completed)), body: Array(writer.text.utf8)
        )
    }

    /// S3's composite checksum of a multipart object: the checksum of the parts' checksums
    /// (decoded and concatenated), base64, then `-<count>`. CRC64NVME has only full-object
    /// checksums on S3, which are not computed here.
    static func compositeChecksum(_ upload: MultipartUploadRecord, parts: [PartRecord]) -> (S3Checksum, String)? {
        guard let name = upload.checksumAlgorithm, let algorithm = S3Checksum(rawValue: name), algorithm != .crc64nvme else { return nil }
        var joined = [UInt8]()
        for part in parts {
            guard part.checksumAlgorithm == name, let value = part.checksumValue, let bytes = Data(base64Encoded: value) else { return nil }
            joined += bytes
        }
        return (algorithm, algorithm.value(of: joined) + "-\(parts.count)")
    }

    /// `DELETE /{Bucket}/{Key+}?uploadId=ID`.
    func abortMultipartUpload(_ bucket: String, _ key: String) async throws -> LocalResponse {
        let upload = try await upload(bucket, key)
        do {
            try await store.abortMultipartUpload(id: upload.uploadID)
        } catch let error as StoreError where error.kind == .notFound {
            throw S3Errors.noSuchUpload(upload.uploadID)
        }
        return LocalResponse(status: 204, headers: headers())
    }

    /// `GET /{Bucket}/{Key+}?uploadId=ID[&max-parts=N][&part-number-marker=N]`.
    func listParts(_ bucket: String, _ key: String) async throws -> LocalResponse {
        let maxParts = try Self.count(parameters["max-parts"], name: "max-parts")
        let marker = try Self.count(parameters["part-number-marker"], name: "part-number-marker", default: 0)
        let upload = try await upload(bucket, key)
        let after = try await store.parts(uploadID: upload.uploadID).filter { $0.partNumber > marker }
        let listed = Array(after.prefix(maxParts))
        let truncated = after.count > listed.count
        var writer = XMLWriter(declaration: true)
        writer.element("ListPartsResult", namespace: S3Formats.namespace) { xml in
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("UploadId", upload.uploadID)
            xml.element("PartNumberMarker", marker)
            if let last = listed.last { xml.element("NextPartNumberMarker", last.partNumber) }
            xml.element("MaxParts", maxParts)
            xml.element("IsTruncated", truncated)
            for part in listed {
                xml.element("Part") { entry in
                    entry.element("PartNumber", part.partNumber)
                    entry.element("LastModified", S3Formats.xmlDate(part.lastModified))
                    entry.element("ETag", "\"\(part.etag)\"")
                    entry.element("Size", part.size)
                    if let name = part.checksumAlgorithm, let algorithm = S3Checksum(rawValue: name) {
                        entry.element(algorithm.completeElementName, part.checksumValue)
                    }
                }
            }
            writeParties(&xml)
            xml.element("StorageClass", "STANDARD")
            if let name = upload.checksumAlgorithm, let algorithm = S3Checksum(rawValue: name) {
                xml.element("ChecksumAlgorithm", algorithm.algorithmName)
                xml.element("ChecksumType", "COMPOSITE")
            }
        }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
    }

    /// `GET /{Bucket}?uploads`, with `prefix`, `delimiter`, `key-marker`, `upload-id-marker` and
    /// `max-uploads`.
    func listMultipartUploads(_ bucket: String) async throws -> LocalResponse {
        let maxUploads = try Self.count(parameters["max-uploads"], name: "max-uploads")
        let prefix = parameters["prefix"] ?? ""
        let delimiter = parameters["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let keyMarker = parameters["key-marker"] ?? ""
        let uploadIDMarker = parameters["upload-id-marker"]
        _ = try await existingBucket(bucket)
        var uploads = [MultipartUploadRecord]()
        var commonPrefixes = [String]()
        var truncated = false
        var last: MultipartUploadRecord?
        var skippingMarkerKey = uploadIDMarker != nil
        for upload in try await store.multipartUploads(bucket: bucket) where upload.key.hasPrefix(prefix) {
            // After the key marker; with an upload-ID marker, the marker key's later uploads too.
            if !keyMarker.isEmpty {
                if upload.key.utf8.lexicographicallyPrecedes(keyMarker.utf8) { continue }
                if upload.key == keyMarker {
                    if !skippingMarkerKey { continue }
                    if upload.uploadID == uploadIDMarker { skippingMarkerKey = false }
                    continue
                }
            }
            var common: String?
            if let delimiter, let range = upload.key.dropFirst(prefix.count).firstRange(of: delimiter) {
                common = String(upload.key[..<range.upperBound])
            }
            if let common, commonPrefixes.last == common { continue }
            if uploads.count + commonPrefixes.count == maxUploads {
                truncated = true
                break
            }
            if let common { commonPrefixes.append(common) } else { uploads.append(upload) }
            last = upload
        }
        var writer = XMLWriter(declaration: true)
        writer.element("ListMultipartUploadsResult", namespace: S3Formats.namespace) { xml in
            xml.element("Bucket", bucket)
            xml.element("KeyMarker", keyMarker)
            xml.element("UploadIdMarker", uploadIDMarker ?? "")
            if truncated, let last {
                xml.element("NextKeyMarker", last.key)
                xml.element("NextUploadIdMarker", last.uploadID)
            }
            xml.element("Prefix", prefix)
            xml.element("Delimiter", delimiter)
            xml.element("MaxUploads", maxUploads)
            xml.element("IsTruncated", truncated)
            for upload in uploads {
                xml.element("Upload") { entry in
                    entry.element("Key", upload.key)
                    entry.element("UploadId", upload.uploadID)
                    writeParties(&entry)
                    entry.element("StorageClass", "STANDARD")
                    entry.element("Initiated", S3Formats.xmlDate(upload.initiated))
                    if let name = upload.checksumAlgorithm, let algorithm = S3Checksum(rawValue: name) {
                        entry.element("ChecksumAlgorithm", algorithm.algorithmName)
                        entry.element("ChecksumType", "COMPOSITE")
                    }
                }
            }
            for common in commonPrefixes {
                xml.element("CommonPrefixes") { $0.element("Prefix", common) }
            }
        }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
    }

    /// `Initiator` (the caller) and `Owner` (the account) of an upload.
    func writeParties(_ xml: inout XMLWriter) {
        xml.element("Initiator") { initiator in
            initiator.element("ID", caller.arn(in: service.configuration))
            initiator.element("DisplayName", "rolesanywhere-local")
        }
        xml.element("Owner") { owner in
            owner.element("ID", service.configuration.canonicalUserID)
            owner.element("DisplayName", "rolesanywhere-local")
        }
    }

    /// A `max-parts`, `max-uploads` or marker value: a non-negative integer, at most 1,000 for the
    /// maximums (larger values are clamped, as S3 does).
    static func count(_ text: String?, name: String, default value: Int = 1000) throws(AWSError) -> Int {
        guard let text else { return value }
        guard text.utf8.count <= 10, let number = Int(text), number >= 0 else {
            throw AWSError("InvalidArgument", status: 400, "Provided \(name) not an integer or within integer range")
        }
        return name.hasPrefix("max-") ? min(number, 1000) : number
    }
}
