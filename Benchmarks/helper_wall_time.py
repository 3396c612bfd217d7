#!/usr/bin/env python3
"""Wall time of the credential helper's commands, measured as a user sees it: one process per run.

Usage: helper_wall_time.py HELPER_BINARY [--runs N]
Prints a table with the median, mean, 90th percentile, minimum and peak RSS of each command, with
its reference measured in the same run: `openssl dgst -sign` for the same RSA-2048 and P-256
signatures, and one curl TLS POST to the same HTTPS endpoint for `credential-process`; then each
ratio. `credential-process` is measured three ways - trusting the server's CA through a single-CA
`AWS_CA_BUNDLE`, through the system trust store (a hashed certificate directory), and through an
`AWS_CA_BUNDLE` naming the whole system bundle - and the first two are compared in milliseconds.
`sign-string` with an ML-DSA-65 key is shown beside the RSA-2048 one.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(command, env):
    """Runs `command`; returns its wall time in ms."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return (time.perf_counter() - start) * 1000


def peak_rss(command, env, runs=3):
    """The command's own peak RSS in MiB, from GNU time (`%M`): a child forked from this Python
    process would count Python's pages until its exec, so the measured process is started by
    `time`, whose own image is small."""
    peak = 0
    for _ in range(runs):
        result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=env, text=True, check=True)
        peak = max(peak, int(result.stderr.strip().splitlines()[-1]))
    return peak / 1024


