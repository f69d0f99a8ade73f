"""certos's SCEP client (add-scep, scep-renew, the daemon's polling and renewal job) against real servers:
micromdm's scepserver (Debian package `scep`) and certos's own SCEP server. scepserver listens on every
interface, so each test runs the servers and certos inside a private network namespace of its own (`unshare
-n`, entered with `nsenter`): nothing is reachable from outside it and its ports are all free."""

import hashlib
import os
import re
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from acme_fixture import stop_processes
from cli import CERTOS

PEERS = Path(__file__).resolve().parent.parent / "peers"

SCEP_PORT = 18080
WWW_PORT = 18081
ENV = dict(os.environ, COLUMNS="200", TZ="UTC", CERTOS_ADMIN_PASSWORD="admin-test-pw")


class NetNs:
    """A private network namespace with loopback up, kept alive by a sleeping process."""

    def __init__(self):
        prefix = [] if os.geteuid() == 0 else ["-r"]
        self.holder = subprocess.Popen(["unshare", *prefix, "-n", "sh", "-c", "ip link set lo up && exec sleep 3600"])
        self.enter = ["nsenter", "-t", str(self.holder.pid), "-n"]
        if os.geteuid() != 0:
            self.enter[1:1] = ["-U", "--preserve-credentials"]
        deadline = time.time() + 10
        while time.time() < deadline:
            if b"UP" in subprocess.run([*self.enter, "ip", "link", "show", "lo"], capture_output=True).stdout:
                return
            time.sleep(0.05)
        raise AssertionError("the namespace's loopback did not come up")

    def run(self, args, check=True, env=None, **kw):
        proc = subprocess.run([*self.enter, *args], capture_output=True, text=True, env=env or ENV, timeout=120, **kw)
        if check and proc.returncode != 0:
            raise AssertionError(f"{args} failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
        return proc

    def popen(self, args, log: Path, env=None):
        return subprocess.Popen([*self.enter, *args], stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                env=env or ENV)

    def wait_port(self, port, proc, timeout=20.0):
        deadline = time.time() + timeout
        probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), 0.5)"
        while time.time() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"the server on port {port} exited ({proc.returncode})")
            if self.run(["/usr/bin/python3", "-c", probe], check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"nothing listens on port {port}")

    def close(self):
        self.holder.kill()
        self.holder.wait()


@pytest.fixture
def netns():
    ns = NetNs()
    started = []
    ns.started = started
    yield ns
    stop_processes(started)
    ns.close()


def console(ns, data, command, check=True):
    return ns.run([CERTOS, "--data", str(data), "-c", command], check=check)


def scepserver(ns, tmp_path, *flags):
    """Starts stock scepserver with a new 2048-bit CA on SCEP_PORT; returns its depot."""
    depot = tmp_path / "depot"
    ns.run(["scepserver", "ca", "-init", "-depot", str(depot), "-keySize", "2048"])
    proc = ns.popen(["scepserver", "-depot", str(depot), "-port", str(SCEP_PORT), *flags], tmp_path / "scepserver.log")
    ns.started.append(proc)
    ns.wait_port(SCEP_PORT, proc)
    return depot


