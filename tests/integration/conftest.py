"""Shared fixtures for the integration tests: a real `certos serve` on loopback with free ports."""

import errno
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from cli import CERTOS, run

ADMIN_PASSWORD = "admin-test-pw"  # what cli.run puts in CERTOS_ADMIN_PASSWORD
READ_TIMEOUT = 2  # seconds; the daemon's HTTP read timeout in these tests (slow-client test)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout=10.0, interval=0.1):
    """Polls predicate() until it returns something truthy; returns that value, or None after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def fill_disk(path):
    """Writes `path` until its file system has no block left (none at all when the daemon's own writes
    filled it first: then `path` is not made)."""
    try:
        with open(path, "wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise


class Daemon:
    """A running `certos serve`: its data directory, ports, process and REST helpers."""

    def __init__(self, data: Path, www_port: int, ssl_port: int, tmp: Path):
        self.data = data
        self.www_port = www_port
        self.ssl_port = ssl_port
        self.tmp = tmp
        self.stdout = tmp / "serve.out"
        self.stderr = tmp / "serve.err"
        env = dict(os.environ, CERTOS_ADMIN_PASSWORD=ADMIN_PASSWORD, TZ="UTC")
        self.proc = subprocess.Popen(
            [CERTOS, "--data", str(data), "serve", "--listen", "127.0.0.1", "--read-timeout", str(READ_TIMEOUT)],
            stdout=open(self.stdout, "w"), stderr=open(self.stderr, "w"), env=env)
        if not wait_until(lambda: port_open(www_port) or self.proc.poll() is not None, timeout=20) \
                or self.proc.poll() is not None:
            raise AssertionError(f"certos serve did not start: {self.stderr.read_text()}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.www_port}/rest"

    @property
    def ssl_url(self):
        return f"https://127.0.0.1:{self.ssl_port}/rest"

    def session(self, user="admin", password=ADMIN_PASSWORD):
        s = requests.Session()
        s.auth = (user, password)
        return s

    def console(self, command):
        """Runs a console line on the same data directory from another process."""
        return run(self.data, command)[1]

    def log(self):
        """The /log messages, read over REST as admin."""
        r = self.session().get(f"{self.url}/log", timeout=10)
        r.raise_for_status()
        return [entry["message"] for entry in r.json()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def certos_daemon(tmp_path):
    """Starts `certos serve` on a fresh data directory with www and www-ssl on free loopback ports (www-ssl
    stays disabled until a test gives it a certificate); stops it after the test."""
    data = tmp_path / "data"
    www_port, ssl_port = free_port(), free_port()
    run(data, f"/ip service set www port={www_port}")
    run(data, f"/ip service set www-ssl port={ssl_port}")
    # The API protocol's services on free ports too (api-ssl only listens once it has a certificate).
    api_port, api_ssl_port = free_port(), free_port()
    run(data, f"/ip service set api port={api_port}")
    run(data, f"/ip service set api-ssl port={api_ssl_port}")
    daemon = Daemon(data, www_port, ssl_port, tmp_path)
    daemon.api_port, daemon.api_ssl_port = api_port, api_ssl_port
    yield daemon
    daemon.stop()
