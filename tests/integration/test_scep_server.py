"""certos's SCEP server (RFC 8894) against real clients: micromdm's scepclient (Debian package `scep`) and
certmonger (its daemon run privately, on a listening socket in a temporary folder, no bus). Each issued
certificate must verify with `openssl verify` against the certos CA and be an ordinary certos certificate;
wrong, reused and missing challenges and malformed messages are refused and change nothing."""

import base64
import os
import ssl
import subprocess

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import wait_until

PATH = "/scep/test"


@pytest.fixture
def scep(certos_daemon, tmp_path):
    """A certos daemon with a local RSA CA and a SCEP server for it at /scep/test; the CA certificate is
    saved to ca.pem (from GetCACert)."""
    d = certos_daemon
    d.console("/certificate add name=scep-ca common-name=SCEP-CA key-size=2048 "
               "key-usage=key-cert-sign,crl-sign,digital-signature,key-encipherment")
    d.console("/certificate sign scep-ca")
    d.console(f"/certificate scep-server add path={PATH} ca-cert=scep-ca days-valid=30")
    d.scep_url = f"http://127.0.0.1:{d.www_port}{PATH}"
    r = requests.get(d.scep_url, params={"operation": "GetCACert"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/x-x509-ca-cert"
    ca = x509.load_der_x509_certificate(r.content)
    d.ca_pem = tmp_path / "ca.pem"
    d.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return d


def otp(d, minutes=10):
    r = d.session().post(f"{d.url}/certificate/scep-server/otp/generate", json={"minutes-valid": str(minutes)},
                         timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["ret"]


def client_args(d, tmp_path, name):
    """scepclient's arguments for a new key `name`, and its certificate's path. Each client gets a folder of its
    own: scepclient keeps its request (csr.pem) and self-signed certificate (self.pem) beside the key and reuses
    them on its next run."""
    folder = tmp_path / name
    folder.mkdir()
    cert = folder / f"{name}.crt"
    return ["scepclient", "-server-url", d.scep_url, "-private-key", str(folder / f"{name}.key"),
            "-certificate", str(cert), "-cn", name, "-keySize", "2048"], cert


def scepclient(d, tmp_path, name, challenge=None, timeout=120):
    """Runs micromdm's scepclient for a new key `name`; returns (returncode, output, certificate path)."""
    args, cert = client_args(d, tmp_path, name)
    if challenge is not None:
        args += ["-challenge", challenge]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr, cert


def verify(ca_pem, cert):
    proc = subprocess.run(["openssl", "verify", "-CAfile", str(ca_pem), str(cert)], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def certificates(d):
    """Every certificate, without expires-after: it counts down while a test runs."""
    rows = d.session().get(f"{d.url}/certificate", timeout=10).json()
    for row in rows:
        row.pop("expires-after", None)
    return rows


def test_caps_and_unknown_paths(scep):
    caps = requests.get(scep.scep_url, params={"operation": "GetCACaps"}, timeout=10)
    assert caps.status_code == 200
    assert {"POSTPKIOperation", "AES", "SHA-256", "Renewal"} <= set(caps.text.split())
    assert requests.get(scep.scep_url + "x", params={"operation": "GetCACert"}, timeout=10).status_code == 404
    assert requests.get(scep.scep_url, params={"operation": "Nothing"}, timeout=10).status_code == 400


def test_scepclient_enrols_with_one_time_challenge(scep, tmp_path):
    challenge = otp(scep)
    rc, output, cert = scepclient(scep, tmp_path, "device1", challenge)
    assert rc == 0, output
    assert verify(scep.ca_pem, cert) == (0, f"{cert}: OK\n")
    issued = x509.load_pem_x509_certificate(cert.read_bytes())
    assert issued.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "device1"
    # An ordinary certos certificate: listed as issued by the CA, revocable.
    rows = [c for c in certificates(scep) if c.get("common-name") == "device1"]
    assert len(rows) == 1 and rows[0]["ca"] == "scep-ca" and rows[0]["issued"] == "true"
    assert f"SCEP {PATH}: issued {rows[0]['name']} for C=US,O=scep-client,OU=MDM,CN=device1" in scep.log()
    scep.console(f"/certificate issued-revoke {rows[0]['name']}")
    assert [c for c in certificates(scep) if c.get("common-name") == "device1"][0]["revoked"] != "false"
    # ... and on the CA's CRL, served by the same daemon.
    skid = [c for c in certificates(scep) if c["name"] == "scep-ca"][0]["skid"]
    r = requests.get(f"http://127.0.0.1:{scep.www_port}/crl/{skid}.crl", timeout=10)
    assert r.status_code == 200, r.text
    crl = x509.load_der_x509_crl(r.content)
    assert crl.get_revoked_certificate_by_serial_number(issued.serial_number) is not None
    # The challenge is used up: a second device with it is refused, and gets nothing.
    rc, output, cert2 = scepclient(scep, tmp_path, "device2", challenge)
    assert rc != 0 and "badRequest" in output, output
    assert not cert2.exists()
    assert not [c for c in certificates(scep) if c.get("common-name") == "device2"]
    assert any("used already" in line for line in scep.log())


def test_wrong_and_expired_challenges_are_refused(scep, tmp_path):
    otp(scep)
    rc, output, cert = scepclient(scep, tmp_path, "wrong", "not-a-challenge")
    assert rc != 0 and "badRequest" in output, output
    assert not cert.exists()
    assert any("wrong challenge password" in line for line in scep.log())


def test_request_without_challenge_is_held_until_granted(scep, tmp_path):
    args, cert = client_args(scep, tmp_path, "held")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        held = wait_until(lambda: scep.session().get(f"{scep.url}/certificate/scep-server/requests",
                                                     timeout=10).json(), timeout=60)
        assert held and held[0]["status"] == "pending" and held[0]["subject"].endswith("CN=held"), held
        assert not cert.exists()
        r = scep.session().post(f"{scep.url}/certificate/scep-server/requests/grant",
                                json={"numbers": held[0][".id"]}, timeout=10)
        assert r.status_code == 200, r.text
        output, _ = proc.communicate(timeout=180)  # the client polls again after its own pause
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert verify(scep.ca_pem, cert)[0] == 0
    rows = scep.session().get(f"{scep.url}/certificate/scep-server/requests", timeout=10).json()
    assert rows[0]["status"] == "issued"


def post(d, body):
    return requests.post(d.scep_url, params={"operation": "PKIOperation"}, data=body,
                         headers={"Content-Type": "application/x-pki-message"}, timeout=10)


def test_malformed_pkioperation_changes_nothing(scep, tmp_path):
    before = certificates(scep)
    assert post(scep, b"garbage").status_code == 400
    assert post(scep, b"\x30\x82\x05").status_code == 400
    r = requests.get(scep.scep_url, params={"operation": "PKIOperation", "message": "!!notbase64"}, timeout=10)
    assert r.status_code == 400
    assert post(scep, b"\x30" * 100000).status_code in (400, 413)
    assert certificates(scep) == before


SEEDS = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus", "scep")


def cert_rep_fields(body):
    """The pkiStatus and failInfo of a CertRep, read by the openssl CLI (RFC 8894 §3.2.1.3, §3.2.1.4)."""
    proc = subprocess.run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER"], input=body,
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    fields = {}
    for oid, name in (("2.16.840.1.113733.1.9.3", "pkiStatus"), ("2.16.840.1.113733.1.9.4", "failInfo")):
        at = text.find(f"({oid})")
        if at >= 0:
            fields[name] = text[at:].split("PRINTABLESTRING:", 1)[1].split()[0]
    return fields


def test_wrong_recipient_and_wrong_signature_get_bad_message_check(scep):
    before = certificates(scep)
    # micromdm scepclient's own request, encrypted to another CA (the fuzz CA of tests/data/scep).
    message = open(os.path.join(SEEDS, "pkcsreq_challenge"), "rb").read()
    r = post(scep, message)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/x-pki-message"
    assert cert_rep_fields(r.content) == {"pkiStatus": "2", "failInfo": "1"}
    # The same with a flipped bit in its signature (the message's last bytes).
    tampered = bytearray(message)
    tampered[-10] ^= 1
    r = post(scep, bytes(tampered))
    assert r.status_code == 200
    assert cert_rep_fields(r.content) == {"pkiStatus": "2", "failInfo": "1"}
    # And by GET, base64 in the query.
    r = requests.get(scep.scep_url, params={"operation": "PKIOperation",
                                            "message": base64.b64encode(message).decode()}, timeout=10)
    assert cert_rep_fields(r.content)["failInfo"] == "1"
    assert certificates(scep) == before


def certmonger(d, tmp_path, url, subject, signing_ca=None):
    """Runs certmonger's daemon privately, as a user would without a system bus: state folders from its
    CERTMONGER_* variables, a listening socket in the temporary folder and no bus (-L -P); `-c` runs getcert
    against it and stops the daemon after. `signing_ca` is getcert add-scep-ca's -N (--signingca, "for
    troubleshooting": normally certmonger discovers the CA with GetCACert). Returns (returncode, output, cert)."""
    challenge = otp(d)
    state = tmp_path / "certmonger"
    env = dict(os.environ)
    for name in ("REQUESTS", "CAS", "TMP", "CONFIG", "LOCAL_CA"):
        folder = state / name.lower()
        folder.mkdir(parents=True)
        env[f"CERTMONGER_{name}_DIR" if name != "TMP" else "CERTMONGER_TMPDIR"] = str(folder)
    env["CERTMONGER_SYSTEM_LOCK_FILE"] = str(state / "lock")
    key, cert = tmp_path / "cm.key", tmp_path / "cm.crt"
    add_ca = f"getcert add-scep-ca -c certos -u '{url}'" + (f" -N '{signing_ca}'" if signing_ca else "")
    script = tmp_path / "enrol.sh"
    script.write_text(
        "set -e\n"
        f"{add_ca}\n"
        f"getcert request -c certos -k '{key}' -f '{cert}' -N CN={subject} -L '{challenge}' -w -v\n"
        "getcert list\n")
    proc = subprocess.run(["certmonger", "-n", "-L", "-P", str(state / "socket"), "-d", "1", "-c",
                           f"sh {script}"], capture_output=True, text=True, env=env, timeout=180)
    return proc.returncode, proc.stdout + proc.stderr, cert


def test_certmonger_enrols_with_one_time_challenge(scep, tmp_path):
    """A self-signed SCEP CA: GetCACert answers that one certificate. certmonger 0.79.17 takes a single
    certificate for the RA's and then trusts no CA when it checks the CertRep ("failed to verify signature on
    server response ... certificate verify error"), so the CA certificate, as GetCACert returned it, is given
    with -N (docs/scep.md; test_certmonger_discovers_an_intermediate_ca runs it without)."""
    rc, output, cert = certmonger(scep, tmp_path, scep.scep_url, "certmonger-client", signing_ca=scep.ca_pem)
    assert rc == 0, output
    assert "status: MONITORING" in output, output
    assert verify(scep.ca_pem, cert)[0] == 0
    rows = [c for c in certificates(scep) if c.get("common-name") == "certmonger-client"]
    assert len(rows) == 1 and rows[0]["ca"] == "scep-ca"


def der_certs(pems):
    """The DER certificates of a PEM bundle, in order."""
    blocks = [b for b in pems.split("-----END CERTIFICATE-----") if "-----BEGIN CERTIFICATE-----" in b]
    return [ssl.PEM_cert_to_DER_cert(b[b.index("-----BEGIN"):] + "-----END CERTIFICATE-----\n") for b in blocks]


def test_certmonger_discovers_an_intermediate_ca(certos_daemon, tmp_path):
    """The normal way, without -N: a SCEP CA issued by a root answers GetCACert with both
    (application/x-x509-ca-ra-cert, RFC 8894 §4.2.1.2), from which certmonger takes the CA it encrypts to and
    the root it checks the CertRep against."""
    d = certos_daemon
    d.console("/certificate add name=root common-name=Root-CA key-size=2048 key-usage=key-cert-sign,crl-sign")
    d.console("/certificate sign root")
    d.console("/certificate add name=issuing common-name=Issuing-CA key-size=2048 "
              "key-usage=key-cert-sign,crl-sign,digital-signature,key-encipherment")
    d.console("/certificate sign issuing ca=root")
    d.console("/certificate scep-server add path=/scep/issuing ca-cert=issuing days-valid=30")
    d.scep_url = f"http://127.0.0.1:{d.www_port}/scep/issuing"
    r = requests.get(d.scep_url, params={"operation": "GetCACert"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/x-x509-ca-ra-cert", r.headers
    proc = subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-print_certs"], input=r.content,
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr
    pems = proc.stdout.decode()
    assert pems.count("BEGIN CERTIFICATE") == 2 and "CN = Issuing-CA" in pems and "CN = Root-CA" in pems, pems
    issuing, root = [c.public_bytes(serialization.Encoding.PEM) for c in
                     (x509.load_der_x509_certificate(pem_der) for pem_der in der_certs(pems))]
    (tmp_path / "issuing.pem").write_bytes(issuing)
    (tmp_path / "root.pem").write_bytes(root)
    rc, output, cert = certmonger(d, tmp_path, d.scep_url, "discovered")
    assert rc == 0, output
    assert "status: MONITORING" in output, output
    add_ca = [line for line in (tmp_path / "enrol.sh").read_text().splitlines() if "add-scep-ca" in line]
    assert add_ca and " -N " not in add_ca[0], add_ca
    proc = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "root.pem"), "-untrusted",
                           str(tmp_path / "issuing.pem"), str(cert)], capture_output=True, text=True)
    assert proc.returncode == 0 and ": OK" in proc.stdout, proc.stdout + proc.stderr
    issued = x509.load_pem_x509_certificate(cert.read_bytes())
    assert issued.issuer.rfc4514_string() == "CN=Issuing-CA"
    rows = [c for c in certificates(d) if c.get("common-name") == "discovered"]
    assert len(rows) == 1 and rows[0]["ca"] == "issuing"
