import Foundation
@testable import RolesAnywhereLocal
import RolesAnywhereTesting
import Testing

/// The IAM user, group and access-key part of the ``Store`` contract, on every store.
extension StoreConformanceTests {
    static func user(_ name: String, path: String = "/", boundary: String? = nil) -> UserRecord {
        UserRecord(
            name: name, id: "AIDA" + String(repeating: "U", count: 17), arn: "arn:aws:iam::123456789012:user\(path)\(name)", path: path,
            createDate: Date(timeIntervalSince1970: 1_700_000_000), tags: [Tag(key: "team", value: "ci")], permissionsBoundary: boundary
        )
    }

    static func group(_ name: String, path: String = "/") -> GroupRecord {
        GroupRecord(
            name: name, id: "AGPA" + String(repeating: "G", count: 17), arn: "arn:aws:iam::123456789012:group\(path)\(name)", path: path,
            createDate: Date(timeIntervalSince1970: 1_700_000_000)
        )
    }

    static func key(_ id: String, user: String, at seconds: TimeInterval) -> AccessKeyRecord {
        AccessKeyRecord(accessKeyId: id, secretAccessKey: "secret-" + id, userName: user, status: .active, createDate: Date(timeIntervalSince1970: seconds))
    }

    @Test("users: unique names case-insensitively, round-trip every field, filter by path, update tags and boundary", arguments: Kind.allCases)
    func users(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let alice = Self.user("Alice")
        try await store.createUser(alice)
        #expect(try await store.user(named: "alice") == alice)
        await Self.expectStoreError(.alreadyExists) { try await store.createUser(Self.user("ALICE")) }
        try await store.createUser(Self.user("bob", path: "/ci/"))
        #expect(try await store.users(pathPrefix: "/").map(\.name) == ["Alice", "bob"])
        #expect(try await store.users(pathPrefix: "/ci/").map(\.name) == ["bob"])

        var updated = alice
        updated.tags = [Tag(key: "team", value: "platform"), Tag(key: "cost", value: "42")]
        updated.permissionsBoundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        updated.path = "/ignored/"
        try await store.updateUser(updated)
        var expected = updated
        expected.path = "/"
        #expect(try await store.user(named: "Alice") == expected, "tags and boundary change; the path does not")
        await Self.expectStoreError(.notFound) { try await store.updateUser(Self.user("nobody")) }

        try await store.deleteUser(named: "ALICE")
        #expect(try await store.user(named: "Alice") == nil)
        await Self.expectStoreError(.notFound) { try await store.deleteUser(named: "Alice") }
    }

    @Test("groups: members both ways by name, a group with members and a member cannot be deleted", arguments: Kind.allCases)
    func groups(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        try await store.createGroup(Self.group("Deployers"))
        try await store.createGroup(Self.group("auditors", path: "/security/"))
        await Self.expectStoreError(.alreadyExists) { try await store.createGroup(Self.group("DEPLOYERS")) }
        #expect(try await store.groups(pathPrefix: "/").map(\.name) == ["auditors", "Deployers"])
        #expect(try await store.groups(pathPrefix: "/security/").map(\.name) == ["auditors"])
        try await store.createUser(Self.user("carol"))
        try await store.createUser(Self.user("Bob"))
        try await store.addUser("carol", toGroup: "deployers")
        try await store.addUser("CAROL", toGroup: "Deployers")
        try await store.addUser("bob", toGroup: "Deployers")
        try await store.addUser("carol", toGroup: "auditors")
        #expect(try await store.users(inGroup: "Deployers").map(\.name) == ["Bob", "carol"])
        #expect(try await store.groups(ofUser: "carol").map(\.name) == ["auditors", "Deployers"])
        await Self.expectStoreError(.notFound) { try await store.addUser("nobody", toGroup: "Deployers") }
        await Self.expectStoreError(.notFound) { try await store.addUser("carol", toGroup: "nothing") }
        await Self.expectStoreError(.conflict) { try await store.deleteGroup(named: "Deployers") }
        await Self.expectStoreError(.conflict) { try await store.deleteUser(named: "carol") }

        try await store.removeUser("carol", fromGroup: "DEPLOYERS")
        await Self.expectStoreError(.notFound) { try await store.removeUser("carol", fromGroup: "Deployers") }
        #expect(try await store.groups(ofUser: "carol").map(\.name) == ["auditors"])
        try await store.removeUser("carol", fromGroup: "auditors")
        try await store.removeUser("bob", fromGroup: "Deployers")
        try await store.deleteUser(named: "carol")
        try await store.deleteGroup(named: "deployers")
        #expect(try await store.group(named: "Deployers") == nil)
        await Self.expectStoreError(.notFound) { try await store.deleteGroup(named: "Deployers") }
    }

