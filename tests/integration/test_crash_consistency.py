"""Crash consistency: `certos serve` killed with SIGKILL at random moments while REST clients sign, import and
revoke at once. After every restart, each operation the daemon acknowledged (HTTP 200) is present, nothing is
half done, and SQLite's `PRAGMA integrity_check` passes.

CRASH_ROUNDS sets the number of kill/restart rounds (20 in `make test`; docs/security.md has a longer run's figures:
CRASH_ROUNDS=200 /usr/bin/python3 -m pytest -q tests/integration/test_crash_consistency.py).
"""

import datetime
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cli import run
from conftest import ADMIN_PASSWORD, Daemon, fill_disk, free_port

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "20"))
AUTH = ("admin", ADMIN_PASSWORD)


def self_signed_pem(name):
    """A certificate and its key made by python3-cryptography (not by certos), and the certificate's SHA-256."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode(), cert.fingerprint(hashes.SHA256()).hex()


class Acknowledged:
    """What the daemon answered 200 to, across all rounds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.signed = set()  # certificate names
        self.revoked = set()  # certificate names
        self.imported = set()  # SHA-256 fingerprints (hex)
        self.refusals = []  # the bodies of 4xx/5xx answers

    def refused(self, response):
        if response.status_code >= 400:
            with self.lock:
                self.refusals.append(response.text)

    def add(self, kind, value):
        with self.lock:
            getattr(self, kind).add(value)

    def pick_signed(self, rng):
        with self.lock:
            candidates = sorted(self.signed - self.revoked)
        return rng.choice(candidates) if candidates else None


def create_then(s, ack, create, act, kind, value):
    """PUTs `create` (url, body), then POSTs `act` (url, body); records `value` under `kind` when the second is
    acknowledged, and every refusal. Returns False once the daemon is gone."""
    try:
        r = s.put(create[0], json=create[1], timeout=10)
        if r.status_code == 200:
            r = s.post(act[0], json=act[1], timeout=10)
            if r.status_code == 200:
                ack.add(kind, value)
        ack.refused(r)
        return True
    except requests.RequestException:
        return False


def signer(url, tag, ack, stop):
    s = requests.Session()
    s.auth = AUTH
    n = 0
    while not stop.is_set():
        name = f"{tag}-{n}"
        n += 1
        if not create_then(s, ack, (f"{url}/certificate", {"name": name, "common-name": name, "key-size": "prime256v1"}),
                           (f"{url}/certificate/sign", {"number": name, "ca": "CA"}), "signed", name):
            return  # the daemon is gone


def importer(url, tag, ack, stop):
    s = requests.Session()
    s.auth = AUTH
    n = 0
    while not stop.is_set():
        file_name = f"{tag}-{n}.pem"
        n += 1
        pem, fingerprint = self_signed_pem(file_name)
        if not create_then(s, ack, (f"{url}/file", {"name": file_name, "contents": pem}),
                           (f"{url}/certificate/import", {"file-name": file_name, "passphrase": ""}), "imported",
                           fingerprint):
            return


def revoker(url, ack, stop, rng):
    s = requests.Session()
    s.auth = AUTH
    while not stop.is_set():
        name = ack.pick_signed(rng)
        if name is None:
            time.sleep(0.01)
            continue
        try:
            r = s.post(f"{url}/certificate/issued-revoke", json={"numbers": name}, timeout=10)
            if r.status_code == 200:
                ack.add("revoked", name)
        except requests.RequestException:
            return


