/// The S3 errors that name their resource, with S3's codes, messages and the element
/// (`BucketName`, `Key`, `UploadId`) it adds after the message.
enum S3Errors {
    static func noSuchBucket(_ bucket: String) -> AWSError {
        AWSError("NoSuchBucket", status: 404, "The specified bucket does not exist", details: [.init("BucketName", bucket)])
    }

    static func noSuchKey(_ key: String) -> AWSError {
        AWSError("NoSuchKey", status: 404, "The specified key does not exist.", details: [.init("Key", key)])
    }

    static func bucketNotEmpty(_ bucket: String, _ message: String) -> AWSError {
        AWSError("BucketNotEmpty", status: 409, message, details: [.init("BucketName", bucket)])
    }

    static func bucketAlreadyOwnedByYou(_ bucket: String, _ message: String) -> AWSError {
        AWSError("BucketAlreadyOwnedByYou", status: 409, message, details: [.init("BucketName", bucket)])
    }

    static func noSuchUpload(_ uploadID: String) -> AWSError {
        AWSError(
            "NoSuchUpload", status: 404,
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            details: [.init("UploadId", uploadID)]
        )
    }
}
