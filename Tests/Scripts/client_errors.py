"""Shared by the boto3 scripts: a call that must be refused with a given AWS error code."""
from botocore.exceptions import ClientError


def expect_error(code, call, *args, **kwargs):
    """Calls `call` and checks that it fails with the AWS error `code`; prints the refusal."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        got = error.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {error}"
        print(f"refused as expected: {code}")
        return
    raise AssertionError(f"expected {code}, the call succeeded")
