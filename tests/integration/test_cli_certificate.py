"""The /certificate menu driven through the real console binary, checked against the seed documents and the
openssl CLI."""

import re
import subprocess

import pytest

from cli import out, run

SEED_TEMPLATES = [
    "/certificate add name=CA-Template common-name=CAtemp key-usage=key-cert-sign,crl-sign",
    "/certificate add name=Server common-name=server",
    "/certificate add name=Client common-name=client",
]

# The seed's `print detail` of the three templates (Certificates seed), in certos's 7.23 layout: the legend
# lists every flag and the flag area has nine columns; each line ends in a space, as in the seed.
SEED_DETAIL = """\
Flags: K - PRIVATE-KEY; L - CRL; C - SMART-CARD-KEY; A - AUTHORITY; I - ISSUED, R - REVOKED; E - EXPIRED; T - TRUSTED; a - ACME-MANAGED; D - DYNAMIC\x20
 0           name="CA-Template" key-type=rsa common-name="CAtemp" key-size=2048 subject-alt-name="" days-valid=365 key-usage=key-cert-sign,crl-sign\x20

 1           name="Server" key-type=rsa common-name="server" key-size=2048 subject-alt-name="" days-valid=365\x20
             key-usage=digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,tls-client\x20

 2           name="Client" key-type=rsa common-name="client" key-size=2048 subject-alt-name="" days-valid=365\x20
             key-usage=digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,tls-client\x20
"""


def test_seed_templates_print_detail_matches_the_seed(tmp_path):
    for line in SEED_TEMPLATES:
        out(tmp_path, line)
    assert out(tmp_path, "/certificate print detail") == SEED_DETAIL


def test_seed_template_table(tmp_path):
    for line in SEED_TEMPLATES:
        out(tmp_path, line)
    assert out(tmp_path, "/certificate print") == (
        "Columns: NAME, COMMON-NAME\n"
        "#  NAME         COMMON-NAME\n"
        "0  CA-Template  CAtemp\n"
        "1  Server       server\n"
        "2  Client       client\n")


def test_seed_signing_sequence_gives_the_seed_flags(tmp_path):
    for line in SEED_TEMPLATES:
        out(tmp_path, line.replace("common-name=", "key-size=prime256v1 common-name="))
    for line in ["/certificate sign CA-Template", "/certificate sign Client",
                 "/certificate sign Server ca-crl-host=192.168.88.1 name=ServerCA"]:
        assert "progress: done" in out(tmp_path, line)
    table = out(tmp_path, "/certificate print").splitlines()
    assert table[0] == "Flags: K - PRIVATE-KEY; L - CRL; A - AUTHORITY; T - TRUSTED"
    assert table[1] == "Columns: NAME, COMMON-NAME, FINGERPRINT"
    rows = {line.split()[-3]: line for line in table[3:]}
    # The seed's order: signed certificates in the order they were signed (issue 16).
    assert rows["CA-Template"].startswith("0  K AT  CA-Template")
    assert rows["Client"].startswith("1  K AT  Client")
    assert rows["ServerCA"].startswith("2  KLAT  ServerCA")
    fingerprint = out(tmp_path, ":put [/certificate get ServerCA fingerprint]").strip()
    assert len(fingerprint) == 64 and rows["ServerCA"].endswith(fingerprint)


