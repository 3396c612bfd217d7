import RolesAnywhereSupport
import Testing

@Suite("ARN")
struct ARNTests {
    @Test("parses the six fields, keeps colons and slashes in the resource, and prints back the same text")
    func roundTrip() throws {
        for text in [
            "arn:aws:iam::123456789012:role/path/to/bucket-lister",
            "arn:aws-cn:rolesanywhere:cn-north-1:123456789012:trust-anchor/1b6b3a4e-0000-4000-8000-000000000000",
            "arn:aws-us-gov:s3:::bucket/key/with:colon",
            "arn:aws:sts::123456789012:assumed-role/role/session",
        ] {
            let arn = try #require(ARN(text))
            #expect(arn.description == text)
        }
        let role = try #require(ARN("arn:aws:iam::123456789012:role/path/to/bucket-lister"))
        #expect(role.partition == .aws && role.service == "iam" && role.region.isEmpty && role.accountID == "123456789012")
        #expect(role.resourceType == "role" && role.resourceID == "path/to/bucket-lister" && role.resourceName == "bucket-lister")
        #expect(role.isResource(of: "iam", type: "role") && !role.isResource(of: "iam", type: "policy"))
        let object = try #require(ARN("arn:aws-us-gov:s3:::bucket/key/with:colon"))
        #expect(object.partition == .awsUSGov && object.resource == "bucket/key/with:colon")
    }

    @Test("refuses what is not an ARN, and partitions AWS does not have", arguments: [
        "", "arn", "arn:aws:iam", "arn:aws:iam::123456789012", "arn::iam::123456789012:role/x", "arn:aws::::x",
        "arn:aws:iam::123456789012:", "urn:aws:iam::123456789012:role/x", "arn:aws-mars:iam::123456789012:role/x",
        "arn:AWS:iam::123456789012:role/x",
    ])
    func refusals(_ text: String) {
        #expect(ARN(text) == nil)
    }

    @Test("the partition follows the region's documented prefix")
    func partitions() {
        #expect(ARN.Partition(region: "us-east-1") == .aws)
        #expect(ARN.Partition(region: "eu-west-3") == .aws)
        #expect(ARN.Partition(region: "cn-north-1") == .awsCN)
        #expect(ARN.Partition(region: "cn-northwest-1") == .awsCN)
        #expect(ARN.Partition(region: "us-gov-west-1") == .awsUSGov)
        #expect(ARN.Partition(region: "us-iso-east-1") == .awsISO)
        #expect(ARN.Partition(region: "us-isob-east-1") == .awsISOB)
        #expect(ARN.Partition(region: "eu-isoe-west-1") == .awsISOE)
        #expect(ARN.Partition(region: "us-isof-south-1") == .awsISOF)
        #expect(ARN.Partition(region: "eusc-de-east-1") == .awsEUSC)
    }

    @Test("the constructors make the ARNs the services document")
    func constructors() {
        #expect(ARN.iamRole(.aws, account: "123456789012", path: "/team/", name: "r").description == "arn:aws:iam::123456789012:role/team/r")
        #expect(ARN.iamPolicy(.awsCN, account: "123456789012", name: "p").description == "arn:aws-cn:iam::123456789012:policy/p")
        #expect(ARN.accountRoot(.awsUSGov, account: "123456789012").description == "arn:aws-us-gov:iam::123456789012:root")
        #expect(ARN.assumedRole(.aws, account: "123456789012", roleName: "r", sessionName: "s").description == "arn:aws:sts::123456789012:assumed-role/r/s")
        #expect(ARN.s3Bucket(.aws, "b").description == "arn:aws:s3:::b")
        #expect(ARN.s3Object(.awsCN, bucket: "b", key: "k/1").description == "arn:aws-cn:s3:::b/k/1")
        #expect(ARN.rolesAnywhere(.aws, region: "eu-west-1", account: "123456789012", type: "profile", id: "x").description
            == "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/x")
        #expect(ARN.iam(.aws, account: "123456789012", type: "instance-profile", path: "/", name: "*").description
            == "arn:aws:iam::123456789012:instance-profile/*")
    }

    @Test("a flag's ARN is checked for its service, type, account and region, with the flag in the message")
    func flagParsing() throws {
        let parsed = try ARN.parse("arn:aws-cn:iam::123456789012:role/r", flag: "--role-arn", service: "iam", resourceType: "role", kind: "an IAM role", requiresRegion: false)
        #expect(parsed.partition == .awsCN)
        for bad in ["", "role/r", "arn:aws:iam::123456789012:user/r", "arn:aws:iam:::role/r", "arn:aws:iam::123456789012:role/"] {
            #expect(throws: CredentialsError.self) {
                try ARN.parse(bad, flag: "--role-arn", service: "iam", resourceType: "role", kind: "an IAM role", requiresRegion: false)
            }
        }
        #expect(throws: CredentialsError.self) {
            try ARN.parse("arn:aws:rolesanywhere::123456789012:profile/x", flag: "--profile-arn", service: "rolesanywhere", resourceType: "profile", kind: "a profile", requiresRegion: true)
        }
    }
}
