#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// IAM users, groups and access keys in memory, with ``SQLiteStore``'s contract.
extension MemoryStore {
    /// A principal keyed as stored: its name folded.
    static func key(_ principal: IAMPrincipal) -> IAMPrincipal {
        switch principal {
        case .user(let name): .user(fold(name))
        case .group(let name): .group(fold(name))
        }
    }

    /// The stored name of a user or group, or `.notFound`.
    private static func storedName(_ principal: IAMPrincipal, in state: State) throws -> String {
        let name =
            switch principal {
            case .user(let name): state.users[fold(name)]?.name
            case .group(let name): state.groups[fold(name)]?.name
            }
        guard let name else { throw StoreError(.notFound, principal.notFoundMessage) }
        return name
    }

    private static func checkNoPolicies(_ principal: IAMPrincipal, in state: State) throws {
        let key = key(principal)
        if !(state.inlinePolicies[key] ?? [:]).isEmpty { throw StoreError(.conflict, "Cannot delete entity, must delete policies first.") }
        if !(state.principalAttachments[key] ?? []).isEmpty { throw StoreError(.conflict, "Cannot delete entity, must detach all policies first.") }
    }

    // MARK: - Users

    public func createUser(_ user: UserRecord) async throws {
        try state.withLock { state in
            let key = Self.fold(user.name)
            guard state.users[key] == nil else { throw StoreError(.alreadyExists, UserRecord.alreadyExistsMessage(user.name)) }
            state.users[key] = user
        }
    }

    public func user(named name: String) async throws -> UserRecord? {
        state.withLock { $0.users[Self.fold(name)] }
    }

    public func users(pathPrefix: String) async throws -> [UserRecord] {
        state.withLock { state in Self.byName(state.users.values.filter { $0.path.utf8.starts(with: pathPrefix.utf8) }, \.name) }
    }

    public func updateUser(_ user: UserRecord) async throws {
        try state.withLock { state in
            let key = Self.fold(user.name)
            guard var stored = state.users[key] else { throw StoreError(.notFound, UserRecord.notFoundMessage(user.name)) }
            stored.tags = user.tags
            stored.permissionsBoundary = user.permissionsBoundary
            state.users[key] = stored
        }
    }

    public func deleteUser(named name: String) async throws {
        try state.withLock { state in
            let key = Self.fold(name)
            guard state.users[key] != nil else { throw StoreError(.notFound, UserRecord.notFoundMessage(name)) }
            if state.accessKeys.values.contains(where: { Self.fold($0.userName) == key }) { throw StoreError(.conflict, UserRecord.hasAccessKeysMessage) }
            try Self.checkNoPolicies(.user(name), in: state)
            if !(state.memberships[key] ?? []).isEmpty { throw StoreError(.conflict, UserRecord.inGroupsMessage) }
            state.users[key] = nil
        }
    }

    // MARK: - Groups

    public func createGroup(_ group: GroupRecord) async throws {
        try state.withLock { state in
            let key = Self.fold(group.name)
            guard state.groups[key] == nil else { throw StoreError(.alreadyExists, GroupRecord.alreadyExistsMessage(group.name)) }
            state.groups[key] = group
        }
    }

    public func group(named name: String) async throws -> GroupRecord? {
        state.withLock { $0.groups[Self.fold(name)] }
    }

    public func groups(pathPrefix: String) async throws -> [GroupRecord] {
        state.withLock { state in Self.byName(state.groups.values.filter { $0.path.utf8.starts(with: pathPrefix.utf8) }, \.name) }
    }

    public func deleteGroup(named name: String) async throws {
        try state.withLock { state in
            let key = Self.fold(name)
            guard state.groups[key] != nil else { throw StoreError(.notFound, GroupRecord.notFoundMessage(name)) }
            if state.memberships.values.contains(where: { $0.contains(key) }) { throw StoreError(.conflict, GroupRecord.hasMembersMessage) }
            try Self.checkNoPolicies(.group(name), in: state)
            state.groups[key] = nil
        }
    }

    public func addUser(_ userName: String, toGroup groupName: String) async throws {
        try state.withLock { state in
            _ = try Self.storedName(.group(groupName), in: state)
            _ = try Self.storedName(.user(userName), in: state)
            state.memberships[Self.fold(userName), default: []].insert(Self.fold(groupName))
        }
    }

    public func removeUser(_ userName: String, fromGroup groupName: String) async throws {
        try state.withLock { state in
            _ = try Self.storedName(.group(groupName), in: state)
            guard state.memberships[Self.fold(userName)]?.remove(Self.fold(groupName)) != nil else {
                throw StoreError(.notFound, UserRecord.notFoundMessage(userName))
            }
        }
    }

    public func groups(ofUser userName: String) async throws -> [GroupRecord] {
        state.withLock { state in Self.byName((state.memberships[Self.fold(userName)] ?? []).compactMap { state.groups[$0] }, \.name) }
    }