def test_scripts_stop_at_the_first_error_and_say_where(tmp_path):
    script = tmp_path / "setup.rsc"
    script.write_text("# templates\n/certificate\nadd name=a common-name=a\n\\\nadd name=b \\\n  key-size=3000\nadd name=c\n")
    proc = subprocess.run([__import__("cli").CERTOS, "--data", str(tmp_path / "d"), str(script)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "input does not match any value of key-size" in proc.stderr + proc.stdout
    assert "line 5" in proc.stderr + proc.stdout
    assert out(tmp_path / "d", ":put [/certificate print count-only]").strip() == "1"


def as_values(data):
    """Every row and property, for comparing the store before and after a failed command."""
    return re.sub(r"expires-after=\S+", "", out(data, "/certificate print detail without-paging"))


@pytest.mark.parametrize("command, message", [
    ("/certificate add name=c colour=red", "expected end of command"),
    ("/certificate add name=c key-size=3000", "input does not match any value of key-size"),
    ("/certificate add name=c key-usage=tls-server,flying", "input does not match any value of key-usage"),
    ("/certificate add common-name=c", "missing value(s) of argument(s) name"),
    ("/certificate add name=a", "failure: certificate with the same name already exists"),
    ("/certificate add name=c subject-alt-name=router.lan", "invalid subject-alt-name entry"),
    ("/certificate add name=c days-valid=", "invalid value for argument days-valid"),
    ("/certificate set 7 common-name=x", "no such item"),
    ("/certificate set a,b name=same", "failure: certificate with the same name already exists"),
    ("/certificate remove 0,9", "no such item"),
    ("/certificate sign b ca=nothing", "failure: CA certificate nothing does not exist"),
    ("/certificate sign b ca=a", "failure: certificate a can not sign"),
    ("/certificate set a days-valid=5", "failure: can not change days-valid of a signed certificate"),
    ("/certificate sign a", "failure: certificate a is already signed"),
])
def test_bad_input_changes_nothing(tmp_path, command, message):
    out(tmp_path, "/certificate add name=a key-size=prime256v1 key-usage=digital-signature,tls-server")
    out(tmp_path, "/certificate sign a")
    out(tmp_path, "/certificate add name=b common-name=second")
    out(tmp_path, "/certificate print")  # numbers 0 and 1 exist; 7 and 9 do not
    before = as_values(tmp_path)
    rc, stdout, stderr = run(tmp_path, command, check=False)
    assert rc != 0
    assert message in stderr + stdout
    assert as_values(tmp_path) == before


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)


def test_exports_verify_with_openssl(tmp_path):
    out(tmp_path, "/certificate add name=ca common-name=Test-CA key-usage=key-cert-sign,crl-sign key-size=secp384r1")
    out(tmp_path, "/certificate sign ca ca-crl-host=127.0.0.1:8080")
    out(tmp_path, "/certificate add name=srv common-name=srv.lan subject-alt-name=DNS:srv.lan,IP:192.168.88.1 "
                  "key-usage=digital-signature,key-encipherment,tls-server")
    out(tmp_path, "/certificate add name=cli common-name=client1 key-usage=digital-signature,tls-client key-size=prime256v1")
    out(tmp_path, "/certificate sign srv ca=ca")
    out(tmp_path, "/certificate sign cli ca=ca")
    out(tmp_path, "/certificate export-certificate ca")
    out(tmp_path, "/certificate export-certificate srv export-passphrase=pass1234")
    out(tmp_path, "/certificate export-certificate cli type=pkcs12 export-passphrase=pass1234")
    files = tmp_path / "files"
    for leaf in ["cert_export_srv.crt"]:
        result = openssl("verify", "-CAfile", files / "cert_export_ca.crt", files / leaf)
        assert result.returncode == 0, result.stderr
    text = openssl("x509", "-noout", "-text", "-in", files / "cert_export_srv.crt").stdout
    assert "TLS Web Server Authentication" in text
    assert "DNS:srv.lan, IP Address:192.168.88.1" in text
    assert "CA:FALSE" in text
    skid = out(tmp_path, ":put [/certificate get ca skid]").strip()
    assert f"URI:http://127.0.0.1:8080/crl/{skid}.crl" in text
    p12 = openssl("pkcs12", "-info", "-in", files / "cert_export_cli.p12", "-passin", "pass:pass1234", "-nodes")
    assert p12.returncode == 0, p12.stderr
    assert "BEGIN PRIVATE KEY" in p12.stdout and "CN = client1" in p12.stdout
    key_pub = openssl("pkey", "-in", files / "cert_export_srv.key", "-passin", "pass:pass1234", "-pubout")
    cert_pub = openssl("x509", "-noout", "-pubkey", "-in", files / "cert_export_srv.crt")
    assert key_pub.returncode == 0 and key_pub.stdout == cert_pub.stdout
    assert openssl("pkey", "-in", files / "cert_export_srv.key", "-passin", "pass:wrong", "-noout").returncode != 0


def test_private_keys_are_not_stored_in_plaintext(tmp_path):
    from cryptography.hazmat.primitives.serialization import pkcs12
    out(tmp_path, "/certificate add name=k key-size=prime256v1")
    out(tmp_path, "/certificate sign k")
    out(tmp_path, "/certificate export-certificate k export-passphrase=abcd1234 type=pkcs12")
    key, _, _ = pkcs12.load_key_and_certificates((tmp_path / "files" / "cert_export_k.p12").read_bytes(), b"abcd1234")
    secret = key.private_numbers().private_value.to_bytes(32, "big")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("certos.db*"))
    assert len(stored) > 4096
    assert secret not in stored
    assert (tmp_path / "master.key").stat().st_mode & 0o777 == 0o600
