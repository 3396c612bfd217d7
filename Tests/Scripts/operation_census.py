#!/usr/bin/env python3
"""Every operation of botocore's IAM, STS, S3, Roles Anywhere and AWS Private CA models against rolesanywhere-local.

    operation_census.py ENDPOINT GENERATED_DIR

For each operation, botocore builds the request from the model with placeholder inputs (every
required member, recursively), signs it with the administrator keys from the environment and sends
it. Each answer must be one of:

- the operation's own answer: the model's success status, and a body whose elements (XML) or keys
  (JSON) are all members of the operation's output shape;
- an AWS error of the operation (4xx with a code, for example NoSuchBucket for a placeholder);
- `NotImplemented` with HTTP 501, naming the operation.

Never a 2xx carrying another operation's body, never a 5xx other than 501, never a change to the
fixture bucket and object by an operation the server does not implement. Operations the server
implements are listed in IMPLEMENTED; an unlisted one answering anything but NotImplemented fails,
and so does a listed one answering NotImplemented. Operations whose request is indistinguishable
from another's (`aliasOf:` in the generated tables) are judged as that operation.

Prints one line per operation and `N passed, N failed` at the end; exits 1 on any failure.
"""
import datetime
import json
import os
import re
import sys
import xml.etree.ElementTree as ElementTree

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
GENERATED = sys.argv[2]
ACCOUNT = "123456789012"
REGION = "us-east-1"
FULL_BUCKET = "census-bucket"
EMPTY_BUCKET = "census-empty"
KEY = "census-key"
UUID = "00000000-0000-4000-8000-000000000000"

IMPLEMENTED = {
    "iam": {
        "CreateRole", "GetRole", "ListRoles", "UpdateRole", "UpdateAssumeRolePolicy", "DeleteRole", "PutRolePolicy",
        "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy", "CreatePolicy", "GetPolicy", "GetPolicyVersion",
        "DeletePolicy", "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies", "TagRole", "UntagRole", "ListRoleTags",
        "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
        "ListInstanceProfilesForRole", "ListInstanceProfiles", "GetInstanceProfile",
        "CreateInstanceProfile", "DeleteInstanceProfile", "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile",
        "CreatePolicyVersion", "ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion",
        "ListPolicies", "ListEntitiesForPolicy",
        # Users, groups and access keys.
        "CreateUser", "GetUser", "ListUsers", "DeleteUser", "TagUser", "UntagUser", "ListUserTags",
        "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary",
        "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed",
        "CreateGroup", "GetGroup", "ListGroups", "ListGroupsForUser", "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup",
        "PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy",
        "PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy",
        "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies",
        "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies",
    },
    "sts": {"GetCallerIdentity", "AssumeRole", "GetAccessKeyInfo", "GetSessionToken"},
    "s3": {
        "ListBuckets", "CreateBucket", "HeadBucket", "DeleteBucket", "GetBucketLocation", "ListObjects", "ListObjectsV2",
        "PutObject", "GetObject", "HeadObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart",
        "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts", "ListMultipartUploads", "CopyObject", "UploadPartCopy",
        # Bucket configurations kept here, and object tags.
        "GetBucketPolicy", "GetBucketPolicyStatus", "PutBucketPolicy", "DeleteBucketPolicy",
        "GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging",
        "GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock",
        "GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls",
        "PutBucketVersioning", "ListObjectVersions",
        # Reads of bucket configurations that cannot be set here: S3's answers for a new bucket.
        "GetBucketCors", "GetBucketWebsite", "GetBucketLifecycle",
        "GetBucketLifecycleConfiguration", "GetBucketReplication", "GetObjectLockConfiguration",
        "GetBucketAnalyticsConfiguration", "GetBucketMetricsConfiguration", "GetBucketInventoryConfiguration",
        "GetBucketIntelligentTieringConfiguration", "GetBucketEncryption",
        "GetBucketAcl", "GetBucketVersioning", "GetBucketLogging", "GetBucketAccelerateConfiguration", "GetBucketRequestPayment",
        "GetBucketNotification", "GetBucketNotificationConfiguration", "ListBucketAnalyticsConfigurations",
        "ListBucketMetricsConfigurations", "ListBucketInventoryConfigurations", "ListBucketIntelligentTieringConfigurations",
    },
    # Every operation of the control plane.
    "rolesanywhere": None,
    # AWS Private CA: the CA lifecycle, issuing, revocation, tags and resource policies.
    "acm-pca": {
        "CreateCertificateAuthority", "DescribeCertificateAuthority", "ListCertificateAuthorities", "GetCertificateAuthorityCsr",
        "GetCertificateAuthorityCertificate", "ImportCertificateAuthorityCertificate", "IssueCertificate", "GetCertificate",
        "RevokeCertificate", "UpdateCertificateAuthority", "DeleteCertificateAuthority", "RestoreCertificateAuthority",
        "TagCertificateAuthority", "UntagCertificateAuthority", "ListTags", "PutPolicy", "GetPolicy", "DeletePolicy",
    },
}

