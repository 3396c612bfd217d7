#!/usr/bin/env python3
"""An HTTP forward proxy for tests, answering as squid or tinyproxy do: CONNECT tunnels for HTTPS,
absolute-form requests for plain HTTP, and Basic proxy authentication when asked for.

Usage: http_proxy.py [--user NAME --password SECRET] --route HOST:PORT=ADDRESS:PORT [--route ...]

Prints `READY <port>` once it listens on 127.0.0.1. A client's target is reached at the address its
route names (as a proxy that resolves internal names itself), so a test can use an AWS host name that
this machine cannot resolve; a target without a route gets 502. Without valid credentials (when
--user is given) the answer is 407 with `Proxy-Authenticate: Basic`. `GET /__requests` sent to the
proxy itself answers what it has seen, as a JSON array: method, target and whether the client
authenticated.
"""
import argparse
import base64
import json
import socket
import socketserver
import sys
import threading

SEEN = []
SEEN_LOCK = threading.Lock()


def read_head(stream):
    """The request line and headers (names lowercased) of one request, or None at end of stream."""
    line = stream.readline(65537)
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3:
        raise ValueError("malformed request line")
    headers = []
    while True:
        header = stream.readline(65537).decode("latin-1").rstrip("\r\n")
        if not header:
            break
        name, _, value = header.partition(":")
        headers.append((name.strip(), value.strip()))
    return parts, headers


def relay(source, destination):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            destination.sendall(data)
    except OSError:
        pass
    finally:
        try:
            destination.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def read_exactly(stream, count):
    data = b""
    while len(data) < count:
        chunk = stream.read(count - len(data))
        if not chunk:
            raise ValueError("the request body ended early")
        data += chunk
    return data


class Handler(socketserver.StreamRequestHandler):
    # Unbuffered, so that no byte after a CONNECT head is left in a buffer the tunnel does not see.
    rbufsize = 0

    def answer(self, status, reason, body=b"", extra=()):
        head = "HTTP/1.1 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n" % (status, reason, len(body))
        for name, value in extra:
            head += "%s: %s\r\n" % (name, value)
        self.wfile.write(head.encode("latin-1") + b"\r\n" + body)
        self.wfile.flush()

    def authorized(self, headers):
        if self.server.credentials is None:
            return True
        expected = "Basic " + base64.b64encode(self.server.credentials.encode()).decode()
        return any(name.lower() == "proxy-authorization" and value == expected for name, value in headers)

    def upstream(self, authority):
        """A connection to the route of `authority`, or None after answering 502."""
        address = self.server.routes.get(authority.lower())
        if address is not None:
            host, _, port = address.rpartition(":")
            try:
                return socket.create_connection((host, int(port)), timeout=30)
            except OSError:
                pass
        self.answer(502, "Bad Gateway")
        return None

    def handle(self):
        try:
            head = read_head(self.rfile)
        except ValueError:
            self.answer(400, "Bad Request")
            return
        if head is None:
            return
        (method, target, _), headers = head
        if method == "GET" and target == "/__requests":
            with SEEN_LOCK:
                body = json.dumps(SEEN).encode()
            self.answer(200, "OK", body, [("Content-Type", "application/json")])
            return
        authorized = self.authorized(headers)
        with SEEN_LOCK:
            SEEN.append({"method": method, "target": target, "authorized": authorized})
        if not authorized:
            self.answer(407, "Proxy Authentication Required", b"proxy authentication required",
                        [("Proxy-Authenticate", 'Basic realm="test proxy"')])
            return
        if method == "CONNECT":
            self.tunnel(target)
        elif target.startswith("http://"):
            self.forward(method, target, headers)
        else:
            self.answer(400, "Bad Request", b"not a proxy request")

    def tunnel(self, authority):
        upstream = self.upstream(authority)
        if upstream is None:
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        back = threading.Thread(target=relay, args=(upstream, self.connection), daemon=True)
        back.start()
        relay(self.connection, upstream)
        back.join(timeout=30)
        upstream.close()

    def forward(self, method, url, headers):
        rest = url[len("http://"):]
        authority, slash, path = rest.partition("/")
        if ":" not in authority:
            authority += ":80"
        upstream = self.upstream(authority)
        if upstream is None:
            return
        length = 0
        head = "%s /%s HTTP/1.1\r\n" % (method, path if slash else "")
        for name, value in headers:
            lowered = name.lower()
            if lowered in ("proxy-authorization", "proxy-connection", "connection", "keep-alive"):
                continue
            if lowered == "content-length":
                length = int(value)
            head += "%s: %s\r\n" % (name, value)
        head += "Connection: close\r\n\r\n"
        upstream.sendall(head.encode("latin-1") + read_exactly(self.rfile, length))
        relay(upstream, self.connection)
        upstream.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user")
    parser.add_argument("--password", default="")
    parser.add_argument("--route", action="append", default=[])
    options = parser.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.credentials = None if options.user is None else "%s:%s" % (options.user, options.password)
    server.routes = {}
    for route in options.route:
        target, _, address = route.partition("=")
        server.routes[target.lower()] = address
    print("READY %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
