"""The ACME client against Debian's pebble: add-acme, enable-ssl-certificate, EAB, rejected nonces, DNS-01
for a wildcard through a dns-hook, acme-renew with www-ssl switching under a client connecting in a loop.

Each test runs a real `certos serve` (its www listener answers HTTP-01 at /.well-known/acme-challenge/ from
the tokens the console process stored) and a real pebble whose mock DNS resolves every name to 127.0.0.1."""

import os
import re
import ssl
import socket
import stat
import subprocess
import threading

import pytest

from acme_fixture import EAB_HMAC_KEY, EAB_KID, Pebble
from cli import run
from conftest import Daemon, free_port, port_open, wait_until


def trust_pebble(data, pebble):
    """Makes certos (data directory `data`) trust pebble's HTTPS listener: its TLS CA imported trusted=yes."""
    files = data / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "pebble-tls-ca.pem").write_bytes(pebble.tls_ca.read_bytes())
    run(data, "/certificate import file-name=pebble-tls-ca.pem name=pebble-tls-ca trusted=yes")


def clocked_daemon(tmp_path, monkeypatch, clock):
    """A data directory with every service on a free port, and a function that starts `certos serve` on it
    with the scheduler's injected clock CERTOS_TEST_CLOCK=`clock`; returns (data, www_port, start)."""
    monkeypatch.setenv("CERTOS_TEST_CLOCK", clock)
    data = tmp_path / "data"
    www_port, ssl_port = free_port(), free_port()
    for service, port in (("www", www_port), ("www-ssl", ssl_port), ("api", free_port()),
                          ("api-ssl", free_port())):
        run(data, f"/ip service set {service} port={port}")
    return data, www_port, lambda: Daemon(data, www_port, ssl_port, tmp_path)


@pytest.fixture
def pebble_for(tmp_path, certos_daemon):
    """Starts pebble (with the given options) validating HTTP-01 on the daemon's www port, and makes certos
    trust pebble's HTTPS listener (its TLS CA imported with trusted=yes)."""
    started = []

    def start(**options):
        pebble = Pebble(tmp_path / f"pebble{len(started)}", certos_daemon.www_port, **options)
        started.append(pebble)
        trust_pebble(certos_daemon.data, pebble)
        return pebble

    yield start
    for pebble in started:
        pebble.stop()


def console(daemon, command, check=True):
    return run(daemon.data, command, check=check)


def acme_record(daemon, name):
    r = daemon.session().get(f"{daemon.url}/certificate", params={"name": name}, timeout=10)
    r.raise_for_status()
    records = r.json()
    assert len(records) == 1, records
    return records[0]


def served_certificate(port, server_name, root_pem_file):
    """Connects to www-ssl with Python's ssl (verifying the chain to pebble's root) and returns the DER leaf."""
    context = ssl.create_default_context(cafile=str(root_pem_file))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            return tls.getpeercert(binary_form=True)


def s_client(port, server_name, root_pem_file):
    proc = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", server_name,
                           "-CAfile", str(root_pem_file), "-verify_return_error", "-verify_hostname", server_name],
                          input="", capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stdout + proc.stderr


def write_root(tmp_path, pebble):
    path = tmp_path / "pebble-root.pem"
    path.write_text(pebble.root_pem())
    return path


def test_add_acme_chains_to_pebble_root_and_www_ssl_serves_it(tmp_path, certos_daemon, pebble_for):
    pebble = pebble_for()
    console(certos_daemon, f"/certificate add-acme name=web directory-url={pebble.directory_url} "
                           "domain-names=test1.example.com,www.test1.example.com")
    record = acme_record(certos_daemon, "web")
    assert record["acme-status"] == "valid"
    assert record["directory-url"] == pebble.directory_url
    assert record["domain-names"] == "test1.example.com,www.test1.example.com"
    assert record["private-key"] == "true" and record["key-type"] == "ec"
    # The a flag in the console's listing.
    listing = console(certos_daemon, "/certificate print where name=web")[1]
    assert "a" in listing.splitlines()[-1].split()[1], listing
    # The account is reused: a second certificate registers no second account.
    console(certos_daemon, f"/certificate add-acme name=other directory-url={pebble.directory_url} "
                           "domain-names=test2.example.com")
    assert pebble.output("pebble").count("POST /sign-me-up") == 1
    # enable-ssl-certificate binds a new certificate to www-ssl; the chain verifies to pebble's root.
    root = write_root(tmp_path, pebble)
    # A monitor command, as on RouterOS: duration= cannot stop an ACME order half-way and is refused up front.
    code, _, err = console(certos_daemon, "/certificate enable-ssl-certificate dns-name=test3.example.com "
                                          f"directory-url={pebble.directory_url} duration=1m", check=False)
    assert code == 1 and "duration= is not supported by enable-ssl-certificate" in err
    shown = console(certos_daemon, f"/certificate enable-ssl-certificate dns-name=test3.example.com "
                                   f"directory-url={pebble.directory_url}")[1]
    assert shown == "  progress: obtaining a certificate for test3.example.com\n  progress: done\n"
    assert wait_until(lambda: port_open(certos_daemon.ssl_port), timeout=20)
    code, text = s_client(certos_daemon.ssl_port, "test3.example.com", root)
    assert code == 0 and "Verify return code: 0 (ok)" in text, text
    served_certificate(certos_daemon.ssl_port, "test3.example.com", root)
    services = console(certos_daemon, "/ip service print detail where name=www-ssl")[1]
    assert "acme-test3.example.com" in services