def measure(command, runs, env=None, warmup=5):
    for _ in range(warmup):
        run_once(command, env)
    samples = sorted(run_once(command, env) for _ in range(runs))
    return {
        "median": statistics.median(samples),
        "mean": statistics.fmean(samples),
        "p90": samples[int(len(samples) * 0.9) - 1],
        "min": samples[0],
        "rss": peak_rss(command, env),
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
    p256_key = os.path.join(work, "p256.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p256_key],
                   check=True, capture_output=True)
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
    # The trust roots of each credential-process row; variables a CI image may set are cleared so
    # that each row measures only the location it names.
    clean = {name: value for name, value in os.environ.items()
             if name not in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")}
    single_ca = dict(clean, AWS_CA_BUNDLE=tls_cert)
    # The system trust store as the helper finds it against AWS: a directory of certificates
    # named by subject hash. The benchmark's server CA cannot be added to /etc/ssl/certs, so a
    # mirror of it (every hash link of /etc/ssl/certs, plus the server CA's) is named by
    # SSL_CERT_DIR, which the helper treats as the standard directory.
    store = os.path.join(work, "certs")
    os.mkdir(store)
    system_links = 0
    for name in os.listdir("/etc/ssl/certs"):
        stem, _, suffix = name.partition(".")
        if len(stem) == 8 and suffix.isdigit():
            os.symlink(os.path.realpath(os.path.join("/etc/ssl/certs", name)), os.path.join(store, name))
            system_links += 1
    subject_hash = subprocess.run(["openssl", "x509", "-noout", "-subject_hash", "-in", tls_cert],
                                  check=True, capture_output=True, text=True).stdout.strip()
    index = 0
    while os.path.exists(os.path.join(store, "%s.%d" % (subject_hash, index))):
        index += 1
    os.symlink(tls_cert, os.path.join(store, "%s.%d" % (subject_hash, index)))
    system_store = dict(clean, SSL_CERT_DIR=store)
    # AWS_CA_BUNDLE naming the whole system bundle (plus the server CA): parsed whole up front.
    big_bundle = os.path.join(work, "system-bundle.pem")
    with open(big_bundle, "wb") as handle:
        with open("/etc/ssl/certs/ca-certificates.crt", "rb") as system_bundle:
            handle.write(system_bundle.read())
        with open(tls_cert, "rb") as server_ca:
            handle.write(server_ca.read())
    whole_bundle = dict(clean, AWS_CA_BUNDLE=big_bundle)
    https_runs = max(options.runs // 2, 20)

    def credential_process():
        return [
            options.helper, "credential-process", "--certificate", cert, "--private-key", key,
            "--trust-anchor-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/t",
            "--profile-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p",
            "--role-arn", "arn:aws:iam::123456789012:role/r", "--endpoint", "https://127.0.0.1:%d" % port,
        ]
    try:
        results = [
            ("rolesanywhere sign-string (RSA-2048)", measure([options.helper, "sign-string", "--private-key", key, "--format", "text"], options.runs)),
            ("rolesanywhere sign-string (ML-DSA-65)", measure([options.helper, "sign-string", "--private-key", mldsa_key, "--format", "text"], options.runs)),
            ("openssl dgst -sha256 -sign (RSA-2048, reference)", measure(["openssl", "dgst", "-sha256", "-sign", key, "-out", os.devnull, message], options.runs)),
            ("rolesanywhere sign-string (P-256)", measure([options.helper, "sign-string", "--private-key", p256_key, "--format", "text"], options.runs)),
            ("openssl dgst -sha256 -sign (P-256, reference)", measure(["openssl", "dgst", "-sha256", "-sign", p256_key, "-out", os.devnull, message], options.runs)),
            ("rolesanywhere credential-process (HTTPS, loopback)", measure(credential_process(), https_runs, env=single_ca)),
            ("credential-process, system trust store (hashed dir)", measure(credential_process(), https_runs, env=system_store)),
            ("credential-process, AWS_CA_BUNDLE = system bundle", measure(credential_process(), https_runs, env=whole_bundle)),
            # One TLS POST of a CreateSession-sized body to the same server (unsigned, so the
            # server answers 403 at once: it does less for curl than for the helper).
            ("curl TLS POST to the same endpoint (reference)", measure([
                "curl", "-s", "--cacert", tls_cert, "-o", os.devnull, "-X", "POST", "-H", "Content-Type: application/json",
                "--data", '{"durationSeconds":3600,"profileArn":"%s","roleArn":"%s","trustAnchorArn":"%s"}' % (
                    "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p", "arn:aws:iam::123456789012:role/r",
                    "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/t"),
                "https://127.0.0.1:%d/sessions" % port,
            ], https_runs, env=clean)),
        ]
    finally:
        verifier.kill()
    print("%-56s %9s %9s %9s %9s %9s" % ("command (wall time, ms)", "median", "mean", "p90", "min", "peak RSS"))
    for name, stats in results:
        print("%-56s %9.2f %9.2f %9.2f %9.2f %6.1f MiB" % (name, stats["median"], stats["mean"], stats["p90"], stats["min"], stats["rss"]))
    medians = {name: stats["median"] for name, stats in results}

    def ratio(label, ours, reference):
        print("%-56s %9.2f" % (label, medians[ours] / medians[reference]))

    print("ratios of medians, same run:")
    ratio("  sign-string / openssl dgst -sign (RSA-2048)", "rolesanywhere sign-string (RSA-2048)", "openssl dgst -sha256 -sign (RSA-2048, reference)")
    ratio("  sign-string / openssl dgst -sign (P-256)", "rolesanywhere sign-string (P-256)", "openssl dgst -sha256 -sign (P-256, reference)")
    ratio("  credential-process / curl TLS POST", "rolesanywhere credential-process (HTTPS, loopback)", "curl TLS POST to the same endpoint (reference)")
    difference = (medians["credential-process, system trust store (hashed dir)"]
                  - medians["rolesanywhere credential-process (HTTPS, loopback)"])
    print("%-56s %+9.2f ms" % ("  credential-process: system trust store - single CA", difference))
    ratio("  ML-DSA-65 sign-string / RSA-2048 sign-string", "rolesanywhere sign-string (ML-DSA-65)", "rolesanywhere sign-string (RSA-2048)")
    print("(%d runs each, %d for the HTTPS rows; the HTTPS endpoint is the independent verifier, a Python"
          " server; credential-process trusts its CA through a single-CA AWS_CA_BUNDLE, through a mirror of"
          " /etc/ssl/certs (%d hash links, plus the server CA's) named by SSL_CERT_DIR, or through"
          " AWS_CA_BUNDLE naming the whole system bundle)" % (options.runs, https_runs, system_links))


if __name__ == "__main__":
    main()
