"""`certos serve` driven over HTTP and HTTPS with real clients: python3-requests, curl and openssl s_client.

Covers the seed's Python flow done over REST (templates, signing, listing, export, www-ssl with a certificate),
certificate swaps on a running daemon, authentication and policies, and bad input."""

import json
import re
import socket
import subprocess
import time

import pytest
import requests

from conftest import ADMIN_PASSWORD, READ_TIMEOUT, free_port, port_open, wait_until

JSON = {"Content-Type": "application/json"}


def ok(response):
    assert response.status_code == 200, f"{response.request.method} {response.url}: {response.status_code} {response.text}"
    return response.json() if response.text else None


def s_client_subject(port, ca_file=None):
    """Connects with openssl s_client; returns (subject line, verify result line)."""
    command = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost"]
    if ca_file:
        command += ["-CAfile", str(ca_file)]
    proc = subprocess.run(command, input="", capture_output=True, text=True, timeout=20)
    subject = re.search(r"^subject=(.*)$", proc.stdout, re.M)
    verify = re.search(r"Verify return code: (.*)$", proc.stdout, re.M)
    return (subject.group(1).strip() if subject else None), (verify.group(1).strip() if verify else None)


def make_signed(s, url, name, common_name, ca=None, key_size="prime256v1", **extra):
    body = {"name": name, "common-name": common_name, "key-size": key_size, **extra}
    ok(s.put(f"{url}/certificate", json=body, timeout=30))
    sign = {"number": name}
    if ca:
        sign["ca"] = ca
    assert ok(s.post(f"{url}/certificate/sign", json=sign, timeout=120)) == [{"progress": "done"}]
    return ok(s.get(f"{url}/certificate/{name}", timeout=10))


def export_ca(s, url, name, path):
    """Exports a certificate to /file over REST and writes the PEM it contains to `path`."""
    assert ok(s.post(f"{url}/certificate/export-certificate", json={"numbers": name}, timeout=30)) == []
    exported = ok(s.get(f"{url}/file/cert_export_{name}.crt", timeout=10))
    assert exported["contents"].startswith("-----BEGIN CERTIFICATE-----")
    path.write_text(exported["contents"])
    return path


def enable_www_ssl(s, url, certificate, port):
    # The terraform-provider-routeros form: POST /rest/ip/service/set with numbers=<name>.
    assert ok(s.post(f"{url}/ip/service/set",
                     json={"numbers": "www-ssl", "certificate": certificate, "disabled": "no"}, timeout=10)) == []
    assert wait_until(lambda: port_open(port), timeout=10), "www-ssl did not start listening"


# --- the seed's flow over REST --------------------------------------------------------------------------------

