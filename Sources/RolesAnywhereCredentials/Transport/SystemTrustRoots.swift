#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL

/// Where the system's trusted CAs are, chosen so that none is parsed before it is needed.
///
/// A directory of certificates named by subject hash (`/etc/ssl/certs` as `c_rehash` and Debian's
/// `update-ca-certificates` write it) lets the TLS library load only the CAs a server's chain
/// names, at verification time; a bundle file is parsed whole up front (a few milliseconds for the
/// ~140 CAs of a distribution). `SSL_CERT_FILE` and `SSL_CERT_DIR` replace those locations as they
/// do for OpenSSL and for Go programs such as AWS's own helper (both are used when both are set);
/// without either, the hashed directory is used when there is one, and NIO's platform search
/// otherwise.
struct SystemTrustRoots: Equatable {
    var bundle: String?
    var hashedDirectory: String?

    static let standardDirectory = "/etc/ssl/certs"

    /// The two variables that choose, from this process's environment.
    static var currentEnvironment: [String: String] {
        var environment: [String: String] = [:]
        for name in ["SSL_CERT_DIR", "SSL_CERT_FILE"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }

    static func locate(environment: [String: String]) -> SystemTrustRoots {
        let file = environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        // OpenSSL's list syntax: the first entry.
        let directory = environment["SSL_CERT_DIR"].flatMap { $0.split(separator: ":").first.map(String.init) }
        if file != nil || directory != nil {
            return SystemTrustRoots(bundle: file, hashedDirectory: directory)
        }
        if hasHashedCertificates(standardDirectory) {
            return SystemTrustRoots(bundle: nil, hashedDirectory: standardDirectory)
        }
        return SystemTrustRoots(bundle: nil, hashedDirectory: nil)
    }

    /// Applies these locations to `configuration`.
    func configure(_ configuration: inout TLSConfiguration) {
        switch (bundle, hashedDirectory) {
        case (let bundle?, let directory?):
            // NIO reads additional roots as a PEM file, so the directory is the primary location.
            configuration.trustRoots = .file(directory)
            configuration.additionalTrustRoots = [.file(bundle)]
        case (let path?, nil), (nil, let path?):
            configuration.trustRoots = .file(path)
        case (nil, nil):
            configuration.trustRoots = .default
        }
    }

    /// Whether `path` is a directory holding at least one `XXXXXXXX.N` hash link.
    static func hasHashedCertificates(_ path: String) -> Bool {
        guard let directory = opendir(path) else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if isHashName(name) { return true }
        }
        return false
    }

    /// `[0-9a-f]{8}\.[0-9]+`
    static func isHashName(_ name: [UInt8]) -> Bool {
        guard name.count >= 10, name[8] == UInt8(ascii: ".") else { return false }
        let hexDigits = name[..<8].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        let suffix = name[9...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return hexDigits && suffix
    }
}
