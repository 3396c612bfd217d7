import RolesAnywhereSigning

/// Percent-decoding shared with the signing library.
enum URIEncodingBridge {
    static func decode(_ text: String) -> String? { URIEncoding.decode(text) }
}