def test_seed_flow_over_rest_then_https_with_the_exported_ca(certos_daemon, tmp_path):
    d = certos_daemon
    s = d.session()
    url = d.url
    # The seed's templates (Certificates seed), created with PUT: each returns the created object.
    for body in ({"name": "CA-Template", "common-name": "CAtemp", "key-usage": "key-cert-sign,crl-sign"},
                 {"name": "Server", "common-name": "server"},
                 {"name": "Client", "common-name": "client"}):
        created = ok(s.put(f"{url}/certificate", json=body, headers=JSON, timeout=10))
        assert created["name"] == body["name"]
        assert created[".id"].startswith("*")
        assert all(isinstance(v, str) for v in created.values())
    templates = ok(s.get(f"{url}/certificate", timeout=10))
    assert [t["name"] for t in templates] == ["CA-Template", "Server", "Client"]
    assert templates[1]["key-usage"] == \
        "digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,tls-client"
    assert templates[0]["key-size"] == "2048"

    # sign CA-Template; sign Client; sign Server ca-crl-host=127.0.0.1 name=ServerCA (the seed's commands).
    ca_id = templates[0][".id"]
    # A monitor command's final status: an array of one record, as bounded monitor commands answer (facts §2).
    assert ok(s.post(f"{url}/certificate/sign", json={"number": "CA-Template"}, timeout=120)) == [{"progress": "done"}]
    assert ok(s.post(f"{url}/certificate/sign", json={"numbers": "Client"}, timeout=120)) == [{"progress": "done"}]
    assert ok(s.post(f"{url}/certificate/sign",
                     json={"number": "Server", "ca-crl-host": "127.0.0.1", "name": "ServerCA"}, timeout=120)) == [
        {"progress": "done"}]
    log = d.log()
    assert "certificate sign CA-Template by admin (rest-api 127.0.0.1)" in log  # changes are logged ...
    assert not any("127.0.0.1" in m and "ca-crl-host" in m for m in log)  # ... without their arguments
    signed = {c["name"]: c for c in ok(s.get(f"{url}/certificate", timeout=10))}
    assert set(signed) == {"CA-Template", "Client", "ServerCA"}
    assert signed["CA-Template"][".id"] == ca_id  # a template becomes its certificate in place
    for name in signed:
        assert signed[name]["private-key"] == "true"
        assert signed[name]["authority"] == "true"
        assert signed[name]["trusted"] == "true"
        assert re.fullmatch(r"[0-9a-f]{64}", signed[name]["fingerprint"])
    assert signed["ServerCA"]["crl"] == "true"

    # The same list through POST print with .proplist and .query.
    authorities = ok(s.post(f"{url}/certificate/print",
                            json={".proplist": ["name", "crl"], ".query": ["crl=true"]}, timeout=10))
    assert authorities == [{"name": "ServerCA", "crl": "true"}]

    # A server certificate for 127.0.0.1 issued by the CA, served by www-ssl.
    www = make_signed(s, url, "https", "127.0.0.1", ca="CA-Template", key_size="2048",
                      **{"subject-alt-name": "IP:127.0.0.1", "key-usage": "digital-signature,key-encipherment,tls-server"})
    assert www["issued"] == "true"
    ca_file = export_ca(s, url, "CA-Template", tmp_path / "exported-ca.crt")
    openssl_view = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", str(ca_file)],
                                  capture_output=True, text=True, check=True).stdout
    assert "CN = CAtemp" in openssl_view
    enable_www_ssl(s, url, "https", d.ssl_port)
    service = ok(s.get(f"{url}/ip/service/www-ssl", timeout=10))
    assert service["certificate"] == "https" and service["disabled"] == "false"

    # curl trusts the exported CA and reaches the REST API over HTTPS.
    curl = subprocess.run(["curl", "-sS", "--fail", "--cacert", str(ca_file), "-u", f"admin:{ADMIN_PASSWORD}",
                           f"https://127.0.0.1:{d.ssl_port}/rest/certificate"],
                          capture_output=True, text=True, timeout=30)
    assert curl.returncode == 0, curl.stderr
    assert "https" in [c["name"] for c in json.loads(curl.stdout)]
    # openssl s_client sees the chosen certificate and verifies it against the CA.
    subject, verify = s_client_subject(d.ssl_port, ca_file)
    assert subject == "CN = 127.0.0.1"
    assert verify == "0 (ok)"
    # python-requests with the exported CA too.
    assert ok(d.session().get(f"{d.ssl_url}/system/resource", verify=str(ca_file), timeout=10))["version"]
    # The CA is not in the system store: without --cacert curl must refuse.
    untrusted = subprocess.run(["curl", "-sS", "-u", f"admin:{ADMIN_PASSWORD}",
                                f"https://127.0.0.1:{d.ssl_port}/rest/certificate"],
                               capture_output=True, text=True, timeout=30)
    assert untrusted.returncode != 0


def test_sign_answers_its_final_status_keeps_the_id_and_refuses_do(certos_daemon):
    """Terraform's provider signs with {"number": <template .id>} and reads the certificate back by that .id
    (facts §2); sign answers its final status as one record, and a monitor argument REST cannot honour is refused
    before anything changes."""
    d = certos_daemon
    s = d.session()
    tf = ok(s.put(f"{d.url}/certificate", json={"name": "tf", "common-name": "tf", "key-size": "prime256v1"},
                  timeout=30))
    refused = s.post(f"{d.url}/certificate/sign", json={"number": tf[".id"], "do": ":put $progress"}, timeout=30)
    assert refused.status_code == 400, refused.text
    assert refused.json()["detail"] == "do= runs only in the console and in scripts"
    assert ok(s.get(f"{d.url}/certificate/{tf['.id']}", timeout=10))["private-key"] == "false"  # still a template
    assert ok(s.post(f"{d.url}/certificate/sign", json={"number": tf[".id"], "once": ""}, timeout=60)) == [
        {"progress": "done"}]
    signed = ok(s.get(f"{d.url}/certificate/{tf['.id']}", timeout=10))
    assert signed["name"] == "tf" and signed["private-key"] == "true"
    # file= puts the statuses into /file NAME.txt and the answer has no record.
    ok(s.put(f"{d.url}/certificate", json={"name": "logged", "common-name": "l", "key-size": "prime256v1"},
             timeout=30))
    assert ok(s.post(f"{d.url}/certificate/sign", json={"number": "logged", "file": "sign-log"}, timeout=60)) == []
    assert ok(s.get(f"{d.url}/file/sign-log.txt", timeout=10))["contents"] == "  progress: done\n"


