#!/usr/bin/env python3
"""Presigned S3 URLs against rolesanywhere-local, fetched with a plain HTTP client (no AWS
signing): `aws s3 presign` and boto3's `generate_presigned_url`, in both forms botocore makes
(SigV2, its default in us-east-1, and SigV4 with signature_version='s3v4'), for GET and PUT, and
the refusals: a wrong signature, an expired URL, an X-Amz-Expires above seven days, and a URL
signed in the query and the Authorization header at once.

    boto3_presigned.py ENDPOINT BUCKET

Credentials come from the environment (the administrator keys, or a session with its token).
"""
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

endpoint, bucket = sys.argv[1], sys.argv[2]


def client(version=None):
    config = Config(signature_version=version) if version else None
    return boto3.session.Session(region_name="us-east-1").client("s3", endpoint_url=endpoint, config=config)


def fetch(url, method="GET", data=None, headers=None):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def expect_refusal(url, status, code, message=None, method="GET", headers=None):
    got, body, _ = fetch(url, method=method, headers=headers)
    text = body.decode()
    assert got == status and f"<Code>{code}</Code>" in text, (got, text)
    assert message is None or message in text, text
    print(f"refused as expected: {code}")


client().create_bucket(Bucket=bucket)
for version in (None, "s3v4"):
    s3 = client(version)
    label = version or "sigv2"
    key = f"{label}/report 1+1.txt"
    put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key, "ContentType": "text/plain"}, ExpiresIn=300)
    status, _, headers = fetch(put, method="PUT", data=f"uploaded with a {label} URL".encode(), headers={"Content-Type": "text/plain"})
    assert status == 200 and headers["ETag"], (status, headers)
    get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key, "ResponseContentType": "text/csv",
                                                          "ResponseContentDisposition": "attachment"}, ExpiresIn=300)
    status, body, headers = fetch(get)
    assert status == 200 and body == f"uploaded with a {label} URL".encode(), (status, body)
    assert headers["Content-Type"] == "text/csv" and headers["Content-Disposition"] == "attachment", dict(headers)
    assert s3.get_object(Bucket=bucket, Key=key)["ContentType"] == "text/plain"
    print(f"{label}: presigned PUT and GET (with response overrides): ok")

    start = get.index("Signature=") + len("Signature=")
    tampered = get[:start] + ("1" if get[start] == "0" else "0") + get[start + 1:]
    expect_refusal(tampered, 403, "SignatureDoesNotMatch")
    # A URL is for its method and key only: the GET link deletes nothing.
    expect_refusal(get, 403, "SignatureDoesNotMatch", method="DELETE")
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > 0
    expect_refusal(get.replace("report%201%2B1", "report%202%2B1", 1), 403, "SignatureDoesNotMatch")
    short = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=1)
    time.sleep(2.2)
    expect_refusal(short, 403, "AccessDenied", "Request has expired")

week = client("s3v4").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "s3v4/report 1+1.txt"}, ExpiresIn=604801)
expect_refusal(week, 400, "AuthorizationQueryParametersError")
both = client("s3v4").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "s3v4/report 1+1.txt"}, ExpiresIn=60)
expect_refusal(both, 400, "InvalidArgument", headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"})

# The AWS CLI's `s3 presign`, as a user runs it.
cli = subprocess.run(["aws", "--endpoint-url", endpoint, "s3", "presign", f"s3://{bucket}/sigv2/report 1+1.txt", "--expires-in", "120"],
                     check=True, capture_output=True, text=True).stdout.strip()
status, body, _ = fetch(cli)
assert status == 200 and body == b"uploaded with a sigv2 URL", (status, body, cli)
print("aws s3 presign: ok")

# Presigned outside S3: STS GetCallerIdentity, as EKS and Vault authenticate callers (botocore
# moves the parameters into the query and signs a POST with an empty body; the method is signed).
# A changed parameter or another method is refused in STS's own error format.
sts = boto3.session.Session(region_name="us-east-1").client("sts", endpoint_url=endpoint)
link = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60)
status, body, _ = fetch(link, method="POST", data=b"")
assert status == 200 and b"<Arn>" in body, (status, body)
status, body, _ = fetch(link)
assert status == 403 and b"<ErrorResponse" in body, (status, body)
status, body, _ = fetch(link.replace("Version=2011-06-15", "Version=2011-06-16", 1), method="POST", data=b"")
assert status == 403 and b"<ErrorResponse" in body and b"SignatureDoesNotMatch" in body, (status, body)
print("presigned STS GetCallerIdentity: ok, and a changed one refused in STS's format")

s3 = client()
for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
    s3.delete_object(Bucket=bucket, Key=item["Key"])
s3.delete_bucket(Bucket=bucket)
print("PRESIGNED OK" + (" (session)" if os.environ.get("AWS_SESSION_TOKEN") else ""))