    @Test("user and group policies: inline by name, attached in order, counted on the managed policy, block deletes", arguments: Kind.allCases)
    func principalPolicies(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        try await store.createUser(Self.user("dana"))
        try await store.createGroup(Self.group("readers"))
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let policy = ManagedPolicyRecord(
            arn: "arn:aws:iam::123456789012:policy/list", name: "list", id: "ANPA" + String(repeating: "Y", count: 17), path: "/", description: nil,
            document: Policies.listAllMyBuckets, createDate: date, updateDate: date, attachmentCount: 0
        )
        try await store.createPolicy(policy)
        for principal in [IAMPrincipal.user("dana"), .group("readers")] {
            try await store.putInlinePolicy(principal, policyName: "b", document: "{}")
            try await store.putInlinePolicy(principal, policyName: "a", document: Policies.listAllMyBuckets)
            try await store.putInlinePolicy(principal, policyName: "B", document: "{\"replaced\":true}")
            #expect(try await store.inlinePolicies(principal).map(\.name) == ["a", "b"])
            #expect(try await store.inlinePolicy(principal, policyName: "b") == "{\"replaced\":true}")
            try await store.attachPolicy(policy.arn, to: principal)
            try await store.attachPolicy(policy.arn, to: principal)
            try await store.attachPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess", to: principal)
            #expect(try await store.attachedPolicyArns(principal) == [policy.arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"])
        }
        await Self.expectStoreError(.notFound) { try await store.putInlinePolicy(.user("nobody"), policyName: "x", document: "{}") }
        await Self.expectStoreError(.notFound) { try await store.attachPolicy(policy.arn, to: .group("nobody")) }
        #expect(try await store.inlinePolicies(.group("dana")).isEmpty, "a user's policies are not a group's of the same name")
        #expect(try await store.policy(arn: policy.arn)?.attachmentCount == 2)
        #expect(try await store.principalNames(attachedTo: policy.arn, groups: false) == ["dana"])
        #expect(try await store.principalNames(attachedTo: policy.arn, groups: true) == ["readers"])
        await Self.expectStoreError(.conflict) { try await store.deletePolicy(arn: policy.arn) }
        await Self.expectStoreError(.conflict) { try await store.deleteUser(named: "dana") }
        await Self.expectStoreError(.conflict) { try await store.deleteGroup(named: "readers") }

        for principal in [IAMPrincipal.user("DANA"), .group("Readers")] {
            try await store.deleteInlinePolicy(principal, policyName: "a")
            try await store.deleteInlinePolicy(principal, policyName: "b")
            await Self.expectStoreError(.notFound) { try await store.deleteInlinePolicy(principal, policyName: "a") }
            if case .user = principal {
                await Self.expectStoreError(.conflict) { try await store.deleteUser(named: "dana") }
            }
            try await store.detachPolicy(policy.arn, from: principal)
            try await store.detachPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess", from: principal)
            await Self.expectStoreError(.notFound) { try await store.detachPolicy(policy.arn, from: principal) }
        }
        // A user's permissions boundary counts as a use too.
        var dana = try #require(try await store.user(named: "dana"))
        dana.permissionsBoundary = policy.arn
        try await store.updateUser(dana)
        #expect(try await store.policy(arn: policy.arn)?.permissionsBoundaryUsageCount == 1)
        await Self.expectStoreError(.conflict) { try await store.deletePolicy(arn: policy.arn) }
        try await store.deleteUser(named: "dana")
        try await store.deleteGroup(named: "readers")
        try await store.deletePolicy(arn: policy.arn)
    }

