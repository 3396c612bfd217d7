#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereKeys
import RolesAnywherePKI
import RolesAnywhereSigning
import RolesAnywhereSupport
import X509

/// AWS Private CA (`acm-pca`, JSON 1.1) with real certificates: CAs whose keys are generated here
/// and never leave the server (sealed at rest by ``PrivateCAKeyVault``), the
/// PENDING_CERTIFICATE -> ACTIVE lifecycle (a root CA signs its own CSR with the
/// `RootCACertificate/V1` template; a subordinate's certificate is signed by another CA, here or
/// elsewhere, and imported), and end-entity and subordinate certificates issued with AWS's
/// templates, revocation with CRLs published to this server's S3, status updates, deletion and
/// restoration, tags and resource policies. The other operations of the model (audit reports,
/// permissions) answer NotImplemented.
struct PrivateCAService: Sendable {
    let configuration: LocalConfiguration
    let store: any Store
    let vault: PrivateCAKeyVault

    func handle(_ operation: ACMPCAOperation, model: OperationModel, request: LocalRequest) async throws(AWSError) -> LocalResponse {
        var body = try PrivateCARequest(request.body)
        switch operation {
        case .createCertificateAuthority: return try await create(&body, now: request.receivedAt)
        case .describeCertificateAuthority: return try await describe(&body, now: request.receivedAt)
        case .listCertificateAuthorities: return try await list(&body, now: request.receivedAt)
        case .getCertificateAuthorityCsr: return try await csr(&body, now: request.receivedAt)
        case .getCertificateAuthorityCertificate: return try await authorityCertificate(&body, now: request.receivedAt)
        case .importCertificateAuthorityCertificate: return try await importCertificate(&body, now: request.receivedAt)
        case .issueCertificate: return try await issue(&body, now: request.receivedAt)
        case .getCertificate: return try await certificate(&body, now: request.receivedAt)
        case .revokeCertificate: return try await revoke(&body, now: request.receivedAt)
        case .updateCertificateAuthority: return try await update(&body, now: request.receivedAt)
        case .deleteCertificateAuthority: return try await delete(&body, now: request.receivedAt)
        case .restoreCertificateAuthority: return try await restore(&body, now: request.receivedAt)
        case .tagCertificateAuthority: return try await tag(&body, now: request.receivedAt)
        case .untagCertificateAuthority: return try await untag(&body, now: request.receivedAt)
        case .listTags: return try await listTags(&body, now: request.receivedAt)
        case .putPolicy: return try await putPolicy(&body, now: request.receivedAt)
        case .getPolicy: return try await getPolicy(&body, now: request.receivedAt)
        case .deletePolicy: return try await deletePolicy(&body, now: request.receivedAt)
        default: throw AWSService.acmPCA.notImplemented(model)
        }
    }

    // MARK: - CreateCertificateAuthority

