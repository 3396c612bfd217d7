"""Shared by the boto3 scripts: a call that must be refused with a given AWS error code."""
from botocore.exceptions import ClientError


def expect_error(code, call, *args, details=None, **kwargs):
    """Calls `call` and checks that it fails with the AWS error `code` and, when `details` is given,
    that the error dictionary botocore parsed holds those entries too (S3's `BucketName`, `Key`,
    `UploadId`); prints the refusal."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        got = error.response["Error"]
        assert got["Code"] == code, f"expected {code}, got {got['Code']}: {error}"
        for name, value in (details or {}).items():
            assert got.get(name) == value, f"{code}: expected {name}={value!r} in the error, got {got}"
        print(f"refused as expected: {code}")
        return
    raise AssertionError(f"expected {code}, the call succeeded")