@pytest.fixture(scope="session")
def scep_aes():
    """tests/peers/scep-aes built once (GOPATH mode over Debian's /usr/share/gocode) beside the certos binary,
    rebuilt when its source is newer. micromdm's library imports its own packages as .../scep/v2/..., which
    GOPATH mode finds through a v2 link to the Debian package's folder in a GOPATH of the build's own."""
    source = PEERS / "scep-aes" / "main.go"
    out = Path(CERTOS).resolve().parent / "scep-aes"
    binary = out / "scep-aes"
    if binary.exists() and binary.stat().st_mtime >= source.stat().st_mtime:
        return binary
    gopath = out / "gopath"
    link = gopath / "src" / "github.com" / "micromdm" / "scep" / "v2"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to("/usr/share/gocode/src/github.com/micromdm/scep")
    package = gopath / "src" / "scep-aes"
    package.mkdir(exist_ok=True)
    (package / "main.go").write_bytes(source.read_bytes())
    env = dict(os.environ, GO111MODULE="off", GOPATH=f"{gopath}:/usr/share/gocode", GOCACHE=str(out / "gocache"),
               GOFLAGS="")
    proc = subprocess.run(["nice", "-n", "10", "go", "build", "-o", str(binary), "./src/scep-aes"], cwd=gopath,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return binary


def record(ns, data, name):
    """The certificate `name` as key=value pairs of `print detail` (show-sensitive: the challenge too)."""
    text = console(ns, data, f"/certificate print detail without-paging show-sensitive where name={name}").stdout
    text = " ".join(text.split())
    return {k: v.strip('"') for k, v in re.findall(r'([a-z][a-z0-9-]*)=("[^"]*"|\S+)', text)}


def has_key(ns, data, name):
    return console(ns, data, f":put [/certificate get {name} private-key]").stdout.strip() == "true"


def log_lines(ns, data):
    return console(ns, data, "/log print without-paging").stdout


def ca_fingerprint(depot):
    der = ssl.PEM_cert_to_DER_cert((depot / "ca.pem").read_text())
    return hashlib.sha256(der).hexdigest()


def verify_with_openssl(ns, data, name, ca_pem):
    """Exports the certificate and checks it with `openssl verify` against the server's CA."""
    console(ns, data, f"/certificate export-certificate {name}")
    exported = data / "files" / f"cert_export_{name}.crt"
    proc = subprocess.run(["openssl", "verify", "-CAfile", str(ca_pem), str(exported)], capture_output=True, text=True)
    assert proc.returncode == 0 and ": OK" in proc.stdout, proc.stdout + proc.stderr
    return exported


def enrol_client(ns, data):
    """Enrols a new template `client` at the server on SCEP_PORT with challenge s3cret; returns its record."""
    console(ns, data, "/certificate add name=client common-name=client1 key-size=2048")
    added = console(ns, data, f'/certificate add-scep template=client scep-url="http://127.0.0.1:{SCEP_PORT}/scep" '
                              "challenge-password=s3cret")
    assert "failure" not in added.stdout, added.stdout
    return record(ns, data, "client")


def test_enrols_at_stock_scepserver_with_its_des_reply(netns, tmp_path):
    depot = scepserver(netns, tmp_path, "-challenge", "s3cret")
    data = tmp_path / "data"
    rec = enrol_client(netns, data)
    assert rec["status"] == "valid", rec
    assert rec["ca-fingerprint"] == ca_fingerprint(depot)
    assert rec["challenge-password"] == "s3cret"
    assert rec["issuer"].startswith("C=US,O=scep-ca,OU=SCEP") and rec["common-name"] == "client1"
    # The CA is stored too (keyless, untrusted), named after its fingerprint.
    ca = record(netns, data, f"scep-ca-{ca_fingerprint(depot)[:16]}")
    assert ca["fingerprint"] == ca_fingerprint(depot) and ca["trusted"] == "no", ca
    verify_with_openssl(netns, data, "client", depot / "ca.pem")
    # scepserver advertises AES, so certos sent AES-128-CBC with SHA-256; its pkcs7 library replies in DES-CBC,
    # which certos opened with OpenSSL's legacy provider.
    log = log_lines(netns, data)
    assert "request AES-128-CBC/sha256, reply DES-CBC" in log, log
    assert "s3cret" not in log


@pytest.mark.parametrize("cipher,name", [("aes128", "AES-128-CBC"), ("aes256", "AES-256-CBC")])
def test_enrols_at_an_aes_replying_micromdm_server(netns, tmp_path, scep_aes, cipher, name):
    """micromdm's server library built with AES replies (tests/peers/scep-aes): certos sends AES-128-CBC (the
    server advertises AES) and opens the reply in the server's cipher, AES-256-CBC too, which it did not send."""
    depot = tmp_path / "depot"
    netns.run(["scepserver", "ca", "-init", "-depot", str(depot), "-keySize", "2048"])
    proc = netns.popen([str(scep_aes), "-depot", str(depot), "-port", str(SCEP_PORT), "-challenge", "s3cret",
                        "-cipher", cipher], tmp_path / "scep-aes.log")
    netns.started.append(proc)
    netns.wait_port(SCEP_PORT, proc)
    data = tmp_path / "data"
    rec = enrol_client(netns, data)
    assert rec["status"] == "valid" and rec["ca-fingerprint"] == ca_fingerprint(depot), rec
    verify_with_openssl(netns, data, "client", depot / "ca.pem")
    log = log_lines(netns, data)
    assert f"request AES-128-CBC/sha256, reply {name}" in log, log
    # The server's own log: it issued the certificate (PKIOperation without an error).
    served = (tmp_path / "scep-aes.log").read_text()
    assert f"cipher={cipher}" in served and "method=PKIOperation err=null" in served, served


def test_enrols_through_an_ra_of_micromdm_server(netns, tmp_path, scep_aes):
    """micromdm's server library as an RA (tests/peers/scep-aes -ra-cert/-ra-key): GetCACert answers RA and CA
    certificates in a degenerate PKCS#7; the server opens requests only with the RA's key and signs its replies
    with it, so the enrolment succeeds only if certos encrypted to the RA and checked the reply against it. The
    entry's CA is the depot's CA, not the RA."""
    depot = tmp_path / "depot"
    netns.run(["scepserver", "ca", "-init", "-depot", str(depot), "-keySize", "2048"])
    ra_key, ra_csr, ra_pem, ext = (tmp_path / n for n in ("ra.key", "ra.csr", "ra.pem", "ra.ext"))
    ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n")
    for args in (["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", ra_key, "-subj", "/CN=SCEP-RA",
                  "-out", ra_csr],
                 ["x509", "-req", "-in", ra_csr, "-CA", depot / "ca.pem", "-CAkey", depot / "ca.key",
                  "-passin", "pass:", "-set_serial", "99", "-days", "30", "-extfile", ext, "-out", ra_pem]):
        proc = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    proc = netns.popen([str(scep_aes), "-depot", str(depot), "-port", str(SCEP_PORT), "-challenge", "s3cret",
                        "-ra-cert", str(ra_pem), "-ra-key", str(ra_key)], tmp_path / "scep-ra.log")
    netns.started.append(proc)
    netns.wait_port(SCEP_PORT, proc)
    content_type = netns.run(["curl", "-s", "-o", "/dev/null", "-w", "%{content_type}",
                              f"http://127.0.0.1:{SCEP_PORT}/scep?operation=GetCACert"]).stdout
    assert content_type == "application/x-x509-ca-ra-cert", content_type
    data = tmp_path / "data"
    rec = enrol_client(netns, data)
    assert rec["status"] == "valid" and rec["ca-fingerprint"] == ca_fingerprint(depot), rec
    assert rec["issuer"].startswith("C=US,O=scep-ca,OU=SCEP"), rec
    verify_with_openssl(netns, data, "client", depot / "ca.pem")
    assert f"(CA fingerprint {ca_fingerprint(depot)}, request AES-128-CBC/sha256" in log_lines(netns, data)
    served = (tmp_path / "scep-ra.log").read_text()
    assert "ra=true" in served and "method=PKIOperation err=null" in served, served


def test_wrong_challenge_is_refused_and_stores_no_certificate(netns, tmp_path):
    scepserver(netns, tmp_path, "-challenge", "s3cret")
    data = tmp_path / "data"
    console(netns, data, "/certificate add name=client common-name=client1 key-size=2048")
    proc = console(netns, data, f'/certificate add-scep template=client scep-url="http://127.0.0.1:{SCEP_PORT}/scep" '
                                "challenge-password=wrong", check=False)
    assert "failure" in proc.stdout + proc.stderr
    rec = record(netns, data, "client")
    assert rec["status"].startswith("failed:"), rec
    assert "fingerprint" not in rec and not has_key(netns, data, "client"), rec
    assert "SCEP failed" in log_lines(netns, data)
    # A template that is not RSA is refused before anything is sent, and changes nothing.
    console(netns, data, "/certificate add name=ec common-name=ec key-size=prime256v1")
    proc = console(netns, data, f'/certificate add-scep template=ec scep-url="http://127.0.0.1:{SCEP_PORT}/scep"',
                   check=False)
    assert "RSA" in proc.stdout + proc.stderr
    assert "scep-url" not in record(netns, data, "ec")


def test_on_smart_card_is_refused_and_changes_nothing(tmp_path):
    """add-scep on-smart-card=yes: certos has no smart card, so it refuses as `sign ca-on-smart-card=yes` does,
    before anything is sent or stored (no server runs: nothing may be contacted)."""
    data = tmp_path / "data"

    def run(command):
        return subprocess.run([CERTOS, "--data", str(data), "-c", command], capture_output=True, text=True, env=ENV,
                              timeout=60)

    assert run("/certificate add name=card common-name=card1 key-size=2048").returncode == 0
    before = run("/certificate print detail without-paging show-sensitive").stdout
    proc = run(f'/certificate add-scep template=card scep-url="http://127.0.0.1:{SCEP_PORT}/scep" '
               "challenge-password=s3cret on-smart-card=yes")
    assert proc.returncode != 0 and "failure: no smart card present" in proc.stdout + proc.stderr, proc
    assert run("/certificate print detail without-paging show-sensitive").stdout == before
    assert "scep" not in run("/log print without-paging").stdout


def test_scep_renew_and_the_scheduled_renewal_at_three_quarters(netns, tmp_path):
    depot = scepserver(netns, tmp_path, "-challenge", "s3cret", "-allowrenew", "0", "-crtvalid", "1")
    data = tmp_path / "data"
    console(netns, data, "/certificate add name=client common-name=client1 key-size=2048")
    console(netns, data, f'/certificate add-scep template=client scep-url="http://127.0.0.1:{SCEP_PORT}/scep" '
                         "challenge-password=s3cret")
    first = record(netns, data, "client")
    assert first["status"] == "valid"
    # scep-renew: a RenewalReq signed with the current certificate; the new one replaces it in place.
    console(netns, data, "/certificate scep-renew client")
    renewed = record(netns, data, "client")
    assert renewed["fingerprint"] != first["fingerprint"]
    assert renewed["serial-number"] != first["serial-number"]
    verify_with_openssl(netns, data, "client", depot / "ca.pem")
    # The daemon's job on the injected clock (two hours a second): the one-day certificate is due after 18 h.
    start_client_daemon(netns, data, tmp_path, "now,7200")
    deadline = time.time() + 60
    while time.time() < deadline:
        now = record(netns, data, "client")
        if now.get("fingerprint") not in (None, renewed["fingerprint"]):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"no scheduled renewal: {log_lines(netns, data)}")
    assert now["status"] == "valid" and has_key(netns, data, "client"), now
    assert "certificate client renewal: valid" in log_lines(netns, data)
    names = re.findall(r'name="([^"]+)"', console(netns, data, "/certificate print detail without-paging").stdout)
    assert names.count("client") == 1, names