    func create(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let kind = body.enumeration("CertificateAuthorityType", PrivateCARecord.Kind.self, required: true)
        let usageMode = body.enumeration("UsageMode", PrivateCARecord.UsageMode.self) ?? .generalPurpose
        let token = body.string("IdempotencyToken", length: 1...36)
        let standard = body.string("KeyStorageSecurityStandard") ?? "FIPS_140_2_LEVEL_3_OR_HIGHER"
        let configurationMembers = body.object("CertificateAuthorityConfiguration", required: true)
        let revocation = body.raw("RevocationConfiguration")
        let revocationMembers = body.object("RevocationConfiguration")
        let tags = try Self.readTags(&body, required: false)
        try body.validate()
        guard let kind, var configurationBody = configurationMembers else { throw PrivateCAErrors.internalValidation }
        let keyAlgorithm = configurationBody.enumeration("KeyAlgorithm", PrivateCAKeyAlgorithm.self, required: true)
        let signingAlgorithm = configurationBody.enumeration("SigningAlgorithm", PrivateCASigningAlgorithm.self, required: true)
        let subjectMembers = configurationBody.object("Subject", required: true)
        if configurationBody.has("CsrExtensions") {
            throw PrivateCAErrors.invalidArgs("CsrExtensions are not supported by rolesanywhere-local yet; create the CA without them.")
        }
        try configurationBody.validate(prefix: "certificateAuthorityConfiguration.")
        guard let keyAlgorithm, let signingAlgorithm, var subjectBody = subjectMembers else { throw PrivateCAErrors.internalValidation }
        let subject = try PrivateCASubject.read(&subjectBody)
        guard signingAlgorithm.canSign(with: keyAlgorithm) else {
            throw PrivateCAErrors.invalidArgs(
                "The signing algorithm \(signingAlgorithm.rawValue) does not match the key algorithm \(keyAlgorithm.rawValue)"
                    + " (\(keyAlgorithm.rawValue) keys sign with \(PrivateCASigningAlgorithm.names(for: keyAlgorithm)))."
            )
        }
        var crl: PrivateCACRLConfiguration?
        if var revocationMembers {
            crl = try PrivateCACRLConfiguration.read(&revocationMembers)
            if let crl { try await checkBucket(crl) }
        }
        // The same token within five minutes is the same request.
        if let token {
            let earlier = try await Self.storeCall { try await store.certificateAuthorities() }
            if let same = earlier.first(where: { $0.idempotencyToken == token && now.timeIntervalSince($0.createdAt) < 300 }) {
                return try PrivateCAJSON.response(["CertificateAuthorityArn": same.arn])
            }
        }

        let distinguishedName = try subject.distinguishedName()
        let key: SigningKey
        let keyDER: [UInt8]
        let csr: SigningRequest
        do {
            key = try keyAlgorithm.pkiAlgorithm.generate()
            keyDER = try PrivateKeyPEM.pkcs8(key)
            csr = try SigningRequests.make(subject: distinguishedName, key: key, subjectAlternativeNames: nil, digest: signingAlgorithm.digest)
        } catch {
            throw AWSError.internalFailure("the CA key or its CSR could not be made: \(error.message)")
        }
        let arn = "arn:\(configuration.partition.rawValue):acm-pca:\(configuration.region):\(configuration.accountID):certificate-authority/\(UUID().uuidString.lowercased())"
        let record = PrivateCARecord(
            arn: arn, kind: kind, status: .pendingCertificate, usageMode: usageMode, keyAlgorithm: keyAlgorithm, signingAlgorithm: signingAlgorithm,
            subject: subject.members, keyStorageSecurityStandard: standard, revocationConfiguration: revocation.map(PrivateCAJSON.text),
            createdAt: now, lastStateChangeAt: now, sealedKey: try vault.seal(keyDER, for: arn), csrPEM: csr.pemString,
            certificatePEM: nil, certificateChainPEM: nil, serial: nil, notBefore: nil, notAfter: nil, idempotencyToken: token,
            tags: tags.isEmpty ? nil : try Self.merged(tags, into: []), crl: crl
        )
        try await Self.storeCall { try await store.saveCertificateAuthority(record) }
        return try PrivateCAJSON.response(["CertificateAuthorityArn": arn])
    }

    // MARK: - Describe, List, CSR, CA certificate

    func describe(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let authority = try await authority(&body, now: now)
        return try PrivateCAJSON.response(PrivateCAJSON.Described(CertificateAuthority: PrivateCAJSON.Authority(authority, account: configuration.accountID)))
    }

