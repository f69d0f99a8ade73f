"""Pebble (Let's Encrypt's test CA, Debian's `pebble`) and its mock DNS, pebble-challtestsrv, on loopback for
the ACME tests and the benchmark.

pebble-challtestsrv answers every A query with 127.0.0.1 (no AAAA: `-defaultIPv6 ""`) and holds the TXT
records of DNS-01; pebble resolves through it (`-dnsserver`) and validates HTTP-01 on `http_port`, which the
tests set to certos's www port. PEBBLE_VA_NOSLEEP=1 turns off pebble's random validation delay."""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

# The EAB credential of the tests (pebble decodes the MAC key as base64url).
EAB_KID = "kid-1"
EAB_HMAC_KEY = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"


def stop_processes(procs):
    """Terminates each process still running (killed after 10 s) and reaps it."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def make_tls_files(directory: Path):
    """A CA and a certificate for localhost/127.0.0.1 for pebble's own HTTPS listener, made by the openssl
    CLI; returns (ca_pem, cert, key) paths."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = directory / "pebble-tls-ca.key", directory / "pebble-tls-ca.pem"
    key, csr, cert = directory / "pebble-tls.key", directory / "pebble-tls.csr", directory / "pebble-tls.pem"
    ext = directory / "pebble-tls.ext"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    quiet = dict(check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", ca_key, "-out", ca_pem, "-days", "30", "-subj", "/CN=pebble test TLS CA"], **quiet)
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", csr, "-subj", "/CN=localhost"], **quiet)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
                    "-days", "30", "-extfile", ext, "-out", cert], **quiet)
    return ca_pem, cert, key


class Pebble:
    """A running pebble and pebble-challtestsrv. `directory_url` is the ACME directory; `tls_ca` the CA of
    pebble's HTTPS listener (to be trusted by the client); root_pem() is the issuing root from the
    management interface."""

    def __init__(self, workdir: Path, http_port: int, eab_required=False, nonce_reject=0, extra_env=None,
                 dns_host="127.0.0.1", dns_port=None):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.tls_ca, cert, key = make_tls_files(workdir / "tls")
        self.dns_host = dns_host
        self.dns_port = dns_port or free_udp_port()
        self.challtest_port = free_port()
        self.acme_port = free_port()
        self.management_port = free_port()
        self.procs = []
        self.challtest = self._spawn("challtestsrv", [
            "pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
            "-dns01", f"{dns_host}:{self.dns_port}", "-management", f"127.0.0.1:{self.challtest_port}",
            "-http01", "", "-https01", "", "-tlsalpn01", ""], {})
        if not wait_port(self.challtest_port, self.challtest):
            raise AssertionError("pebble-challtestsrv did not start: " + self.output("challtestsrv"))
        config = {"pebble": {
            "listenAddress": f"127.0.0.1:{self.acme_port}",
            "managementListenAddress": f"127.0.0.1:{self.management_port}",
            "certificate": str(cert), "privateKey": str(key),
            "httpPort": http_port, "tlsPort": free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": eab_required,
            "externalAccountMACKeys": {EAB_KID: EAB_HMAC_KEY},
        }}
        config_file = workdir / "pebble-config.json"
        config_file.write_text(json.dumps(config))
        env = {"PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": str(nonce_reject)}
        env.update(extra_env or {})
        self.pebble = self._spawn("pebble", ["pebble", "-config", str(config_file),
                                             "-dnsserver", f"{dns_host}:{self.dns_port}"], env)
        if not wait_port(self.acme_port, self.pebble) or not wait_port(self.management_port, self.pebble):
            raise AssertionError("pebble did not start: " + self.output("pebble"))

    def _spawn(self, name, argv, env):
        log = open(self.workdir / f"{name}.log", "w")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, **env))
        self.procs.append(proc)
        return proc

    def output(self, name):
        path = self.workdir / f"{name}.log"
        return path.read_text() if path.exists() else ""

    @property
    def directory_url(self):
        return f"https://127.0.0.1:{self.acme_port}/dir"

    def root_pem(self):
        """The root that signs pebble's certificates (management interface /roots/0)."""
        r = requests.get(f"https://127.0.0.1:{self.management_port}/roots/0", verify=str(self.tls_ca), timeout=10)
        r.raise_for_status()
        return r.text

    def set_txt(self, host, value):
        r = requests.post(f"http://127.0.0.1:{self.challtest_port}/set-txt",
                          json={"host": host, "value": value}, timeout=10)
        r.raise_for_status()

    def clear_txt(self, host):
        r = requests.post(f"http://127.0.0.1:{self.challtest_port}/clear-txt", json={"host": host}, timeout=10)
        r.raise_for_status()

    def stop(self):
        stop_processes(reversed(self.procs))


