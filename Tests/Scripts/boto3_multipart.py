#!/usr/bin/env python3
"""boto3's multipart uploads against rolesanywhere-local: the transfer manager as workloads use it
(upload_file above 8 MiB, download_file), and the low-level calls with S3's rules and errors.

    boto3_multipart.py ENDPOINT

Credentials come from the environment. Prints one line per step and exits non-zero on the first
unexpected answer; the expected values (ETags, composite checksums) are computed here, from the
bytes sent, as S3 documents them.
"""
import base64
import hashlib
import os
import sys
import tempfile
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from client_errors import expect_error

endpoint = sys.argv[1]
s3 = boto3.session.Session(region_name="us-east-1").client("s3", endpoint_url=endpoint)
MIB = 1 << 20


def multipart_etag(parts):
    digests = b"".join(hashlib.md5(part).digest() for part in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def crc32(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


s3.create_bucket(Bucket="multipart")
data = os.urandom(20 * MIB)

# The transfer manager: 8 MiB parts above an 8 MiB threshold, parts sent concurrently.
with tempfile.TemporaryDirectory() as directory:
    source = os.path.join(directory, "big.bin")
    with open(source, "wb") as file:
        file.write(data)
    config = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4)
    s3.upload_file(source, "multipart", "transfer/big.bin", Config=config)
    head = s3.head_object(Bucket="multipart", Key="transfer/big.bin")
    assert head["ContentLength"] == len(data), head
    parts = [data[i:i + 8 * MIB] for i in range(0, len(data), 8 * MIB)]
    assert head["ETag"] == multipart_etag(parts), (head["ETag"], multipart_etag(parts))
    target = os.path.join(directory, "back.bin")
    s3.download_file("multipart", "transfer/big.bin", target, Config=config)
    with open(target, "rb") as file:
        assert file.read() == data
print("upload_file and download_file of 20 MiB in 8 MiB parts: ok")

# The low-level calls, with a CRC32 checksum on every part and a composite one for the object.
first, second = data[:5 * MIB], b"the last part may be small"
created = s3.create_multipart_upload(Bucket="multipart", Key="low/level.bin", ContentType="text/plain",
                                     Metadata={"owner": "boto"}, ChecksumAlgorithm="CRC32")
upload = created["UploadId"]
assert created["Bucket"] == "multipart" and created["Key"] == "low/level.bin", created
one = s3.upload_part(Bucket="multipart", Key="low/level.bin", UploadId=upload, PartNumber=1, Body=first, ChecksumAlgorithm="CRC32")
assert one["ETag"] == f'"{hashlib.md5(first).hexdigest()}"' and one["ChecksumCRC32"] == crc32(first), one
two = s3.upload_part(Bucket="multipart", Key="low/level.bin", UploadId=upload, PartNumber=2, Body=second, ChecksumAlgorithm="CRC32")
listed = s3.list_parts(Bucket="multipart", Key="low/level.bin", UploadId=upload)
assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed["Parts"]] == [(1, len(first), one["ETag"]), (2, len(second), two["ETag"])], listed
assert listed["ChecksumAlgorithm"] == "CRC32" and listed["Parts"][0]["ChecksumCRC32"] == crc32(first), listed
page = s3.list_parts(Bucket="multipart", Key="low/level.bin", UploadId=upload, MaxParts=1)
assert page["IsTruncated"] and page["NextPartNumberMarker"] == 1 and len(page["Parts"]) == 1, page
rest = s3.list_parts(Bucket="multipart", Key="low/level.bin", UploadId=upload, PartNumberMarker=1)
assert [p["PartNumber"] for p in rest["Parts"]] == [2] and not rest["IsTruncated"], rest
uploads = s3.list_multipart_uploads(Bucket="multipart")["Uploads"]
assert [(u["Key"], u["UploadId"]) for u in uploads] == [("low/level.bin", upload)], uploads
print("create_multipart_upload, upload_part, list_parts, list_multipart_uploads: ok")