    @Test("access keys: two per user, oldest first, status changes, a user's key only, keys block DeleteUser", arguments: Kind.allCases)
    func accessKeys(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        try await store.createUser(Self.user("Erin"))
        try await store.createUser(Self.user("frank"))
        try await store.createAccessKey(Self.key("AKIAEXAMPLE00000002", user: "erin", at: 1_700_000_100))
        try await store.createAccessKey(Self.key("AKIAEXAMPLE00000001", user: "Erin", at: 1_700_000_000))
        await Self.expectStoreError(.limitExceeded) { try await store.createAccessKey(Self.key("AKIAEXAMPLE00000003", user: "erin", at: 1_700_000_200)) }
        await Self.expectStoreError(.notFound) { try await store.createAccessKey(Self.key("AKIAEXAMPLE00000004", user: "nobody", at: 1_700_000_200)) }
        let keys = try await store.accessKeys(userName: "ERIN")
        #expect(keys.map(\.accessKeyId) == ["AKIAEXAMPLE00000001", "AKIAEXAMPLE00000002"])
        #expect(keys.map(\.userName) == ["Erin", "Erin"], "stored under the user's own name")
        #expect(try await store.accessKey(id: "AKIAEXAMPLE00000001") == Self.key("AKIAEXAMPLE00000001", user: "Erin", at: 1_700_000_000))

        try await store.updateAccessKey(id: "AKIAEXAMPLE00000001", userName: "erin", status: .inactive)
        #expect(try await store.accessKey(id: "AKIAEXAMPLE00000001")?.status == .inactive, "a read after the write sees it")
        await Self.expectStoreError(.notFound) { try await store.updateAccessKey(id: "AKIAEXAMPLE00000001", userName: "frank", status: .active) }
        await Self.expectStoreError(.notFound) { try await store.deleteAccessKey(id: "AKIAEXAMPLE00000002", userName: "frank") }
        await Self.expectStoreError(.conflict) { try await store.deleteUser(named: "Erin") }
        try await store.deleteAccessKey(id: "AKIAEXAMPLE00000001", userName: "Erin")
        try await store.deleteAccessKey(id: "AKIAEXAMPLE00000002", userName: "Erin")
        #expect(try await store.accessKey(id: "AKIAEXAMPLE00000002") == nil)
        try await store.deleteUser(named: "Erin")
    }

    @Test("RoleLastUsed: recorded for the role with that unique ID only, kept by updates", arguments: Kind.allCases)
    func roleLastUsed(_ kind: Kind) async throws {
        let (store, directory) = try Self.makeStore(kind)
        defer { withExtendedLifetime(directory) {} }
        let role = Self.role("used")
        try await store.createRole(role)
        #expect(try await store.role(named: "used")?.lastUsed == nil)
        let used = RoleLastUsed(date: Date(timeIntervalSince1970: 1_700_000_500), region: "eu-west-1")
        try await store.recordRoleUse(roleName: "USED", roleId: role.id, used)
        #expect(try await store.role(named: "used")?.lastUsed == used)
        try await store.recordRoleUse(roleName: "used", roleId: "AROAANOTHERROLE00000", RoleLastUsed(date: Date(timeIntervalSince1970: 1_700_000_900), region: "us-east-1"))
        #expect(try await store.role(named: "used")?.lastUsed == used, "another role's ID changes nothing")
        var updated = try #require(try await store.role(named: "used"))
        updated.description = "changed"
        updated.lastUsed = nil
        try await store.updateRole(updated)
        #expect(try await store.role(named: "used")?.lastUsed == used, "UpdateRole does not reset it")
        try await store.recordRoleUse(roleName: "nobody", roleId: role.id, used)
    }
}