def test_swapping_the_certificate_changes_what_new_connections_see(certos_daemon, tmp_path):
    d = certos_daemon
    s = d.session()
    make_signed(s, d.url, "ca", "swap-ca", **{"key-usage": "key-cert-sign,crl-sign"})
    make_signed(s, d.url, "first", "first.test", ca="ca", **{"subject-alt-name": "IP:127.0.0.1"})
    make_signed(s, d.url, "second", "second.test", ca="ca", **{"subject-alt-name": "IP:127.0.0.1"})
    ca_file = export_ca(s, d.url, "ca", tmp_path / "ca.crt")
    enable_www_ssl(s, d.url, "first", d.ssl_port)
    assert s_client_subject(d.ssl_port, ca_file) == ("CN = first.test", "0 (ok)")

    # Keep a TLS connection open across the swap: it keeps working.
    held = requests.Session()
    held.auth = ("admin", ADMIN_PASSWORD)
    assert held.get(f"{d.ssl_url}/certificate/first", verify=str(ca_file), timeout=10).status_code == 200

    ok(s.patch(f"{d.url}/ip/service/www-ssl", json={"certificate": "second"}, timeout=10))
    assert wait_until(lambda: s_client_subject(d.ssl_port)[0] == "CN = second.test", timeout=10), \
        "new connections still get the old certificate"
    assert held.get(f"{d.ssl_url}/certificate/second", verify=str(ca_file), timeout=10).status_code == 200

    # A change made by another process (the console) is picked up too, without a restart.
    pid = d.proc.pid
    d.console("/ip service set www-ssl certificate=first")
    assert wait_until(lambda: s_client_subject(d.ssl_port)[0] == "CN = first.test", timeout=10)
    assert d.proc.pid == pid and d.proc.poll() is None


def test_tls_versions_and_ciphers(certos_daemon, tmp_path):
    d = certos_daemon
    s = d.session()
    make_signed(s, d.url, "tls", "127.0.0.1", **{"subject-alt-name": "IP:127.0.0.1"})
    enable_www_ssl(s, d.url, "tls", d.ssl_port)

    def handshake(*options):
        proc = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{d.ssl_port}", *options],
                              input="", capture_output=True, text=True, timeout=20)
        m = re.search(r"^New, (\S+), Cipher is (\S+)", proc.stdout, re.M)
        return (m.group(1), m.group(2)) if m and m.group(2) != "(NONE)" else None

    assert handshake("-tls1_1") is None
    assert handshake("-tls1_2", "-cipher", "AES128-SHA") is None  # no CBC, no RSA key exchange
    version, cipher = handshake("-tls1_2")
    assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher)
    assert handshake("-tls1_3")[0] == "TLSv1.3"
    ok(s.patch(f"{d.url}/ip/service/www-ssl", json={"tls-version": "only-1.3"}, timeout=10))
    assert wait_until(lambda: handshake("-tls1_2") is None, timeout=10)
    assert handshake("-tls1_3")[0] == "TLSv1.3"


def test_changing_the_www_port_rebinds_without_restart(certos_daemon):
    d = certos_daemon
    new_port = free_port()
    d.console(f"/ip service set www port={new_port}")
    assert wait_until(lambda: port_open(new_port), timeout=10)
    assert wait_until(lambda: not port_open(d.www_port), timeout=10)
    assert ok(d.session().get(f"http://127.0.0.1:{new_port}/rest/ip/service/www", timeout=10))["port"] == str(new_port)
    d.console("/ip service set www disabled=yes")
    assert wait_until(lambda: not port_open(new_port), timeout=10)


