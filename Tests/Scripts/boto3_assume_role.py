#!/usr/bin/env python3
"""sts:AssumeRole against rolesanywhere-local with boto3, as the administrator: trust policies
that name the account or a role, ExternalId and session-tag conditions, session policies that
narrow the new session, durations, and STS's validation errors.

    boto3_assume_role.py ENDPOINT

Credentials come from the environment (the administrator keys).
"""
import datetime
import json
import sys

import boto3
from client_errors import expect_error

endpoint = sys.argv[1]
session = boto3.session.Session(region_name="us-east-1")
iam = session.client("iam", endpoint_url=endpoint)
sts = session.client("sts", endpoint_url=endpoint)
ACCOUNT = "123456789012"


def trust(statement):
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def client_as(credentials, service):
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"], region_name="us-east-1",
    ).client(service, endpoint_url=endpoint)


# A role the account may assume, with an external ID, and that may list and create buckets.
iam.create_role(RoleName="deployer", MaxSessionDuration=7200, AssumeRolePolicyDocument=trust({
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
    "Condition": {"StringEquals": {"sts:ExternalId": "build-42"}},
}))
iam.put_role_policy(RoleName="deployer", PolicyName="s3", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:CreateBucket"], "Resource": "*"}]}))

assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="ci-run", ExternalId="build-42",
                          Tags=[{"Key": "team", "Value": "platform"}], DurationSeconds=7200)
credentials = assumed["Credentials"]
assert credentials["AccessKeyId"].startswith("ASIA"), credentials
lifetime = credentials["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
assert 7100 < lifetime.total_seconds() <= 7200, lifetime
assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-run", assumed
assert assumed["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci-run"), assumed
assert "PackedPolicySize" in assumed, assumed
identity = client_as(credentials, "sts").get_caller_identity()
assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-run", identity
client_as(credentials, "s3").create_bucket(Bucket="deployer-bucket")
print("assume_role with an external ID and session tags, and the session works: ok")

# A session policy narrows the session: it may list, not create.
narrow = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="read-only", ExternalId="build-42",
                         Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
s3 = client_as(narrow["Credentials"], "s3")
assert "deployer-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
expect_error("AccessDenied", s3.create_bucket, Bucket="not-with-a-session-policy")
print("a session policy narrows the session: ok")

# What the trust policy, the role and STS refuse.
expect_error("AccessDenied", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="x1", ExternalId="wrong")
expect_error("AccessDenied", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="x1")
expect_error("AccessDenied", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/no-such-role", RoleSessionName="x1")
expect_error("ValidationError", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="x1", ExternalId="build-42",
             DurationSeconds=10800)
expect_error("ValidationError", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="has space", ExternalId="build-42")
expect_error("MalformedPolicyDocument", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="x1", ExternalId="build-42",
             Policy="{not json")
print("external IDs, unknown roles, durations, names, session policies refused: ok")

# Role chaining from the first session: the trust policy names the role; the chain is capped at an hour.
iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=trust({
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/deployer"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}},
}))
chained_sts = client_as(credentials, "sts")
chained = chained_sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/auditor", RoleSessionName="audit")
assert chained["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/auditor/audit", chained
expect_error("ValidationError", chained_sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/auditor", RoleSessionName="audit", DurationSeconds=3601)
# The narrow session has no team tag: the condition does not hold for it.
expect_error("AccessDenied", client_as(narrow["Credentials"], "sts").assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/auditor", RoleSessionName="audit")
print("role chaining with principal-tag conditions and the one-hour cap: ok")
print("ASSUME ROLE OK")
