#!/usr/bin/env python3
"""An independent SigV4-X509 verifier, for testing our client against code that is not ours.

It stands in for IAM Roles Anywhere's CreateSession *signature check* only (no trust chain, no
policies): the canonical request is rebuilt with botocore's SigV4 implementation from the headers
named in SignedHeaders, and the signature is checked with pyca/cryptography against the public key
of the certificate in X-Amz-X509. A valid request gets a CreateSession-shaped 201 answer with fresh
credentials; GetCallerIdentity (query protocol, SigV4-HMAC, verified with botocore's signer against
the credentials it issued) lets the real AWS CLI prove it used them.

Usage: independent_verifier.py [--tls-cert PEM --tls-key PEM] [--fail-first N --fail-status S]
       [--error-status S --error-type T --error-message M] [--duration SECONDS]
It prints one line "READY <port>" when listening on 127.0.0.1.
"""
import argparse
import base64
import datetime
import hashlib
import json
import secrets
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, mldsa, padding, rsa

STATE = {"requests": [], "issued": {}, "count": 0}
LOCK = threading.Lock()


def parse_authorization(value):
    algorithm, _, rest = value.partition(" ")
    parts = {}
    for item in rest.split(","):
        key, _, val = item.strip().partition("=")
        parts[key] = val
    credential = parts["Credential"].split("/")
    return algorithm, credential, parts["SignedHeaders"].split(";"), parts["Signature"]


