#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Synchronization

/// S3 versioning in memory, with ``SQLiteStore``'s contract: `objects` holds each key's current
/// object, `versions` the noncurrent versions and delete markers, newest first.
extension MemoryStore {
    private static func versioning(_ bucket: String, in state: State) throws(StoreError) -> BucketVersioning? {
        guard let record = state.buckets[bucket] else { throw StoreError(.notFound, "The specified bucket does not exist") }
        return record.configuration.versioning
    }

    static func storeCurrent(_ object: ObjectRecord, data: [UInt8], in state: inout State) throws(StoreError) -> ObjectRecord {
        var stored = object
        switch try versioning(object.bucket, in: state) {
        case nil:
            stored.versionId = nil
        case .enabled:
            stored.versionId = object.versionId ?? ObjectVersion.nullID
            archiveCurrent(bucket: object.bucket, key: object.key, dropNull: false, in: &state)
        case .suspended:
            stored.versionId = ObjectVersion.nullID
            archiveCurrent(bucket: object.bucket, key: object.key, dropNull: true, in: &state)
        }
        state.objects[object.bucket, default: [:]][object.key] = (stored, data)
        return stored
    }

    /// Moves the key's current object to the noncurrent versions; with `dropNull`, the key's
    /// `null` version goes instead, wherever it is.
    private static func archiveCurrent(bucket: String, key: String, dropNull: Bool, in state: inout State) {
        if dropNull {
            state.versions[bucket]?[key]?.removeAll { $0.record.versionId == ObjectVersion.nullID }
            if let current = state.objects[bucket]?[key], (current.record.versionId ?? ObjectVersion.nullID) == ObjectVersion.nullID {
                state.objects[bucket]?[key] = nil
            }
        }
        guard let current = state.objects[bucket]?.removeValue(forKey: key) else { return }
        var record = current.record
        record.versionId = record.versionId ?? ObjectVersion.nullID
        state.versions[bucket, default: [:]][key, default: []].insert(ArchivedVersion(record: record, data: current.data, isDeleteMarker: false), at: 0)
    }

    public func deleteObject(bucket: String, key: String, markerVersionId: String, at date: Date) async throws -> ObjectDeletion {
        try state.withLock { state throws(StoreError) in
            let markerID: String
            switch try Self.versioning(bucket, in: state) {
            case nil:
                state.objects[bucket]?[key] = nil
                return ObjectDeletion(deleteMarkerVersionId: nil)
            case .enabled:
                markerID = markerVersionId
                Self.archiveCurrent(bucket: bucket, key: key, dropNull: false, in: &state)
            case .suspended:
                markerID = ObjectVersion.nullID
                Self.archiveCurrent(bucket: bucket, key: key, dropNull: true, in: &state)
            }
            let marker = ObjectVersion.marker(bucket: bucket, key: key, versionId: markerID, at: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
            state.versions[bucket, default: [:]][key, default: []].insert(ArchivedVersion(record: marker, data: [], isDeleteMarker: true), at: 0)
            return ObjectDeletion(deleteMarkerVersionId: markerID)
        }
    }

    /// One version and where it is: nil index for the current object.
    private static func find(bucket: String, key: String, versionId: String, in state: State) -> (version: ObjectVersion, index: Int?, data: [UInt8])? {
        let current = state.objects[bucket]?[key]
        if let current, (current.record.versionId ?? ObjectVersion.nullID) == versionId {
            return (ObjectVersion(record: current.record, isDeleteMarker: false, isLatest: true), nil, current.data)
        }
        guard let archived = state.versions[bucket]?[key], let index = archived.firstIndex(where: { $0.record.versionId == versionId }) else { return nil }
        let entry = archived[index]
        return (ObjectVersion(record: entry.record, isDeleteMarker: entry.isDeleteMarker, isLatest: current == nil && index == 0), index, entry.data)
    }

    public func objectVersion(bucket: String, key: String, versionId: String) async throws -> ObjectVersion? {
        state.withLock { Self.find(bucket: bucket, key: key, versionId: versionId, in: $0)?.version }
    }

    public func objectVersionData(bucket: String, key: String, versionId: String) async throws -> [UInt8]? {
        state.withLock { state in
            guard let found = Self.find(bucket: bucket, key: key, versionId: versionId, in: state), !found.version.isDeleteMarker else { return nil }
            return found.data
        }
    }

    public func deleteObjectVersion(bucket: String, key: String, versionId: String) async throws -> ObjectVersion? {
        try state.withLock { state throws(StoreError) in
            guard state.buckets[bucket] != nil else { throw StoreError(.notFound, "The specified bucket does not exist") }
            guard let found = Self.find(bucket: bucket, key: key, versionId: versionId, in: state) else { return nil }
            if let index = found.index {
                state.versions[bucket]?[key]?.remove(at: index)
            } else {
                state.objects[bucket]?[key] = nil
            }
            if found.version.isLatest, let newest = state.versions[bucket]?[key]?.first, !newest.isDeleteMarker {
                state.versions[bucket]?[key]?.removeFirst()
                state.objects[bucket, default: [:]][key] = (newest.record, newest.data)
            }
            if state.versions[bucket]?[key]?.isEmpty == true { state.versions[bucket]?[key] = nil }
            return found.version
        }
    }

    public func objectVersions(bucket: String, prefix: String, afterKey: String?, keyLimit: Int) async throws -> [ObjectVersion] {
        state.withLock { state in
            let after = Array((afterKey ?? "").utf8)
            let current = state.objects[bucket] ?? [:]
            let archived = state.versions[bucket] ?? [:]
            let keys = Set(current.keys).union(archived.keys)
                .filter { $0.utf8.starts(with: prefix.utf8) && after.lexicographicallyPrecedes($0.utf8) }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .prefix(max(0, keyLimit))
            var versions = [ObjectVersion]()
            for key in keys {
                if let object = current[key] { versions.append(ObjectVersion(record: object.record, isDeleteMarker: false, isLatest: true)) }
                for entry in archived[key] ?? [] {
                    versions.append(ObjectVersion(record: entry.record, isDeleteMarker: entry.isDeleteMarker, isLatest: versions.last?.record.key != key))
                }
            }
            return versions
        }
    }
}
