#!/usr/bin/env python3
"""How long `rolesanywhere serve` takes to follow a certificate rotation, as a client sees it.

Usage: rotation_latency.py HELPER PORT CERT KEY CA_CERT CA_KEY --flags "CREDENTIAL FLAGS" [--rounds N]

Against a running `serve` (on PORT, fed by CERT and KEY), each round issues a new 10-minute
certificate with `rolesanywhere pki issue`, writes it the way renewers do (new files renamed over
the old ones, the key first) and reads the credentials in a tight loop until their access key
changes: the time from the last rename to that read is the latency. The reference, measured in the
same run with the same files: one `rolesanywhere credential-process` (the CreateSession a rotation
needs, as one process), so latency / credential-process is what following the rotation costs
beyond the request itself. Prints the median and worst latency, the reference, and the ratio.
"""
import argparse
import http.client
import json
import os
import shlex
import statistics
import subprocess
import tempfile
import time


def get(port, path, headers, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def main():
    parser = argparse.ArgumentParser()
    for name in ("helper", "port", "cert", "key", "ca_cert", "ca_key"):
        parser.add_argument(name)
    parser.add_argument("--flags", required=True, help="the credential flags of serve (ARNs, endpoint, --no-verify-ssl)")
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()
    port = int(arguments.port)
    status, token = get(port, "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}, method="PUT")
    assert status == 200, token
    path = "/latest/meta-data/iam/security-credentials/bucket-lister"
    headers = {"x-aws-ec2-metadata-token": token.decode()}

    def access_key():
        status, body = get(port, path, headers)
        if status != 200:
            raise SystemExit(f"a read failed: {status} {body[:200]!r}")
        return json.loads(body)["AccessKeyId"]

    scratch = tempfile.mkdtemp()
    latencies = []
    for _ in range(arguments.rounds):
        before = access_key()
        new_cert, new_key = os.path.join(scratch, "cert.pem"), os.path.join(scratch, "key.pem")
        subprocess.run(
            [arguments.helper, "pki", "issue", "--ca-cert", arguments.ca_cert, "--ca-key", arguments.ca_key, "--cn", "myContainer",
             "--key-type", "rsa2048", "--days", "1", "--out-cert", new_cert, "--out-key", new_key, "--force"],
            check=True, stdout=subprocess.DEVNULL,
        )
        os.rename(new_key, arguments.key)
        os.rename(new_cert, arguments.cert)
        start = time.perf_counter()
        while access_key() == before:
            if time.perf_counter() - start > 30:
                raise SystemExit("no new credentials 30 s after a rotation")
        latencies.append((time.perf_counter() - start) * 1000)
        time.sleep(0.3)

    # The reference: one CreateSession as a process, with the same (last) certificate.
    command = [arguments.helper, "credential-process", "--certificate", arguments.cert, "--private-key", arguments.key] + shlex.split(arguments.flags)
    references = []
    for _ in range(arguments.rounds):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        references.append((time.perf_counter() - start) * 1000)
    median, worst, reference = statistics.median(latencies), max(latencies), statistics.median(references)
    print(f"{'rotation -> new credentials':34} {median:8.1f} ms median, {worst:.1f} ms worst ({arguments.rounds} rotations; target < 1000 ms)")
    print(f"{'credential-process (reference)':34} {reference:8.1f} ms median (one CreateSession as a process, same run)")
    print(f"{'rotation / credential-process':34} {median / reference:8.2f}")


if __name__ == "__main__":
    main()