    func list(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let maximum = body.integer("MaxResults", range: 1...1000) ?? 1000
        let token = body.string("NextToken", length: 1...43739)
        let owner = body.string("ResourceOwner")
        try body.validate()
        if let owner, owner != "SELF", owner != "OTHER_ACCOUNTS" {
            throw PrivateCAErrors.validation("Value '\(owner)' at 'resourceOwner' failed to satisfy constraint: Member must satisfy enum value set: [SELF, OTHER_ACCOUNTS]")
        }
        // No CA is shared from another account here.
        let all = owner == "OTHER_ACCOUNTS" ? [] : try await Self.storeCall { try await store.certificateAuthorities() }.filter { !$0.isGone(at: now) }
        var start = 0
        if let token {
            guard let offset = PrivateCAJSON.offset(fromToken: token), offset <= all.count else {
                throw PrivateCAErrors.error("InvalidNextTokenException", "The token specified in the NextToken argument is not valid. Use the token returned from your previous call to ListCertificateAuthorities.")
            }
            start = offset
        }
        let page = Array(all[start..<min(all.count, start + maximum)])
        let next = start + page.count < all.count ? PrivateCAJSON.token(forOffset: start + page.count) : nil
        return try PrivateCAJSON.response(
            PrivateCAJSON.Listed(CertificateAuthorities: page.map { PrivateCAJSON.Authority($0, account: configuration.accountID) }, NextToken: next)
        )
    }

    func csr(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let authority = try await authority(&body, now: now)
        guard authority.status != .deleted else { throw PrivateCAErrors.invalidState(authority, "get its CSR") }
        return try PrivateCAJSON.response(["Csr": authority.csrPEM])
    }

    func authorityCertificate(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let authority = try await authority(&body, now: now)
        guard let certificate = authority.certificatePEM, authority.status != .deleted else {
            throw PrivateCAErrors.invalidState(authority, "get its certificate: it has none installed yet (import one with ImportCertificateAuthorityCertificate)")
        }
        var answer = ["Certificate": certificate]
        if let chain = authority.certificateChainPEM { answer["CertificateChain"] = chain }
        return try PrivateCAJSON.response(answer)
    }

    // MARK: - ImportCertificateAuthorityCertificate

    func importCertificate(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        var authority = try await authority(&body, validateNow: false, now: now)
        let certificateBytes = body.blob("Certificate", required: true, maximum: 32 * 1024)
        let chainBytes = body.blob("CertificateChain", maximum: 2 * 1024 * 1024)
        try body.validate()
        guard let certificateBytes else { throw PrivateCAErrors.internalValidation }
        guard authority.status == .pendingCertificate || authority.status == .active || authority.status == .expired else {
            throw PrivateCAErrors.invalidState(authority, "import a certificate")
        }
        let certificate = try PrivateCACertificates.single(certificateBytes, what: "certificate")
        let chain = try chainBytes.map { bytes throws(AWSError) in try PrivateCACertificates.all(bytes, what: "certificate chain") } ?? []
        let key = try signingKey(of: authority)
        guard certificate.fields.publicKey == key.publicKey else {
            throw PrivateCAErrors.error("CertificateMismatchException", "The certificate's public key does not match the private key of \(authority.arn) (sign the CA's own CSR from GetCertificateAuthorityCsr).")
        }
        try PrivateCACertificates.checkCAExtensions(certificate)
        let selfSigned = PrivateCACertificates.isSelfSigned(certificate)
        switch authority.kind {
        case .root:
            guard selfSigned else {
                throw PrivateCAErrors.error("InvalidRequestException", "Only a self-signed certificate can be imported as the certificate of a ROOT CA.")
            }
            guard chain.isEmpty else {
                throw PrivateCAErrors.error("InvalidRequestException", "A ROOT CA's certificate is self-signed: import it without a CertificateChain.")
            }
        case .subordinate:
            guard !selfSigned else {
                throw PrivateCAErrors.error("InvalidRequestException", "A self-signed certificate cannot be imported as the certificate of a SUBORDINATE CA.")
            }
            try PrivateCACertificates.checkChain(certificate, chain: chain)
        }
        guard certificate.fields.notValidAfter > now else {
            throw PrivateCAErrors.error("InvalidRequestException", "The certificate expired at \(AmzDate(certificate.fields.notValidAfter).iso8601).")
        }
        authority.certificatePEM = certificate.pemString
        authority.certificateChainPEM = chain.isEmpty ? nil : chain.map(\.pemString).joined()
        authority.serial = PrivateCACertificates.serialText(certificate)
        authority.notBefore = certificate.fields.notValidBefore
        authority.notAfter = certificate.fields.notValidAfter
        if authority.status != .active {
            authority.status = .active
            authority.lastStateChangeAt = now
        }
        // With its certificate the CA can sign its first CRL.
        if authority.crl != nil { authority = try await publishCRL(authority, now: now) }
        let updated = authority
        try await Self.storeCall { try await store.saveCertificateAuthority(updated) }
        return try PrivateCAJSON.response([String: String]())
    }

