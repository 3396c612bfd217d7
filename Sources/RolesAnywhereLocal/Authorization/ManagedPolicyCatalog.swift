import RolesAnywhereSupport
/// The AWS managed policies `rolesanywhere-local` knows (a small, documented subset), so roles and
/// profiles can name `arn:aws:iam::aws:policy/...` as on AWS (in any partition).
enum ManagedPolicyCatalog {
    /// The documents, by policy name.
    static let policies: [String: String] = [
        "AdministratorAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        "ReadOnlyAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","s3:Get*","s3:List*","sts:GetCallerIdentity","rolesanywhere:Get*","rolesanywhere:List*"],"Resource":"*"}]}"#,
        "AmazonS3FullAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
        "AmazonS3ReadOnlyAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
        "IAMReadOnlyAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}"#,
    ]

    /// The document of the AWS managed policy `arn` names (`arn:P:iam::aws:policy/NAME`), if it is one of the catalog's.
    static func document(_ arn: String) -> String? {
        guard let parsed = ARN(arn), parsed.isResource(of: "iam", type: "policy"), parsed.accountID == "aws", parsed.region.isEmpty,
            parsed.resource == "policy/" + parsed.resourceName
        else { return nil }
        return policies[parsed.resourceName]
    }

    /// The policy name of a managed policy ARN: its last path segment.
    static func name(of arn: String) -> String {
        ARN(arn)?.resourceName ?? String(arn.split(separator: "/").last ?? Substring(arn))
    }
}
