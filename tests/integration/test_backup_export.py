"""/system backup, /export and /import, and the v6 seed's alias lines, through the real console binary: a backup
restores onto a fresh data directory (another master key) with every certificate, key, user and setting; a wrong
password and a flipped byte are refused with nothing changed; export, import into a fresh directory and export
again give the same text."""

import os
import re
import shutil
import subprocess

import pytest
import requests

from cli import CERTOS, out, run
from conftest import ADMIN_PASSWORD

PASSWORD = "backup pass phrase"

SOURCE_SCRIPT = """\
/certificate add name=ca common-name="Backup CA" key-usage=key-cert-sign,crl-sign
/certificate sign ca
/certificate add name=server common-name=server.test subject-alt-name=DNS:server.test key-size=prime256v1
/certificate sign server ca=ca
/certificate add name=template common-name=later
/user group add name=ops policy=read,write,test comment="on call"
/user add name=bob group=ops password="bobs secret" comment="Bob \\"the builder\\""
/ip service set [ find name=www ] port=18080 address=127.0.0.0/8
/certificate settings set crl-use=yes
"""


def _run_file(data, script, check):
    """Runs a script file with `certos --data DIR FILE`."""
    env = dict(os.environ, COLUMNS="160", TZ="UTC", CERTOS_ADMIN_PASSWORD=ADMIN_PASSWORD)
    proc = subprocess.run([CERTOS, "--data", str(data), str(script)], capture_output=True, text=True, env=env,
                          timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"certos {script} failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
    return proc.returncode, proc.stdout, proc.stderr


def export_body(data, command="/export"):
    text = out(data, command)
    first, _, body = text.partition("\n")
    assert first.startswith("# ") and " by certos " in first, text
    return body


def state(data):
    """What a restore must bring back, as the console shows it."""
    return {
        # expires-after counts down while the test runs
        "certificates": re.sub(r"expires-after=\S+", "", out(data, "/certificate print detail")),
        "users": out(data, "/user print detail"),
        "groups": out(data, "/user group print detail"),
        "services": out(data, "/ip service print detail"),
        "settings": out(data, "/certificate settings print"),
        "export": export_body(data),
    }


def private_key_der(data, name, tmp_path):
    """The private key of certificate `name`, exported with export-certificate and opened with openssl."""
    out(data, f"/certificate export-certificate {name} export-passphrase=exportpass file-name=k-{name}")
    key = data / "files" / f"k-{name}.key"
    der = subprocess.run(["openssl", "pkey", "-in", str(key), "-passin", "pass:exportpass", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    pub = subprocess.run(["openssl", "pkey", "-in", str(key), "-passin", "pass:exportpass", "-pubout"],
                         capture_output=True, check=True).stdout
    cert_pub = subprocess.run(["openssl", "x509", "-in", str(data / "files" / f"k-{name}.crt"), "-noout", "-pubkey"],
                              capture_output=True, check=True).stdout
    assert pub == cert_pub, "the key belongs to its certificate"
    return der


@pytest.fixture
def source(tmp_path):
    data = tmp_path / "source"
    _run_file(data, _write(tmp_path / "source.rsc", SOURCE_SCRIPT), True)
    return data


def _write(path, text):
    path.write_text(text)
    return path


def copy_backup(source, target, name):
    (target / "files").mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "files" / name, target / "files" / name)


def test_password_backup_restores_onto_a_fresh_data_directory(source, tmp_path):
    assert out(source, f'/system backup save name=weekly password="{PASSWORD}"') == "Configuration backup saved\n"
    before = state(source)
    fresh = tmp_path / "fresh"
    out(fresh, "/certificate print")  # a new store, with its own master key
    assert (fresh / "master.key").read_bytes() != (source / "master.key").read_bytes()
    copy_backup(source, fresh, "weekly.backup")
    empty = state(fresh)

    # A wrong password, then a flipped byte: refused, nothing changed.
    code, _, err = run(fresh, "/system backup load name=weekly password=wrong", check=False)
    assert code != 0 and "wrong password" in err
    damaged = bytearray((fresh / "files" / "weekly.backup").read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (fresh / "files" / "flipped.backup").write_bytes(bytes(damaged))
    code, _, err = run(fresh, f'/system backup load name=flipped.backup password="{PASSWORD}"', check=False)
    assert code != 0 and "damaged" in err
    assert state(fresh) == empty

    assert out(fresh, f'/system backup load name=weekly password="{PASSWORD}"') == "System configuration restored\n"
    assert state(fresh) == before
    # Every key: the same private key bytes on both, and it matches its certificate.
    for name in ("ca", "server"):
        assert private_key_der(fresh, name, tmp_path) == private_key_der(source, name, tmp_path)


def test_backup_without_password_keeps_keys_sealed_under_the_master_key(source, tmp_path):
    out(source, "/system backup save name=plain dont-encrypt=yes")
    raw = (source / "files" / "plain.backup").read_bytes()
    assert b"bob" in raw, "not encrypted"
    assert b"PRIVATE KEY" not in raw
    fresh = tmp_path / "fresh"
    out(fresh, "/certificate print")
    copy_backup(source, fresh, "plain.backup")
    code, _, err = run(fresh, "/system backup load name=plain", check=False)
    assert code != 0 and "saved without a password" in err
    assert out(fresh, "/user print count-only") == "1\n"
    # On the certos that saved it, it brings the saved state back.
    before = state(source)
    out(source, "/user remove bob")
    out(source, "/system backup load name=plain")
    assert state(source) == before


def test_export_import_round_trip(source, tmp_path):
    body = export_body(source)
    assert "/ip service\nset [ find name=www ] address=127.0.0.0/8 port=18080\n" in body
    assert 'add comment="Bob \\"the builder\\"" group=ops name=bob\n' in body
    assert "password=" not in body and "bobs secret" not in body
    assert "BEGIN" not in body and "/certificate\n" not in body, "no certificates nor keys"
    assert export_body(source, "/ip service export") == "/ip service\nset [ find name=www ] address=127.0.0.0/8 port=18080\n"
    out(source, "/export file=config")
    fresh = tmp_path / "fresh"
    (fresh / "files").mkdir(parents=True)
    shutil.copy(source / "files" / "config.rsc", fresh / "files" / "config.rsc")
    out(fresh, "/import file-name=config.rsc")
    assert export_body(fresh) == body
    # An import stops at its first error and says where.
    (fresh / "files" / "bad.rsc").write_text("/user add name=carol group=nobody\n")
    code, _, err = run(fresh, "/import bad.rsc", check=False)
    assert code != 0 and "import of bad.rsc stopped" in err and "line 1" in err


def test_v6_seed_alias_lines_run(tmp_path):
    data = tmp_path / "data"
    files = data / "files"
    files.mkdir(parents=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-subj", "/CN=external.test", "-days", "30",
                    "-keyout", str(files / "private.key"), "-out", str(files / "certificate.crt"),
                    "-passout", "pass:YourPrivateKeyPassphrase"], capture_output=True, check=True)
    # The seed's lines (seeds/004 sections 2.1 to 2.4) as written.
    seed = """\
/certificate
generate-self-signed name=router-https common-name="router.local" days-valid=365 key-usage=digital-signature,key-encipherment,tls-server
print
export-certificate numbers=0 file=router-https export-passphrase="YourSecurePassphrase"
/certificate import file-name=certificate.crt certificate="certificate"
/certificate import file-name=private.key certificate="private-key" passphrase="YourPrivateKeyPassphrase"
/ip service
set [find name=webfig-ssl] certificate=router-https disabled=no
"""
    _run_file(data, _write(tmp_path / "seed.rsc", seed), True)
    assert (files / "router-https.crt").exists() and (files / "router-https.key").exists()
    subject = subprocess.run(["openssl", "x509", "-in", str(files / "router-https.crt"), "-noout", "-subject",
                              "-issuer"], capture_output=True, text=True, check=True).stdout
    assert "subject=CN = router.local" in subject and "issuer=CN = router.local" in subject
    assert out(data, ":put [/certificate get certificate private-key]") == "true\n"
    assert out(data, ":put [/ip service get www-ssl certificate]") == "router-https\n"
    assert out(data, ":put [/ip service get www-ssl disabled]") == "false\n"


def test_load_over_rest_reaches_logins_of_a_running_daemon(certos_daemon, tmp_path):
    source = tmp_path / "source"
    # The backup carries /ip service: with the daemon's own ports, so that the restore moves no listener.
    ports = {"www": certos_daemon.www_port, "www-ssl": certos_daemon.ssl_port, "api": certos_daemon.api_port,
             "api-ssl": certos_daemon.api_ssl_port}
    script = "".join(f"/ip service set {name} port={port}\n" for name, port in ports.items())
    script += ('/certificate add name=ca common-name=ca\n/certificate sign ca\n'
               '/user add name=bob group=full password="bobs secret"\n'
               f'/system backup save name=b password="{PASSWORD}"\n')
    _run_file(source, _write(tmp_path / "s.rsc", script), True)
    copy_backup(source, certos_daemon.data, "b.backup")
    admin = certos_daemon.session()
    bob = certos_daemon.session("bob", "bobs secret")
    assert admin.get(f"{certos_daemon.url}/certificate", timeout=10).json() == []
    assert bob.get(f"{certos_daemon.url}/certificate", timeout=10).status_code == 401
    r = admin.post(f"{certos_daemon.url}/system/backup/load", json={"name": "b", "password": "wrong"}, timeout=60)
    assert r.status_code == 400 and "wrong password" in r.json()["detail"]
    r = admin.post(f"{certos_daemon.url}/system/backup/load", json={"name": "b", "password": PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    # The restored users at once, in the same daemon: bob logs in, and sees the restored certificate.
    r = bob.get(f"{certos_daemon.url}/certificate", timeout=10)
    assert r.status_code == 200 and [c["name"] for c in r.json()] == ["ca"]