# S3's rules, each refused with its own error.
expect_error("NoSuchUpload", s3.upload_part, Bucket="multipart", Key="low/level.bin", UploadId="no-such-upload", PartNumber=1, Body=b"x", details={"UploadId": "no-such-upload"})
expect_error("NoSuchUpload", s3.list_parts, Bucket="multipart", Key="other/key", UploadId=upload)
expect_error("InvalidArgument", s3.upload_part, Bucket="multipart", Key="low/level.bin", UploadId=upload, PartNumber=10001, Body=b"x")
expect_error("InvalidPartOrder", s3.complete_multipart_upload, Bucket="multipart", Key="low/level.bin", UploadId=upload,
             MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": two["ETag"]}, {"PartNumber": 1, "ETag": one["ETag"]}]})
expect_error("InvalidPart", s3.complete_multipart_upload, Bucket="multipart", Key="low/level.bin", UploadId=upload,
             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": two["ETag"]}, {"PartNumber": 2, "ETag": two["ETag"]}]})
expect_error("InvalidPart", s3.complete_multipart_upload, Bucket="multipart", Key="low/level.bin", UploadId=upload,
             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": one["ETag"]}, {"PartNumber": 3, "ETag": two["ETag"]}]})
small = s3.create_multipart_upload(Bucket="multipart", Key="small.bin")["UploadId"]
tiny = [s3.upload_part(Bucket="multipart", Key="small.bin", UploadId=small, PartNumber=n, Body=b"tiny")["ETag"] for n in (1, 2)]
expect_error("EntityTooSmall", s3.complete_multipart_upload, Bucket="multipart", Key="small.bin", UploadId=small,
             MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), tiny)]})
s3.abort_multipart_upload(Bucket="multipart", Key="small.bin", UploadId=small)
expect_error("NoSuchUpload", s3.abort_multipart_upload, Bucket="multipart", Key="small.bin", UploadId=small)
expect_error("NoSuchKey", s3.get_object, Bucket="multipart", Key="small.bin", details={"Key": "small.bin"})
print("part order, unknown parts, small parts, aborts: ok")

# Completion makes the object, with its multipart ETag and composite checksum, and ends the upload.
done = s3.complete_multipart_upload(Bucket="multipart", Key="low/level.bin", UploadId=upload, MultipartUpload={"Parts": [
    {"PartNumber": 1, "ETag": one["ETag"], "ChecksumCRC32": one["ChecksumCRC32"]},
    {"PartNumber": 2, "ETag": two["ETag"], "ChecksumCRC32": two["ChecksumCRC32"]},
]})
assert done["ETag"] == multipart_etag([first, second]), done
composite = base64.b64encode(zlib.crc32(base64.b64decode(crc32(first)) + base64.b64decode(crc32(second))).to_bytes(4, "big")).decode() + "-2"
assert done["ChecksumCRC32"] == composite, (done, composite)
got = s3.get_object(Bucket="multipart", Key="low/level.bin")
assert got["Body"].read() == first + second and got["ContentType"] == "text/plain" and got["Metadata"] == {"owner": "boto"}, got
assert s3.list_multipart_uploads(Bucket="multipart").get("Uploads", []) == []
expect_error("NoSuchUpload", s3.list_parts, Bucket="multipart", Key="low/level.bin", UploadId=upload, details={"UploadId": upload})
print("complete_multipart_upload: ok")

# Uploads in progress keep a bucket from being deleted, as objects do: nothing is lost with it.
for key in ("transfer/big.bin", "low/level.bin"):
    s3.delete_object(Bucket="multipart", Key=key)
left = s3.create_multipart_upload(Bucket="multipart", Key="left/behind")["UploadId"]
expect_error("BucketNotEmpty", s3.delete_bucket, Bucket="multipart")
s3.abort_multipart_upload(Bucket="multipart", Key="left/behind", UploadId=left)
s3.delete_bucket(Bucket="multipart")
expect_error("NoSuchBucket", s3.list_multipart_uploads, Bucket="multipart", details={"BucketName": "multipart"})
print("MULTIPART OK")