def test_external_account_binding_required(certos_daemon, pebble_for):
    pebble = pebble_for(eab_required=True)
    code, out, err = console(certos_daemon, f"/certificate add-acme name=noeab directory-url={pebble.directory_url} "
                                            "domain-names=eab.example.com", check=False)
    assert code != 0
    assert "External Account Binding" in out + err
    assert "External Account Binding" in acme_record(certos_daemon, "noeab")["acme-status"]
    assert any("External Account Binding" in line for line in certos_daemon.log())
    console(certos_daemon, f"/certificate add-acme name=eab directory-url={pebble.directory_url} "
                           f"domain-names=eab.example.com eab-kid={EAB_KID} eab-hmac-key={EAB_HMAC_KEY}")
    assert acme_record(certos_daemon, "eab")["acme-status"] == "valid"
    # The HMAC key is sensitive: never in /log, never in a listing.
    assert not any(EAB_HMAC_KEY in line for line in certos_daemon.log())
    assert EAB_HMAC_KEY not in console(certos_daemon, "/certificate print detail")[1]


def test_half_of_all_nonces_rejected_is_invisible(certos_daemon, pebble_for):
    pebble = pebble_for(nonce_reject=50)
    for i in range(3):
        console(certos_daemon, f"/certificate add-acme name=n{i} directory-url={pebble.directory_url} "
                               f"domain-names=nonce{i}.example.com")
        assert acme_record(certos_daemon, f"n{i}")["acme-status"] == "valid"
    # The refusals happened (certos counts them in its success line) and none of them shows as a failure.
    log = certos_daemon.log()
    obtained = [line for line in log if "obtained from" in line]
    assert len(obtained) == 3
    retried = sum(int(re.search(r"(\d+) rejected nonces retried", line).group(1)) for line in obtained)
    assert retried > 0, obtained
    assert not any("badNonce" in line or "ACME failed" in line for line in log)


def test_dns01_wildcard_through_hook(tmp_path, certos_daemon, pebble_for):
    pebble = pebble_for()
    hook = tmp_path / "dns-hook.sh"
    calls = tmp_path / "hook-calls"
    # lego's exec provider convention: HOOK present|cleanup FQDN VALUE; the record goes to challtestsrv.
    hook.write_text(f"""#!/bin/sh
echo "$1 $2" >> {calls}
if [ "$1" = present ]; then
  exec curl -sf -X POST -d '{{"host":"'"$2"'","value":"'"$3"'"}}' http://127.0.0.1:{pebble.challtest_port}/set-txt
else
  exec curl -sf -X POST -d '{{"host":"'"$2"'"}}' http://127.0.0.1:{pebble.challtest_port}/clear-txt
fi
""")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    console(certos_daemon, f"/certificate add-acme name=wild directory-url={pebble.directory_url} "
                           f"domain-names=*.wild.example.com dns-hook={hook} dns-server=127.0.0.1:{pebble.dns_port}")
    record = acme_record(certos_daemon, "wild")
    assert record["acme-status"] == "valid"
    assert "*.wild.example.com" in record["subject-alt-name"]
    lines = calls.read_text().splitlines()
    assert "present _acme-challenge.wild.example.com." in lines
    assert "cleanup _acme-challenge.wild.example.com." in lines


def test_wildcard_without_hook_is_a_clear_error(certos_daemon, pebble_for):
    pebble = pebble_for()
    code, out, err = console(certos_daemon, f"/certificate add-acme name=w directory-url={pebble.directory_url} "
                                            "domain-names=*.nohook.example.com", check=False)
    assert code != 0 and "dns-hook" in out + err
    record = acme_record(certos_daemon, "w")
    assert record["acme-status"].startswith("failed:") and record["private-key"] == "false"


