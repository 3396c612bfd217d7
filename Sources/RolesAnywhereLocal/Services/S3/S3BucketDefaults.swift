/// The bucket configurations this emulator does not let anyone set, read back as S3 answers them
/// for a bucket created today and never configured: "not configured" errors for CORS, a website,
/// lifecycle rules, replication and Object Lock; the defaults S3 applies to every new bucket
/// (SSE-S3 encryption, a private ACL); and empty logging, acceleration, notification
/// and analytics-style listings. (Tags, Block Public Access, Object Ownership and the bucket
/// policy and versioning are kept: ``S3Call/getBucketTagging(_:)`` and its kin.) Terraform's `aws_s3_bucket` reads all of them on every refresh. Setting any of them
/// stays `NotImplemented`, so nothing is ever reported as configured that was not.
extension S3Call {
    /// The answer to a read of an unconfigured bucket sub-resource, or nil if `operation` is not one.
    func bucketDefault(_ operation: S3Operation, _ bucket: String) async throws -> LocalResponse? {
        guard let answer = Self.defaults(operation, owner: service.configuration.canonicalUserID) else { return nil }
        _ = try await existingBucket(bucket)
        switch answer {
        case .notConfigured(let code, let message):
            throw AWSError(code, status: 404, message)
        case .document(let writer):
            return LocalResponse(status: 200, headers: headers([("Content-Type", "application/xml")]), body: Array(writer.text.utf8))
        }
    }

    enum BucketDefault {
        /// 404 with S3's code for a configuration that was never set.
        case notConfigured(code: String, message: String)
        case document(XMLWriter)
    }

    static func defaults(_ operation: S3Operation, owner: String) -> BucketDefault? {
        func document(_ root: String, _ body: (inout XMLWriter) -> Void = { _ in }) -> BucketDefault {
            var writer = XMLWriter(declaration: true)
            writer.element(root, namespace: S3Formats.namespace, body)
            return .document(writer)
        }
        switch operation {
        case .getBucketCors:
            return .notConfigured(code: "NoSuchCORSConfiguration", message: "The CORS configuration does not exist")
        case .getBucketWebsite:
            return .notConfigured(code: "NoSuchWebsiteConfiguration", message: "The specified bucket does not have a website configuration")
        case .getBucketLifecycle, .getBucketLifecycleConfiguration:
            return .notConfigured(code: "NoSuchLifecycleConfiguration", message: "The lifecycle configuration does not exist")
        case .getBucketReplication:
            return .notConfigured(code: "ReplicationConfigurationNotFoundError", message: "The replication configuration was not found")
        case .getObjectLockConfiguration:
            return .notConfigured(code: "ObjectLockConfigurationNotFoundError", message: "Object Lock configuration does not exist for this bucket")
        case .getBucketAnalyticsConfiguration, .getBucketMetricsConfiguration, .getBucketInventoryConfiguration, .getBucketIntelligentTieringConfiguration:
            return .notConfigured(code: "NoSuchConfiguration", message: "The specified configuration does not exist.")
        case .getBucketEncryption:
            return document("ServerSideEncryptionConfiguration") { xml in
                xml.element("Rule") { rule in
                    rule.element("ApplyServerSideEncryptionByDefault") { $0.element("SSEAlgorithm", "AES256") }
                    rule.element("BucketKeyEnabled", false)
                }
            }
        case .getBucketAcl:
            return document("AccessControlPolicy") { xml in
                xml.element("Owner") { $0.element("ID", owner) }
                xml.element("AccessControlList") { list in
                    list.element("Grant") { grant in
                        grant.element(
                            "Grantee", attributes: [("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), ("xsi:type", "CanonicalUser")]
                        ) { $0.element("ID", owner) }
                        grant.element("Permission", "FULL_CONTROL")
                    }
                }
            }
        case .getBucketLogging:
            return document("BucketLoggingStatus")
        case .getBucketAccelerateConfiguration:
            return document("AccelerateConfiguration")
        case .getBucketRequestPayment:
            return document("RequestPaymentConfiguration") { $0.element("Payer", "BucketOwner") }
        case .getBucketNotification, .getBucketNotificationConfiguration:
            return document("NotificationConfiguration")
        case .listBucketAnalyticsConfigurations:
            return document("ListBucketAnalyticsConfigurationResult") { $0.element("IsTruncated", false) }
        case .listBucketMetricsConfigurations:
            return document("ListMetricsConfigurationsResult") { $0.element("IsTruncated", false) }
        case .listBucketInventoryConfigurations:
            return document("ListInventoryConfigurationsResult") { $0.element("IsTruncated", false) }
        case .listBucketIntelligentTieringConfigurations:
            return document("ListBucketIntelligentTieringConfigurationsOutput") { $0.element("IsTruncated", false) }
        default:
            return nil
        }
    }
}
