#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSupport

/// `CrlConfiguration` of a CA with CRLs enabled, as this server follows it: where the CRL is written
/// (this server's S3), what the certificates it issues say about it, and how long each CRL is valid.
public struct PrivateCACRLConfiguration: Codable, Sendable, Hashable {
    /// `S3BucketName`: a bucket of this server.
    public var bucket: String
    /// `CustomCname`: the host written into the CRL distribution points instead of the bucket's.
    public var customCname: String?
    /// `CustomPath`, or `crl`, the folder AWS writes CRLs to by default.
    public var path: String
    /// `ExpirationInDays`: the CRL's nextUpdate is this many days after its thisUpdate.
    public var expirationInDays: Int
    /// `CrlDistributionPointExtensionConfiguration.OmitExtension`.
    public var omitExtension: Bool

    /// AWS's default validity of a CRL.
    static let defaultExpirationInDays = 7

    /// `S3ObjectAcl` of the model (this server's S3 keeps no ACLs: checked, not applied).
    enum ObjectACL: String, CaseIterable {
        case publicRead = "PUBLIC_READ"
        case bucketOwnerFullControl = "BUCKET_OWNER_FULL_CONTROL"
    }

    /// `CrlType` of the model.
    enum CRLType: String, CaseIterable {
        case complete = "COMPLETE"
        case partitioned = "PARTITIONED"
    }

    /// The S3 key of the CRL of the CA whose ARN ends in `authorityID`: `crl/<CA-ID>.crl`, as AWS
    /// writes complete CRLs (or under `CustomPath`).
    func objectKey(authorityID: String) -> String { "\(path)/\(authorityID).crl" }

    /// The URI the certificates a CA issues name as their CRL distribution point: the bucket's
    /// regional virtual-hosted address, or the custom CNAME, followed by the object key.
    func distributionPoint(authorityID: String, region: String, partition: ARN.Partition) -> String {
        let suffix = partition == .awsCN ? "amazonaws.com.cn" : "amazonaws.com"
        let host = customCname ?? "\(bucket).s3.\(region).\(suffix)"
        return "http://\(host)/\(objectKey(authorityID: authorityID))"
    }

    /// Reads and checks `RevocationConfiguration`: the CRL configuration when CRLs are enabled, nil
    /// when they are not. OCSP and partitioned CRLs are refused plainly (not implemented here).
    static func read(_ revocation: inout PrivateCARequest) throws(AWSError) -> PrivateCACRLConfiguration? {
        let crlMembers = revocation.object("CrlConfiguration")
        let ocspMembers = revocation.object("OcspConfiguration")
        try revocation.validate(prefix: "revocationConfiguration.")
        if var ocsp = ocspMembers {
            let enabled = ocsp.bool("Enabled", required: true)
            _ = ocsp.string("OcspCustomCname", length: 0...253)
            try ocsp.validate(prefix: "revocationConfiguration.ocspConfiguration.")
            if enabled == true {
                throw PrivateCAErrors.invalidArgs(
                    "OCSP is not implemented by rolesanywhere-local (IAM Roles Anywhere never queries OCSP either); enable a CrlConfiguration instead."
                )
            }
        }
        guard var crl = crlMembers else { return nil }
        let enabled = crl.bool("Enabled", required: true)
        let days = crl.integer("ExpirationInDays", range: 1...5000)
        // The model's patterns keep the distribution point URI written into certificates ASCII.
        let cname = crl.string("CustomCname", length: 0...253, pattern: "[-a-zA-Z0-9;/?:@&=+$,%_.!~*()']*")
        let bucket = crl.string("S3BucketName", length: 3...255, pattern: "[-a-zA-Z0-9._/]+")
        let acl = crl.enumeration("S3ObjectAcl", ObjectACL.self)
        let distribution = crl.object("CrlDistributionPointExtensionConfiguration")
        let type = crl.enumeration("CrlType", CRLType.self)
        let path = crl.string("CustomPath", length: 0...253, pattern: "[-a-zA-Z0-9;?:@&=+$,%_.!~*()']+(/[-a-zA-Z0-9;?:@&=+$,%_.!~*()']+)*")
        try crl.validate(prefix: "revocationConfiguration.crlConfiguration.")
        var omit: Bool?
        if var distribution {
            omit = distribution.bool("OmitExtension", required: true)
            try distribution.validate(prefix: "revocationConfiguration.crlConfiguration.crlDistributionPointExtensionConfiguration.")
        }
        guard enabled == true else {
            let extra = [days != nil, cname != nil, bucket != nil, acl != nil, omit != nil, type != nil, path != nil]
            if extra.contains(true) {
                throw PrivateCAErrors.invalidArgs("A CrlConfiguration that disables CRLs must contain only Enabled=false.")
            }
            return nil
        }
        guard let bucket else {
            throw PrivateCAErrors.invalidArgs("A CrlConfiguration that enables CRLs needs the S3BucketName of the bucket the CRL is written to.")
        }
        if let cname {
            guard !cname.contains("://") else {
                throw PrivateCAErrors.invalidArgs("The CustomCname \(cname) must be a host name without a protocol prefix such as http://.")
            }
            guard !(omit ?? false) else {
                throw PrivateCAErrors.invalidArgs("A CustomCname cannot be set when CrlDistributionPointExtensionConfiguration.OmitExtension is true.")
            }
        }
        if type == .partitioned {
            throw PrivateCAErrors.invalidArgs("Partitioned CRLs are not implemented by rolesanywhere-local; use CrlType COMPLETE (the default).")
        }
        return PrivateCACRLConfiguration(
            bucket: bucket, customCname: cname.flatMap { $0.isEmpty ? nil : $0 }, path: path ?? "crl",
            expirationInDays: days ?? defaultExpirationInDays, omitExtension: omit ?? false
        )
    }
}