def test_wrong_directory_and_unreachable_challenge(tmp_path, certos_daemon, pebble_for):
    pebble = pebble_for()
    wrong = pebble.directory_url.replace("/dir", "/nothing-here")
    code, out, err = console(certos_daemon, f"/certificate add-acme name=bad directory-url={wrong} "
                                            "domain-names=bad.example.com", check=False)
    assert code != 0 and "not an ACME directory" in out + err
    code, out, err = console(certos_daemon, "/certificate add-acme name=dead directory-url=https://127.0.0.1:1/dir "
                                            "domain-names=dead.example.com", check=False)
    assert code != 0 and "does not answer" in out + err
    # The daemon's www listener off: pebble cannot reach the challenge.
    console(certos_daemon, "/ip service set www disabled=yes")
    assert wait_until(lambda: not port_open(certos_daemon.www_port), timeout=20)
    code, out, err = console(certos_daemon, f"/certificate add-acme name=unreach directory-url={pebble.directory_url} "
                                            "domain-names=unreach.example.com", check=False)
    assert code != 0 and "connection" in out + err
    # REST is off with www: the console shows the entry.
    detail = console(certos_daemon, "/certificate print detail where name=unreach")[1]
    assert 'acme-status="failed: ACME server: connection' in detail, detail
    assert "fingerprint" not in detail


def test_acme_renew_switches_www_ssl_without_failed_handshakes(tmp_path, certos_daemon, pebble_for):
    pebble = pebble_for()
    root = write_root(tmp_path, pebble)
    console(certos_daemon, f"/certificate enable-ssl-certificate dns-name=renew.example.com name=site "
                           f"directory-url={pebble.directory_url}")
    assert wait_until(lambda: port_open(certos_daemon.ssl_port), timeout=20)
    first = served_certificate(certos_daemon.ssl_port, "renew.example.com", root)
    console(certos_daemon, "/ip service set api-ssl certificate=site")
    assert wait_until(lambda: port_open(certos_daemon.api_ssl_port), timeout=20)
    assert served_certificate(certos_daemon.api_ssl_port, "renew.example.com", root) == first
    failures, seen, stop = [], set(), threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                seen.add(served_certificate(certos_daemon.ssl_port, "renew.example.com", root))
            except Exception as e:  # noqa: BLE001 - every failed handshake counts
                failures.append(repr(e))

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        console(certos_daemon, "/certificate acme-renew site")
        assert wait_until(lambda: len(seen - {first}) > 0, timeout=20)
    finally:
        stop.set()
        thread.join()
    assert failures == []
    renewed = served_certificate(certos_daemon.ssl_port, "renew.example.com", root)
    assert renewed != first
    # api-ssl, bound to the same name, switches as well (no /ip service record changed).
    assert wait_until(lambda: served_certificate(certos_daemon.api_ssl_port, "renew.example.com", root) == renewed,
                      timeout=20)
    assert acme_record(certos_daemon, "site")["acme-status"] == "valid"


def test_dns01_waits_for_the_record_at_the_authoritative_server(tmp_path, certos_daemon, pebble_for):
    """A hook that returns before its record is published (it publishes a second later): certos asks the
    authoritative server (dns-server=, pebble-challtestsrv here) until the TXT record is there, and only then
    tells pebble to validate."""
    pebble = pebble_for()
    hook = tmp_path / "slow-hook.sh"
    hook.write_text(f"""#!/bin/sh
if [ "$1" = present ]; then
  (sleep 1; curl -sf -X POST -d '{{"host":"'"$2"'","value":"'"$3"'"}}' \\
      http://127.0.0.1:{pebble.challtest_port}/set-txt) >/dev/null 2>&1 &
fi
exit 0
""")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    console(certos_daemon, f"/certificate add-acme name=slow directory-url={pebble.directory_url} "
                           f"domain-names=*.slow.example.com dns-hook={hook} dns-server=127.0.0.1:{pebble.dns_port}")
    assert acme_record(certos_daemon, "slow")["acme-status"] == "valid"


