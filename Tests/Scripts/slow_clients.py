#!/usr/bin/env python3
"""Clients that try to hold rolesanywhere-local's resources without authenticating.

    slow_clients.py ENDPOINT IDLE_TIMEOUT BODY_TIMEOUT

Checks, printing one line each and `N passed, N failed` at the end:
- slow headers: 50 connections that send half a request head and stop are closed by the server
  within IDLE_TIMEOUT + 3 s;
- unsigned bodies: a request without a signature that declares a 50 MiB body is answered at once,
  without the server reading the body;
- bad signatures: an S3 PUT with a wrong signature and a 50 MiB Content-Length is refused from its
  head alone;
- stalled bodies: a signed-looking request that stops half-way through its body is answered or
  closed within BODY_TIMEOUT + 3 s.
"""
import socket
import sys
import time
from urllib.parse import urlparse

endpoint = urlparse(sys.argv[1])
idle_timeout = float(sys.argv[2])
body_timeout = float(sys.argv[3])
HOST, PORT = endpoint.hostname, endpoint.port
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAIL: {name} {detail}")


def connect():
    s = socket.create_connection((HOST, PORT), timeout=30)
    return s


def read_answer(s, deadline):
    s.settimeout(max(0.1, deadline - time.monotonic()))
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


# Slow headers.
sockets = []
for _ in range(50):
    s = connect()
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    sockets.append(s)
start = time.monotonic()
deadline = start + idle_timeout + 3
closed = 0
for s in sockets:
    s.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        while s.recv(65536):
            pass
        closed += 1
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed += 1
    s.close()
check("50 slow-header connections are closed by the idle timeout", closed == 50, f"({closed} closed in {time.monotonic() - start:.1f} s)")

# An unsigned request declaring a huge body: answered without reading it.
s = connect()
s.sendall(b"PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 52428800\r\n\r\n" + b"x" * 1024)
answer = read_answer(s, time.monotonic() + 5)
s.close()
check("an unsigned 50 MiB upload is refused from its head", answer.startswith(b"HTTP/1.1 413") or answer.startswith(b"HTTP/1.1 403"), answer[:80])

# A wrong S3 signature with a huge body: refused from its head.
s = connect()
head = (
    "PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 52428800\r\n"
    "x-amz-date: 20261201T000000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/s3/aws4_request, "
    "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64 + "\r\n\r\n"
)
s.sendall(head.encode() + b"x" * 1024)
answer = read_answer(s, time.monotonic() + 5)
s.close()
check("a badly signed 50 MiB S3 upload is refused from its head", answer.startswith(b"HTTP/1.1 403"), answer[:80])

# A body that stops half-way.
s = connect()
s.sendall(
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n"
    b"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00\r\n\r\n"
    b"Action=GetCallerIdentity"
)
start = time.monotonic()
answer = read_answer(s, start + body_timeout + 3)
elapsed = time.monotonic() - start
# The server answers 4xx or closes the connection; either way it lets go within the timeout.
s.settimeout(1)
try:
    closed = s.recv(1) == b""
except (socket.timeout, ConnectionResetError, OSError):
    closed = False
s.close()
check(
    "a stalled body is let go within the body timeout",
    elapsed < body_timeout + 3 and (answer.startswith(b"HTTP/1.1 4") or closed),
    f"{answer[:80]} after {elapsed:.1f} s",
)

# The server still serves.
s = connect()
s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
answer = read_answer(s, time.monotonic() + 5)
s.close()
check("the server still answers", answer.startswith(b"HTTP/1.1 403"), answer[:80])
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