class RefusingProxy:
    """An HTTPS reverse proxy in front of a real pebble (same TLS certificate, so certos trusts it the same
    way): every request is forwarded to pebble with the proxy's Host (pebble checks the JWS "url" against
    it), except that the first `refusals` newOrder requests are answered with a 429 rateLimited problem
    document and `Retry-After: retry_after` — pebble itself never rate-limits. The directory it serves points
    newOrder at the proxy; `new_orders` counts the newOrder requests that reached the proxy.

    Debian's pebble 2.4 offers no ACME Renewal Information (RFC 9773): with `ari_window` ((start, end) as
    RFC 3339 texts) the directory gains a renewalInfo the proxy answers itself: the first certificate id
    asked for gets that window, every other id one in 2040. `ari_ids` lists the ids asked for."""

    def __init__(self, pebble: Pebble, refusals=1, retry_after=3600, ari_window=None):
        import http.server
        import ssl
        import threading

        self.pebble, self.refusals, self.retry_after = pebble, refusals, retry_after
        self.new_orders = 0
        self.ari_window, self.ari_ids = ari_window, []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.forward(None)

            def do_HEAD(self):
                self.forward(None)

            def do_POST(self):
                self.forward(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

            def answer(self, status, content_type, content, extra=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for k, v in extra:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def forward(self, body):
                if proxy.ari_window and self.path.startswith("/renewalInfo/"):
                    with proxy.lock:
                        proxy.ari_ids.append(self.path[len("/renewalInfo/"):])
                        first = proxy.ari_ids[-1] == proxy.ari_ids[0]
                    start, end = proxy.ari_window if first else ("2040-01-01T00:00:00Z", "2040-01-02T00:00:00Z")
                    window = json.dumps({"suggestedWindow": {"start": start, "end": end}}).encode()
                    self.answer(200, "application/json", window, [("Retry-After", "21600")])
                    return
                if self.path.startswith("/order-plz"):
                    with proxy.lock:
                        proxy.new_orders += 1
                        refuse = proxy.new_orders <= proxy.refusals
                    if refuse:
                        problem = json.dumps({"type": "urn:ietf:params:acme:error:rateLimited",
                                              "detail": "too many new orders recently", "status": 429}).encode()
                        self.answer(429, "application/problem+json", problem,
                                    [("Retry-After", str(proxy.retry_after))])
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                headers["Host"] = f"127.0.0.1:{proxy.port}"
                r = requests.request(self.command, f"https://127.0.0.1:{proxy.pebble.acme_port}{self.path}",
                                     data=body, headers=headers, verify=str(proxy.pebble.tls_ca), timeout=30)
                content = r.content
                if self.path == "/dir":
                    directory = r.json()
                    directory["newOrder"] = directory["newOrder"].replace(
                        f":{proxy.pebble.acme_port}/", f":{proxy.port}/")
                    if proxy.ari_window:
                        directory["renewalInfo"] = f"https://127.0.0.1:{proxy.port}/renewalInfo"
                    content = json.dumps(directory).encode()
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls = pebble.workdir / "tls"
        context.load_cert_chain(tls / "pebble-tls.pem", tls / "pebble-tls.key")
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def directory_url(self):
        return f"https://127.0.0.1:{self.port}/dir"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