def check_store(data, ack):
    """Everything acknowledged is there, nothing is half done, and the database is sound."""
    db = sqlite3.connect(f"file:{data / 'certos.db'}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    r = requests.get(f"{DAEMON_URL[0]}/certificate", auth=AUTH, timeout=30)
    r.raise_for_status()
    certificates = r.json()
    by_name = {c["name"]: c for c in certificates}
    fingerprints = {c.get("fingerprint") for c in certificates}
    for name in ack.signed:
        assert name in by_name, f"acknowledged signed certificate {name} lost"
        c = by_name[name]
        assert c.get("fingerprint") and c.get("issued") == "true", f"{name} half signed: {c}"
        assert c.get("private-key") == "true", f"{name} lost its key: {c}"
    for name in ack.revoked:
        assert by_name[name].get("revoked"), f"acknowledged revocation of {name} lost: {by_name[name]}"
    for fingerprint in ack.imported:
        assert fingerprint in fingerprints, f"acknowledged import {fingerprint} lost"
    for c in certificates:
        # A certificate is either a template (no fingerprint, no key) or a whole one; an issued one has its key.
        if c.get("issued") == "true":
            assert c.get("fingerprint") and c.get("private-key") == "true", f"half-made certificate {c}"


DAEMON_URL = [""]


def prepare_store(data):
    """Free ports for www, www-ssl and api, and a local CA named CA; returns (www port, www-ssl port)."""
    www_port, ssl_port, api_port = free_port(), free_port(), free_port()
    run(data, f"/ip service set www port={www_port}")
    run(data, f"/ip service set www-ssl port={ssl_port}")
    run(data, f"/ip service set api port={api_port}")
    run(data, "/certificate add name=CA common-name=CA key-size=prime256v1 key-usage=key-cert-sign,crl-sign")
    run(data, "/certificate sign CA")
    return www_port, ssl_port


def test_sigkill_during_concurrent_signing_importing_and_revoking_loses_nothing_acknowledged(tmp_path):
    data = tmp_path / "data"
    www_port, ssl_port = prepare_store(data)
    rng = random.Random(int(os.environ.get("CRASH_SEED", "7")))
    ack = Acknowledged()
    kills = 0
    for round_number in range(ROUNDS):
        daemon = Daemon(data, www_port, ssl_port, tmp_path)
        DAEMON_URL[0] = daemon.url
        if round_number > 0:
            check_store(data, ack)  # what the previous round's kill left
        stop = threading.Event()
        workers = [threading.Thread(target=signer, args=(daemon.url, f"s{round_number}-{i}", ack, stop))
                   for i in range(3)]
        workers.append(threading.Thread(target=importer, args=(daemon.url, f"i{round_number}", ack, stop)))
        workers.append(threading.Thread(target=revoker, args=(daemon.url, ack, stop, rng)))
        for w in workers:
            w.start()
        time.sleep(rng.uniform(0.2, 1.2))
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait()
        kills += 1
        stop.set()
        for w in workers:
            w.join(timeout=30)
    daemon = Daemon(data, www_port, ssl_port, tmp_path)
    try:
        DAEMON_URL[0] = daemon.url
        check_store(data, ack)
    finally:
        daemon.stop()
    assert kills == ROUNDS
    # The run did real work: something of each kind was acknowledged and so checked.
    assert ack.signed and ack.imported and ack.revoked, (len(ack.signed), len(ack.imported), len(ack.revoked))
    print(f"{ROUNDS} kills; acknowledged {len(ack.signed)} signs, {len(ack.imported)} imports, "
          f"{len(ack.revoked)} revocations; all present")


def test_full_disk_during_concurrent_signing_then_sigkill_loses_nothing_acknowledged(tmp_path):
    """The data directory on a 8 MB tmpfs that fills up while clients sign, import and revoke; then SIGKILL.
    Writes are refused with RouterOS's "database or disk is full" (never a generic I/O error), reads go on,
    and after space is freed and the daemon restarted, everything acknowledged is there."""
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mount)], check=True)
    try:
        data = mount / "data"
        www_port, ssl_port = prepare_store(data)
        # Room for the restart, whoever fills the disk (the clients themselves, on a slow machine).
        ballast = mount / "ballast"
        ballast.write_bytes(b"\0" * (1 << 20))
        ack = Acknowledged()
        rng = random.Random(11)
        daemon = Daemon(data, www_port, ssl_port, tmp_path)
        DAEMON_URL[0] = daemon.url
        stop = threading.Event()
        workers = [threading.Thread(target=signer, args=(daemon.url, f"f-{i}", ack, stop)) for i in range(3)]
        workers.append(threading.Thread(target=importer, args=(daemon.url, "fi", ack, stop)))
        workers.append(threading.Thread(target=revoker, args=(daemon.url, ack, stop, rng)))
        for w in workers:
            w.start()
        try:
            # Some work acknowledged before the disk fills (a loaded machine may need a while).
            deadline = time.monotonic() + 30
            while len(ack.signed) < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            fill_disk(mount / "filler")
            time.sleep(1.5)  # the clients go on against a full disk
            listing = requests.get(f"{daemon.url}/certificate", auth=AUTH, timeout=30)
            assert listing.status_code == 200, listing.text  # reads keep working
        finally:
            # SIGKILL, also when something above failed: neither the daemon nor the clients may outlive the test.
            daemon.proc.send_signal(signal.SIGKILL)
            daemon.proc.wait()
            stop.set()
            for w in workers:
                w.join(timeout=30)
        assert any("database or disk is full" in text for text in ack.refusals), ack.refusals[:5]
        assert not any("disk I/O error" in text for text in ack.refusals), ack.refusals[:5]
        if (mount / "filler").exists():
            os.remove(mount / "filler")
        os.remove(ballast)
        daemon = Daemon(data, www_port, ssl_port, tmp_path)
        try:
            DAEMON_URL[0] = daemon.url
            check_store(data, ack)
        finally:
            daemon.stop()
        assert ack.signed, "nothing was signed before the disk filled"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)
