#!/usr/bin/env python3
"""boto3 against rolesanywhere-local: IAM, STS and S3 as the walkthrough uses them.

    boto3_local_walk.py ENDPOINT

Credentials come from the environment (AWS_ACCESS_KEY_ID, ...). Prints one line per step and
exits non-zero on the first unexpected answer.
"""
import json
import sys

import boto3
from client_errors import expect_error

endpoint = sys.argv[1]
session = boto3.session.Session(region_name="us-east-1")
iam = session.client("iam", endpoint_url=endpoint)
sts = session.client("sts", endpoint_url=endpoint)
s3 = session.client("s3", endpoint_url=endpoint)

trust = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "rolesanywhere.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "myContainer"}},
    }],
}


identity = sts.get_caller_identity()
assert identity["Account"] == "123456789012", identity
print("sts get_caller_identity:", identity["Arn"])

role = iam.create_role(RoleName="boto-role", AssumeRolePolicyDocument=json.dumps(trust), Description="from boto3")["Role"]
assert role["Arn"] == "arn:aws:iam::123456789012:role/boto-role", role
assert role["AssumeRolePolicyDocument"] == trust, role["AssumeRolePolicyDocument"]
print("iam create_role:", role["RoleId"])
iam.put_role_policy(RoleName="boto-role", PolicyName="list", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
assert iam.get_role(RoleName="boto-role")["Role"]["Description"] == "from boto3"
assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["boto-role"]
paginator = iam.get_paginator("list_roles")
assert sum(len(page["Roles"]) for page in paginator.paginate(PaginationConfig={"PageSize": 1})) == 1
expect_error("DeleteConflict", iam.delete_role, RoleName="boto-role")
iam.delete_role_policy(RoleName="boto-role", PolicyName="list")
iam.delete_role(RoleName="boto-role")
expect_error("NoSuchEntity", iam.get_role, RoleName="boto-role")
print("iam role lifecycle: ok")

s3.create_bucket(Bucket="boto-bucket")
assert "boto-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
for index in range(5):
    s3.put_object(Bucket="boto-bucket", Key=f"logs/2026/{index}.txt", Body=f"line {index}\n".encode())
s3.put_object(Bucket="boto-bucket", Key="top level+plus=%.txt", Body=b"odd name", Metadata={"owner": "boto"})
page = s3.list_objects_v2(Bucket="boto-bucket", Delimiter="/")
assert [p["Prefix"] for p in page.get("CommonPrefixes", [])] == ["logs/"], page
assert [o["Key"] for o in page["Contents"]] == ["top level+plus=%.txt"], page
keys = []
for listing in s3.get_paginator("list_objects_v2").paginate(Bucket="boto-bucket", Prefix="logs/", PaginationConfig={"PageSize": 2}):
    keys += [o["Key"] for o in listing.get("Contents", [])]
assert keys == [f"logs/2026/{i}.txt" for i in range(5)], keys
got = s3.get_object(Bucket="boto-bucket", Key="top level+plus=%.txt")
assert got["Body"].read() == b"odd name" and got["Metadata"] == {"owner": "boto"}, got
assert s3.get_object(Bucket="boto-bucket", Key="logs/2026/3.txt", Range="bytes=5-5")["Body"].read() == b"3"
s3.head_bucket(Bucket="boto-bucket")
expect_error("404", s3.head_object, Bucket="boto-bucket", Key="missing")
expect_error("NoSuchKey", s3.get_object, Bucket="boto-bucket", Key="missing", details={"Key": "missing"})
expect_error("BucketNotEmpty", s3.delete_bucket, Bucket="boto-bucket", details={"BucketName": "boto-bucket"})
for listing in s3.get_paginator("list_objects_v2").paginate(Bucket="boto-bucket"):
    for item in listing.get("Contents", []):
        s3.delete_object(Bucket="boto-bucket", Key=item["Key"])
s3.delete_bucket(Bucket="boto-bucket")
expect_error("NoSuchBucket", s3.list_objects_v2, Bucket="boto-bucket", details={"BucketName": "boto-bucket"})
print("s3 bucket and object lifecycle: ok")
print("BOTO3 OK")
