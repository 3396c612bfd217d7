#!/usr/bin/env python3
"""Writes objects to rolesanywhere-local as fast as it can, printing each acknowledged key.

    put_until_killed.py ENDPOINT BUCKET

Runs until the server goes away (the test kills it with SIGKILL mid-write), then exits 0. The
keys printed are the ones the server acknowledged: all of them must survive the restart.
"""
import sys

import boto3
from botocore.config import Config

endpoint, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.session.Session(region_name="us-east-1").client(
    "s3", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5))
index = 0
while True:
    key = f"object-{index:06d}"
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=(key * 200).encode())
    except Exception:
        break
    print(key, flush=True)
    index += 1
