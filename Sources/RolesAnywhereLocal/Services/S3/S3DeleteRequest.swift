/// The body of DeleteObjects: `<Delete><Object><Key>k</Key><VersionId>v</VersionId></Object>...
/// <Quiet>true</Quiet></Delete>`, with one to 1,000 objects (MalformedXML otherwise, as on S3).
struct S3DeleteRequest: Sendable {
    struct Object: Sendable, Equatable {
        var key: String
        var versionId: String?
    }

    static let maximumObjects = 1000

    var objects: [Object]
    var quiet: Bool

    init(_ body: [UInt8]) throws(AWSError) {
        let malformed = S3Formats.malformedXML
        let tree = try S3Formats.document(body, root: "Delete")
        let entries = tree.root.children(named: "Object")
        guard (1...Self.maximumObjects).contains(entries.count) else { throw malformed }
        var objects = [Object]()
        for entry in entries {
            guard let key = entry.child(named: "Key")?.text, !key.isEmpty else { throw malformed }
            objects.append(Object(key: key, versionId: entry.child(named: "VersionId")?.text))
        }
        switch tree.root.child(named: "Quiet")?.text.trimmingXMLSpace() {
        case nil, "false": quiet = false
        case "true": quiet = true
        default: throw malformed
        }
        self.objects = objects
    }
}
