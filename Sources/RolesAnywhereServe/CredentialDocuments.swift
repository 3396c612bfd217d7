#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import RolesAnywhereCredentials
import RolesAnywhereSigning
import RolesAnywhereSupport
import Synchronization

/// The two credential documents for one set of credentials, rendered once.
struct RenderedCredentials: Sendable {
    /// What they were rendered from.
    let source: FetchedCredentials
    /// EC2 instance metadata: `AccessKeyId`, `SecretAccessKey`, `Token`, `Code`, `Type`, `Expiration`, `LastUpdated`.
    let instanceMetadata: ByteBuffer
    /// ECS container credentials: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`, `RoleArn`.
    let container: ByteBuffer

    init(_ fetched: FetchedCredentials, roleArn: String) {
        source = fetched
        let credentials = fetched.credentials
        instanceMetadata = ByteBuffer(
            string: JSONText.object([
                ("AccessKeyId", JSONText.string(credentials.accessKeyId)),
                ("SecretAccessKey", JSONText.string(credentials.secretAccessKey)),
                ("Token", JSONText.string(credentials.sessionToken)),
                ("Code", JSONText.string("Success")),
                ("Type", JSONText.string("AWS-HMAC")),
                ("Expiration", JSONText.string(credentials.expiration)),
                ("LastUpdated", JSONText.string(AmzDate(fetched.fetchedAt).iso8601)),
            ]) + "\n"
        )
        container = ByteBuffer(
            string: JSONText.object([
                ("AccessKeyId", JSONText.string(credentials.accessKeyId)),
                ("SecretAccessKey", JSONText.string(credentials.secretAccessKey)),
                ("Token", JSONText.string(credentials.sessionToken)),
                ("Expiration", JSONText.string(credentials.expiration)),
                ("RoleArn", JSONText.string(roleArn)),
            ])
        )
    }

    func response(_ format: CredentialFormat, tokenTTL: Int?) -> MetadataResponse {
        switch format {
        case .instanceMetadata: MetadataResponse(status: 200, body: instanceMetadata, contentType: .text, tokenTTL: tokenTTL)
        case .container: MetadataResponse(status: 200, body: container, contentType: .json, tokenTTL: tokenTTL)
        }
    }
}

/// The documents of the latest credentials, shared by every connection: the first request after a
/// refresh renders them, every later one reuses the same buffers.
final class CredentialDocuments: Sendable {
    private let latest = Mutex<RenderedCredentials?>(nil)
    let roleArn: String

    init(roleArn: String) {
        self.roleArn = roleArn
    }

    /// The documents for `fetched`: the shared ones if they were rendered from it, else new ones
    /// (which become the shared ones).
    func documents(for fetched: FetchedCredentials) -> RenderedCredentials {
        if let shared = latest.withLock({ $0 }), shared.source == fetched { return shared }
        let rendered = RenderedCredentials(fetched, roleArn: roleArn)
        latest.withLock { $0 = rendered }
        return rendered
    }
}