def certos_scep_server(ns, tmp_path, ca_days=30):
    """A certos daemon (its own data directory) serving /scep/test for a local CA valid for `ca_days`; returns
    (data, ca_pem)."""
    data = tmp_path / "server"
    for service, port in (("www", WWW_PORT + 10), ("www-ssl", WWW_PORT + 11), ("api", WWW_PORT + 12),
                          ("api-ssl", WWW_PORT + 13)):
        console(ns, data, f"/ip service set {service} port={port}")
    console(ns, data, f"/certificate add name=ca common-name=SCEP-CA key-size=2048 days-valid={ca_days} "
                      "key-usage=key-cert-sign,crl-sign,digital-signature,key-encipherment")
    console(ns, data, "/certificate sign ca")
    console(ns, data, "/certificate scep-server add path=/scep/test ca-cert=ca")
    daemon = ns.popen([CERTOS, "--data", str(data), "serve", "--listen", "127.0.0.1"], tmp_path / "server.log")
    ns.started.append(daemon)
    ns.wait_port(WWW_PORT + 10, daemon)
    console(ns, data, "/certificate export-certificate ca")
    return data, data / "files" / "cert_export_ca.crt"


def test_pending_request_is_polled_until_granted(netns, tmp_path):
    server, ca_pem = certos_scep_server(netns, tmp_path)
    data = tmp_path / "data"
    console(netns, data, "/certificate add name=held common-name=held1 key-size=2048")
    url = f"http://127.0.0.1:{WWW_PORT + 10}/scep/test"
    console(netns, data, f'/certificate add-scep template=held scep-url="{url}"')  # no challenge: held
    rec = record(netns, data, "held")
    assert rec["status"] == "pending" and "fingerprint" not in rec and not has_key(netns, data, "held"), rec
    # The client's daemon polls with CertPoll (the injected clock makes its minute pass in a second or less).
    start_client_daemon(netns, data, tmp_path, "now,120")
    time.sleep(3)  # a few polls while the request is held
    assert record(netns, data, "held")["status"] == "pending"
    assert 'status="pending"' in console(netns, server, "/certificate scep-server requests print detail").stdout
    console(netns, server, "/certificate scep-server requests grant [find where subject=\"CN=held1\"]")
    deadline = time.time() + 30
    while time.time() < deadline and record(netns, data, "held")["status"] != "valid":
        time.sleep(0.5)
    rec = record(netns, data, "held")
    assert rec["status"] == "valid" and has_key(netns, data, "held"), (rec, log_lines(netns, data))
    assert "certificate held issued after polling" in log_lines(netns, data)
    verify_with_openssl(netns, data, "held", ca_pem)


