#!/usr/bin/env python3
"""Wall time of the credential helper's commands, measured as a user sees it: one process per run.

Usage: helper_wall_time.py HELPER_BINARY [--runs N]
Prints a table with the median, mean, 90th percentile and minimum of each command, plus
`openssl dgst -sign` as a reference point for the same RSA-2048 signature, and `sign-string` with an
ML-DSA-65 key beside the RSA-2048 one.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(command, runs, env=None, warmup=5):
    for _ in range(warmup):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "mean": statistics.fmean(samples),
        "p90": samples[int(len(samples) * 0.9) - 1],
        "min": samples[0],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("helper")
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()

    work = tempfile.mkdtemp(prefix="rolesanywhere-bench-")
    key, cert = os.path.join(work, "key.pem"), os.path.join(work, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-subj", "/CN=bench", "-days", "1"], check=True, capture_output=True)
    # An ML-DSA-65 key (seed form), made by Python's cryptography (OpenSSL 4).
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import mldsa
    mldsa_key = os.path.join(work, "mldsa65.pem")
    with open(mldsa_key, "wb") as handle:
        handle.write(mldsa.MLDSA65PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    message = os.path.join(work, "message")
    with open(message, "wb") as handle:
        handle.write(os.urandom(82))
    tls_key, tls_cert = os.path.join(work, "tls.key"), os.path.join(work, "tls.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", tls_key, "-out", tls_cert, "-subj", "/CN=localhost", "-days", "1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    verifier = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Scripts/independent_verifier.py"),
                                 "--tls-cert", tls_cert, "--tls-key", tls_key], stdout=subprocess.PIPE, text=True)
    port = int(verifier.stdout.readline().split()[1])
    env = dict(os.environ, AWS_CA_BUNDLE=tls_cert)
    try:
        results = [
            ("rolesanywhere sign-string (RSA-2048)", measure([options.helper, "sign-string", "--private-key", key, "--format", "text"], options.runs)),
            ("rolesanywhere sign-string (ML-DSA-65)", measure([options.helper, "sign-string", "--private-key", mldsa_key, "--format", "text"], options.runs)),
            ("openssl dgst -sha256 -sign (RSA-2048, reference)", measure(["openssl", "dgst", "-sha256", "-sign", key, "-out", os.devnull, message], options.runs)),
            ("rolesanywhere credential-process (HTTPS, loopback)", measure([
                options.helper, "credential-process", "--certificate", cert, "--private-key", key,
                "--trust-anchor-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/t",
                "--profile-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p",
                "--role-arn", "arn:aws:iam::123456789012:role/r", "--endpoint", "https://127.0.0.1:%d" % port,
            ], max(options.runs // 2, 20), env=env)),
            ("curl to the same endpoint (server baseline, reference)", measure([
                "curl", "-s", "--cacert", tls_cert, "-o", os.devnull, "https://127.0.0.1:%d/__requests" % port,
            ], max(options.runs // 2, 20))),
        ]
    finally:
        verifier.kill()
    print("%-56s %9s %9s %9s %9s" % ("command (wall time, ms)", "median", "mean", "p90", "min"))
    for name, stats in results:
        print("%-56s %9.2f %9.2f %9.2f %9.2f" % (name, stats["median"], stats["mean"], stats["p90"], stats["min"]))
    medians = {name: stats["median"] for name, stats in results}
    print("ML-DSA-65 sign-string / RSA-2048 sign-string: %.2f" % (
        medians["rolesanywhere sign-string (ML-DSA-65)"] / medians["rolesanywhere sign-string (RSA-2048)"]))
    print("(%d runs each; the HTTPS endpoint is the independent verifier, a Python server: compare"
          " credential-process with the curl baseline to see the helper's own cost)" % options.runs)


if __name__ == "__main__":
    main()