# Operations botocore signs for S3 Express One Zone (`s3express`), which is not emulated: they are
# NotImplemented even where their request looks like another operation's.
EXPRESS = {"ListDirectoryBuckets"}

# Operations that change the fixture when implemented: it is made again after them.
CHANGES_FIXTURE = {"DeleteBucket", "DeleteObject", "PutObject", "CreateBucket", "CopyObject"}


def aliases():
    """`aliasOf:` entries of the generated tables: operation -> the operation its request is."""
    result = {}
    for name in os.listdir(GENERATED):
        text = open(os.path.join(GENERATED, name)).read()
        for operation, alias in re.findall(r'\.\w+\(\.(\w+)\),(?:(?!OperationModel\().)*?aliasOf: "(\w+)"', text, re.S):
            result[operation[0].upper() + operation[1:]] = alias
    return result


def placeholder(shape, name, depth=0):
    """A value of `shape` the server can parse: names of the fixture where they matter."""
    kind = shape.type_name
    if kind == "structure":
        value = {}
        if depth > 4:
            return value
        for member in shape.required_members:
            value[member] = placeholder(shape.members[member], member, depth + 1)
        return value
    if kind == "list":
        return [placeholder(shape.member, name, depth + 1)]
    if kind == "map":
        return {}
    if kind in ("integer", "long"):
        return 1
    if kind in ("float", "double"):
        return 1.0
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    if kind == "blob":
        return b"census"
    if shape.enum:
        return shape.enum[0]
    lower = name.lower()
    if lower == "key":
        return KEY
    if lower in ("bucket", "bucketname"):
        return FULL_BUCKET
    if lower.endswith("id") and lower in ("trustanchorid", "profileid", "crlid", "subjectid"):
        return UUID
    if lower == "resourcearn":
        return f"arn:aws:rolesanywhere:{REGION}:{ACCOUNT}:trust-anchor/{UUID}"
    if lower.endswith("arn") or lower == "serialnumber":
        return f"arn:aws:iam::{ACCOUNT}:role/census"
    if "policydocument" in lower or lower == "policy":
        return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    if lower == "copysource" or lower == "renamesource":
        return f"{FULL_BUCKET}/{KEY}"
    return "census"


def member_names(shape):
    names = set()
    for member, target in shape.members.items():
        names.add(member)
        names.add(target.serialization.get("name", member))
    return names


def check_xml_members(root, shape):
    names = member_names(shape)
    for child in root:
        tag = child.tag.split("}")[-1]
        if tag not in names:
            return f"<{tag}> is not a member of {shape.name}"
    return None


def check_answer(client, operation_model, protocol, status, headers, body):
    """None if a 2xx answer is this operation's; otherwise why not."""
    expected = operation_model.http.get("responseCode", 200)
    if status != expected:
        return f"status {status}, the model's is {expected}"
    output = operation_model.output_shape
    if output is None or not body:
        return None
    if protocol == "rest-xml":
        payload = output.serialization.get("payload")
        if payload:
            target = output.members[payload]
            if target.type_name != "structure":
                return None  # a blob or string payload: the object's bytes
            return check_xml_members(ElementTree.fromstring(body), target)
        return check_xml_members(ElementTree.fromstring(body), output)
    if protocol == "query":
        root = ElementTree.fromstring(body)
        tag = root.tag.split("}")[-1]
        if tag != operation_model.name + "Response":
            return f"answer element <{tag}>, not <{operation_model.name}Response>"
        for child in root:
            child_tag = child.tag.split("}")[-1]
            if child_tag == "ResponseMetadata":
                continue
            if child_tag != operation_model.name + "Result":
                return f"<{child_tag}> in the answer"
            problem = check_xml_members(child, output)
            if problem:
                return problem
        return None
    if protocol in ("rest-json", "json"):
        document = json.loads(body)
        names = member_names(output)
        unknown = [key for key in document if key not in names]
        if unknown:
            return f"keys {unknown} are not members of {output.name}"
    return None