def start_client_daemon(ns, data, tmp_path, clock):
    """Runs `certos serve` for the client's data directory on the injected clock `clock` (CERTOS_TEST_CLOCK)."""
    for service, port in (("www", WWW_PORT), ("www-ssl", WWW_PORT + 1), ("api", WWW_PORT + 2),
                          ("api-ssl", WWW_PORT + 3)):
        console(ns, data, f"/ip service set {service} port={port}")
    daemon = ns.popen([CERTOS, "--data", str(data), "serve", "--listen", "127.0.0.1"], tmp_path / "serve.log",
                      env=dict(ENV, CERTOS_TEST_CLOCK=clock))
    ns.started.append(daemon)
    ns.wait_port(WWW_PORT, daemon)


def test_next_ca_rollover_on_the_injected_clock(netns, tmp_path):
    """certos's client against certos's own server with next-ca-cert: a one-day CA, the client's daemon on a clock
    two hours a second fast. With a quarter of the CA's life left (18 h, some 9 s) the client fetches
    GetNextCACert; once the CA has expired by its clock (24 h) it switches to the next CA and renews against it
    (a RenewalReq encrypted to the next CA, which the server, on the real clock, serves with that CA)."""
    server, ca_pem = certos_scep_server(netns, tmp_path, ca_days=1)
    challenge = console(netns, server, ":put [/certificate scep-server otp generate minutes-valid=30]").stdout.strip()
    data = tmp_path / "data"
    console(netns, data, "/certificate add name=roll common-name=roll1 key-size=2048")
    console(netns, data, f'/certificate add-scep template=roll scep-url="http://127.0.0.1:{WWW_PORT + 10}/scep/test" '
                         f"challenge-password={challenge}")
    first = record(netns, data, "roll")
    assert first["status"] == "valid", first
    verify_with_openssl(netns, data, "roll", ca_pem)
    # The rollover CA, offered by GetNextCACert (and advertised in GetCACaps).
    console(netns, server, "/certificate add name=next common-name=SCEP-CA-2 key-size=2048 days-valid=365 "
                           "key-usage=key-cert-sign,crl-sign,digital-signature,key-encipherment")
    console(netns, server, "/certificate sign next")
    console(netns, server, "/certificate scep-server set [find] next-ca-cert=next")
    console(netns, server, "/certificate export-certificate next")
    next_pem = server / "files" / "cert_export_next.crt"
    next_fp = record(netns, server, "next")["fingerprint"]
    # Nothing is fetched before the CA nears its end: the client's own clock has not moved yet.
    assert "next SCEP CA" not in log_lines(netns, data)
    start_client_daemon(netns, data, tmp_path, "now,7200")
    deadline = time.time() + 90
    while time.time() < deadline:
        now = record(netns, data, "roll")
        if now.get("ca-fingerprint") == next_fp:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"no switch to the next CA: {log_lines(netns, data)}")
    log = log_lines(netns, data)
    fetched = re.search(r"certificate roll: next SCEP CA (.+?) \(fingerprint ([0-9a-f]{64})\)", log)
    assert fetched and fetched.group(2) == next_fp, log
    assert "certificate roll: switching to the next SCEP CA" in log, log
    assert "certificate roll renewal: valid" in log, log
    # fetched before switching, and the switch came with the renewal
    assert log.index("next SCEP CA") < log.index("switching to the next SCEP CA"), log
    assert now["status"] == "valid" and has_key(netns, data, "roll"), now
    assert now["fingerprint"] != first["fingerprint"] and "SCEP-CA-2" in now["issuer"], now
    verify_with_openssl(netns, data, "roll", next_pem)
    proc = subprocess.run(["openssl", "verify", "-CAfile", str(ca_pem), str(data / "files" / "cert_export_roll.crt")],
                          capture_output=True, text=True)
    assert proc.returncode != 0, proc.stdout  # no longer the old CA's
    # The server served the RenewalReq with the next CA, without a challenge (the old CA's certificate renewed).
    served = log_lines(netns, server)
    assert "was sent to the next CA next, which serves it" in served, served
    assert re.search(r"issued \S+ for CN=roll1 \(renewal\)", served), served
    assert "refused" not in served, served
    # The CA row of the next CA is the client's issuer now.
    assert now["ca"] == f"scep-ca-{next_fp[:16]}", now
