import RolesAnywherePolicy
import Testing
import RolesAnywhereSupport

struct PolicyDocumentTests {
    @Test func theWalkthroughsPoliciesParse() throws {
        let permissions = try PolicyDocument(
            json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#,
            kind: .identity
        )
        #expect(permissions.statements.count == 1)
        #expect(permissions.statements[0].actions == ["s3:ListAllMyBuckets"])
        let trust = try PolicyDocument(
            json: """
                {"Version": "2012-10-17", "Statement": {"Effect": "Allow",
                 "Principal": {"Service": "rolesanywhere.amazonaws.com"},
                 "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                 "Condition": {"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "myContainer"}}}}
                """,
            kind: .trust
        )
        #expect(trust.statements[0].conditions.count == 1)
        #expect(trust.statements[0].principal?.values["Service"] == ["rolesanywhere.amazonaws.com"])
        let resource = try PolicyDocument(
            json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"acm-pca:IssueCertificate","Resource":"arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x"}]}"#,
            kind: .resource
        )
        #expect(resource.statements[0].principal?.values["AWS"] == ["arn:aws:iam::111122223333:root"])
    }

    @Test(arguments: [
        ("", PolicyDocument.Kind.identity, "must not be empty"),
        ("{not json", .identity, "Syntax errors in policy."),
        ("[]", .identity, "Syntax errors in policy."),
        (#"{"Version":"2012-10-17"}"#, .identity, "Missing required field Statement"),
        (#"{"Version":"2012-10-17","Statement":[]}"#, .identity, "Missing required field Statement"),
        (#"{"Version":"2012-10-17","Statement":{"Action":"s3:*","Resource":"*"}}"#, .identity, "Missing required field Effect"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Maybe","Action":"s3:*","Resource":"*"}}"#, .identity, "Invalid effect"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}"#, .identity, "Missing required field Action"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}}"#, .identity, "both Action and NotAction"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}"#, .identity, "must contain resources"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ListBuckets","Resource":"*"}}"#, .identity, "prefaced by a vendor"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}"#, .identity, "ARN format"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#, .identity, "should not specify a principal"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Resource":"*"}}"#, .trust, "Has prohibited field Resource"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#, .trust, "Missing required field Principal"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Robot":"x"},"Action":"sts:AssumeRole"}}"#, .trust, "Invalid principal"),
        // A resource-based policy (an AWS Private CA's): Principal and Resource both required.
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"acm-pca:GetCertificate","Resource":"*"}}"#, .resource, "Missing required field Principal"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"acm-pca:GetCertificate"}}"#, .resource, "must contain resources"),
        (#"{"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, .identity, "Version"),
        (#"{"Version":"2012-10-17","Statement":{"Sid":"no spaces","Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, .identity, "alpha-numeric"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:x":"y"}}}}"#, .identity, "Invalid Condition type"),
        (#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Extra":1}}"#, .identity, "unknown field Extra"),
    ])
    func malformedDocumentsAreRefusedWithIAMsMessages(json: String, kind: PolicyDocument.Kind, fragment: String) {
        #expect {
            try PolicyDocument(json: json, kind: kind)
        } throws: { error in
            (error as? PolicyError)?.message.contains(fragment) == true
        }
    }

    @Test func aMissingVersionMeansTheLegacyVersionWithoutVariables() throws {
        let document = try PolicyDocument(json: #"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, kind: .identity)
        #expect(document.version == "2008-10-17")
        #expect(!document.substitutesVariables)
    }

    @Test func oversizedDocumentsAreRefused() {
        let json = #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Sid":""# + String(repeating: "a", count: 140_000) + #""}}"#
        #expect(throws: PolicyError.self) { try PolicyDocument(json: json, kind: .identity) }
    }
}