def test_acme_renew_can_retire_the_superseded_certificate(tmp_path, certos_daemon, pebble_for):
    pebble = pebble_for()
    console(certos_daemon, f"/certificate add-acme name=old directory-url={pebble.directory_url} "
                           "domain-names=retire.example.com")
    before = acme_record(certos_daemon, "old")["fingerprint"]
    console(certos_daemon, "/certificate acme-renew old retire-superseded=yes")
    assert acme_record(certos_daemon, "old")["fingerprint"] != before
    # pebble accepted the revocation (a refusal would be a warning line instead).
    log = certos_daemon.log()
    assert any("old: superseded certificate revoked" in line for line in log), log
    assert "POST /revoke-cert" in pebble.output("pebble")


def test_rate_limited_order_is_shown_and_the_retry_waits_for_retry_after(tmp_path, monkeypatch):
    """A server that answers newOrder with 429 rateLimited and Retry-After (a proxy in front of pebble,
    which never rate-limits): add-acme fails with the problem document in acme-status and /log, nothing is
    half-stored, and the scheduler's renewal job (on an injected clock, an hour per second) does not order
    again before Retry-After has passed, then obtains the certificate."""
    from acme_fixture import RefusingProxy

    data, www_port, start = clocked_daemon(tmp_path, monkeypatch, "now,3600")
    daemon = start()
    pebble = Pebble(tmp_path / "pebble", www_port)
    # 10 hours: 10 s of the daemon's clock. Without regard for it the job would order again within a second.
    proxy = RefusingProxy(pebble, refusals=1, retry_after=36000)
    try:
        trust_pebble(data, pebble)
        code, out, err = console(daemon, f"/certificate add-acme name=limited directory-url={proxy.directory_url} "
                                         "domain-names=limited.example.com", check=False)
        assert code != 0 and "rateLimited" in out + err, out + err
        record = acme_record(daemon, "limited")
        assert record["acme-status"] == ("failed: ACME server: rateLimited: too many new orders recently "
                                         "(retry after 36000s)"), record
        # Nothing half-stored: no key, no certificate, no second row.
        assert record["private-key"] == "false" and "fingerprint" not in record, record
        names = [r["name"] for r in daemon.session().get(f"{daemon.url}/certificate", timeout=10).json()]
        assert sorted(names) == ["limited", "pebble-tls-ca"], names
        assert any("limited: ACME failed: ACME server: rateLimited" in line for line in daemon.log())
        # Five hours of the daemon's clock: the renewal job ran every hour and did not order again.
        import time
        time.sleep(5)
        assert proxy.new_orders == 1
        assert acme_record(daemon, "limited")["acme-status"].startswith("failed: ACME server: rateLimited")
        # After the Retry-After time the job orders again and gets the certificate.
        assert wait_until(lambda: acme_record(daemon, "limited")["acme-status"] == "valid", timeout=40), \
            acme_record(daemon, "limited")
        assert proxy.new_orders == 2
        record = acme_record(daemon, "limited")
        assert record["private-key"] == "true" and record["fingerprint"], record
    finally:
        proxy.stop()
        pebble.stop()
        daemon.stop()


