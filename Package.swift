// swift-tools-version:6.1
import PackageDescription

/// Strict settings applied to every target (see docs/STYLE.md of the shared material):
/// Swift 6 language mode, explicit `any`, and member import visibility.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Tests and test support import their dependencies publicly (no `InternalImportsByDefault`).
let testSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-roles-anywhere",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RolesAnywhereSupport", targets: ["RolesAnywhereSupport"]),
        .library(name: "RolesAnywhereSigning", targets: ["RolesAnywhereSigning"]),
        .library(name: "RolesAnywhereKeys", targets: ["RolesAnywhereKeys"]),
        .library(name: "RolesAnywhereCredentials", targets: ["RolesAnywhereCredentials"]),
        .library(name: "RolesAnywherePKI", targets: ["RolesAnywherePKI"]),
        .library(name: "RolesAnywherePolicy", targets: ["RolesAnywherePolicy"]),
        .library(name: "RolesAnywhereLocal", targets: ["RolesAnywhereLocal"]),
        .library(name: "RolesAnywhereServe", targets: ["RolesAnywhereServe"]),
        .library(name: "RolesAnywherePKCS11", targets: ["RolesAnywherePKCS11"]),
        .library(name: "RolesAnywhereTPM", targets: ["RolesAnywhereTPM"]),
        .executable(name: "rolesanywhere", targets: ["rolesanywhere"]),
        .executable(name: "rolesanywhere-local", targets: ["rolesanywhere-local"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.7.0"),
    ],
    targets: [
        // What every layer reads from outside and writes: PEM blocks, files, JSON, ARNs, and the typed
        // error for bad input. Foundation only; below everything else.
        .target(
            name: "RolesAnywhereSupport",
            swiftSettings: strictSettings
        ),
        // Declarations of the BoringSSL entry points (inside swift-crypto) that ML-DSA's deterministic
        // signatures and expanded keys need; header only, resolved from the BoringSSL `Crypto` links.
        .target(name: "CBoringSSLMLDSA"),
        // The SigV4 / SigV4-X509 core: canonicalisation, signing and verification. No networking.
        .target(
            name: "RolesAnywhereSigning",
            dependencies: [
                "RolesAnywhereSupport",
                "CBoringSSLMLDSA",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // Key and certificate files: PKCS#8 (plain and PBES2-encrypted), SEC1, PKCS#1, legacy PEM
        // encryption, PKCS#12, and certificate files and bundles.
        .target(
            name: "RolesAnywhereKeys",
            dependencies: [
                "RolesAnywhereSupport",
                "RolesAnywhereSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // Identity sources, the CreateSession client, credential refresh and output.
        .target(
            name: "RolesAnywhereCredentials",
            dependencies: [
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                "RolesAnywhereSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        // `serve`: the IMDSv2 and container-credentials endpoint on SwiftNIO, fed by the credential refresher.
        .target(
            name: "RolesAnywhereServe",
            dependencies: [
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereSigning",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // `--metrics-port`: the Prometheus registry and its text exposition (on swift-metrics).
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        // PKI: CAs, CSRs, end-entity certificates, CRLs, and the Roles Anywhere requirement checks.
        .target(
            name: "RolesAnywherePKI",
            dependencies: [
                "RolesAnywhereSupport",
                "RolesAnywhereSigning",
                "RolesAnywhereKeys",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // The PKCS#11 C interface, declared from the specification (header only; modules are loaded at run time).
        .target(name: "CPKCS11"),
        // Keys and certificates on PKCS#11 tokens (HSMs, smart cards, SoftHSM), through a module loaded with dlopen.
        .target(
            name: "RolesAnywherePKCS11",
            dependencies: [
                "CPKCS11",
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                "RolesAnywhereSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // Keys in a TPM 2.0, spoken to directly over the device or a swtpm socket (no TSS library to load).
        .target(
            name: "RolesAnywhereTPM",
            dependencies: [
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                "RolesAnywhereSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // IAM policy documents and their evaluation: a pure library.
        .target(
            name: "RolesAnywherePolicy",
            dependencies: ["RolesAnywhereSupport", "RolesAnywhereSigning"],
            swiftSettings: strictSettings
        ),
        // rolesanywhere-local: the local AWS endpoint (IAM, STS, S3, and IAM Roles Anywhere).
        .target(
            name: "RolesAnywhereLocal",
            dependencies: [
                "RolesAnywhereSigning",
                "RolesAnywherePolicy",
                "RolesAnywherePKI",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        // The `rolesanywhere-local` server executable: flags, state directory, ready line, signals.
        .executableTarget(
            name: "rolesanywhere-local",
            dependencies: [
                "RolesAnywhereLocal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // A load generator for rolesanywhere-local (scripts/bench): signed requests, N concurrent clients.
        .executableTarget(
            name: "rolesanywhere-local-load",
            dependencies: [
                "RolesAnywhereSigning",
                "RolesAnywhereKeys",
                "RolesAnywhereSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Benchmarks/LocalLoad",
            swiftSettings: testSettings
        ),
        // Go/pflag-compatible flag parsing and cobra-style help, for the helper's fast start-up.
        .target(
            name: "RolesAnywhereCommandLine",
            swiftSettings: strictSettings
        ),
        // The `rolesanywhere` command-line tool: a drop-in for `aws_signing_helper`.
        .executableTarget(
            name: "rolesanywhere",
            dependencies: [
                "RolesAnywhereSigning",
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                "RolesAnywherePKI",
                "RolesAnywhereCommandLine",
                "RolesAnywhereServe",
                "RolesAnywherePKCS11",
                "RolesAnywhereTPM",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Test support: a PKI minted in memory, temporary directories, child processes.
        .target(
            name: "RolesAnywhereTesting",
            dependencies: [
                "RolesAnywhereSigning",
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/RolesAnywhereTesting",
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywhereSupportTests",
            dependencies: ["RolesAnywhereSupport"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywhereSigningTests",
            dependencies: [
                "RolesAnywhereSigning",
                "RolesAnywhereTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywhereCredentialsTests",
            dependencies: [
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                "RolesAnywhereSigning",
                "RolesAnywhereTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywherePKITests",
            dependencies: [
                "RolesAnywherePKI",
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                "RolesAnywhereSigning",
                "RolesAnywhereTesting",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywherePKCS11Tests",
            dependencies: ["RolesAnywherePKCS11", "RolesAnywhereCredentials", "RolesAnywhereKeys", "RolesAnywhereSupport"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywhereTPMTests",
            dependencies: [
                "RolesAnywhereTPM", "RolesAnywhereCredentials", "RolesAnywhereKeys", "RolesAnywhereSupport",
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywherePolicyTests",
            dependencies: ["RolesAnywherePolicy", "RolesAnywhereSupport"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywhereCommandLineTests",
            dependencies: ["RolesAnywhereCommandLine"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "RolesAnywhereCLITests",
            dependencies: [
                "rolesanywhere",
                "RolesAnywhereTesting",
                "RolesAnywhereSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: testSettings
        ),
            .testTarget(
            name: "RolesAnywhereLocalTests",
            dependencies: [
                "RolesAnywhereLocal",
                "RolesAnywhereSigning",
                "RolesAnywhereTesting",
                "rolesanywhere-local",
                "RolesAnywherePKI",
                "RolesAnywherePolicy",
                "RolesAnywhereCredentials",
                "RolesAnywhereSupport",
                "RolesAnywhereKeys",
                "RolesAnywhereServe",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: testSettings
        ),
    ]
)
