import SwiftASN1
public import X509

/// The CRL distribution points extension (RFC 5280 section 4.2.1.13), which swift-certificates does
/// not model: one distribution point whose full name is one URI, as CAs that publish a CRL over HTTP
/// write it.
public enum CRLDistributionPoints {
    static let oid: ASN1ObjectIdentifier = [2, 5, 29, 31]

    /// The non-critical extension naming `uri` as where the issuer's CRL is published.
    public static func `extension`(uri: String) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint
        try serializer.appendConstructedNode(identifier: .sequence) { points in
            // DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, ... }
            try points.appendConstructedNode(identifier: .sequence) { point in
                try point.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { name in
                    // DistributionPointName ::= CHOICE { fullName [0] GeneralNames, ... }
                    try name.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { names in
                        // GeneralName: uniformResourceIdentifier [6] IA5String
                        names.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 6, tagClass: .contextSpecific)) { bytes in
                            bytes.append(contentsOf: uri.utf8)
                        }
                    }
                }
            }
        }
        return Certificate.Extension(oid: oid, critical: false, value: serializer.serializedBytes[...])
    }
}
