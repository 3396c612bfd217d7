// swift-tools-version:6.1
// libFuzzer targets for every parser of outside input. Not part of the main build: build and run
// them with scripts/fuzz (which passes -sanitize=fuzzer,address and -parse-as-library).
import PackageDescription

/// One fuzz target: an executable whose `<Name>_main` hands its input bytes to the code under test.
func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "swift-roles-anywhere") },
        path: "Sources/Targets/\(name)"
    )
}

let package = Package(
    name: "FuzzTesting",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-roles-anywhere", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
        fuzzTarget("FuzzPEM", ["RolesAnywhereSupport", "RolesAnywhereKeys"]),
        fuzzTarget("FuzzPrivateKey", ["RolesAnywhereSupport", "RolesAnywhereKeys"]),
        fuzzTarget("FuzzPKCS12", ["RolesAnywhereSupport", "RolesAnywhereKeys"]),
        fuzzTarget("FuzzCertificate", ["RolesAnywherePKI", "RolesAnywhereSigning"]),
        fuzzTarget("FuzzCRL", ["RolesAnywherePKI"]),
        fuzzTarget("FuzzSigningRequest", ["RolesAnywherePKI"]),
        fuzzTarget("FuzzSigV4", ["RolesAnywhereSigning"]),
        fuzzTarget("FuzzPolicy", ["RolesAnywherePolicy"]),
        fuzzTarget("FuzzLocalRequest", ["RolesAnywhereLocal", "RolesAnywhereSigning"]),
        fuzzTarget("FuzzS3Body", ["RolesAnywhereLocal"]),
        fuzzTarget("FuzzMetadataRouter", ["RolesAnywhereServe"]),
    ]
)
