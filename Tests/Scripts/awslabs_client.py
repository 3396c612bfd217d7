#!/usr/bin/env python3
"""The awslabs `iam-rolesanywhere-session` client (PyPI) against rolesanywhere-local over HTTPS.

    awslabs_client.py HOST:PORT CA_BUNDLE CERT KEY TRUST_ANCHOR_ARN PROFILE_ARN ROLE_ARN

It signs CreateSession itself (ARNs in the JSON body), then uses the temporary credentials with
boto3 for STS and S3. Prints the caller ARN and the bucket names, then "AWSLABS OK".
"""
import sys

from iam_rolesanywhere_session import IAMRolesAnywhereSession

endpoint, ca, cert, key, anchor, profile, role = sys.argv[1:8]
roles_anywhere = IAMRolesAnywhereSession(
    profile_arn=profile,
    role_arn=role,
    trust_anchor_arn=anchor,
    certificate=open(cert, "rb").read(),
    private_key=open(key, "rb").read(),
    region="us-east-1",
    endpoint=endpoint,
    verify=ca,
    session_duration=900,
)
session = roles_anywhere.get_session()
url = f"https://{endpoint}"
identity = session.client("sts", endpoint_url=url).get_caller_identity()
print("caller:", identity["Arn"])
buckets = session.client("s3", endpoint_url=url).list_buckets()["Buckets"]
print("buckets:", ",".join(b["Name"] for b in buckets))
print("AWSLABS OK")