# --- authentication and policies ------------------------------------------------------------------------------

def test_no_credentials_or_a_wrong_password_is_401_and_logged(certos_daemon):
    d = certos_daemon
    none = requests.get(f"{d.url}/certificate", timeout=10)
    assert none.status_code == 401
    assert none.json() == {"error": 401, "message": "Unauthorized"}
    wrong = requests.get(f"{d.url}/certificate", auth=("admin", "not-the-password"), timeout=10)
    assert wrong.status_code == 401
    assert wrong.json() == {"error": 401, "message": "Unauthorized"}
    assert requests.get(f"{d.url}/certificate", auth=("ghost", "x"), timeout=10).status_code == 401
    log = d.log()
    assert "login failure for user admin from 127.0.0.1 via rest-api" in log
    assert "login failure for user ghost from 127.0.0.1 via rest-api" in log
    assert any(m == "user admin logged in from 127.0.0.1 via rest-api" for m in log)
    assert not any("not-the-password" in m or ADMIN_PASSWORD in m for m in log)  # secrets never logged


def test_one_login_line_per_keep_alive_connection(certos_daemon):
    d = certos_daemon
    before = d.log().count("user admin logged in from 127.0.0.1 via rest-api")
    s = d.session()
    for _ in range(5):
        ok(s.get(f"{d.url}/certificate", timeout=10))
    after = d.log().count("user admin logged in from 127.0.0.1 via rest-api")
    assert after - before == 2  # the session's connection, and the connection d.log() itself used


def test_read_only_user_gets_a_403_on_put(certos_daemon):
    d = certos_daemon
    admin = d.session()
    user = ok(admin.put(f"{d.url}/user", json={"name": "viewer", "group": "read", "password": "viewer-pw"}, timeout=30))
    assert "password" not in user and "password-hash" not in user
    viewer = d.session("viewer", "viewer-pw")
    assert ok(viewer.get(f"{d.url}/certificate", timeout=10)) == []
    denied = viewer.put(f"{d.url}/certificate", json={"name": "nope", "common-name": "x"}, timeout=10)
    assert denied.status_code == 403
    assert denied.json() == {"error": 403, "message": "Forbidden", "detail": "not enough permissions (9)"}
    assert ok(admin.get(f"{d.url}/certificate", timeout=10)) == []  # nothing was added
    # A group without the rest-api policy cannot use REST at all.
    ok(admin.put(f"{d.url}/user/group", json={"name": "noapi", "policy": "read,write,api"}, timeout=10))
    ok(admin.put(f"{d.url}/user", json={"name": "apionly", "group": "noapi", "password": "apionly-pw"}, timeout=30))
    assert d.session("apionly", "apionly-pw").get(f"{d.url}/certificate", timeout=10).status_code == 401


def test_password_change_applies_to_open_connections(certos_daemon):
    d = certos_daemon
    admin = d.session()
    ok(admin.put(f"{d.url}/user", json={"name": "ops", "group": "full", "password": "old-pw"}, timeout=30))
    ops = d.session("ops", "old-pw")
    ok(ops.get(f"{d.url}/certificate", timeout=10))
    d.console('/user set ops password=new-pw')  # another process
    assert wait_until(lambda: ops.get(f"{d.url}/certificate", timeout=10).status_code == 401, timeout=10)
    assert d.session("ops", "new-pw").get(f"{d.url}/certificate", timeout=10).status_code == 200


