"""Revocation, CRLs and chain verification through the real certos binary, checked with the openssl CLI and
real HTTP servers on loopback (a certos daemon, or a small Python server that can also misbehave)."""

import http.server
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from cli import out, run

TRUST_DATA = Path(__file__).resolve().parent.parent / "data" / "trust"


# --- helpers --------------------------------------------------------------------------------------------------

def results(text):
    """The summary of `/certificate verify` output: (result, reason)."""
    result = re.search(r"^\s*result: (.*)$", text, re.M)
    reason = re.search(r"^\s*reason: (.*)$", text, re.M)
    return (result.group(1) if result else None), (reason.group(1) if reason else "")


def make_local_ca(data, crl_host):
    """Node with a CA (ca-crl-host=crl_host), two leaves `good` and `bad`, `bad` revoked (key-compromise)."""
    out(data, "/certificate add name=CA common-name=CA key-size=prime256v1 key-usage=key-cert-sign,crl-sign")
    out(data, f"/certificate sign CA ca-crl-host={crl_host}")
    for name in ("good", "bad"):
        out(data, f"/certificate add name={name} common-name={name}.test key-size=prime256v1 "
                  f"key-usage=digital-signature,tls-server subject-alt-name=DNS:{name}.test")
        out(data, f"/certificate sign {name} ca=CA")
    out(data, "/certificate issued-revoke bad reason=key-compromise")
    for name in ("CA", "good", "bad"):
        out(data, f"/certificate export-certificate {name}")
    out(data, "/certificate export-crl CA")
    return data / "files"


def skid_of(data, name):
    return out(data, f":put [/certificate get {name} skid]").strip()