class Census:
    def __init__(self):
        session = boto3.session.Session(region_name=REGION)
        config = Config(
            retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False, inject_host_prefix=False,
            s3={"addressing_style": "path"}, connect_timeout=10, read_timeout=30,
        )
        self.clients = {name: session.client(name, endpoint_url=ENDPOINT, config=config) for name in IMPLEMENTED}
        self.s3 = self.clients["s3"]
        self.aliases = aliases()
        self.passed = 0
        self.failed = 0
        self.last = {}
        for client in self.clients.values():
            client.meta.events.register("before-parse", self.capture)

    def capture(self, response_dict, **_):
        self.last = response_dict

    def fixture(self):
        for bucket in (FULL_BUCKET, EMPTY_BUCKET):
            try:
                self.s3.create_bucket(Bucket=bucket)
            except ClientError as error:
                if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        self.s3.put_object(Bucket=FULL_BUCKET, Key=KEY, Body=b"census object")
        return self.fixture_state()

    def fixture_state(self):
        state = {}
        for bucket in (FULL_BUCKET, EMPTY_BUCKET):
            listing = self.s3.list_objects_v2(Bucket=bucket)
            state[bucket] = sorted((o["Key"], o["ETag"], o["Size"]) for o in listing.get("Contents", []))
        return state

    def judge(self, service, name, outcome):
        if outcome is None:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {service} {name}: {outcome}")

    def run_operation(self, service, client, name, expected_state):
        operation_model = client.meta.service_model.operation_model(name)
        protocol = client.meta.service_model.protocol
        judged_as = name if name in EXPRESS else self.aliases.get(name, name)
        implemented = IMPLEMENTED[service] is None or judged_as in IMPLEMENTED[service]
        params = placeholder(operation_model.input_shape, "input") if operation_model.input_shape else {}
        if service == "s3" and "Key" not in params and "Bucket" in params:
            params["Bucket"] = EMPTY_BUCKET
        method = getattr(client, xform_name(name))
        self.last = {}
        error_code = None
        try:
            method(**params)
        except ClientError as error:
            error_code = error.response["Error"]["Code"]
        except Exception as error:  # a transport or parsing failure: judged by the captured answer
            if not self.last:
                return f"no answer: {type(error).__name__}: {error}"
        status = self.last.get("status_code")
        headers = {k.lower(): v for k, v in (self.last.get("headers") or {}).items()}
        raw = self.last.get("body")
        body = raw if isinstance(raw, (bytes, bytearray)) else b""
        line = f"{service} {name}: {status} {error_code or ''}".rstrip()
        print(line)
        if status is None:
            return "no answer"
        if status >= 500 and status != 501:
            return f"HTTP {status} ({error_code})"
        if status == 501:
            if error_code != "NotImplemented":
                return f"501 with code {error_code}"
            if implemented:
                return "listed as implemented, answered NotImplemented"
            message = body.decode("utf-8", "replace")
            if judged_as not in message and name not in EXPRESS:
                return f"the NotImplemented message does not name {judged_as}"
        elif implemented:
            if 200 <= status < 300:
                problem = check_answer(client, client.meta.service_model.operation_model(judged_as), protocol, status, headers, body)
                if problem:
                    return problem
            elif not error_code:
                return f"HTTP {status} without an error code"
        else:
            return f"not implemented, yet answered {status} {error_code or ''}"
        request_id = headers.get("x-amzn-requestid") or headers.get("x-amz-request-id")
        if not request_id:
            return "no request ID header"
        if name in CHANGES_FIXTURE and implemented:
            return None
        state = self.fixture_state()
        if state != expected_state:
            return f"the fixture changed: {expected_state} -> {state}"
        return None

    def run(self):
        expected = self.fixture()
        for service, client in self.clients.items():
            for name in client.meta.service_model.operation_names:
                outcome = self.run_operation(service, client, name, expected)
                self.judge(service, name, outcome)
                if name in CHANGES_FIXTURE:
                    expected = self.fixture()
        print(f"{self.passed} passed, {self.failed} failed")
        return self.failed == 0


if __name__ == "__main__":
    sys.exit(0 if Census().run() else 1)
