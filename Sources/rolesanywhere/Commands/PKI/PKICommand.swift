import RolesAnywhereCommandLine

/// `pki`: the walkthrough's OpenSSL steps, done right.
struct PKICommand: HelperCommand {
    static let name = "pki"
    static let summary = "Create, issue, check and revoke certificates for IAM Roles Anywhere"
    static let details: String? = """
        Every certificate made here meets the IAM Roles Anywhere requirements: X.509 v3, SHA-256 or
        stronger, CAs with basicConstraints CA:TRUE and keyUsage keyCertSign, end-entity certificates
        with CA:FALSE and keyUsage digitalSignature. 'pki check' explains every requirement a CA or
        certificate fails, whoever made it.
        """
    static let flagSet = FlagSet([])
    static let subcommands: [any HelperCommand.Type] = [
        PKICACommand.self,
        PKICSRCommand.self,
        PKIIssueCommand.self,
        PKICheckCommand.self,
        PKICRLCommand.self,
        PKIRevokeCommand.self,
    ]

    init(flags: ParsedFlags) throws {}

    func run() throws {}
}