def openssl_verify(ca_pem, crl_der, cert, tmp_path):
    crl_pem = tmp_path / "crl.pem"
    subprocess.run(["openssl", "crl", "-inform", "DER", "-in", str(crl_der), "-out", str(crl_pem)], check=True)
    proc = subprocess.run(["openssl", "verify", "-crl_check", "-CAfile", str(ca_pem), "-CRLfile", str(crl_pem),
                           str(cert)], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


class CrlServer:
    """A real HTTP server on 127.0.0.1 that serves one CRL body at `path`, or misbehaves: mode `garbage`,
    `huge` (11 MiB, more than certos accepts), `hang` (never answers) or `404`."""

    def __init__(self):
        self.body = b""
        self.path = "/"
        self.mode = "ok"
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != owner.path or owner.mode == "404":
                    self.send_error(404)
                    return
                if owner.mode == "hang":
                    time.sleep(30)
                    return
                if owner.mode == "garbage":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pkix-crl")
                    self.end_headers()
                    self.wfile.write(b"<html>this is not a CRL</html>")
                    return
                if owner.mode == "huge":
                    self.send_response(200)
                    self.end_headers()
                    chunk = b"\x30" * 65536
                    try:
                        for _ in range(11 * 16):
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def crl_server():
    server = CrlServer()
    yield server
    server.stop()


def import_node_b(a, b_files, names=("CA", "good", "bad")):
    """Node A imports node B's certificates (import's default trusted=yes), under B's names."""
    (a / "files").mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(b_files / f"cert_export_{name}.crt", a / "files" / f"{name}.crt")
        out(a, f"/certificate import file-name={name}.crt name={name} passphrase=\"\"")


# --- revocation and the CRL certos issues ---------------------------------------------------------------------

def test_revoked_certificate_is_rejected_by_openssl_and_its_sibling_accepted(tmp_path):
    data = tmp_path / "b"
    files = make_local_ca(data, "127.0.0.1:8080")
    detail = out(data, "/certificate print detail where name=bad")
    assert re.search(r"revoked=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", detail), detail
    assert "revoked=" not in out(data, "/certificate print detail where name=good")

    serial = out(data, ":put [/certificate get bad serial-number]").strip()
    text = subprocess.run(["openssl", "crl", "-inform", "DER", "-in", str(files / "crl_CA.crl"), "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    assert f"Serial Number: {serial}" in text
    assert "Key Compromise" in text
    assert re.search(r"X509v3 CRL Number: \n\s+2\n", text), text  # 1 at signing, 2 after the revocation
    assert "Next Update" in text

    code, message = openssl_verify(files / "cert_export_CA.crt", files / "crl_CA.crl", files / "cert_export_bad.crt",
                                   tmp_path)
    assert code != 0 and "certificate revoked" in message, message
    code, message = openssl_verify(files / "cert_export_CA.crt", files / "crl_CA.crl", files / "cert_export_good.crt",
                                   tmp_path)
    assert code == 0, message

    # certos's own verification agrees.
    assert results(out(data, "/certificate verify good purpose=tls-server")) == ("ok", "")
    result, reason = results(out(data, "/certificate verify bad"))
    assert result == "failed"
    assert f"certificate \"CN=bad.test\" is revoked (serial {serial}, revoked on " in reason
    assert "reason key-compromise" in reason


def test_revoked_certificate_shows_the_r_flag(tmp_path):
    data = tmp_path / "b"
    make_local_ca(data, "127.0.0.1:8080")
    lines = out(data, "/certificate print").splitlines()
    assert lines[0] == "Flags: K - PRIVATE-KEY; L - CRL; A - AUTHORITY; I - ISSUED, R - REVOKED; T - TRUSTED"
    flag_width = lines[2].index("NAME") - 3  # "#" + padding over the index and the flag columns
    rows = {line[3 + flag_width:].split()[0]: line[3:3 + flag_width].strip() for line in lines[3:]}
    assert rows["bad"] == "K  R"
    assert rows["good"] == "K  I"


def test_only_locally_issued_certificates_can_be_revoked(tmp_path):
    data = tmp_path / "b"
    make_local_ca(data, "127.0.0.1:8080")
    code, stdout, stderr = run(data, "/certificate issued-revoke CA", check=False)
    assert code != 0
    assert "failure: certificate CA was not issued by a local CA" in stdout + stderr


def test_daemon_serves_the_crl_at_its_distribution_point(certos_daemon, tmp_path):
    d = certos_daemon
    files = make_local_ca(d.data, f"127.0.0.1:{d.www_port}")
    url = f"http://127.0.0.1:{d.www_port}/crl/{skid_of(d.data, 'CA')}.crl"
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == (files / "crl_CA.crl").read_bytes()
    fetched = tmp_path / "fetched.crl"
    fetched.write_bytes(response.content)
    code, message = openssl_verify(files / "cert_export_CA.crt", fetched, files / "cert_export_bad.crt", tmp_path)
    assert code != 0 and "certificate revoked" in message, message
    code, message = openssl_verify(files / "cert_export_CA.crt", fetched, files / "cert_export_good.crt", tmp_path)
    assert code == 0, message


# --- CRL download and crl-use ---------------------------------------------------------------------------------

def test_crl_download_then_crl_use_rejects_revoked_and_accepts_good(tmp_path, crl_server):
    b, a = tmp_path / "b", tmp_path / "a"
    files = make_local_ca(b, f"127.0.0.1:{crl_server.port}")
    crl_server.path = f"/crl/{skid_of(b, 'CA')}.crl"
    crl_server.body = (files / "crl_CA.crl").read_bytes()
    import_node_b(a, files)
    out(a, "/certificate settings set crl-download=yes crl-use=yes")

    # Before any download, crl-use=yes fails closed.
    result, reason = results(out(a, "/certificate verify good"))
    assert result == "failed"
    assert "no CRL for certificate \"CN=good.test\" (issuer \"CN=CA\"): crl-use requires a current CRL" in reason

    out(a, "/certificate crl download")
    crl = out(a, "/certificate crl print detail")
    assert f"url=\"http://127.0.0.1:{crl_server.port}{crl_server.path}\"" in crl
    assert "dynamic=yes" in crl and "invalid=no" in crl and "num=2" in crl
    assert "cert=\"CA\"" in crl
    assert results(out(a, "/certificate verify good purpose=tls-server")) == ("ok", "")
    result, reason = results(out(a, "/certificate verify bad"))
    assert result == "failed" and "is revoked" in reason and "reason key-compromise" in reason
    # The L flag: the issuing CA and the trusted certificates whose distribution point was downloaded.
    table = out(a, "/certificate print")
    assert "L - CRL" in table.splitlines()[0]
    assert "CRL downloaded from" in out(a, "/log print")

    # The endpoint goes away: with the downloaded CRL forgotten, verification fails closed with a clear reason.
    crl_server.stop()
    out(a, "/certificate crl flush")
    code, stdout, stderr = run(a, "/certificate crl download", check=False)
    assert code != 0
    assert "CRL download failed: fetching http://127.0.0.1:" in stdout + stderr
    assert "no CRL yet" in stdout + stderr
    result, reason = results(out(a, "/certificate verify good"))
    assert result == "failed" and "crl-use requires a current CRL for every certificate in the chain" in reason
    # With crl-use=no, a missing CRL is no failure.
    out(a, "/certificate settings set crl-use=no")
    assert results(out(a, "/certificate verify good"))[0] == "ok"


@pytest.mark.parametrize("mode,reason", [
    ("garbage", "the response is not a CRL (30 bytes)"),
    ("huge", "response body larger than 10485760 bytes"),
    ("hang", "no complete response within 10 s (timed out)"),
    ("404", "the server answered HTTP 404"),
])
def test_bad_endpoint_is_bounded_logged_and_keeps_the_old_crl(tmp_path, crl_server, mode, reason):
    b, a = tmp_path / "b", tmp_path / "a"
    files = make_local_ca(b, f"127.0.0.1:{crl_server.port}")
    crl_server.path = f"/crl/{skid_of(b, 'CA')}.crl"
    crl_server.body = (files / "crl_CA.crl").read_bytes()
    import_node_b(a, files)
    out(a, "/certificate settings set crl-download=yes")
    out(a, "/certificate crl download")
    fingerprint = out(a, ":put [/certificate crl get [find] fingerprint]").strip()
    assert len(fingerprint) == 64

    crl_server.mode = mode
    start = time.monotonic()
    code, stdout, stderr = run(a, "/certificate crl download", check=False)
    took = time.monotonic() - start
    assert code != 0
    assert reason in stdout + stderr
    assert "keeping the CRL downloaded" in stdout + stderr
    assert took < 20, f"download took {took:.1f} s"
    assert reason in out(a, "/log print")
    assert out(a, ":put [/certificate crl get [find] fingerprint]").strip() == fingerprint
    out(a, "/certificate settings set crl-use=yes")
    assert "is revoked" in results(out(a, "/certificate verify bad"))[1]
    assert results(out(a, "/certificate verify good"))[0] == "ok"


def test_crl_download_from_a_second_certos_daemon(certos_daemon, tmp_path):
    b = certos_daemon
    files = make_local_ca(b.data, f"127.0.0.1:{b.www_port}")
    url = f"http://127.0.0.1:{b.www_port}/crl/{skid_of(b.data, 'CA')}.crl"
    assert requests.get(url, timeout=10).status_code == 200
    a = tmp_path / "a"
    import_node_b(a, files)
    out(a, "/certificate settings set crl-download=yes crl-use=yes")
    out(a, "/certificate crl download")
    assert results(out(a, "/certificate verify good"))[0] == "ok"
    assert "is revoked" in results(out(a, "/certificate verify bad"))[1]
    b.stop()  # the endpoint is down: forgetting the CRL, verification fails closed
    out(a, "/certificate crl flush")
    assert run(a, "/certificate crl download", check=False)[0] != 0
    assert "crl-use requires a current CRL" in results(out(a, "/certificate verify good"))[1]


# --- chains made by openssl -----------------------------------------------------------------------------------

def test_chains_made_by_openssl_verify_or_fail_with_distinct_messages(tmp_path):
    data = tmp_path / "a"
    files = data / "files"
    files.mkdir(parents=True)
    shutil.copy(TRUST_DATA / "root.crt", files / "root.crt")
    out(data, "/certificate import file-name=root.crt passphrase=\"\"")

    def bundle(name, *parts):
        (files / name).write_text("".join((TRUST_DATA / part).read_text() for part in parts))

    bundle("chain.pem", "leaf.crt", "inter.crt")
    bundle("expired.pem", "leaf_under_expired.crt", "expired_inter.crt")
    bundle("client.pem", "client_leaf.crt", "inter.crt")
    bundle("other.pem", "other_leaf.crt", "other_root.crt")

    chain = out(data, "/certificate verify file-name=chain.pem purpose=tls-server")
    assert results(chain) == ("ok", "")
    assert chain.count("status: ok") == 3
    assert "name: root.crt_0" in chain

    expired = results(out(data, "/certificate verify file-name=expired.pem"))
    wrong_eku = results(out(data, "/certificate verify file-name=client.pem purpose=tls-server"))
    untrusted = results(out(data, "/certificate verify file-name=other.pem"))
    assert expired[0] == wrong_eku[0] == untrusted[0] == "failed"
    assert "certificate \"O=Certos Trust Test,CN=Expired Intermediate CA\" expired on 2021-01-01" in expired[1]
    assert wrong_eku[1] == ("certificate \"O=Certos Trust Test,CN=client only\" is not allowed for tls-server "
                            "(wrong extended key usage)")
    assert untrusted[1] == "root CA \"O=Somebody Else,CN=Untrusted Root CA\" is not trusted (self-signed certificate in chain)"
    assert len({expired[1], wrong_eku[1], untrusted[1]}) == 3
    # openssl concludes the same about these inputs.
    assert subprocess.run(["openssl", "verify", "-purpose", "sslserver", "-CAfile", str(TRUST_DATA / "root.crt"),
                           "-untrusted", str(TRUST_DATA / "inter.crt"), str(TRUST_DATA / "client_leaf.crt")],
                          capture_output=True).returncode != 0


def test_builtin_roots_are_listed(tmp_path):
    assert Path("/etc/ssl/certs/ca-certificates.crt").exists(), "ca-certificates missing: run scripts/install-deps.sh"
    listing = out(tmp_path, "/certificate builtin print detail where name=\"ISRG Root X1\"")
    assert "organization=\"Internet Security Research Group\"" in listing
    assert "fingerprint=\"96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6\"" in listing
    assert int(out(tmp_path, "/certificate builtin print count-only").strip()) > 50
