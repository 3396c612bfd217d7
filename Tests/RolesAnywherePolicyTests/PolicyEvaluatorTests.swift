import RolesAnywherePolicy
import Testing

/// Evaluation cases taken from the IAM User Guide's examples.
struct PolicyEvaluatorTests {
    static let role = "arn:aws:sts::123456789012:assumed-role/bucket-lister/session"

    static func identity(_ statements: String) throws -> PolicyEvaluator.Policy {
        PolicyEvaluator.Policy(try PolicyDocument(json: #"{"Version":"2012-10-17","Statement":\#(statements)}"#, kind: .identity), name: "test")
    }

    static func decide(_ statements: String, action: String, resource: String = "*", keys: [String: [String]] = [:], session: String? = nil) throws -> PolicyEvaluator.Decision {
        let context = RequestContext(action: action, resource: resource, principalARN: role, keys: keys)
        return PolicyEvaluator.evaluate(
            identity: [try identity(statements)],
            session: try session.map { [PolicyEvaluator.Policy(try PolicyDocument(json: #"{"Version":"2012-10-17","Statement":\#($0)}"#, kind: .identity), name: "session policy")] },
            context: context
        )
    }

    static func allows(_ statements: String, _ action: String, _ resource: String = "*", keys: [String: [String]] = [:], session: String? = nil) throws -> Bool {
        try decide(statements, action: action, resource: resource, keys: keys, session: session).isAllowed
    }

    @Test func actionsMatchCaseInsensitivelyWithWildcards() throws {
        let statement = #"{"Effect":"Allow","Action":["iam:*AccessKey*","s3:Get*"],"Resource":"*"}"#
        #expect(try Self.allows(statement, "IAM:listaccesskeys"))
        #expect(try Self.allows(statement, "iam:CreateAccessKey"))
        #expect(try Self.allows(statement, "s3:GetObject"))
        #expect(!(try Self.allows(statement, "s3:PutObject")))
        #expect(try Self.allows(#"{"Effect":"Allow","Action":"*","Resource":"*"}"#, "sts:AssumeRole"))
        #expect(try Self.allows(#"{"Effect":"Allow","Action":"s3:?etObject","Resource":"*"}"#, "s3:GetObject"))
    }

    @Test func notActionAllowsEverythingElse() throws {
        let statement = #"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#
        #expect(try Self.allows(statement, "s3:ListBucket", "arn:aws:s3:::b"))
        #expect(!(try Self.allows(statement, "iam:CreateRole")))
    }

    @Test func resourcesMatchARNAware() throws {
        let statement = #"{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::bucket/*","arn:aws:iam::123456789012:role/*"]}"#
        #expect(try Self.allows(statement, "s3:GetObject", "arn:aws:s3:::bucket/a/b/c.txt"))
        #expect(!(try Self.allows(statement, "s3:ListBucket", "arn:aws:s3:::bucket")))
        #expect(try Self.allows(statement, "s3:GetObject", "arn:aws:iam::123456789012:role/path/x"))
        #expect(!(try Self.allows(statement, "s3:GetObject", "arn:aws:iam::210987654321:role/x")))
        // A wildcard in one ARN part does not cross into the next.
        #expect(try Self.allows(#"{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:*:*:123456789012:*"}"#, "iam:GetRole", "arn:aws:iam::123456789012:role/x"))
        #expect(!(try Self.allows(#"{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam:*"}"#, "iam:GetRole", "arn:aws:iam::123456789012:role/x")))
        // Resources are case-sensitive.
        #expect(!(try Self.allows(statement, "s3:GetObject", "arn:aws:s3:::Bucket/a")))
    }

    @Test func listAllMyBucketsMatchesStarAndTheS3Wildcard() throws {
        for resource in ["*", "arn:aws:s3:::*"] {
            #expect(try Self.allows(#"{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"\#(resource)"}"#, "s3:ListAllMyBuckets", "arn:aws:s3:::*"))
        }
        #expect(!(try Self.allows(#"{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::b"}"#, "s3:ListAllMyBuckets", "arn:aws:s3:::*")))
    }

    @Test func notResourceExcludes() throws {
        let statement = #"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}"#
        #expect(try Self.allows(statement, "s3:GetObject", "arn:aws:s3:::public/x"))
        #expect(!(try Self.allows(statement, "s3:GetObject", "arn:aws:s3:::secret/x")))
    }

    @Test func anExplicitDenyWins() throws {
        let statements = #"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]"#
        #expect(try Self.allows(statements, "s3:CreateBucket", "arn:aws:s3:::b"))
        let decision = try Self.decide(statements, action: "s3:DeleteBucket", resource: "arn:aws:s3:::b")
        #expect(decision == .explicitDeny(policy: "test", sid: "NoDelete"))
    }

    @Test func sessionPoliciesIntersectWithTheRolesPolicies() throws {
        let role = #"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#
        let session = #"{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}"#
        #expect(try Self.allows(role, "s3:ListAllMyBuckets", session: session))
        #expect(try Self.decide(role, action: "s3:CreateBucket", resource: "arn:aws:s3:::b", session: session) == .implicitDeny(missing: .session))
        // A session policy never grants more than the role has.
        #expect(try Self.decide(#"{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}"#, action: "s3:CreateBucket", session: role) == .implicitDeny(missing: .identityBased))
    }

    @Test func theWalkthroughsConditionOnTheCertificateCN() throws {
        let statement = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/CN":"myContainer"}}}"#
        #expect(try Self.allows(statement, "s3:ListAllMyBuckets", keys: ["aws:PrincipalTag/x509Subject/CN": ["myContainer"]]))
        // Key names are case-insensitive, values are not.
        #expect(try Self.allows(statement, "s3:ListAllMyBuckets", keys: ["AWS:principaltag/X509SUBJECT/cn": ["myContainer"]]))
        #expect(!(try Self.allows(statement, "s3:ListAllMyBuckets", keys: ["aws:PrincipalTag/x509Subject/CN": ["mycontainer"]])))
        #expect(!(try Self.allows(statement, "s3:ListAllMyBuckets", keys: ["aws:PrincipalTag/x509Subject/CN": ["otherContainer"]])))
        // A missing key makes a positive operator false and a negated one true.
        #expect(!(try Self.allows(statement, "s3:ListAllMyBuckets")))
        #expect(try Self.allows(#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/x509Issuer/CN":"Root"}}}"#, "s3:ListAllMyBuckets"))
    }

    @Test func valuesAreOredKeysAndOperatorsAnded() throws {
        let statement = """
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
              "StringLike":{"aws:PrincipalTag/team":["dev*","ops-?"], "aws:PrincipalTag/site":"eu-*"},
              "Bool":{"aws:SecureTransport":"true"}}}
            """
        let good = ["aws:PrincipalTag/team": ["devops"], "aws:PrincipalTag/site": ["eu-west"], "aws:SecureTransport": ["true"]]
        #expect(try Self.allows(statement, "s3:GetObject", keys: good))
        #expect(try Self.allows(statement, "s3:GetObject", keys: good.merging(["aws:PrincipalTag/team": ["ops-1"]]) { $1 }))
        #expect(!(try Self.allows(statement, "s3:GetObject", keys: good.merging(["aws:PrincipalTag/team": ["ops-12"]]) { $1 })))
        #expect(!(try Self.allows(statement, "s3:GetObject", keys: good.merging(["aws:PrincipalTag/site": ["us-east"]]) { $1 })))
        #expect(!(try Self.allows(statement, "s3:GetObject", keys: good.merging(["aws:SecureTransport": ["false"]]) { $1 })))
    }

    @Test func ifExistsAndNull() throws {
        let ifExists = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:PrincipalTag/team":"dev"}}}"#
        #expect(try Self.allows(ifExists, "s3:GetObject"))
        #expect(try Self.allows(ifExists, "s3:GetObject", keys: ["aws:PrincipalTag/team": ["dev"]]))
        #expect(!(try Self.allows(ifExists, "s3:GetObject", keys: ["aws:PrincipalTag/team": ["ops"]])))
        let null = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"false"}}}"#
        #expect(try Self.allows(null, "s3:GetObject", keys: ["aws:TokenIssueTime": ["2026-11-29T00:00:00Z"]]))
        #expect(!(try Self.allows(null, "s3:GetObject")))
    }

    @Test func numbersDatesAndAddresses() throws {
        let numeric = #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}}"#
        #expect(try Self.allows(numeric, "s3:ListBucket", keys: ["s3:max-keys": ["10"]]))
        #expect(!(try Self.allows(numeric, "s3:ListBucket", keys: ["s3:max-keys": ["11"]])))
        #expect(!(try Self.allows(numeric, "s3:ListBucket", keys: ["s3:max-keys": ["many"]])))
        let date = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2027-01-01"}}}"#
        #expect(try Self.allows(date, "s3:GetObject", keys: ["aws:CurrentTime": ["2026-11-29T10:00:00Z"]]))
        #expect(!(try Self.allows(date, "s3:GetObject", keys: ["aws:CurrentTime": ["2027-02-01T00:00:00Z"]])))
        #expect(try Self.allows(date, "s3:GetObject", keys: ["aws:CurrentTime": ["1795000000"]]))
        let address = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}}"#
        #expect(try Self.allows(address, "s3:GetObject", keys: ["aws:SourceIp": ["192.0.2.77"]]))
        #expect(try Self.allows(address, "s3:GetObject", keys: ["aws:SourceIp": ["2001:db8:1::5"]]))
        #expect(!(try Self.allows(address, "s3:GetObject", keys: ["aws:SourceIp": ["203.0.113.1"]])))
        let notAddress = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#
        #expect(try Self.allows(notAddress, "s3:GetObject", keys: ["aws:SourceIp": ["127.0.0.1"]]))
        #expect(!(try Self.allows(notAddress, "s3:GetObject", keys: ["aws:SourceIp": ["10.1.2.3"]])))
    }

    /// Found in the arithmetic audit: a `YYYY-MM-DD` date with a year near Int.max overflowed the day
    /// count (kept as FuzzTesting/Regressions/FuzzPolicy/date-condition-year-int-max.json).
    @Test("dates and numbers at the edges of Int64 and CIDR prefixes out of range are not matches, never traps")
    func extremeConditionValues() throws {
        for value in ["9223372036854775807-01-01", "-9223372036854775808-01-01", "9223372036854775807", "99999-12-31", "-0001-01-01"] {
            let policy = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"\#(value)"}}}"#
            _ = try Self.allows(policy, "s3:GetObject", keys: ["aws:CurrentTime": ["2026-11-29T10:00:00Z"]])
            let asKey = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01"}}}"#
            _ = try Self.allows(asKey, "s3:GetObject", keys: ["aws:CurrentTime": [value]])
        }
        #expect(!(try Self.allows(#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"99999-12-31"}}}"#, "s3:GetObject", keys: ["aws:CurrentTime": ["2026-11-29T10:00:00Z"]])))
        for prefix in ["10.0.0.0/99999999999999999999", "10.0.0.0/-1", "10.0.0.0/33", "2001:db8::/129", "2001:db8::/9223372036854775807"] {
            let policy = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"\#(prefix)"}}}"#
            #expect(!(try Self.allows(policy, "s3:GetObject", keys: ["aws:SourceIp": ["10.1.2.3"]])), "\(prefix)")
        }
        for number in ["1e308", "-1e308", "9223372036854775808", "nan", "inf"] {
            let policy = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"\#(number)"}}}"#
            _ = try Self.allows(policy, "s3:ListBucket", keys: ["s3:max-keys": [number]])
        }
    }

    @Test func setOperatorsOnMultivaluedKeys() throws {
        // IAM User Guide, "Set operators for multivalued context keys".
        let all = #"{"Effect":"Allow","Action":"sts:TagSession","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}}"#
        #expect(try Self.allows(all, "sts:TagSession", keys: ["aws:TagKeys": ["environment"]]))
        #expect(try Self.allows(all, "sts:TagSession", keys: ["aws:TagKeys": ["environment", "cost-center"]]))
        #expect(!(try Self.allows(all, "sts:TagSession", keys: ["aws:TagKeys": ["environment", "owner"]])))
        #expect(try Self.allows(all, "sts:TagSession"))
        let any = #"{"Effect":"Allow","Action":"sts:TagSession","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}}"#
        #expect(try Self.allows(any, "sts:TagSession", keys: ["aws:TagKeys": ["owner", "environment"]]))
        #expect(!(try Self.allows(any, "sts:TagSession", keys: ["aws:TagKeys": ["owner"]])))
        #expect(!(try Self.allows(any, "sts:TagSession")))
    }

    @Test func policyVariablesInResourcesAndConditions() throws {
        let home = #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:PrincipalTag/x509Subject/CN}/*"}"#
        let alice = ["aws:PrincipalTag/x509Subject/CN": ["alice"]]
        #expect(try Self.allows(home, "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", keys: alice))
        #expect(!(try Self.allows(home, "s3:GetObject", "arn:aws:s3:::home/bob/notes.txt", keys: alice)))
        // An unresolved variable matches nothing.
        #expect(!(try Self.allows(home, "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt")))
        // A value with wildcard characters stays literal.
        #expect(!(try Self.allows(home, "s3:GetObject", "arn:aws:s3:::home/x/notes.txt", keys: ["aws:PrincipalTag/x509Subject/CN": ["*"]])))
        // ${*} is a literal asterisk; a default applies when the key is missing.
        let literal = #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${*}"}"#
        #expect(try Self.allows(literal, "s3:GetObject", "arn:aws:s3:::b/*"))
        #expect(!(try Self.allows(literal, "s3:GetObject", "arn:aws:s3:::b/x")))
        let fallback = #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username, 'anonymous'}"}"#
        #expect(try Self.allows(fallback, "s3:GetObject", "arn:aws:s3:::b/anonymous"))
        let condition = #"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/owner":"${aws:PrincipalTag/x509Subject/CN}"}}}"#
        #expect(try Self.allows(condition, "s3:GetObject", keys: ["aws:PrincipalTag/owner": ["alice"], "aws:PrincipalTag/x509Subject/CN": ["alice"]]))
        // Version 2008-10-17 does not substitute.
        let legacy = PolicyEvaluator.Policy(
            try PolicyDocument(json: #"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}}"#, kind: .identity), name: "legacy"
        )
        let context = RequestContext(action: "s3:GetObject", resource: "arn:aws:s3:::b/${aws:username}", principalARN: Self.role, keys: ["aws:username": ["x"]])
        #expect(PolicyEvaluator.evaluate(identity: [legacy], session: nil, context: context).isAllowed)
    }

    @Test func arnConditionsMatchPartByPart() throws {
        let statement = #"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:rolesanywhere:*:123456789012:trust-anchor/*"}}}"#
        #expect(try Self.allows(statement, "sts:AssumeRole", keys: ["aws:SourceArn": ["arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/abc"]]))
        #expect(!(try Self.allows(statement, "sts:AssumeRole", keys: ["aws:SourceArn": ["arn:aws:rolesanywhere:us-east-1:999999999999:trust-anchor/abc"]])))
        #expect(!(try Self.allows(statement, "sts:AssumeRole", keys: ["aws:SourceArn": ["not-an-arn"]])))
    }

    @Test func trustPoliciesNameTheirPrincipal() throws {
        let trust = PolicyEvaluator.Policy(
            try PolicyDocument(
                json: """
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},
                     "Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],
                     "Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/CN":"myContainer"},"ArnEquals":{"aws:SourceArn":"arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/ta"}}}]}
                    """,
                kind: .trust
            ),
            name: "trust policy"
        )
        func decide(_ action: String, _ principal: RequestPrincipal, cn: String = "myContainer", anchor: String = "ta") -> Bool {
            let context = RequestContext(
                action: action, resource: "arn:aws:iam::123456789012:role/bucket-lister", principal: principal,
                principalARN: "rolesanywhere.amazonaws.com",
                keys: [
                    "aws:PrincipalTag/x509Subject/CN": [cn],
                    "aws:SourceArn": ["arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/\(anchor)"],
                ]
            )
            return PolicyEvaluator.evaluate(resourcePolicy: trust, context: context).isAllowed
        }
        let service = RequestPrincipal.service("rolesanywhere.amazonaws.com")
        #expect(decide("sts:AssumeRole", service))
        #expect(decide("sts:TagSession", service))
        #expect(decide("sts:SetSourceIdentity", service))
        #expect(!decide("sts:AssumeRole", service, cn: "otherContainer"))
        #expect(!decide("sts:AssumeRole", service, anchor: "other"))
        #expect(!decide("sts:AssumeRole", .service("ec2.amazonaws.com")))
        #expect(!decide("sts:AssumeRole", .aws(arn: "arn:aws:iam::123456789012:root", account: "123456789012")))
    }

    /// A permissions boundary allows nothing by itself: an action needs the identity policies and
    /// the boundary, and a deny in the boundary wins.
    @Test func permissionsBoundaries() throws {
        func policy(_ json: String, _ name: String) throws -> PolicyEvaluator.Policy {
            PolicyEvaluator.Policy(try PolicyDocument(json: json, kind: .identity), name: name)
        }
        let all = try policy(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#, "inline policy all")
        let reads = try policy(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]}"#, "permissions boundary reads")
        func decide(_ action: String, _ resource: String = "*", identity: [PolicyEvaluator.Policy]) -> PolicyEvaluator.Decision {
            PolicyEvaluator.evaluate(identity: identity, session: nil, boundary: reads, context: RequestContext(action: action, resource: resource, principalARN: "p"))
        }
        #expect(decide("s3:ListBucket", identity: [all]) == .allow)
        #expect(decide("s3:PutObject", identity: [all]) == .implicitDeny(missing: .permissionsBoundary))
        #expect(decide("s3:ListBucket", identity: []) == .implicitDeny(missing: .identityBased))
        #expect(decide("s3:GetObject", "arn:aws:s3:::secret/key", identity: [all]) == .explicitDeny(policy: "permissions boundary reads", sid: nil))
        let context = RequestContext(action: "s3:PutObject", resource: "*", principalARN: "p")
        #expect(PolicyEvaluator.accessDeniedMessage(.implicitDeny(missing: .permissionsBoundary), context: context).hasSuffix("because no permissions boundary allows the s3:PutObject action"))
    }

    /// How a role session is named in a trust policy: by its session ARN, by its role's ARN, or
    /// through its account (which, in IAM's rules, then needs the caller's own policies too).
    @Test func sessionPrincipals() throws {
        func allowed(_ principal: String, _ requester: RequestPrincipal) throws -> Bool {
            let document = try PolicyDocument(
                json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"\#(principal)"},"Action":"sts:AssumeRole"}]}"#, kind: .trust
            )
            let context = RequestContext(action: "sts:AssumeRole", resource: "arn:aws:iam::123456789012:role/next", principal: requester, principalARN: "caller")
            return PolicyEvaluator.evaluate(resourcePolicy: PolicyEvaluator.Policy(document, name: "trust"), context: context).isAllowed
        }
        let session = "arn:aws:sts::123456789012:assumed-role/first/s1"
        let role = "arn:aws:iam::123456789012:role/first"
        func caller(account: String?) -> RequestPrincipal { .session(sessionARN: session, roleARN: role, account: account) }
        #expect(try allowed(role, caller(account: "123456789012")))
        #expect(try allowed(session, caller(account: nil)))
        #expect(try allowed(role, caller(account: nil)))
        #expect(try allowed("arn:aws:iam::123456789012:root", caller(account: "123456789012")))
        #expect(try allowed("123456789012", caller(account: "123456789012")))
        // Named only through the account: a policy naming the caller itself does not match it.
        #expect(try !allowed("arn:aws:iam::123456789012:root", caller(account: nil)))
        #expect(try !allowed("arn:aws:iam::123456789012:role/other", caller(account: "123456789012")))
        #expect(try !allowed("arn:aws:iam::999999999999:root", caller(account: "123456789012")))
    }

    @Test func accessDeniedMessagesFollowAWS() throws {
        let context = RequestContext(action: "s3:CreateBucket", resource: "arn:aws:s3:::new", principalARN: Self.role)
        #expect(
            PolicyEvaluator.accessDeniedMessage(.implicitDeny(missing: .identityBased), context: context)
                == "User: \(Self.role) is not authorized to perform: s3:CreateBucket on resource: arn:aws:s3:::new because no identity-based policy allows the s3:CreateBucket action"
        )
        #expect(PolicyEvaluator.accessDeniedMessage(.explicitDeny(policy: "inline", sid: nil), context: context).hasSuffix("with an explicit deny in an identity-based policy"))
    }

    /// IAM compares code points: canonically equivalent text (`é` as U+00E9, or `e` + U+0301) is
    /// two different strings, so a look-alike value neither satisfies an Allow nor escapes a Deny.
    @Test func stringConditionsCompareCodePointsNotCanonicalEquivalence() throws {
        let composed = "caf\u{00E9}/"
        let decomposed = "cafe\u{0301}/"
        let allow = #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"\#(composed)"}}}"#
        #expect(try Self.allows(allow, "s3:ListBucket", keys: ["s3:prefix": [composed]]))
        #expect(!(try Self.allows(allow, "s3:ListBucket", keys: ["s3:prefix": [decomposed]])))
        let deny = #"""
            [{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},
             {"Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"StringNotEquals":{"s3:prefix":"\#(composed)"}}}]
            """#
        #expect(try Self.allows(deny, "s3:ListBucket", keys: ["s3:prefix": [composed]]))
        #expect(!(try Self.allows(deny, "s3:ListBucket", keys: ["s3:prefix": [decomposed]])), "the look-alike is denied")
        let ignoreCase = #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"s3:prefix":"CAF\#u{00C9}/"}}}"#
        #expect(try Self.allows(ignoreCase, "s3:ListBucket", keys: ["s3:prefix": [composed]]))
        #expect(!(try Self.allows(ignoreCase, "s3:ListBucket", keys: ["s3:prefix": [decomposed]])))
        let like = #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"caf\#u{00E9}*"}}}"#
        #expect(!(try Self.allows(like, "s3:ListBucket", keys: ["s3:prefix": [decomposed]])))
        let arn = #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::caf\#u{00E9}/*"}"#
        #expect(try Self.allows(arn, "s3:GetObject", "arn:aws:s3:::caf\u{00E9}/x"))
        #expect(!(try Self.allows(arn, "s3:GetObject", "arn:aws:s3:::cafe\u{0301}/x")))
        let arnCondition = #"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::caf\#u{00E9}"}}}"#
        #expect(!(try Self.allows(arnCondition, "sts:AssumeRole", keys: ["aws:SourceArn": ["arn:aws:s3:::cafe\u{0301}"]])))
    }

    @Test("a resource-based policy in the same account: its Allow stands in for the identity policies', within the boundary and session policies; its Deny wins")
    func resourcePolicyInTheSameAccount() throws {
        let resource = PolicyEvaluator.Policy(
            try PolicyDocument(
                json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/bucket-lister"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}"#,
                kind: .resource
            ),
            name: "resource-based policy of bucket b"
        )
        var context = RequestContext(
            action: "s3:GetObject", resource: "arn:aws:s3:::b/k",
            principal: .session(sessionARN: Self.role, roleARN: "arn:aws:iam::123456789012:role/bucket-lister", account: "123456789012"), principalARN: Self.role
        )
        let nothing: [PolicyEvaluator.Policy] = []
        #expect(PolicyEvaluator.evaluate(identity: nothing, session: nil, boundary: nil, resource: resource, context: context) == .allow)
        // The boundary and the session policies limit what the resource policy grants.
        let listOnly = try Self.identity(#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}"#)
        #expect(PolicyEvaluator.evaluate(identity: nothing, session: nil, boundary: listOnly, resource: resource, context: context) == .implicitDeny(missing: .permissionsBoundary))
        #expect(PolicyEvaluator.evaluate(identity: nothing, session: [listOnly], boundary: nil, resource: resource, context: context) == .implicitDeny(missing: .session))
        // Another principal is not granted.
        var other = context
        other.principal = .session(sessionARN: "arn:aws:sts::123456789012:assumed-role/other/s", roleARN: "arn:aws:iam::123456789012:role/other", account: "123456789012")
        #expect(PolicyEvaluator.evaluate(identity: nothing, session: nil, boundary: nil, resource: resource, context: other) == .implicitDeny(missing: .identityBased))
        // A Deny in the resource policy wins over an identity Allow, and says where it came from.
        context.action = "s3:DeleteObject"
        let everything = try Self.identity(#"{"Effect":"Allow","Action":"*","Resource":"*"}"#)
        let denied = PolicyEvaluator.evaluate(identity: [everything], session: nil, boundary: nil, resource: resource, context: context)
        #expect(denied == .explicitDeny(policy: "resource-based policy of bucket b", sid: nil))
        #expect(PolicyEvaluator.accessDeniedMessage(denied, context: context).hasSuffix("with an explicit deny in a resource-based policy"))
    }
}
