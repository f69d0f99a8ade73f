"""Denial of service by clients that do not know a password (issue 12), against a real `certos serve`:

- idle TCP connections that never log in must not lock an administrator out of www or api;
- a flood of wrong passwords must not slow other users down, is throttled per source address and per user, and
  is logged once per burst;
- slow key generation (RSA-4096 signs) must not hold up reads.

Other source addresses are other loopback addresses (all of 127/8 is loopback on Linux)."""

import http.client
import socket
import threading
import time

import librouteros
import requests

from conftest import ADMIN_PASSWORD

PROMPT = 3.0  # seconds: a generous bound for what takes milliseconds when nothing is wrong


def idle_connections(port, count):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append(s)
    return sockets


def test_idle_unauthenticated_connections_lock_nobody_out(certos_daemon):
    d = certos_daemon
    # More than max-sessions (20) and more than the budget of connections before login (64), on both services.
    held = idle_connections(d.www_port, 100) + idle_connections(d.api_port, 100)
    try:
        time.sleep(0.5)  # all of them accepted
        started = time.monotonic()
        r = requests.get(f"{d.url}/certificate", auth=("admin", ADMIN_PASSWORD), timeout=10)
        assert r.status_code == 200, r.text
        assert time.monotonic() - started < PROMPT

        started = time.monotonic()
        api = librouteros.connect(host="127.0.0.1", username="admin", password=ADMIN_PASSWORD, port=d.api_port)
        assert tuple(api("/system/resource/print"))
        assert time.monotonic() - started < PROMPT
        # Logged in, the API connection keeps its place while new idle connections keep arriving.
        held += idle_connections(d.api_port, 100)
        assert tuple(api("/system/resource/print"))
        api.close()
    finally:
        for s in held:
            s.close()
