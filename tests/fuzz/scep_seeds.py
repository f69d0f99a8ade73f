#!/usr/bin/python3
"""Makes the seed corpus of scep_fuzz (tests/fuzz/corpus/scep) from real messages: micromdm's scepclient
(Debian package `scep`) enrols against a stand-in SCEP server on loopback that serves the fuzz CA
(tests/data/scep/ca.crt) and records each PKIOperation it receives, with and without a challenge. The server
answers 500 after recording, so the client stops there. Run: /usr/bin/python3 tests/fuzz/scep_seeds.py"""

import http.server
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent
CA = (ROOT.parent / "data" / "scep" / "ca.crt").read_text()
OUT = ROOT / "corpus" / "scep"
received = []


def ca_der():
    body = "".join(line for line in CA.splitlines() if not line.startswith("-----"))
    import base64
    return base64.b64decode(body)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        op = parse_qs(urlparse(self.path).query).get("operation", [""])[0]
        if op == "GetCACaps":
            self.answer(200, "text/plain", b"POSTPKIOperation\nSHA-256\nAES\n")
        elif op == "GetCACert":
            self.answer(200, "application/x-x509-ca-cert", ca_der())
        else:
            self.answer(404, "text/plain", b"")

    def do_POST(self):
        received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.answer(500, "text/plain", b"recorded")


def main():
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/scep/fuzz"
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, challenge in (("pkcsreq_challenge", ["-challenge", "secret"]), ("pkcsreq_plain", [])):
            before = len(received)
            subprocess.run(["scepclient", "-server-url", url, "-private-key", f"{tmp}/{name}.key",
                            "-certificate", f"{tmp}/{name}.crt", "-cn", name, "-keySize", "1024"] + challenge,
                           capture_output=True, timeout=60)
            if len(received) == before:
                raise SystemExit(f"scepclient sent no PKIOperation for {name}")
            (OUT / name).write_bytes(received[-1])
    server.shutdown()


if __name__ == "__main__":
    main()
