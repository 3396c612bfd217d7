import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// S3 versioning's part of the ``Store`` contract, on every store.
extension StoreConformanceTests {
    static func object(_ key: String, _ text: String, version: String? = nil, at seconds: TimeInterval = 1_700_000_000) -> (ObjectRecord, [UInt8]) {
        (
            ObjectRecord(
                bucket: "v", key: key, size: text.utf8.count, etag: text, lastModified: Date(timeIntervalSince1970: seconds), contentType: "text/plain",
                metadata: [:], versionId: version
            ),
            Array(text.utf8)
        )
    }

    /// `key:versionId` of every version, with `*` for the latest and `M` for a delete marker.
    static func versions(_ store: any Store, prefix: String = "", after: String? = nil, keys: Int = 100) async throws -> [String] {
        try await store.objectVersions(bucket: "v", prefix: prefix, afterKey: after, keyLimit: keys).map { version in
            "\(version.record.key):\(version.versionId)\(version.isDeleteMarker ? "M" : "")\(version.isLatest ? "*" : "")"
        }
    }

    static func setVersioning(_ store: any Store, _ status: BucketVersioning) async throws {
        _ = try await store.updateBucketConfiguration(named: "v") { $0.versioning = status }
    }

    @Test("versioning: null versions before, new versions when enabled, delete markers, the null version replaced while suspended, deleting versions promotes the newest", arguments: Kind.allCases)
    func versioning(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.createBucket(BucketRecord(name: "v", region: "us-east-1", creationDate: date))

        // Never versioned: a write replaces, its version ID is nil (the null version), a delete removes.
        let (first, firstData) = Self.object("k", "one", version: "ignored")
        #expect(try await store.putObject(first, data: firstData).versionId == nil)
        #expect(try await Self.versions(store) == ["k:null*"])
        #expect(try await store.deleteObject(bucket: "v", key: "gone", markerVersionId: "m0", at: date).deleteMarkerVersionId == nil)

        try await Self.setVersioning(store, .enabled)
        let (second, secondData) = Self.object("k", "two", version: "v2")
        #expect(try await store.putObject(second, data: secondData).versionId == "v2")
        #expect(try await store.object(bucket: "v", key: "k")?.versionId == "v2")
        #expect(try await Self.versions(store) == ["k:v2*", "k:null"])
        #expect(try await store.objectVersionData(bucket: "v", key: "k", versionId: "null") == Array("one".utf8))
        #expect(try await store.objectVersion(bucket: "v", key: "k", versionId: "null")?.isLatest == false)

        // A delete adds a marker; the key then has no current object.
        #expect(try await store.deleteObject(bucket: "v", key: "k", markerVersionId: "m1", at: date).deleteMarkerVersionId == "m1")
        #expect(try await store.object(bucket: "v", key: "k") == nil)
        #expect(try await store.objectData(bucket: "v", key: "k") == nil)
        #expect(try await Self.versions(store) == ["k:m1M*", "k:v2", "k:null"])
        #expect(try await store.objectVersion(bucket: "v", key: "k", versionId: "m1")?.isDeleteMarker == true)
        #expect(try await store.objectVersionData(bucket: "v", key: "k", versionId: "m1") == nil)
        await Self.expectStoreError(.conflict) { try await store.deleteBucket(named: "v") }

        // Deleting the marker makes the newest version current again.
        #expect(try await store.deleteObjectVersion(bucket: "v", key: "k", versionId: "m1")?.isDeleteMarker == true)
        #expect(try await store.object(bucket: "v", key: "k")?.versionId == "v2")
        #expect(try await store.objectData(bucket: "v", key: "k") == Array("two".utf8))
        #expect(try await Self.versions(store) == ["k:v2*", "k:null"])
        #expect(try await store.deleteObjectVersion(bucket: "v", key: "k", versionId: "nothing") == nil)

        // Suspended: writes and deletes replace the null version; others stay.
        try await Self.setVersioning(store, .suspended)
        let (third, thirdData) = Self.object("k", "three", version: "v3")
        #expect(try await store.putObject(third, data: thirdData).versionId == "null")
        #expect(try await Self.versions(store) == ["k:null*", "k:v2"])
        #expect(try await store.objectVersionData(bucket: "v", key: "k", versionId: "null") == Array("three".utf8))
        #expect(try await store.deleteObject(bucket: "v", key: "k", markerVersionId: "m2", at: date).deleteMarkerVersionId == "null")
        #expect(try await Self.versions(store) == ["k:nullM*", "k:v2"])
        #expect(try await store.deleteObjectVersion(bucket: "v", key: "k", versionId: "null")?.isDeleteMarker == true)
        #expect(try await store.object(bucket: "v", key: "k")?.versionId == "v2")

        // Deleting the current version promotes the next one; the last one leaves the key empty.
        try await Self.setVersioning(store, .enabled)
        let (fourth, fourthData) = Self.object("k", "four", version: "v4")
        try await store.putObject(fourth, data: fourthData)
        #expect(try await store.deleteObjectVersion(bucket: "v", key: "k", versionId: "v4")?.isLatest == true)
        #expect(try await store.object(bucket: "v", key: "k")?.versionId == "v2")
        #expect(try await store.deleteObjectVersion(bucket: "v", key: "k", versionId: "v2") != nil)
        #expect(try await store.object(bucket: "v", key: "k") == nil)
        #expect(try await Self.versions(store).isEmpty)
        try await store.deleteBucket(named: "v")
    }