    // MARK: - IssueCertificate, GetCertificate

    func issue(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let csrBytes = body.blob("Csr", required: true, maximum: 32 * 1024)
        let signingAlgorithm = body.enumeration("SigningAlgorithm", PrivateCASigningAlgorithm.self, required: true)
        let templateArn = body.string("TemplateArn", length: 5...200)
        let validityBody = body.object("Validity", required: true)
        let notBeforeBody = body.object("ValidityNotBefore")
        let token = body.string("IdempotencyToken", length: 1...36)
        let passthroughBody = body.object("ApiPassthrough")
        try body.validate()
        guard let csrBytes, let signingAlgorithm, var validityBody else { throw PrivateCAErrors.internalValidation }
        let template = try PrivateCATemplate(arn: templateArn ?? PrivateCATemplate.endEntity.arn(configuration.partition))
        // AWS reads ApiPassthrough only for the APIPassthrough templates and ignores it otherwise.
        var passthrough: PrivateCAPassthrough?
        if template.takesAPIPassthrough, var given = passthroughBody {
            passthrough = try PrivateCAPassthrough.read(&given)
        }
        // The request is read whole before the CA is looked up, as AWS validates before it looks.
        let authority = try await authority(&body, now: now)
        let requested = try PrivateCAValidity.read(&validityBody, member: "validity")
        var notBeforeRequest: PrivateCAValidity?
        if var notBeforeBody {
            notBeforeRequest = try PrivateCAValidity.read(&notBeforeBody, member: "validityNotBefore")
        }

        // The CA must be able to issue this now: ACTIVE, or PENDING_CERTIFICATE for a root CA signing its own certificate.
        switch (authority.status, template) {
        case (.active, .rootCA):
            throw PrivateCAErrors.invalidArgs("The RootCACertificate/V1 template issues a root CA's own certificate; \(authority.arn) already has one.")
        case (.active, _):
            break
        case (.pendingCertificate, .rootCA) where authority.kind == .root:
            break
        case (.pendingCertificate, _):
            throw PrivateCAErrors.invalidState(
                authority, "issue certificates: it has no CA certificate yet" + (authority.kind == .root ? " (issue its own with the RootCACertificate/V1 template and import it)" : "")
            )
        default:
            throw PrivateCAErrors.invalidState(authority, "issue certificates")
        }
        guard signingAlgorithm.canSign(with: authority.keyAlgorithm) else {
            throw PrivateCAErrors.invalidArgs(
                "The signing algorithm \(signingAlgorithm.rawValue) cannot be used with the \(authority.keyAlgorithm.rawValue) key of \(authority.arn); use one of "
                    + PrivateCASigningAlgorithm.names(for: authority.keyAlgorithm) + "."
            )
        }
        if let token {
            // Within five minutes the same token is the same certificate.
            if let earlier = try await Self.storeCall({ try await store.issuedCertificates(authorityArn: authority.arn) })
                .first(where: { $0.idempotencyToken == token && now.timeIntervalSince($0.issuedAt) < 300 })
            {
                return try PrivateCAJSON.response(["CertificateArn": earlier.arn])
            }
        }

        let request: SigningRequest
        do {
            request = try SigningRequests.read(csrBytes, source: "the CSR")
        } catch {
            throw PrivateCAErrors.error("MalformedCSRException", "The certificate signing request is invalid: \(error.message)")
        }
        if case .rootCA = template {
            guard request.publicKey == (try signingKey(of: authority)).publicKey else {
                throw PrivateCAErrors.invalidArgs("The RootCACertificate/V1 template signs the CA's own CSR (from GetCertificateAuthorityCsr); this CSR is for another key.")
            }
        }
        // The API's subject wins over the CSR's (APIPassthrough templates only).
        let subject = passthrough?.subject ?? request.subject
        guard !subject.isEmpty || !(request.subjectAlternativeNames?.isEmpty ?? true) || !(passthrough?.subjectAlternativeNames?.isEmpty ?? true) else {
            throw PrivateCAErrors.error("MalformedCSRException", "A CSR must provide either a subject name or a subject alternative name.")
        }

        let notAfter = requested.notAfter(from: now)
        let notBefore = notBeforeRequest.map { $0.notAfter(from: now) } ?? now.addingTimeInterval(-3600)
        guard notAfter > now else { throw PrivateCAErrors.validation("The validity period must end after the time of issuance.") }
        guard notBefore < notAfter else { throw PrivateCAErrors.validation("ValidityNotBefore must be earlier than the end of the validity period.") }
        // The cap is on what the CA issues, not on a root CA's own certificate.
        if authority.usageMode == .shortLivedCertificate, template != .rootCA, notAfter.timeIntervalSince(notBefore) > 7 * 86400 + 1 {
            throw PrivateCAErrors.validation(
                "\(authority.arn) is a SHORT_LIVED_CERTIFICATE CA: the certificates it issues are valid for at most 7 days (this one \(PrivateCAValidity.describe(notAfter.timeIntervalSince(notBefore))))."
            )
        }
        if case .rootCA = template {
        } else if let caNotAfter = authority.notAfter, notAfter > caNotAfter {
            throw PrivateCAErrors.validation("The certificate would expire after its CA (\(AmzDate(caNotAfter).iso8601)); ask for a shorter validity.")
        }

        let serial = Certificate.SerialNumber.random128()
        let key = try signingKey(of: authority)
        let issued: EncodedCertificate
        do {
            let caCertificate = try authority.certificatePEM.map { pem throws(AWSError) in try PrivateCACertificates.single(Array(pem.utf8), what: "CA certificate") }
            if case .subordinateCA(let pathLength) = template, let caCertificate,
                case .isCertificateAuthority(let maximum?) = try? caCertificate.fields.extensions.basicConstraints, pathLength >= maximum
            {
                throw PrivateCAErrors.invalidArgs("The CA's certificate allows a path length of \(maximum) below it: it cannot issue a subordinate CA with path length \(pathLength).")
            }
            let issuerKeyIdentifier = caCertificate.flatMap { try? $0.fields.extensions.subjectKeyIdentifier?.keyIdentifier } ?? SignedObject.keyIdentifier(key.publicKey)
            var extensions = try template.extensions(
                subjectKey: request.publicKey, issuerKeyIdentifier: issuerKeyIdentifier, subjectAlternativeNames: request.subjectAlternativeNames,
                passthrough: passthrough
            )
            // AWS's templates carry the CRL distribution point while the CA publishes CRLs (a root CA's own certificate does not).
            // The CA's configuration wins over a distribution point passed through the API.
            if template != .rootCA, let distributionPoint = try distributionPointExtension(authority) {
                _ = extensions.update(distributionPoint)
            }
            issued = try CertificateAuthority.sign(
                serialNumber: serial, publicKey: request.publicKey, validity: ValidityPeriod(notBefore: notBefore, notAfter: notAfter),
                issuer: caCertificate?.fields.subject ?? subject, subject: subject,
                extensions: extensions, signer: key, digest: signingAlgorithm.digest
            )
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.internalFailure("the certificate could not be signed: \(error)")
        }
        let serialHex = serial.hexString.lowercased()
        let record = PrivateCAIssuedCertificate(
            arn: "\(authority.arn)/certificate/\(serialHex)", authorityArn: authority.arn, serialHex: serialHex, certificatePEM: issued.pemString,
            issuedAt: now, notAfter: notAfter, idempotencyToken: token
        )
        try await Self.storeCall { try await store.saveIssuedCertificate(record) }
        return try PrivateCAJSON.response(["CertificateArn": record.arn])
    }

