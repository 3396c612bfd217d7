#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target to FuzzTesting/Corpus/<Target>/.

    python3 FuzzTesting/make-seeds.py

The seeds are checked in (scripts/fuzz reads them; new inputs the fuzzer finds go to a scratch
directory, so a run never changes the repository). Run this again only to refresh them: it makes
real keys, certificates, CRLs and PKCS#12 files with openssl, signs requests with botocore, and
takes the captured CreateSession requests from Tests/Fixtures. Passwords are `fuzz`, as the
targets use, with cheap KDF parameters so that each input runs fast.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "Corpus")
ADMIN = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def run(*args, stdin=None):
    return subprocess.run(args, check=True, capture_output=True, input=stdin).stdout


def seed(target, name, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


DELETE_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- keys -->\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
              b'<Object><Key>a/&amp;&lt;b&#x263A;&#233;</Key><VersionId>null</VersionId></Object><Object><Key><![CDATA[c<d]]></Key></Object>'
              b'<Quiet>false</Quiet></Delete>')

COMPLETE_XML = (b'<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                b'<Part><ETag>"0cc175b9c0f1b6a831c399e269772661"</ETag><PartNumber>1</PartNumber><ChecksumCRC32>6Lol3A==</ChecksumCRC32></Part>'
                b'<Part><ETag>92eb5ffee6ae2fec3ad71c777531578f</ETag><PartNumber>00002</PartNumber></Part></CompleteMultipartUpload>')


