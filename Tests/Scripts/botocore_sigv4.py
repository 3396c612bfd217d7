#!/usr/bin/env python3
"""Signs a fixed set of requests with botocore's own SigV4 signer and prints them as JSON, so the Swift
tests can check that our verifier accepts what botocore (and so the AWS CLI) signs, and that our
signer produces botocore's signatures for the same date."""
import json
import sys
from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

cases = [
    ("iam", "POST", "http://127.0.0.1:4566/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
     "Action=CreateRole&Version=2010-05-08&RoleName=bucket-lister&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D", None),
    ("sts", "POST", "http://localhost:4566/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
     "Action=GetCallerIdentity&Version=2011-06-15", "session-token-value"),
    ("rolesanywhere", "GET", "http://127.0.0.1:4566/trustanchors?pageSize=5&nextToken=a%2Fb", {}, "", None),
    ("rolesanywhere", "DELETE", "http://127.0.0.1:4566/profiles/abc/mappings?certificateField=x509Subject&specifiers=CN&specifiers=OU", {}, "", None),
    ("s3", "GET", "http://127.0.0.1:4566/", {}, "", None),
    ("s3", "GET", "http://127.0.0.1:4566/bucket?list-type=2&prefix=&delimiter=%2F&encoding-type=url", {}, "", None),
    ("s3", "PUT", "http://127.0.0.1:4566/bucket/a%20b/c%2Bd%3De%25f.txt", {"Content-Type": "text/plain"}, "hello world", "tok"),
]

results = []
if True:
    for service, method, url, headers, body, token in cases:
        credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
        request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
        signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(credentials, service, "us-east-1")
        signer.add_auth(request)
        from urllib.parse import urlsplit
        parts = urlsplit(url)
        results.append({
            "service": service, "method": method, "path": parts.path or "/", "query": parts.query,
            "headers": [[k, v] for k, v in request.headers.items()], "body": body,
            "host": parts.netloc,
        })
print(json.dumps(results))
