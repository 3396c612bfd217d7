#!/usr/bin/env python3
"""Signed streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and its -TRAILER form, what the
Java, Go and .NET SDKs send over HTTP) against rolesanywhere-local. The request head, the chunk
signatures and the trailer signature are all computed here from AWS's documented canonical request
and strings to sign, independently of the server's code. Checks that a correct upload is stored, and that a changed,
dropped or reordered chunk, or a wrong trailer signature, is refused with nothing stored.

    signed_streaming.py ENDPOINT

Credentials come from the environment (the administrator keys).
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import os
import sys
import urllib.parse
import zlib

import boto3
from botocore.credentials import Credentials

endpoint = sys.argv[1]
parsed = urllib.parse.urlparse(endpoint)
credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
REGION = "us-east-1"
EMPTY = hashlib.sha256(b"").hexdigest()
s3 = boto3.session.Session(region_name=REGION).client("s3", endpoint_url=endpoint)


def signing_key(date):
    key = ("AWS4" + credentials.secret_key).encode()
    for part in (date, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def upload(key, chunks, trailer=None, tamper=None):
    """PUTs `chunks` as a signed aws-chunked body; `tamper(list of (data, signature))` may change it."""
    marker = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if trailer else "")
    headers = {"X-Amz-Content-SHA256": marker, "Content-Encoding": "aws-chunked",
               "X-Amz-Decoded-Content-Length": str(sum(len(c) for c in chunks))}
    if trailer:
        headers["X-Amz-Trailer"] = trailer[0]
    path = f"/streaming/{urllib.parse.quote(key)}"
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers["Host"] = parsed.netloc
    headers["X-Amz-Date"] = amz_date
    # The head's SigV4 signature, from AWS's canonical request (S3: the declared payload marker).
    names = sorted(headers, key=str.lower)
    canonical = "\n".join(["PUT", path, ""] + [f"{n.lower()}:{headers[n].strip()}" for n in names]
                          + ["", ";".join(n.lower() for n in names), marker])
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    key_bytes = signing_key(amz_date[:8])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    previous = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
                                f"SignedHeaders={';'.join(n.lower() for n in names)}, Signature={previous}")
    signed = []
    for data in chunks + [b""]:
        text = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY, hashlib.sha256(data).hexdigest()])
        previous = hmac.new(key_bytes, text.encode(), hashlib.sha256).hexdigest()
        signed.append((data, previous))
    if tamper:
        signed = tamper(signed)
    body = b"".join(b"%x;chunk-signature=%s\r\n%s\r\n" % (len(d), s.encode(), d) if d else b"0;chunk-signature=%s\r\n" % s.encode() for d, s in signed)
    if trailer:
        name, value = trailer
        lines = f"{name}:{value}\n"
        text = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, signed[-1][1], hashlib.sha256(lines.encode()).hexdigest()])
        trailer_signature = hmac.new(key_bytes, text.encode(), hashlib.sha256).hexdigest()
        if tamper and getattr(tamper, "trailer", False):
            trailer_signature = "0" * 64
        body += f"{name}:{value}\r\nx-amz-trailer-signature:{trailer_signature}\r\n\r\n".encode()
    else:
        body += b"\r\n"
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
    send_headers = dict(headers)
    send_headers["Content-Length"] = str(len(body))
    connection.request("PUT", path, body=body, headers=send_headers)
    response = connection.getresponse()
    return response.status, response.read().decode(), dict(response.getheaders())


def stored(key):
    try:
        return s3.get_object(Bucket="streaming", Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


s3.create_bucket(Bucket="streaming")
chunks = [os.urandom(64 * 1024), os.urandom(64 * 1024), os.urandom(1000)]
status, body, _ = upload("plain.bin", chunks)
assert status == 200, (status, body)
assert stored("plain.bin") == b"".join(chunks)
print("signed chunks: stored")

crc = base64.b64encode(zlib.crc32(b"".join(chunks)).to_bytes(4, "big")).decode()
status, body, headers = upload("trailer.bin", chunks, trailer=("x-amz-checksum-crc32", crc))
assert status == 200, (status, body)
assert stored("trailer.bin") == b"".join(chunks)
assert {k.lower(): v for k, v in headers.items()}.get("x-amz-checksum-crc32") == crc, headers
print("signed chunks with a signed checksum trailer: stored, checksum echoed")


def changed(signed):
    # Flips every bit of the first byte: a fixed replacement byte would leave the chunk as it was
    # whenever the random data already starts with it (1 run in 256; CI saw one).
    data, signature = signed[1]
    return signed[:1] + [(bytes([data[0] ^ 0xFF]) + data[1:], signature)] + signed[2:]


def dropped(signed):
    return signed[:1] + signed[2:]


def reordered(signed):
    return [signed[1], signed[0]] + signed[2:]


def wrong_trailer(signed):
    return signed


wrong_trailer.trailer = True
for name, tamper, trailer in [("changed", changed, None), ("dropped", dropped, None), ("reordered", reordered, None),
                              ("wrong-trailer", wrong_trailer, ("x-amz-checksum-crc32", crc))]:
    status, body, _ = upload(f"{name}.bin", chunks, trailer=trailer, tamper=tamper)
    assert status in (400, 403) and ("SignatureDoesNotMatch" in body or "IncompleteBody" in body), (name, status, body)
    assert stored(f"{name}.bin") is None, name
    print(f"{name}: refused, nothing stored")

for key in ("plain.bin", "trailer.bin"):
    s3.delete_object(Bucket="streaming", Key=key)
s3.delete_bucket(Bucket="streaming")
print("STREAMING OK")