def ari_cert_id(der):
    """RFC 9773 §4.1 computed by Python's cryptography: base64url(AKI keyIdentifier) "." base64url(serial)."""
    import base64
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    serial = cert.serial_number.to_bytes((cert.serial_number.bit_length() + 8) // 8, "big")  # DER: sign bit
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    return b64(aki) + "." + b64(serial)


def test_ari_window_moves_the_renewal_before_80_percent(tmp_path, monkeypatch):
    """The server's renewalInfo (served by the proxy: Debian's pebble 2.4 has no ARI) suggests renewing on
    2030-01-01 08:00, long before 80 % of pebble's five-year validity: the renewal job, on the daemon's
    injected clock (from 2030-01-01 00:00, an hour per second), renews at that time and not before, once."""
    from acme_fixture import RefusingProxy

    data, www_port, start = clocked_daemon(tmp_path, monkeypatch, "2030-01-01 00:00:00,3600")
    pebble = Pebble(tmp_path / "pebble", www_port)
    proxy = RefusingProxy(pebble, refusals=0, ari_window=("2030-01-01T08:00:00Z", "2030-01-01T09:00:00Z"))
    trust_pebble(data, pebble)
    import time
    started = time.monotonic()
    daemon = start()
    # Obtained at about 00:00 of the daemon's clock (its www listener answers HTTP-01).
    console_run = run(data, f"/certificate add-acme name=ari directory-url={proxy.directory_url} "
                            "domain-names=ari.example.com")
    assert console_run[0] == 0
    run(data, "/certificate export-certificate ari file-name=ari-first")
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    first_der = x509.load_pem_x509_certificate((data / "files" / "ari-first.crt").read_bytes()).public_bytes(
        Encoding.DER)
    try:
        first = acme_record(daemon, "ari")
        not_before, not_after = first["invalid-before"], first["invalid-after"]
        assert not_after[:4] >= "2031", (not_before, not_after)  # 80 % lies after 2030-01-01 08:00
        # Until 08:00 of the daemon's clock (less the time it took to start) nothing is renewed.
        time.sleep(max(0.0, 5.5 - (time.monotonic() - started)))
        assert proxy.new_orders == 1 and acme_record(daemon, "ari")["fingerprint"] == first["fingerprint"]
        # The job asked renewalInfo for this certificate's id (RFC 9773 §4.1, computed independently).
        assert proxy.ari_ids and proxy.ari_ids[0] == ari_cert_id(first_der), proxy.ari_ids
        assert wait_until(lambda: acme_record(daemon, "ari")["fingerprint"] != first["fingerprint"], timeout=30)
        assert time.monotonic() - started >= 7.0
        time.sleep(3)  # three more hours: the new certificate's window is in 2040, no second renewal
        assert proxy.new_orders == 2
        assert acme_record(daemon, "ari")["acme-status"] == "valid"
        assert any("certificate ari renewed" in line or "certificate ari obtained" in line for line in daemon.log())
    finally:
        proxy.stop()
        pebble.stop()
        daemon.stop()


def test_daemon_killed_mid_order_restarts_it_cleanly(tmp_path, monkeypatch):
    """An order started over REST runs in the daemon; its DNS-01 hook blocks, and the daemon is killed (-9)
    meanwhile. The entry stays pending with nothing stored; the restarted daemon's renewal job (injected
    clock, an hour per second) orders again and the certificate arrives: one row, its key, valid."""
    import signal
    import time

    data, www_port, start = clocked_daemon(tmp_path, monkeypatch, "now,3600")
    monkeypatch.delenv("CERTOS_TEST_CLOCK")  # the first daemon's renewal job waits an hour: it must not race
    daemon = start()
    pebble = Pebble(tmp_path / "pebble", www_port)
    marker, pid_file = tmp_path / "hook-blocked", tmp_path / "hook-pid"
    hook = tmp_path / "blocking-hook.sh"
    hook.write_text(f"""#!/bin/sh
if [ "$1" = present ] && [ ! -e {marker} ]; then
  touch {marker}; echo $$ > {pid_file}; exec sleep 600
fi
if [ "$1" = present ]; then
  exec curl -sf -X POST -d '{{"host":"'"$2"'","value":"'"$3"'"}}' http://127.0.0.1:{pebble.challtest_port}/set-txt
fi
exec curl -sf -X POST -d '{{"host":"'"$2"'"}}' http://127.0.0.1:{pebble.challtest_port}/clear-txt
""")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    errors = []
    try:
        trust_pebble(data, pebble)

        def order():
            try:
                daemon.session().post(f"{daemon.url}/certificate/add-acme", timeout=120, json={
                    "name": "restart", "directory-url": pebble.directory_url,
                    "domain-names": "*.restart.example.com", "dns-hook": str(hook),
                    "dns-server": f"127.0.0.1:{pebble.dns_port}"})
            except Exception as e:  # noqa: BLE001 - the daemon dies under it
                errors.append(e)

        thread = threading.Thread(target=order)
        thread.start()
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), timeout=30)
        assert acme_record(daemon, "restart")["acme-status"] == "pending"
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait()
        os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the orphaned hook
        thread.join(timeout=30)
        assert errors, "the REST call should have lost its daemon"
        # Nothing half-stored: the console sees the pending entry without a certificate or key.
        detail = console(daemon, "/certificate print detail where name=restart")[1]
        assert 'acme-status="pending"' in detail and "fingerprint" not in detail, detail
        monkeypatch.setenv("CERTOS_TEST_CLOCK", "now,3600")
        daemon = start()
        assert wait_until(lambda: acme_record(daemon, "restart")["acme-status"] == "valid", timeout=60), \
            acme_record(daemon, "restart")
        record = acme_record(daemon, "restart")
        assert record["private-key"] == "true" and "*.restart.example.com" in record["subject-alt-name"]
        names = [r["name"] for r in daemon.session().get(f"{daemon.url}/certificate", timeout=10).json()]
        assert names.count("restart") == 1, names
        time.sleep(2)  # two more hours of the job: the entry is not ordered again
        assert acme_record(daemon, "restart")["fingerprint"] == record["fingerprint"]
    finally:
        pebble.stop()
        daemon.stop()