def test_no_private_key_in_any_response(certos_daemon, tmp_path):
    d = certos_daemon
    s = d.session()
    bodies = []
    s.hooks["response"].append(lambda r, *args, **kwargs: bodies.append(r.text))
    make_signed(s, d.url, "k-ca", "k-ca", key_size="2048")
    make_signed(s, d.url, "k-leaf", "k-leaf", ca="k-ca")
    ok(s.post(f"{d.url}/certificate/export-certificate", json={"numbers": "k-leaf", "type": "pkcs12"}, timeout=30))
    ok(s.post(f"{d.url}/certificate/export-certificate", json={"numbers": "k-ca"}, timeout=30))
    everything = ok(s.get(f"{d.url}/certificate", timeout=10))
    for item in everything:
        ok(s.get(f"{d.url}/certificate/{item['.id']}", timeout=10))
        ok(s.post(f"{d.url}/certificate/print", json={".proplist": "private-key,key,private-key-pem",
                                                       ".query": [f".id={item['.id']}"]}, timeout=10))
    ok(s.get(f"{d.url}/file", timeout=10))
    ok(s.post(f"{d.url}/certificate/print", json={"detail": "", "show-sensitive": ""}, timeout=10))
    assert len(bodies) >= 10
    for body in bodies:
        assert "PRIVATE KEY" not in body
        assert "BEGIN EC" not in body and "BEGIN RSA" not in body
    assert all(item["private-key"] in ("true", "false") for item in everything)


# --- bad input ---------------------------------------------------------------------------------------------

def test_bad_input_gets_routeros_errors(certos_daemon):
    d = certos_daemon
    s = d.session()
    malformed = s.put(f"{d.url}/certificate", data='{"name": "x",', headers=JSON, timeout=10)
    assert malformed.status_code == 400
    assert malformed.json()["error"] == 400 and malformed.json()["message"] == "Bad Request"
    assert malformed.json()["detail"].startswith("invalid JSON")
    unknown = s.put(f"{d.url}/certificate", json={"name": "x", "colour": "red"}, timeout=10)
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "unknown parameter colour"
    wrong_type = s.put(f"{d.url}/certificate", json={"name": "x", "days-valid": {"days": 3}}, timeout=10)
    assert wrong_type.status_code == 400
    assert wrong_type.json()["detail"] == "invalid value for argument days-valid"
    wrong_value = s.put(f"{d.url}/certificate", json={"name": "x", "key-size": "3000"}, timeout=10)
    assert wrong_value.status_code == 400
    assert "key-size" in wrong_value.json()["detail"]
    path = s.get(f"{d.url}/nothing/here", timeout=10)
    assert path.status_code == 400
    assert path.json()["detail"] == "no such command or directory (nothing)"
    missing = s.get(f"{d.url}/certificate/*99", timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"error": 404, "message": "Not Found"}
    assert s.delete(f"{d.url}/certificate/*99", timeout=10).status_code == 404
    assert ok(s.get(f"{d.url}/certificate", timeout=10)) == []  # none of it created anything


def test_a_2_mib_body_is_rejected_with_413(certos_daemon):
    d = certos_daemon
    s = d.session()
    huge = '{"name":"' + "x" * (2 * 1024 * 1024) + '"}'
    response = s.put(f"{d.url}/certificate", data=huge, headers=JSON, timeout=30)
    assert response.status_code == 413
    assert response.json()["error"] == 413
    assert ok(s.get(f"{d.url}/certificate", timeout=10)) == []  # and the daemon keeps serving


def test_a_slow_client_is_cut_off_while_another_is_served(certos_daemon):
    d = certos_daemon
    other = d.session()
    ok(other.get(f"{d.url}/system/resource", timeout=30))  # logged in before the clock starts (slow KDF)
    slow = socket.create_connection(("127.0.0.1", d.www_port))
    slow.sendall(b"GET /rest/certificate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Ba")  # half a header
    started = time.monotonic()
    for _ in range(3):
        assert ok(other.get(f"{d.url}/system/resource", timeout=10))["version"]
        assert ok(d.session().get(f"{d.url}/certificate", timeout=10)) == []  # a new connection, same login
    assert time.monotonic() - started < READ_TIMEOUT
    slow.settimeout(READ_TIMEOUT + 5)
    received = b""
    while True:
        chunk = slow.recv(4096)
        if not chunk:
            break
        received += chunk
    elapsed = time.monotonic() - started
    slow.close()
    assert received.startswith(b"HTTP/1.1 408")
    assert b'"error":408' in received
    assert READ_TIMEOUT - 0.5 <= elapsed <= READ_TIMEOUT + 4


def test_sigterm_stops_the_daemon_cleanly(certos_daemon):
    d = certos_daemon
    ok(d.session().get(f"{d.url}/certificate", timeout=10))
    assert d.stop() == 0
    assert not port_open(d.www_port)
    assert "certos serve stopped" in d.console("/log print")