    @Test("versions list by key (UTF-8 bytes), newest first, paged by key, filtered by prefix; multipart completion makes a version", arguments: Kind.allCases)
    func versionListing(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.createBucket(BucketRecord(name: "v", region: "us-east-1", creationDate: date))
        try await Self.setVersioning(store, .enabled)
        for (key, version) in [("b", "b1"), ("a/2", "a21"), ("b", "b2"), ("a/1", "a11"), ("é", "e1"), ("b", "b3")] {
            let (object, data) = Self.object(key, version, version: version)
            try await store.putObject(object, data: data)
        }
        _ = try await store.deleteObject(bucket: "v", key: "a/2", markerVersionId: "a2m", at: date)
        #expect(try await Self.versions(store) == ["a/1:a11*", "a/2:a2mM*", "a/2:a21", "b:b3*", "b:b2", "b:b1", "é:e1*"])
        #expect(try await Self.versions(store, keys: 2) == ["a/1:a11*", "a/2:a2mM*", "a/2:a21"])
        #expect(try await Self.versions(store, after: "a/2", keys: 1) == ["b:b3*", "b:b2", "b:b1"])
        #expect(try await Self.versions(store, prefix: "a/") == ["a/1:a11*", "a/2:a2mM*", "a/2:a21"])

        let upload = MultipartUploadRecord(uploadID: "up", bucket: "v", key: "b", initiated: date, contentType: "text/plain", metadata: [:], checksumAlgorithm: nil)
        try await store.createMultipartUpload(upload)
        try await store.putPart(PartRecord(uploadID: "up", partNumber: 1, size: 4, etag: "p1", lastModified: date), data: Array("part".utf8))
        let (assembled, _) = Self.object("b", "", version: "b4")
        #expect(try await store.completeMultipartUpload(id: "up", parts: [(1, "p1")], object: assembled).versionId == "b4")
        #expect(try await Self.versions(store, prefix: "b") == ["b:b4*", "b:b3", "b:b2", "b:b1"])
        #expect(try await store.objectData(bucket: "v", key: "b") == Array("part".utf8))
    }