def canonical_request(handler, body, signed_headers, scheme):
    """botocore's canonical request over exactly the signed headers."""
    headers = {}
    for name in signed_headers:
        values = handler.headers.get_all(name) or []
        if not values:
            raise ValueError("signed header %s missing" % name)
        headers[name] = ",".join(values)
    url = "%s://%s%s" % (scheme, handler.headers["Host"], handler.path)
    request = AWSRequest(method=handler.command, url=url, headers=headers, data=body)
    auth = SigV4Auth(Credentials("unused", "unused"), "rolesanywhere", "us-east-1")
    # botocore signs every header of the request; the request holds only the signed ones.
    return auth.canonical_request(request), request, auth


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body are separate writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the head (about 40 ms), which would swamp every timing of a client.
    disable_nagle_algorithm = True
    scheme = "http"
    options = None

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json", headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, error_type, message):
        self.reply(status, json.dumps({"message": message}), headers={"x-amzn-ErrorType": error_type})

    def do_GET(self):
        if self.path == "/__requests":
            with LOCK:
                self.reply(200, json.dumps(STATE["requests"]))
            return
        self.error(404, "ResourceNotFoundException", "not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        authorization = self.headers.get("Authorization", "")
        if authorization.startswith("AWS4-X509-"):
            self.create_session(body, authorization)
        elif authorization.startswith("AWS4-HMAC-SHA256"):
            self.caller_identity(body, authorization)
        else:
            self.error(403, "AccessDeniedException", "Missing Authentication Token")

    def create_session(self, body, authorization):
        options = self.options
        with LOCK:
            STATE["count"] += 1
            count = STATE["count"]
        try:
            algorithm, credential, signed_headers, signature = parse_authorization(authorization)
            certificate = x509.load_der_x509_certificate(base64.b64decode(self.headers["X-Amz-X509"]))
            canonical, _, _ = canonical_request(self, body, signed_headers, self.scheme)
            scope = "/".join(credential[1:])
            string_to_sign = "\n".join([
                algorithm, self.headers["X-Amz-Date"], scope,
                hashlib.sha256(canonical.encode()).hexdigest(),
            ])
            key = certificate.public_key()
            raw = bytes.fromhex(signature)
            if algorithm == "AWS4-X509-RSA-SHA256" and isinstance(key, rsa.RSAPublicKey):
                key.verify(raw, string_to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())
            elif algorithm == "AWS4-X509-ECDSA-SHA256" and isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(raw, string_to_sign.encode(), ec.ECDSA(hashes.SHA256()))
            elif algorithm == "AWS4-X509-MLDSA" and isinstance(key, (mldsa.MLDSA44PublicKey, mldsa.MLDSA65PublicKey, mldsa.MLDSA87PublicKey)):
                # Pure ML-DSA over the string to sign itself, empty context (OpenSSL 4).
                key.verify(raw, string_to_sign.encode())
            else:
                raise InvalidSignature("algorithm does not match key")
            if credential[0] != str(certificate.serial_number):
                raise InvalidSignature("serial mismatch")
        except (InvalidSignature, ValueError, KeyError) as failure:
            with LOCK:
                STATE["requests"].append({"verified": False, "reason": str(failure)})
            self.error(403, "AccessDeniedException", "Invalid signature")
            return
        query = parse_qs(urlsplit(self.path).query)
        payload = json.loads(body or b"{}")
        with LOCK:
            STATE["requests"].append({
                "verified": True, "algorithm": algorithm, "signedHeaders": signed_headers,
                "serial": credential[0], "region": credential[2], "query": {k: v[0] for k, v in query.items()},
                "body": payload, "chain": self.headers.get("X-Amz-X509-Chain", ""),
                "contentType": self.headers.get("Content-Type"), "userAgent": self.headers.get("User-Agent"),
                "host": self.headers.get("Host"),
            })
        if options.fail_first and count <= options.fail_first:
            self.error(options.fail_status, "ThrottlingException" if options.fail_status == 429 else "InternalServerException", "try again")
            return
        if options.error_status:
            self.error(options.error_status, options.error_type, options.error_message)
            return
        access_key = "ASIA" + secrets.token_hex(8).upper()
        secret = secrets.token_urlsafe(30)
        token = "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(60)
        expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=options.duration)).strftime("%Y-%m-%dT%H:%M:%SZ")
        role_arn = query.get("roleArn", [payload.get("roleArn", "")])[0]
        with LOCK:
            STATE["issued"][access_key] = (secret, token, role_arn)
        response = {
            "credentialSet": [{
                "assumedRoleUser": {"arn": "arn:aws:sts::000000000000:assumed-role/r/s", "assumedRoleId": "AROAEXAMPLE:s"},
                "credentials": {"accessKeyId": access_key, "expiration": expiration, "secretAccessKey": secret, "sessionToken": token},
                "packedPolicySize": 0, "roleArn": role_arn, "sourceIdentity": "CN=" + certificate.subject.rfc4514_string(),
            }],
            "subjectArn": "arn:aws:rolesanywhere:us-east-1:000000000000:subject/0",
        }
        self.reply(201, json.dumps(response))

    def caller_identity(self, body, authorization):
        algorithm, credential, signed_headers, signature = parse_authorization(authorization)
        with LOCK:
            issued = STATE["issued"].get(credential[0])
        if issued is None:
            self.reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid</Message></Error></ErrorResponse>", "text/xml")
            return
        secret, token, role_arn = issued
        if self.headers.get("X-Amz-Security-Token") != token:
            self.reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>bad token</Message></Error></ErrorResponse>", "text/xml")
            return
        headers = {name: ",".join(self.headers.get_all(name)) for name in signed_headers}
        url = "%s://%s%s" % (self.scheme, self.headers["Host"], self.path)
        request = AWSRequest(method="POST", url=url, headers=headers, data=body)
        request.context["timestamp"] = self.headers["X-Amz-Date"]
        auth = SigV4Auth(Credentials(credential[0], secret, token), credential[3], credential[2])
        canonical = auth.canonical_request(request)
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256", self.headers["X-Amz-Date"], "/".join(credential[1:]), hashlib.sha256(canonical.encode()).hexdigest()])
        if auth.signature(string_to_sign, request) != signature:
            self.reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>signature mismatch</Message></Error></ErrorResponse>", "text/xml")
            return
        arn = "arn:aws:sts::000000000000:assumed-role/%s/verified" % role_arn.rsplit("/", 1)[-1]
        self.reply(200, (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
            "<Arn>%s</Arn><UserId>AROAEXAMPLE:verified</UserId><Account>000000000000</Account>"
            "</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
            "</ResponseMetadata></GetCallerIdentityResponse>") % arn, "text/xml")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--fail-status", type=int, default=503)
    parser.add_argument("--error-status", type=int, default=0)
    parser.add_argument("--error-type", default="AccessDeniedException")
    parser.add_argument("--error-message", default="Untrusted Signing Certificate")
    parser.add_argument("--duration", type=int, default=3600)
    options = parser.parse_args()
    Handler.options = options
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if options.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.tls_cert, options.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        Handler.scheme = "https"
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
