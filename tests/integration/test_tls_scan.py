"""www-ssl and api-ssl scanned by Debian's sslscan: TLS 1.2 and 1.3 only, AEAD suites with forward secrecy only,
no insecure renegotiation, no compression, no Heartbleed."""

import subprocess
import xml.etree.ElementTree as ET

from conftest import port_open, wait_until
from test_rest_api import enable_www_ssl, make_signed, ok

# TLS 1.2 suites certos may offer: ECDHE key exchange with an AEAD cipher (RFC 7525's recommendation).
AEAD_MARKERS = ("GCM", "CHACHA20")


def scan(port):
    proc = subprocess.run(["sslscan", "--no-colour", "--xml=-", f"127.0.0.1:{port}"], capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    xml = proc.stdout[proc.stdout.index("<?xml"):]
    return ET.fromstring(xml).find("ssltest")


def assert_strong(test):
    assert test is not None, "sslscan found no TLS service"
    enabled = {(p.get("type"), p.get("version")) for p in test.findall("protocol") if p.get("enabled") == "1"}
    assert enabled == {("tls", "1.2"), ("tls", "1.3")}, enabled
    ciphers = [(c.get("sslversion"), c.get("cipher"), c.get("strength")) for c in test.findall("cipher")]
    assert ciphers, "no accepted cipher suites reported"
    for version, cipher, strength in ciphers:
        assert version in ("TLSv1.2", "TLSv1.3"), (version, cipher)
        assert strength in ("strong", "acceptable"), (version, cipher, strength)
        if version == "TLSv1.2":
            assert cipher.startswith("ECDHE-") and any(m in cipher for m in AEAD_MARKERS), cipher
    renegotiation = test.find("renegotiation")
    assert renegotiation is not None
    assert not (renegotiation.get("supported") == "1" and renegotiation.get("secure") != "1"), renegotiation.attrib
    compression = test.find("compression")
    assert compression is None or compression.get("supported") != "1"
    for heartbleed in test.findall("heartbleed"):
        assert heartbleed.get("vulnerable") != "1", heartbleed.attrib


def test_www_ssl_and_api_ssl_offer_only_modern_tls(certos_daemon):
    d = certos_daemon
    s = d.session()
    make_signed(s, d.url, "scan", "127.0.0.1", **{"subject-alt-name": "IP:127.0.0.1"})
    enable_www_ssl(s, d.url, "scan", d.ssl_port)
    ok(s.post(f"{d.url}/ip/service/set", json={"numbers": "api-ssl", "certificate": "scan", "disabled": "no"},
              timeout=10))
    assert wait_until(lambda: port_open(d.api_ssl_port), timeout=10), "api-ssl did not start listening"
    assert_strong(scan(d.ssl_port))
    assert_strong(scan(d.api_ssl_port))
