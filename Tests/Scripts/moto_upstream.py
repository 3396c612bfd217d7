#!/usr/bin/env python3
"""moto's server (from PyPI: `moto[server]`), started on a free loopback port for a test.

Usage: moto_upstream.py
Prints `READY <port>` once moto answers, then serves until killed. moto's state lives in this
process and goes with it.
"""
import signal
import sys
import time
import urllib.request

from moto.server import ThreadedMotoServer


def main():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(100):
        try:
            opener.open("http://%s:%d/moto-api/" % (host, port), timeout=2).read()
            break
        except Exception:
            time.sleep(0.1)
    print("READY %d" % port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
