import Foundation
import RolesAnywhereSigning
import RolesAnywhereTesting
import SwiftASN1
import Testing

/// ML-DSA keys, signatures and verification (BoringSSL inside swift-crypto), checked against two
/// independent implementations run in the test: dilithium-py (pure-Python FIPS 204, which signs
/// deterministically) and Python's cryptography 48 (OpenSSL 4).
@Suite("ML-DSA")
struct MLDSATests {
    /// One `Tests/Scripts/mldsa_oracle.py` run: a JSON request per line, a JSON answer per line.
    static func oracle(_ requests: [[String: String]]) throws -> [[String: Any]] {
        let input = try requests.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Scripts/mldsa_oracle.py").path
        let output = try ChildProcess.run("python3", [script], input: Array(input.utf8))
        guard output.status == 0 else { throw TestFailure("mldsa_oracle.py: \(output.stderrText)") }
        return try output.stdoutText.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func bytes(_ value: Any?) throws -> [UInt8] {
        let text = try #require(value as? String)
        return try #require(Hex.decode(text))
    }

    static let message = Array("AWS4-X509-MLDSA\n20261202T061500Z\n20261202/us-east-1/rolesanywhere/aws4_request\n0123".utf8)

    @Test("a seed gives the keys and the deterministic signature of FIPS 204, as two other implementations compute them", arguments: MLDSAParameterSet.allCases)
    func knownAnswers(_ set: MLDSAParameterSet) throws {
        let seed = (0..<32).map { UInt8($0 &* 7 &+ 3) }
        let key = try MLDSAPrivateKey(seed: seed, parameterSet: set)
        let signature = try key.signature(for: Self.message)
        let answer = try #require(try Self.oracle([["op": "derive", "set": set.name, "seed": Hex.encode(seed), "message": Hex.encode(Self.message)]]).first)
        #expect(key.publicKey.rawRepresentation == (try Self.bytes(answer["public"])))
        #expect(key.publicKey.rawRepresentation == (try Self.bytes(answer["cryptographyPublic"])))
        #expect(try key.expandedKey() == (try Self.bytes(answer["expanded"])))
        #expect(signature.count == set.signatureByteCount)
        #expect(signature == (try Self.bytes(answer["deterministic"])), "the deterministic signature differs from dilithium-py's")
        // The same key and message always sign the same, as aws_signing_helper's do.
        #expect(try key.signature(for: Self.message) == signature)
        // cryptography's randomized signature verifies here; a changed message or signature does not.
        let randomized = try Self.bytes(answer["randomized"])
        #expect(key.publicKey.isValidSignature(randomized, for: Self.message))
        #expect(!key.publicKey.isValidSignature(randomized, for: Self.message + [0x0A]))
        var flipped = randomized
        flipped[100] ^= 0x01
        #expect(!key.publicKey.isValidSignature(flipped, for: Self.message))
        #expect(!key.publicKey.isValidSignature(randomized.dropLast(), for: Self.message))
    }

    @Test("signatures of generated keys verify with OpenSSL 4 (cryptography), and a signature of another key does not", arguments: MLDSAParameterSet.allCases)
    func generatedKeysVerifyElsewhere(_ set: MLDSAParameterSet) throws {
        let key = try MLDSAPrivateKey.generate(set)
        let other = try MLDSAPrivateKey.generate(set)
        #expect(key.seed != other.seed)
        let answers = try Self.oracle([
            ["op": "verify", "set": set.name, "public": Hex.encode(key.publicKey.rawRepresentation), "message": Hex.encode(Self.message), "signature": Hex.encode(try key.signature(for: Self.message))],
            ["op": "verify", "set": set.name, "public": Hex.encode(key.publicKey.rawRepresentation), "message": Hex.encode(Self.message), "signature": Hex.encode(try other.signature(for: Self.message))],
        ])
        #expect(answers.map { $0["valid"] as? Bool } == [true, false])
    }

    @Test("the expanded form alone and both forms together load the same key; a mismatch or damage is refused", arguments: MLDSAParameterSet.allCases)
    func expandedAndBothForms(_ set: MLDSAParameterSet) throws {
        let key = try MLDSAPrivateKey.generate(set)
        let seed = try #require(key.seed)
        let expanded = try key.expandedKey()
        #expect(expanded.count == set.expandedKeyByteCount)

        let fromExpanded = try MLDSAPrivateKey(expandedKey: expanded, parameterSet: set)
        #expect(fromExpanded.seed == nil)
        #expect(fromExpanded.publicKey == key.publicKey)
        #expect(try fromExpanded.signature(for: Self.message) == key.signature(for: Self.message))
        let fromBoth = try MLDSAPrivateKey(seed: seed, expandedKey: expanded, parameterSet: set)
        #expect(fromBoth.publicKey == key.publicKey)

        // Both forms must agree.
        let other = try MLDSAPrivateKey.generate(set)
        #expect(throws: SigningError.self) { try MLDSAPrivateKey(seed: seed, expandedKey: other.expandedKey(), parameterSet: set) }
        // An expanded key with one secret coefficient changed signs nothing its public key accepts.
        var damaged = expanded
        damaged[128 + 10] ^= 0x01
        let error = #expect(throws: SigningError.self) { try MLDSAPrivateKey(expandedKey: damaged, parameterSet: set) }
        #expect(error?.code == .malformedKey)
        // Lengths.
        #expect(throws: SigningError.self) { try MLDSAPrivateKey(seed: Array(seed.dropLast()), parameterSet: set) }
        #expect(throws: SigningError.self) { try MLDSAPrivateKey(expandedKey: Array(expanded.dropLast()), parameterSet: set) }
        #expect(throws: SigningError.self) { try MLDSAPublicKey(rawRepresentation: Array(key.publicKey.rawRepresentation.dropLast()), parameterSet: set) }
    }

    @Test("parameter sets by OID and by name")
    func parameterSets() {
        #expect(MLDSAParameterSet(oid: [2, 16, 840, 1, 101, 3, 4, 3, 18]) == .mlDSA65)
        #expect(MLDSAParameterSet(oid: [1, 2, 840, 113549, 1, 1, 1]) == nil)
        #expect(MLDSAParameterSet(name: "ml-dsa-44") == .mlDSA44)
        #expect(MLDSAParameterSet(name: "ML-DSA-87") == .mlDSA87)
        #expect(MLDSAParameterSet(name: "mldsa65") == .mlDSA65)
        #expect(MLDSAParameterSet(name: "ml-dsa-128") == nil)
    }
}