    func certificate(_ body: inout PrivateCARequest, now: Date) async throws(AWSError) -> LocalResponse {
        let authority = try await authority(&body, validateNow: false, now: now)
        let arn = body.string("CertificateArn", required: true, length: 5...200)
        try body.validate()
        guard let arn else { throw PrivateCAErrors.internalValidation }
        guard let issued = try await Self.storeCall({ try await store.issuedCertificate(arn: arn) }), issued.authorityArn == authority.arn else {
            throw PrivateCAErrors.error("ResourceNotFoundException", "Could not find certificate \(arn) issued by \(authority.arn).")
        }
        // AWS issues asynchronously: for a moment GetCertificate says the request is in progress,
        // and `aws acm-pca wait certificate-issued` retries until it is not.
        guard now >= issued.issuedAt.addingTimeInterval(configuration.privateCAIssuanceDelay.seconds) else {
            throw PrivateCAErrors.error(
                "RequestInProgressException", "The certificate \(arn) is still being issued; try again shortly (aws acm-pca wait certificate-issued)."
            )
        }
        var answer = ["Certificate": issued.certificatePEM]
        // The chain up to the root: the CA's certificate and its own chain (none for a root CA's self-issued certificate).
        if let caCertificate = authority.certificatePEM, caCertificate != issued.certificatePEM {
            answer["CertificateChain"] = caCertificate + (authority.certificateChainPEM ?? "")
        }
        return try PrivateCAJSON.response(answer)
    }

