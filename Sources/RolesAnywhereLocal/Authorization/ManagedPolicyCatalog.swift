/// The AWS managed policies `rolesanywhere-local` knows (a small, documented subset), so roles and
/// profiles can name `arn:aws:iam::aws:policy/...` as on AWS.
enum ManagedPolicyCatalog {
    static let policies: [String: String] = [
        "arn:aws:iam::aws:policy/AdministratorAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        "arn:aws:iam::aws:policy/ReadOnlyAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","s3:Get*","s3:List*","sts:GetCallerIdentity","rolesanywhere:Get*","rolesanywhere:List*"],"Resource":"*"}]}"#,
        "arn:aws:iam::aws:policy/AmazonS3FullAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
        "arn:aws:iam::aws:policy/IAMReadOnlyAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}"#,
    ]

    static func name(of arn: String) -> String {
        String(arn.split(separator: "/").last ?? Substring(arn))
    }
}