    public func users(inGroup groupName: String) async throws -> [UserRecord] {
        state.withLock { state in
            let key = Self.fold(groupName)
            return Self.byName(state.memberships.filter { $0.value.contains(key) }.compactMap { state.users[$0.key] }, \.name)
        }
    }

    // MARK: - Inline and attached policies

    public func putInlinePolicy(_ principal: IAMPrincipal, policyName: String, document: String) async throws {
        try state.withLock { state in
            _ = try Self.storedName(principal, in: state)
            let key = Self.key(principal)
            let policyKey = Self.fold(policyName)
            let name = state.inlinePolicies[key]?[policyKey]?.name ?? policyName
            state.inlinePolicies[key, default: [:]][policyKey] = (name, document)
        }
    }

    public func inlinePolicy(_ principal: IAMPrincipal, policyName: String) async throws -> String? {
        state.withLock { $0.inlinePolicies[Self.key(principal)]?[Self.fold(policyName)]?.document }
    }

    public func inlinePolicies(_ principal: IAMPrincipal) async throws -> [(name: String, document: String)] {
        state.withLock { state in
            (state.inlinePolicies[Self.key(principal)] ?? [:]).sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { $0.value }
        }
    }

    public func deleteInlinePolicy(_ principal: IAMPrincipal, policyName: String) async throws {
        try state.withLock { state in
            guard state.inlinePolicies[Self.key(principal)]?.removeValue(forKey: Self.fold(policyName)) != nil else {
                throw StoreError(.notFound, principal.inlinePolicyNotFoundMessage(policyName))
            }
        }
    }

    public func attachPolicy(_ policyArn: String, to principal: IAMPrincipal) async throws {
        try state.withLock { state in
            _ = try Self.storedName(principal, in: state)
            let key = Self.key(principal)
            if !(state.principalAttachments[key] ?? []).contains(policyArn) { state.principalAttachments[key, default: []].append(policyArn) }
        }
    }

    public func detachPolicy(_ policyArn: String, from principal: IAMPrincipal) async throws {
        try state.withLock { state in
            let key = Self.key(principal)
            guard let index = state.principalAttachments[key]?.firstIndex(of: policyArn) else {
                throw StoreError(.notFound, "Policy \(policyArn) was not found.")
            }
            state.principalAttachments[key]?.remove(at: index)
        }
    }

    public func attachedPolicyArns(_ principal: IAMPrincipal) async throws -> [String] {
        state.withLock { $0.principalAttachments[Self.key(principal)] ?? [] }
    }

    public func principalNames(attachedTo policyArn: String, groups: Bool) async throws -> [String] {
        state.withLock { state in
            let names = state.principalAttachments.filter { $0.value.contains(policyArn) }.compactMap { entry -> String? in
                switch entry.key {
                case .user(let key): groups ? nil : state.users[key]?.name
                case .group(let key): groups ? state.groups[key]?.name : nil
                }
            }
            return Self.byName(names, { $0 })
        }
    }

    // MARK: - Access keys

    public func createAccessKey(_ key: AccessKeyRecord) async throws {
        try state.withLock { state in
            var key = key
            key.userName = try Self.storedName(.user(key.userName), in: state)
            let folded = Self.fold(key.userName)
            guard state.accessKeys.values.filter({ Self.fold($0.userName) == folded }).count < AccessKeyRecord.limitPerUser else {
                throw StoreError(.limitExceeded, AccessKeyRecord.limitMessage)
            }
            state.accessKeys[key.accessKeyId] = key
        }
    }

    public func accessKey(id: String) async throws -> AccessKeyRecord? {
        state.withLock { $0.accessKeys[id] }
    }

    public func accessKeys(userName: String) async throws -> [AccessKeyRecord] {
        state.withLock { state in
            let folded = Self.fold(userName)
            return state.accessKeys.values.filter { Self.fold($0.userName) == folded }.sorted {
                $0.createDate != $1.createDate ? $0.createDate < $1.createDate : $0.accessKeyId.utf8.lexicographicallyPrecedes($1.accessKeyId.utf8)
            }
        }
    }

    public func updateAccessKey(id: String, userName: String, status: AccessKeyStatus) async throws {
        try state.withLock { state in
            guard let key = state.accessKeys[id], Self.fold(key.userName) == Self.fold(userName) else {
                throw StoreError(.notFound, AccessKeyRecord.notFoundMessage(id))
            }
            state.accessKeys[id]?.status = status
        }
    }

    public func deleteAccessKey(id: String, userName: String) async throws {
        try state.withLock { state in
            guard let key = state.accessKeys[id], Self.fold(key.userName) == Self.fold(userName) else {
                throw StoreError(.notFound, AccessKeyRecord.notFoundMessage(id))
            }
            state.accessKeys[id] = nil
        }
    }
}