def request_text(method, target, headers, body=b""):
    head = f"{method} {target}\n" + "".join(f"{k}: {v}\n" for k, v in headers.items()) + "\n"
    return head.encode() + (body if isinstance(body, bytes) else body.encode())


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    work = tempfile.mkdtemp()
    p = lambda name: os.path.join(work, name)

    # Keys in every form.
    run("openssl", "genrsa", "-traditional", "-out", p("rsa1.pem"), "2048")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p("sec1.pem"))
    run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", p("sec1.pem"), "-out", p("pkcs8.pem"))
    run("openssl", "pkcs8", "-topk8", "-in", p("rsa1.pem"), "-v2", "aes-256-cbc", "-iter", "1000", "-passout", "pass:fuzz", "-out", p("pbkdf2.pem"))
    run("openssl", "pkcs8", "-topk8", "-in", p("sec1.pem"), "-scrypt", "-scrypt_N", "1024", "-scrypt_r", "8", "-scrypt_p", "1", "-passout", "pass:fuzz", "-out", p("scrypt.pem"))
    run("openssl", "rsa", "-in", p("rsa1.pem"), "-aes128", "-traditional", "-passout", "pass:fuzz", "-out", p("legacy.pem"))
    for name in ["rsa1", "sec1", "pkcs8", "pbkdf2", "scrypt", "legacy"]:
        seed("FuzzPEM", f"{name}.pem", open(p(f"{name}.pem"), "rb").read())
    for selector, name in [(0, "rsa1"), (1, "sec1"), (2, "pkcs8"), (3, "pbkdf2"), (3, "scrypt")]:
        der = run("openssl", "asn1parse", "-in", p(f"{name}.pem"), "-out", "/dev/stdout", "-noout")
        seed("FuzzPrivateKey", f"{name}.der", bytes([selector]) + der)
    seed("FuzzPrivateKey", "legacy.pem", b"\x04" + open(p("legacy.pem"), "rb").read())

    # Certificates: a CA with name constraints, an intermediate, leaves (RSA, EC, with SANs).
    conf = p("ext.cnf")
    with open(conf, "w") as f:
        f.write(
            "[req]\ndistinguished_name=dn\n[dn]\n"
            "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
            "nameConstraints=critical,permitted;dirName:permitted_dn\nsubjectKeyIdentifier=hash\n"
            "[permitted_dn]\nO=Permitted Org\n"
            "[int]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
            "[leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
            "subjectAltName=DNS:host.example,URI:spiffe://example/workload,email:w@example.com\n"
        )
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-subj", "/O=Permitted Org/CN=Fuzz CA",
        "-days", "30", "-config", conf, "-extensions", "ca", "-out", p("ca.pem"))
    run("openssl", "req", "-config", conf, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("int.key"), "-subj", "/O=Permitted Org/CN=Fuzz Int", "-out", p("int.csr"))
    run("openssl", "x509", "-req", "-in", p("int.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-days", "20", "-extfile", conf, "-extensions", "int", "-out", p("int.pem"))
    run("openssl", "req", "-config", conf, "-newkey", "rsa:2048", "-nodes", "-keyout", p("leaf.key"), "-subj", "/O=Permitted Org/OU=Platform/CN=myContainer", "-out", p("leaf.csr"))
    run("openssl", "x509", "-req", "-in", p("leaf.csr"), "-CA", p("int.pem"), "-CAkey", p("int.key"), "-days", "10", "-extfile", conf, "-extensions", "leaf", "-out", p("leaf.pem"))
    # Signing requests: RSA and EC, without and with an extension request (ML-DSA ones are
    # written by `rolesanywhere pki csr`, which openssl 3.0 cannot: mldsa65-san.pem is one).
    run("openssl", "req", "-new", "-key", p("int.key"), "-subj", "/CN=Fuzz SAN", "-addext", "subjectAltName=DNS:a.example,URI:spiffe://example/w,IP:192.0.2.1",
        "-out", p("san.csr"))
    for name in ["int", "leaf", "san"]:
        seed("FuzzSigningRequest", f"{name}.csr.pem", open(p(f"{name}.csr"), "rb").read())
        seed("FuzzSigningRequest", f"{name}.csr.der", run("openssl", "req", "-in", p(f"{name}.csr"), "-outform", "DER"))
    for name in ["ca", "int", "leaf"]:
        seed("FuzzCertificate", f"{name}.der", run("openssl", "x509", "-in", p(f"{name}.pem"), "-outform", "DER"))
        seed("FuzzPEM", f"{name}.pem", open(p(f"{name}.pem"), "rb").read())

    # CRLs: empty and with revoked serials, as DER and PEM.
    os.makedirs(p("ca-db"), exist_ok=True)
    open(p("index.txt"), "w").close()
    with open(p("crl.cnf"), "w") as f:
        f.write(f"[ca]\ndefault_ca=d\n[d]\ndatabase={p('index.txt')}\ncrlnumber={p('crlnumber')}\ndefault_md=sha256\ndefault_crl_days=7\ncrl_extensions=e\n[e]\nauthorityKeyIdentifier=keyid:always\n")
    with open(p("crlnumber"), "w") as f:
        f.write("01\n")
    run("openssl", "ca", "-config", p("crl.cnf"), "-gencrl", "-keyfile", p("ca.key"), "-cert", p("ca.pem"), "-out", p("empty.crl"))
    run("openssl", "ca", "-config", p("crl.cnf"), "-revoke", p("leaf.pem"), "-keyfile", p("ca.key"), "-cert", p("ca.pem"))
    run("openssl", "ca", "-config", p("crl.cnf"), "-gencrl", "-keyfile", p("ca.key"), "-cert", p("ca.pem"), "-out", p("revoked.crl"))
    for name in ["empty", "revoked"]:
        seed("FuzzCRL", f"{name}.pem", open(p(f"{name}.crl"), "rb").read())
        seed("FuzzCRL", f"{name}.der", run("openssl", "crl", "-in", p(f"{name}.crl"), "-outform", "DER"))
        seed("FuzzPEM", f"{name}.crl.pem", open(p(f"{name}.crl"), "rb").read())

    # PKCS#12, OpenSSL 3's form and the legacy one.
    run("openssl", "pkcs12", "-export", "-in", p("leaf.pem"), "-inkey", p("leaf.key"), "-certfile", p("int.pem"), "-passout", "pass:fuzz", "-iter", "1000", "-out", p("modern.p12"))
    run("openssl", "pkcs12", "-export", "-legacy", "-in", p("leaf.pem"), "-inkey", p("leaf.key"), "-passout", "pass:fuzz", "-out", p("legacy.p12"))
    run("openssl", "pkcs12", "-export", "-in", p("leaf.pem"), "-inkey", p("leaf.key"), "-passout", "pass:", "-out", p("nopass.p12"))
    for name in ["modern", "legacy", "nopass"]:
        seed("FuzzPKCS12", f"{name}.p12", open(p(f"{name}.p12"), "rb").read())

    # SigV4 requests: botocore-signed for each service, and the captured CreateSession requests.
    def signed(service, method, url, headers, body=b""):
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        (S3SigV4Auth if service == "s3" else SigV4Auth)(ADMIN, service, "us-east-1").add_auth(request)
        target = url.split("127.0.0.1:4566", 1)[1]
        return request_text(method, target, dict(request.headers.items()) | {"Host": "127.0.0.1:4566"}, body)

    base = "http://127.0.0.1:4566"
    seed("FuzzSigV4", "s3-list.txt", signed("s3", "GET", base + "/bucket?list-type=2&prefix=a%2F", {"X-Amz-Content-SHA256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}))
    # Presigned URLs, as boto3 makes them: SigV2 (its default in us-east-1) and SigV4.
    def presigned(version, operation, params, method):
        import boto3
        from botocore.config import Config
        s3 = boto3.client("s3", endpoint_url=base, region_name="us-east-1", aws_access_key_id=ADMIN.access_key,
                          aws_secret_access_key=ADMIN.secret_key, aws_session_token="FQoGZXIvYXdzEXAMPLETOKEN",
                          config=Config(signature_version=version) if version else None)
        url = s3.generate_presigned_url(operation, Params=params, ExpiresIn=3600)
        return request_text(method, url.split("127.0.0.1:4566", 1)[1], {"Host": "127.0.0.1:4566"})

    for version in (None, "s3v4"):
        name = version or "sigv2"
        seed("FuzzSigV4", f"presigned-get-{name}.txt", presigned(version, "get_object", {"Bucket": "bucket", "Key": "a b/c+d", "ResponseContentType": "text/csv"}, "GET"))
        seed("FuzzSigV4", f"presigned-part-{name}.txt", presigned(version, "upload_part", {"Bucket": "bucket", "Key": "k", "UploadId": "0123", "PartNumber": 2}, "PUT"))
    seed("FuzzSigV4", "iam.txt", signed("iam", "POST", base + "/", {"Content-Type": "application/x-www-form-urlencoded"}, b"Action=ListRoles&Version=2010-05-08"))
    vectors = json.load(open(os.path.join(ROOT, "Tests/Fixtures/createsession/createsession_vectors.json")))
    for name, vector in vectors.items():
        request = vector["request"]
        seed("FuzzSigV4", f"createsession-{name}.txt", request_text(request["method"], request["target"], request["headers"], request.get("body", "")))

    # Policies.
    policies = {
        "trust.json": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"},
                       "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                       "Condition": {"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "myContainer"}, "ArnEquals": {"aws:SourceArn": "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/*"}}}]},
        "identity.json": {"Version": "2012-10-17", "Statement": [
            {"Sid": "List", "Effect": "Allow", "Action": ["s3:List*", "s3:Get*"], "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/${aws:PrincipalTag/x509Subject/CN}/*"],
             "Condition": {"StringLike": {"s3:prefix": ["a/*", ""]}, "IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}, "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}},
            {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*", "Condition": {"ForAnyValue:StringNotEqualsIgnoreCase": {"aws:TagKeys": ["x"]}, "Null": {"aws:SourceIdentity": "true"}, "NumericLessThan": {"s3:max-keys": "10"}, "Bool": {"aws:SecureTransport": "false"}}},
        ]},
    }
    policies["dates.json"] = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                              "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01"}, "DateLessThanEquals": {"aws:CurrentTime": "1795000000"}}}]}
    for name, document in policies.items():
        seed("FuzzPolicy", name, json.dumps(document, indent=1))

    # Whole requests to rolesanywhere-local (signed by the target for X-Fuzz-Service).
    ca_pem = open(p("ca.pem")).read()
    crl_b64 = __import__("base64").b64encode(open(p("revoked.crl"), "rb").read()).decode()
    local = {
        "s3-create-bucket.txt": ("PUT", "/fuzz-bucket", {"X-Fuzz-Service": "s3"}, "<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>"),
        "s3-put-chunked.txt": ("PUT", "/fuzz-bucket/a/key.txt", {"X-Fuzz-Service": "s3", "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
                               "X-Amz-Decoded-Content-Length": "5", "x-amz-meta-owner": "fuzz"}, "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"),
        "s3-list.txt": ("GET", "/fuzz-bucket?list-type=2&prefix=a%2F&delimiter=%2F&max-keys=2&encoding-type=url&continuation-token=YQ%3D%3D", {"X-Fuzz-Service": "s3"}, ""),
        "s3-get-range.txt": ("GET", "/fuzz-bucket/a/key.txt", {"X-Fuzz-Service": "s3", "Range": "bytes=1-3"}, ""),
        "s3-delete-objects.txt": ("POST", "/fuzz-bucket?delete", {"X-Fuzz-Service": "s3", "Content-MD5": base64.b64encode(hashlib.md5(DELETE_XML).digest()).decode(),
                                  "Content-Type": "application/xml"}, DELETE_XML),
        "s3-complete-multipart.txt": ("POST", "/fuzz-bucket/big.bin?uploadId=0123", {"X-Fuzz-Service": "s3", "Content-Type": "application/xml"}, COMPLETE_XML),
        "s3-upload-part.txt": ("PUT", "/fuzz-bucket/big.bin?partNumber=2&uploadId=0123", {"X-Fuzz-Service": "s3"}, "part"),
        "s3-subresource.txt": ("DELETE", "/fuzz-bucket?publicAccessBlock", {"X-Fuzz-Service": "s3"}, ""),
        "iam-create-role.txt": ("POST", "/", {"X-Fuzz-Service": "iam", "Content-Type": "application/x-www-form-urlencoded"},
                                "Action=CreateRole&Version=2010-05-08&RoleName=fuzz&Path=%2Fp%2F&AssumeRolePolicyDocument=" + __import__("urllib.parse").parse.quote(json.dumps(policies["trust.json"])) + "&Tags.member.1.Key=a&Tags.member.1.Value=b"),
        "iam-put-role-policy.txt": ("POST", "/", {"X-Fuzz-Service": "iam", "Content-Type": "application/x-www-form-urlencoded"},
                                    "Action=PutRolePolicy&Version=2010-05-08&RoleName=fuzz&PolicyName=p&PolicyDocument=" + __import__("urllib.parse").parse.quote(json.dumps(policies["identity.json"]))),
        "iam-list-roles.txt": ("POST", "/", {"X-Fuzz-Service": "iam", "Content-Type": "application/x-www-form-urlencoded"}, "Action=ListRoles&Version=2010-05-08&MaxItems=1&Marker=ZnV6eg%3D%3D"),
        "sts-caller.txt": ("POST", "/", {"X-Fuzz-Service": "sts", "Content-Type": "application/x-www-form-urlencoded"}, "Action=GetCallerIdentity&Version=2011-06-15"),
        "sts-access-key-info.txt": ("POST", "/", {"X-Fuzz-Service": "sts", "Content-Type": "application/x-www-form-urlencoded"}, "Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=ASIAQNZGKIQY56JQ7WML"),
        "ra-create-anchor.txt": ("POST", "/trustanchors", {"X-Fuzz-Service": "rolesanywhere", "Content-Type": "application/json"},
                                 json.dumps({"name": "fuzz", "enabled": True, "source": {"sourceType": "CERTIFICATE_BUNDLE", "sourceData": {"x509CertificateData": ca_pem}}, "tags": [{"key": "k", "value": "v"}]})),
        "ra-create-profile.txt": ("POST", "/profiles", {"X-Fuzz-Service": "rolesanywhere", "Content-Type": "application/json"},
                                  json.dumps({"name": "fuzz", "roleArns": ["arn:aws:iam::123456789012:role/fuzz"], "durationSeconds": 3600, "sessionPolicy": json.dumps(policies["identity.json"]), "enabled": True})),
        "ra-import-crl.txt": ("POST", "/crls", {"X-Fuzz-Service": "rolesanywhere", "Content-Type": "application/json"},
                              json.dumps({"name": "fuzz", "crlData": crl_b64, "trustAnchorArn": "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-000000000000"})),
        "ra-list.txt": ("GET", "/trustanchors?pageSize=1&nextToken=b2Zmc2V0OjE%3D", {"X-Fuzz-Service": "rolesanywhere"}, ""),
        "ra-mappings.txt": ("PUT", "/profiles/00000000-0000-4000-8000-000000000000/mappings", {"X-Fuzz-Service": "rolesanywhere", "Content-Type": "application/json"},
                            json.dumps({"certificateField": "x509Subject", "mappingRules": [{"specifier": "CN"}]})),
        "pca-issue.txt": ("POST", "/", {"X-Fuzz-Service": "acm-pca", "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "ACMPrivateCA.IssueCertificate"},
                          json.dumps({"CertificateAuthorityArn": "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/00000000-0000-4000-8000-000000000000",
                                      "Csr": "LS0tLS1CRUdJTg==", "SigningAlgorithm": "SHA256WITHECDSA", "Validity": {"Value": 10, "Type": "MINUTES"}})),
        "pca-issue-passthrough.txt": ("POST", "/", {"X-Fuzz-Service": "acm-pca", "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "ACMPrivateCA.IssueCertificate"},
                                      json.dumps({"CertificateAuthorityArn": "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/00000000-0000-4000-8000-000000000000",
                                                  "Csr": "LS0tLS1CRUdJTg==", "SigningAlgorithm": "SHA256WITHECDSA", "Validity": {"Value": 1, "Type": "DAYS"},
                                                  "TemplateArn": "arn:aws:acm-pca:::template/BlankEndEntityCertificate_APIPassthrough/V1",
                                                  "ApiPassthrough": {"Subject": {"CommonName": "x", "Country": "US"}, "Extensions": {
                                                      "KeyUsage": {"DigitalSignature": True}, "ExtendedKeyUsage": [{"ExtendedKeyUsageType": "CLIENT_AUTH"}, {"ExtendedKeyUsageObjectIdentifier": "1.2.3"}],
                                                      "SubjectAlternativeNames": [{"DnsName": "a.example"}, {"IpAddress": "::1"}, {"DirectoryName": {"CommonName": "d"}}, {"RegisteredId": "1.2.3.4"}],
                                                      "CertificatePolicies": [{"CertPolicyId": "2.5.29.32.0", "PolicyQualifiers": [{"PolicyQualifierId": "CPS", "Qualifier": {"CpsUri": "https://e/cps"}}]}],
                                                      "CustomExtensions": [{"ObjectIdentifier": "1.3.6.1.4.1.99999.1", "Value": "DAVoZWxsbw==", "Critical": True}]}}})),
        "pca-create.txt": ("POST", "/", {"X-Fuzz-Service": "acm-pca", "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "ACMPrivateCA.CreateCertificateAuthority"},
                           json.dumps({"CertificateAuthorityType": "ROOT", "UsageMode": "SHORT_LIVED_CERTIFICATE",
                                       "CertificateAuthorityConfiguration": {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA384WITHECDSA", "Subject": {"CommonName": "x"}},
                                       "RevocationConfiguration": {"CrlConfiguration": {"Enabled": True, "S3BucketName": "crls", "CustomCname": "crl.example.com",
                                                                                        "CustomPath": "a/b", "ExpirationInDays": 7, "CrlDistributionPointExtensionConfiguration": {"OmitExtension": False}},
                                                                   "OcspConfiguration": {"Enabled": False}},
                                       "Tags": [{"Key": "team", "Value": "platform"}]})),
        "unsigned.txt": ("POST", "/", {"Content-Type": "application/x-www-form-urlencoded"}, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=a&WebIdentityToken=t"),
    }
    for name, (method, target, headers, body) in local.items():
        seed("FuzzLocalRequest", name, request_text(method, target, headers, body))
    for name, vector in vectors.items():
        request = vector["request"]
        seed("FuzzLocalRequest", f"createsession-{name}.txt", request_text(request["method"], request["target"], request["headers"], request.get("body", "")))

    # The small S3 and query parsers (first byte picks the parser).
    seed("FuzzS3Body", "chunked.bin", b"\x00" + b"5;chunk-signature=abc\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")
    seed("FuzzS3Body", "location.bin", b"\x01" + b'<?xml version="1.0" encoding="UTF-8"?>\n<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>')
    seed("FuzzS3Body", "query.bin", b"\x02" + b"list-type=2&prefix=a%2Fb&uploads&x-id=GetObject&%E2%82%AC=1")
    seed("FuzzS3Body", "form.bin", b"\x03" + b"Action=CreateRole&RoleName=a+b&Tags.member.1.Key=%41")
    seed("FuzzS3Body", "delete.bin", b"\x04" + DELETE_XML)
    seed("FuzzS3Body", "complete.bin", b"\x05" + COMPLETE_XML)
    seed("FuzzS3Body", "signed-chunks.bin", b"\x00" + b"10;chunk-signature=" + b"a" * 64 + b"\r\n0123456789abcdef\r\n0;chunk-signature="
         + b"b" * 64 + b"\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:" + b"c" * 64 + b"\r\n\r\n")

    # serve's router.
    seed("FuzzMetadataRouter", "token.txt", request_text("PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}))
    seed("FuzzMetadataRouter", "credentials.txt", request_text("GET", "/latest/meta-data/iam/security-credentials/bucket-lister", {"x-aws-ec2-metadata-token": "token"}))
    seed("FuzzMetadataRouter", "container.txt", request_text("GET", "/v1/credentials", {"Authorization": "container-token-0123456789abcdef"}))
    seed("FuzzMetadataRouter", "healthz.txt", request_text("GET", "/healthz", {}))
    seed("FuzzMetadataRouter", "forwarded.txt", request_text("PUT", "/latest/api/token/", {"X-Forwarded-For": "10.0.0.1", "X-aws-ec2-metadata-token-ttl-seconds": "0"}))
    shutil.rmtree(work)
    count = sum(len(files) for _, _, files in os.walk(CORPUS))
    print(f"wrote {count} seeds to {os.path.relpath(CORPUS, ROOT)}")


if __name__ == "__main__":
    main()
