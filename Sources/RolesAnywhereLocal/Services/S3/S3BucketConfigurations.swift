/// The bucket sub-resources kept here, set and removed whole: tags (`?tagging`), Block Public
/// Access (`?publicAccessBlock`), Object Ownership (`?ownershipControls`) and the bucket policy
/// (`?policy`, and `?policyStatus` derived from it). Each Put must carry Content-MD5 or an
/// additional checksum, as the model requires; each Get of one that is not configured answers
/// S3's "not configured" error for it.
extension S3Call {
    /// Changes the bucket's configuration in one store transaction.
    func updateConfiguration(_ bucket: String, _ change: @escaping @Sendable (inout BucketConfiguration) throws -> Void) async throws {
        _ = try await store.updateBucketConfiguration(named: bucket, change)
    }

    func configuration(_ bucket: String) async throws -> BucketConfiguration {
        try await existingBucket(bucket).configuration
    }

    func xmlResponse(_ root: String, _ body: (inout XMLWriter) -> Void) -> LocalResponse {
        var writer = XMLWriter(declaration: true)
        writer.element(root, namespace: S3Formats.namespace, body)
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
    }

    // MARK: - Tagging

    func getBucketTagging(_ bucket: String) async throws -> LocalResponse {
        guard let tags = try await configuration(bucket).tags, !tags.isEmpty else {
            throw AWSError("NoSuchTagSet", status: 404, "The TagSet does not exist", details: [.init("BucketName", bucket)])
        }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: S3Tagging.document(tags))
    }

    /// Replaces the bucket's tags; an empty set removes them. (The model's 200, which the
    /// census holds every answer to, where S3's samples show 204.)
    func putBucketTagging(_ bucket: String) async throws -> LocalResponse {
        let tags = try S3Tagging.parse(try integrityCheckedPayload(), for: .bucket)
        try await updateConfiguration(bucket) { $0.tags = tags.isEmpty ? nil : tags }
        return LocalResponse(status: model.successStatus, headers: headers())
    }

    func deleteBucketTagging(_ bucket: String) async throws -> LocalResponse {
        try await updateConfiguration(bucket) { $0.tags = nil }
        return LocalResponse(status: 204, headers: headers())
    }

    // MARK: - Block Public Access

    /// The four settings, by element name, in S3's order.
    static var publicAccessBlockSettings: [(name: String, path: WritableKeyPath<PublicAccessBlock, Bool>)] {
        [
            ("BlockPublicAcls", \.blockPublicAcls), ("IgnorePublicAcls", \.ignorePublicAcls),
            ("BlockPublicPolicy", \.blockPublicPolicy), ("RestrictPublicBuckets", \.restrictPublicBuckets),
        ]
    }

    func getPublicAccessBlock(_ bucket: String) async throws -> LocalResponse {
        guard let block = try await configuration(bucket).publicAccessBlock else {
            throw AWSError(
                "NoSuchPublicAccessBlockConfiguration", status: 404, "The public access block configuration was not found",
                details: [.init("BucketName", bucket)]
            )
        }
        return xmlResponse("PublicAccessBlockConfiguration") { xml in
            for setting in Self.publicAccessBlockSettings { xml.element(setting.name, block[keyPath: setting.path]) }
        }
    }

    /// `<PublicAccessBlockConfiguration>` with any of the four settings (those left out are
    /// false), at least one.
    func putPublicAccessBlock(_ bucket: String) async throws -> LocalResponse {
        let tree = try S3Formats.document(try integrityCheckedPayload(), root: "PublicAccessBlockConfiguration")
        var block = PublicAccessBlock(blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false)
        var named = 0
        for element in tree.root.children {
            guard let setting = Self.publicAccessBlockSettings.first(where: { $0.name == element.localName }), element.children.isEmpty else {
                throw S3Formats.malformedXML
            }
            switch element.text.trimmingXMLSpace() {
            case "true": block[keyPath: setting.path] = true
            case "false": block[keyPath: setting.path] = false
            default: throw S3Formats.malformedXML
            }
            named += 1
        }
        guard named > 0 else { throw AWSError("InvalidRequest", status: 400, "Must specify at least one configuration.") }
        let configured = block
        try await updateConfiguration(bucket) { $0.publicAccessBlock = configured }
        return LocalResponse(status: 200, headers: headers())
    }

    func deletePublicAccessBlock(_ bucket: String) async throws -> LocalResponse {
        try await updateConfiguration(bucket) { $0.publicAccessBlock = nil }
        return LocalResponse(status: 204, headers: headers())
    }

    // MARK: - Object Ownership

    func getBucketOwnershipControls(_ bucket: String) async throws -> LocalResponse {
        guard let ownership = try await configuration(bucket).objectOwnership else {
            throw AWSError(
                "OwnershipControlsNotFoundError", status: 404, "The bucket ownership controls were not found", details: [.init("BucketName", bucket)]
            )
        }
        return xmlResponse("OwnershipControls") { xml in
            xml.element("Rule") { $0.element("ObjectOwnership", ownership.rawValue) }
        }
    }

    /// `<OwnershipControls><Rule><ObjectOwnership>...` with exactly one rule.
    func putBucketOwnershipControls(_ bucket: String) async throws -> LocalResponse {
        let tree = try S3Formats.document(try integrityCheckedPayload(), root: "OwnershipControls")
        guard tree.root.children.count == 1, let rule = tree.root.child(named: "Rule"), rule.children.count == 1,
            let value = rule.child(named: "ObjectOwnership"), value.children.isEmpty,
            let ownership = ObjectOwnership(rawValue: value.text.trimmingXMLSpace())
        else { throw S3Formats.malformedXML }
        try await updateConfiguration(bucket) { $0.objectOwnership = ownership }
        return LocalResponse(status: 200, headers: headers())
    }

    func deleteBucketOwnershipControls(_ bucket: String) async throws -> LocalResponse {
        try await updateConfiguration(bucket) { $0.objectOwnership = nil }
        return LocalResponse(status: 204, headers: headers())
    }

    // MARK: - Bucket policy

    static func noSuchBucketPolicy(_ bucket: String) -> AWSError {
        AWSError("NoSuchBucketPolicy", status: 404, "The bucket policy does not exist", details: [.init("BucketName", bucket)])
    }

    /// The policy as it was put.
    func getBucketPolicy(_ bucket: String) async throws -> LocalResponse {
        guard let policy = try await configuration(bucket).policy else { throw Self.noSuchBucketPolicy(bucket) }
        return LocalResponse(status: 200, headers: headers([("Content-Type", "application/json")]), body: Array(policy.utf8))
    }

    /// Whether the policy makes the bucket public, by S3's reading of "public".
    func getBucketPolicyStatus(_ bucket: String) async throws -> LocalResponse {
        guard let text = try await configuration(bucket).policy else { throw Self.noSuchBucketPolicy(bucket) }
        let isPublic = (try? S3BucketPolicy(text, bucket: bucket, partition: service.configuration.partition))?.isPublic ?? false
        return xmlResponse("PolicyStatus") { $0.element("IsPublic", isPublic) }
    }

    /// Checks the policy (S3's MalformedPolicy for one it would refuse) and stores it, unless
    /// it is public while Block Public Access blocks public policies (403, as S3 answers).
    func putBucketPolicy(_ bucket: String) async throws -> LocalResponse {
        let body = try integrityCheckedPayload()
        _ = try await existingBucket(bucket)
        let policy = try S3BucketPolicy(String(decoding: body, as: UTF8.self), bucket: bucket, partition: service.configuration.partition)
        try await policy.checkPrincipals(in: store, account: service.configuration.accountID)
        let blocked = AWSError(
            "AccessDenied", status: 403,
            "User: \(caller.arn(in: service.configuration)) is not authorized to perform: s3:PutBucketPolicy on resource: \"\(bucketARN(bucket))\" because public policies are blocked by the BlockPublicPolicy block public access setting."
        )
        let text = policy.text
        let isPublic = policy.isPublic
        try await updateConfiguration(bucket) { configuration in
            // Read in the transaction, so a block turned on meanwhile is not missed.
            if isPublic, configuration.publicAccessBlock?.blockPublicPolicy == true { throw blocked }
            configuration.policy = text
        }
        return LocalResponse(status: model.successStatus, headers: headers())
    }

    func deleteBucketPolicy(_ bucket: String) async throws -> LocalResponse {
        try await updateConfiguration(bucket) { $0.policy = nil }
        return LocalResponse(status: 204, headers: headers())
    }
}