    // MARK: - Helpers

    /// The CA the `member` ARN names; ResourceNotFoundException when there is none (or it was deleted
    /// and its restoration period is over).
    func authority(
        _ body: inout PrivateCARequest, member: String = "CertificateAuthorityArn", validateNow: Bool = true, now: Date
    ) async throws(AWSError) -> PrivateCARecord {
        let arn = body.string(member, required: true, length: 5...200)
        if validateNow { try body.validate() }
        guard let arn else {
            try body.validate()
            throw PrivateCAErrors.internalValidation
        }
        guard ARN(arn).map({ $0.service == "acm-pca" && $0.resource.hasPrefix("certificate-authority/") }) == true else {
            throw PrivateCAErrors.error("InvalidArnException", "The ARN \(arn) is not a valid certificate authority ARN (arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID).")
        }
        guard let authority = try await Self.storeCall({ try await store.certificateAuthority(arn: arn) }), !authority.isGone(at: now) else {
            throw PrivateCAErrors.error("ResourceNotFoundException", "Could not find certificate authority \(arn).")
        }
        return authority
    }

    /// The CA's private key, opened from the vault (in memory for this call only).
    func signingKey(of authority: PrivateCARecord) throws(AWSError) -> SigningKey {
        let der = try vault.open(authority.sealedKey, for: authority.arn)
        do {
            return try PrivateKeyParser.privateKey(pkcs8: der)
        } catch {
            throw AWSError.internalFailure("the private key of \(authority.arn) does not read back: \(error.message)")
        }
    }

    static func storeCall<T>(_ body: () async throws -> T) async throws(AWSError) -> T {
        do {
            return try await body()
        } catch {
            throw AWSError.internalFailure("the Private CA store failed: \(error)")
        }
    }
}