    /// The body files of an on-disk store.
    static func bodyFiles(_ directory: TemporaryDirectory) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: directory.path("state.sqlite.bodies")))
    }

    @Test("body files (SQLite on disk): one per stored version and part, 0600, released when replaced or deleted; kept across a reopen; orphans removed by the lock holder's sweep only")
    func bodyFiles() async throws {
        let (store, directory) = try Self.makeStore(.file)
        defer { withExtendedLifetime(directory) {} }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.createBucket(BucketRecord(name: "v", region: "us-east-1", creationDate: date))
        let (a, aData) = Self.object("a", "first")
        try await store.putObject(a, data: aData)
        #expect(try Self.bodyFiles(directory).count == 1)
        let name = try #require(try Self.bodyFiles(directory).first)
        let mode = try FileManager.default.attributesOfItem(atPath: directory.path("state.sqlite.bodies/\(name)"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let (replaced, replacedData) = Self.object("a", "second")
        try await store.putObject(replaced, data: replacedData)
        #expect(try Self.bodyFiles(directory).count == 1 && !(try Self.bodyFiles(directory).contains(name)), "the replaced body is released")

        try await Self.setVersioning(store, .enabled)
        for text in ["third", "fourth"] {
            let (object, data) = Self.object("a", text, version: text)
            try await store.putObject(object, data: data)
        }
        #expect(try Self.bodyFiles(directory).count == 3, "every version keeps its body")
        _ = try await store.deleteObject(bucket: "v", key: "a", markerVersionId: "m", at: date)
        #expect(try Self.bodyFiles(directory).count == 3, "a delete marker has no body")
        try await store.deleteObjectVersion(bucket: "v", key: "a", versionId: "third")
        #expect(try Self.bodyFiles(directory).count == 2)

        // Parts: each its own file; completion writes the object's and releases the parts'.
        try await store.createMultipartUpload(MultipartUploadRecord(uploadID: "u", bucket: "v", key: "m", initiated: date, contentType: "text/plain", metadata: [:], checksumAlgorithm: nil))
        try await store.putPart(PartRecord(uploadID: "u", partNumber: 1, size: 3, etag: "p1", lastModified: date), data: Array("one".utf8))
        try await store.putPart(PartRecord(uploadID: "u", partNumber: 2, size: 3, etag: "p2", lastModified: date), data: Array("two".utf8))
        try await store.putPart(PartRecord(uploadID: "u", partNumber: 2, size: 3, etag: "p2", lastModified: date), data: Array("two".utf8))
        #expect(try Self.bodyFiles(directory).count == 4, "a replaced part releases its body")
        let (assembled, _) = Self.object("m", "", version: "mv")
        #expect(try await store.completeMultipartUpload(id: "u", parts: [(1, "p1"), (2, "p2")], object: assembled).size == 6)
        #expect(try Self.bodyFiles(directory).count == 3)
        #expect(try await store.objectData(bucket: "v", key: "m") == Array("onetwo".utf8))
        try await store.createMultipartUpload(MultipartUploadRecord(uploadID: "w", bucket: "v", key: "m", initiated: date, contentType: "text/plain", metadata: [:], checksumAlgorithm: nil))
        try await store.putPart(PartRecord(uploadID: "w", partNumber: 1, size: 1, etag: "x", lastModified: date), data: [1])
        try await store.abortMultipartUpload(id: "w")
        #expect(try Self.bodyFiles(directory).count == 3, "an aborted upload releases its parts")

        // A failed write leaves no file behind.
        let (nowhere, nowhereData) = Self.object("x", "lost")
        var missingBucket = nowhere
        missingBucket.bucket = "no-such-bucket"
        await Self.expectStoreError(.notFound) { try await store.putObject(missingBucket, data: nowhereData) }
        #expect(try Self.bodyFiles(directory).count == 3)

        // Reopened, every body is still there; a file no row names is removed by the sweep, and
        // only by it (a second store on the same database never sweeps by itself).
        try Data("orphan".utf8).write(to: URL(fileURLWithPath: directory.path("state.sqlite.bodies/0123456789abcdef0123456789abcdef")))
        let reopened = try SQLiteStore(path: directory.path("state.sqlite"))
        #expect(try Self.bodyFiles(directory).count == 4)
        #expect(try await reopened.objectVersionData(bucket: "v", key: "a", versionId: "fourth") == Array("fourth".utf8))
        #expect(try reopened.removeOrphanBodies() == 1)
        #expect(try Self.bodyFiles(directory).count == 3)
        #expect(try await reopened.objectData(bucket: "v", key: "m") == Array("onetwo".utf8))
    }
}
