"""`certos serve`'s API protocol (api on a free port, api-ssl with a certos-signed certificate) driven by Debian's
python3-librouteros and by a raw socket client written here (framing independent of certos's own codec).

Covers login (right and wrong password, the old challenge form), add/sign/print/remove of certificates, queries
and .proplist, tags with several commands in flight, /cancel, /quit, the `!empty` setting, api-ssl verified
against the exported CA, and robustness: a 4 GB length, a control byte, 10,000 words, a client that stops mid-word,
and 200 concurrent connections while another client is still served."""

import socket
import ssl
import struct
import threading
import time

import pytest

import librouteros  # python3-librouteros, installed by scripts/install-deps.sh
from librouteros.exceptions import TrapError  # noqa: E402
from librouteros.query import Key, And, Or  # noqa: E402

from conftest import ADMIN_PASSWORD, port_open, wait_until  # noqa: E402

LOGIN_TIMEOUT = 3  # seconds: CERTOS_API_LOGIN_TIMEOUT for these tests (the mid-word client)


@pytest.fixture
def short_login_timeout(monkeypatch):
    # Requested before certos_daemon, which starts the daemon with this environment.
    monkeypatch.setenv("CERTOS_API_LOGIN_TIMEOUT", str(LOGIN_TIMEOUT))


def connect(d, password=ADMIN_PASSWORD, **kwargs):
    return librouteros.connect(host="127.0.0.1", username="admin", password=password, port=d.api_port, **kwargs)


# --- a raw client: the framing of facts §3.1, written independently ------------------------------------------

def encode_length(n):
    if n < 0x80:
        return bytes([n])
    if n < 0x4000:
        return struct.pack(">H", n | 0x8000)
    if n < 0x200000:
        return struct.pack(">I", n | 0xC00000)[1:]
    if n < 0x10000000:
        return struct.pack(">I", n | 0xE0000000)
    return b"\xf0" + struct.pack(">I", n)


def encode(words):
    out = b""
    for word in words:
        data = word.encode()
        out += encode_length(len(data)) + data
    return out + b"\x00"


class Raw:
    """A raw API connection: send sentences, read sentences."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send(self, *words):
        self.sock.sendall(encode(words))

    def _need(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk

    def _take(self, n):
        self._need(n)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _length(self):
        first = self._take(1)[0]
        if first < 0x80:
            return first
        if first < 0xC0:
            return ((first & 0x3F) << 8) | self._take(1)[0]
        if first < 0xE0:
            rest = self._take(2)
            return ((first & 0x1F) << 16) | (rest[0] << 8) | rest[1]
        if first < 0xF0:
            return ((first & 0x0F) << 24) | int.from_bytes(self._take(3), "big")
        return int.from_bytes(self._take(4), "big")

    def sentence(self):
        words = []
        while True:
            n = self._length()
            if n == 0:
                return words
            words.append(self._take(n).decode())

    def until_done(self):
        """Reads sentences up to and including !done (or a !fatal)."""
        out = []
        while True:
            s = self.sentence()
            out.append(s)
            if s[0] in ("!done", "!fatal"):
                return out

    def login(self, password=ADMIN_PASSWORD):
        self.send("/login", "=name=admin", f"=password={password}")
        return self.until_done()

    def closed(self, timeout=10):
        """True when the server closes the connection within `timeout` seconds (reading and dropping data)."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
            return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def served(d):
    """A fresh client is still logged in and answered."""
    api = connect(d)
    try:
        return tuple(api("/system/resource/print"))[0]["version"].startswith("7.")
    finally:
        api.close()


# --- librouteros ----------------------------------------------------------------------------------------------

def test_librouteros_login_resource_add_sign_print_query_remove(certos_daemon):
    d = certos_daemon
    api = connect(d)
    resource = tuple(api("/system/resource/print"))[0]
    assert resource["version"].split(" ")[0] == "7.21"  # community.routeros reads it this way
    for field in ("uptime", "cpu", "free-memory", "total-memory"):
        assert field in resource

    certificates = api.path("certificate")
    ca_id = certificates.add(**{"name": "ca", "common-name": "api-ca", "key-size": "prime256v1",
                                "key-usage": "key-cert-sign,crl-sign"})
    assert ca_id.startswith("*")
    leaf_id = certificates.add(**{"name": "leaf", "common-name": "leaf.example", "key-size": "prime256v1",
                                  "days-valid": 30})
    # sign is a monitor command: its final status comes as one !re before !done.
    assert tuple(api("/certificate/sign", **{".id": "ca"})) == ({"progress": "done"},)
    tuple(api("/certificate/sign", **{".id": leaf_id, "ca": "ca"}))

    listed = {c["name"]: c for c in certificates}
    assert set(listed) == {"ca", "leaf"}
    assert listed["ca"][".id"] == ca_id  # a template becomes its certificate in place
    assert listed["leaf"]["issuer"].endswith("CN=api-ca") or "api-ca" in listed["leaf"]["issuer"]
    assert listed["ca"]["private-key"] is True  # librouteros turns "true" into True

    by_name = tuple(certificates.select(Key(".id"), Key("name"), Key("common-name")).where(Key("name") == "leaf"))
    assert by_name == ({".id": leaf_id, "name": "leaf", "common-name": "leaf.example"},)

    # ?<, ?>, ?-, ?#|, ?#&, ?#! through librouteros' query builder.
    names = lambda *cond: sorted(c["name"] for c in certificates.select(Key("name")).where(*cond))  # noqa: E731
    assert names(Key("days-valid") < 100) == ["leaf"]
    assert names(Key("days-valid") > 100) == ["ca"]
    assert names(Or(Key("name") == "ca", Key("name") == "leaf")) == ["ca", "leaf"]
    assert names(And(Key("name") == "ca", Key("days-valid") > 100)) == ["ca"]
    assert names(Key("name") != "ca") == ["leaf"]
    assert names(Key("name").In("leaf", "nope")) == ["leaf"]

    # =.id= on remove, comma-joined as librouteros sends it.
    certificates.remove(leaf_id)
    assert [c["name"] for c in certificates] == ["ca"]
    with pytest.raises(TrapError) as trap:
        certificates.remove(leaf_id)
    assert "no such item" in str(trap.value)
    api.close()


def test_librouteros_sign_monitor_arguments(certos_daemon):
    """sign's reply over the API is its final status, one !re; `once` gives the same; an argument certos cannot
    honour is a trap and changes nothing."""
    api = connect(certos_daemon)
    certificates = api.path("certificate")
    for name in ("m1", "m2"):
        certificates.add(**{"name": name, "common-name": name, "key-size": "prime256v1"})
    with pytest.raises(TrapError) as trap:
        tuple(api("/certificate/sign", **{".id": "m1", "freeze-frame-interval": "1s"}))
    assert "freeze-frame-interval is not supported" in str(trap.value)
    with pytest.raises(TrapError) as trap:
        tuple(api("/certificate/sign", **{".id": "m1", "do": ":put $progress"}))
    assert "do= runs only in the console and in scripts" in str(trap.value)
    assert [c["private-key"] for c in certificates if c["name"] == "m1"] == [False]
    assert tuple(api("/certificate/sign", **{".id": "m1", "once": ""})) == ({"progress": "done"},)
    assert tuple(api("/certificate/sign", **{".id": "m2", "as-value": ""})) == ({"progress": "done"},)
    assert sorted(c["name"] for c in certificates if c["private-key"]) == ["m1", "m2"]
    api.close()


def test_wrong_password_is_a_trap(certos_daemon):
    with pytest.raises(TrapError) as trap:
        connect(certos_daemon, password="wrong")
    assert "invalid user name or password (6)" in str(trap.value)
    assert served(certos_daemon)


def test_remembered_logins_follow_password_changes(certos_daemon):
    """A login is remembered (the password KDF runs once per user, address and password), but a wrong
    password, or the old one after a change, is refused at once; each login is still logged."""
    d = certos_daemon
    for _ in range(3):
        connect(d).close()
    with pytest.raises(TrapError):
        connect(d, password="wrong")
    admin = connect(d)
    tuple(admin("/user/set", **{"numbers": "admin", "password": "changed-pw"}))
    admin.close()
    with pytest.raises(TrapError) as trap:
        connect(d)  # the old password, remembered a moment ago
    assert "invalid user name or password (6)" in str(trap.value)
    again = connect(d, password="changed-pw")
    tuple(again("/user/set", **{"numbers": "admin", "password": ADMIN_PASSWORD}))
    again.close()
    connect(d).close()
    logins = [m for m in d.log() if "logged in from" in m and "via api" in m]
    assert len(logins) >= 6, logins


def test_api_ssl_with_a_certos_signed_certificate_verified_against_the_exported_ca(certos_daemon, tmp_path):
    d = certos_daemon
    api = connect(d)
    certificates = api.path("certificate")
    certificates.add(**{"name": "ca", "common-name": "api-ssl-ca", "key-size": "prime256v1",
                        "key-usage": "key-cert-sign,crl-sign"})
    tuple(api("/certificate/sign", **{".id": "ca"}))
    certificates.add(**{"name": "server", "common-name": "127.0.0.1", "key-size": "prime256v1",
                        "subject-alt-name": "IP:127.0.0.1", "key-usage": "digital-signature,tls-server"})
    tuple(api("/certificate/sign", **{".id": "server", "ca": "ca"}))
    tuple(api("/certificate/export-certificate", **{".id": "ca"}))
    exported = tuple(api("/file/print", **{".proplist": "name,contents"}))
    pem = [f["contents"] for f in exported if f["name"] == "cert_export_ca.crt"][0]
    ca_file = tmp_path / "ca.crt"
    ca_file.write_text(pem)
    tuple(api("/ip/service/set", **{"numbers": "api-ssl", "certificate": "server"}))
    api.close()
    assert wait_until(lambda: port_open(d.api_ssl_port), timeout=10), "api-ssl did not start listening"

    context = ssl.create_default_context(cafile=str(ca_file))
    tls = librouteros.connect(host="127.0.0.1", username="admin", password=ADMIN_PASSWORD, port=d.api_ssl_port,
                              ssl_wrapper=lambda sock: context.wrap_socket(sock, server_hostname="127.0.0.1"))
    assert sorted(c["name"] for c in tls.path("certificate")) == ["ca", "server"]
    tls.close()

    # A client that trusts something else refuses the connection.
    other = ssl.create_default_context()
    with pytest.raises(ssl.SSLError):
        librouteros.connect(host="127.0.0.1", username="admin", password=ADMIN_PASSWORD, port=d.api_ssl_port,
                            ssl_wrapper=lambda sock: other.wrap_socket(sock, server_hostname="127.0.0.1"))


# --- the protocol over a raw socket ---------------------------------------------------------------------------

def test_tagged_commands_in_flight_together_and_cancel(certos_daemon):
    d = certos_daemon
    raw = Raw(d.api_port)
    assert raw.login() == [["!done"]]
    # Three tagged commands sent before reading any reply.
    raw.sock.sendall(encode(["/certificate/add", "=name=t1", "=common-name=t1", ".tag=a"]) +
                     encode(["/system/resource/print", "=.proplist=version", ".tag=b"]) +
                     encode(["/certificate/print", "?name=nothing", ".tag=c"]))
    replies = {}
    while len([t for t, s in replies.items() if s and s[-1][0] == "!done"]) < 3:
        s = raw.sentence()
        tag = [w for w in s if w.startswith(".tag=")]
        assert len(tag) == 1, s  # every reply carries its request's tag
        replies.setdefault(tag[0][5:], []).append(s)
    assert replies["a"] == [["!done", "=ret=*1", ".tag=a"]]
    assert replies["b"] == [["!re", "=version=7.21 (stable)", ".tag=b"], ["!done", ".tag=b"]]
    assert replies["c"] == [["!done", ".tag=c"]]  # no !empty: api-empty-reply is off by default

    # /cancel: the cancelled command answers "interrupted" (category 2), then the cancel its own !done.
    raw.sock.sendall(encode(["/certificate/print", ".tag=slow"]) + encode(["/cancel", "=tag=slow", ".tag=x"]))
    # The print of one row can finish before the /cancel is read (a loaded machine): then the cancel finds no
    # such command, as RouterOS answers a cancel of a finished tag. Either way both tags end with !done.
    got = []
    while not (["!done", ".tag=slow"] in got and ["!done", ".tag=x"] in got):
        got.append(raw.sentence())
    if ["!trap", "=category=2", "=message=interrupted", ".tag=slow"] in got:
        assert got[-1] == ["!done", ".tag=x"] and len(got) == 3
    else:
        assert ["!trap", "=category=0", "=message=no such command", ".tag=x"] in got
        slow = [s for s in got if s[-1] == ".tag=slow"]
        assert slow[0][:2] == ["!re", "=.id=*1"] and slow[-1] == ["!done", ".tag=slow"]

    # Untagged replies carry no tag; errors are !trap then !done.
    raw.send("/certificate/remove", "=.id=*99")
    assert raw.until_done() == [["!trap", "=category=0", "=message=no such item"], ["!done"]]
    raw.send("/certificate/add", "=name=bad", "=key-size=3")
    trap = raw.until_done()
    assert trap[0][:2] == ["!trap", "=category=1"] and trap[1] == ["!done"]
    raw.send("/nonsense/print")
    assert raw.until_done()[0][0] == "!trap"

    raw.send("/quit")
    assert raw.sentence() == ["!fatal", "session terminated on request"]
    assert raw.closed()


def test_challenge_login_and_commands_before_login(certos_daemon):
    raw = Raw(certos_daemon.api_port)
    raw.send("/certificate/print")
    assert raw.until_done()[0] == ["!trap", "=category=5", "=message=not logged in"]
    raw.send("/login", ".tag=1")
    trap, done = raw.until_done()
    assert trap[0] == "!trap" and "challenge-response login is not supported" in trap[2] and trap[-1] == ".tag=1"
    assert done == ["!done", ".tag=1"]
    assert raw.login() == [["!done"]]
    raw.close()


def test_empty_reply_is_a_setting_of_the_api_service(certos_daemon):
    d = certos_daemon
    raw = Raw(d.api_port)
    raw.login()
    raw.send("/certificate/print", "?name=none")
    assert raw.until_done() == [["!done"]]
    raw.send("/ip/service/set", "=numbers=api", "=api-empty-reply=yes")
    assert raw.until_done() == [["!done"]]
    raw.send("/ip/service/print", "?name=api", "=.proplist=api-empty-reply")
    assert raw.until_done()[0] == ["!re", "=api-empty-reply=true"]

    def empty():
        raw.send("/certificate/print", "?name=none", ".tag=e")
        return raw.until_done() == [["!empty", ".tag=e"], ["!done", ".tag=e"]]
    assert wait_until(empty, timeout=10), "the daemon did not pick up api-empty-reply=yes"
    # A print with records, and a command that is not a print, never get !empty.
    raw.send("/system/resource/print", "=.proplist=version")
    assert [s[0] for s in raw.until_done()] == ["!re", "!done"]
    raw.send("/certificate/settings/set", "=crl-use=no")
    assert raw.until_done() == [["!done"]]
    # librouteros ignores !empty (facts §3.3).
    api = connect(d)
    assert tuple(api.path("certificate").select(Key("name")).where(Key("name") == "none")) == ()
    api.close()
    raw.close()


# --- robustness -----------------------------------------------------------------------------------------------

def fatal_then_closed(raw):
    s = raw.sentence()
    assert s[0] == "!fatal", s
    assert raw.closed()
    return s[1]


def test_hostile_clients_are_disconnected_cleanly(short_login_timeout, certos_daemon):
    d = certos_daemon
    keep = connect(d)  # a client logged in all along

    huge = Raw(d.api_port)
    huge.sock.sendall(b"\xf0\xff\xff\xff\xff")  # a 4 GB word
    assert fatal_then_closed(huge) == "word too long"

    broken = Raw(d.api_port)
    broken.sock.sendall(encode_length(6) + b"/login" + b"\xf8garbage")  # a control byte where a length goes
    assert fatal_then_closed(broken) == "invalid word length byte"

    many = Raw(d.api_port)
    assert many.login() == [["!done"]]
    many.sock.sendall(encode(["/certificate/print"] + ["=a=b"] * 10000))
    assert fatal_then_closed(many) == "too many words in sentence"

    stalled = Raw(d.api_port)
    stalled.sock.sendall(encode_length(100) + b"/log")  # stops mid-word, never logs in
    started = time.monotonic()
    assert stalled.closed(timeout=LOGIN_TIMEOUT + 10)
    assert time.monotonic() - started < LOGIN_TIMEOUT + 5

    assert tuple(keep("/system/resource/print"))[0]["version"]
    keep.close()
    assert served(d)
    assert certos_daemon.proc.poll() is None


def test_two_hundred_concurrent_connections(certos_daemon):
    d = certos_daemon
    admin = connect(d)
    tuple(admin("/ip/service/set", **{"numbers": "api", "max-sessions": "300"}))
    admin.close()
    time.sleep(2.5)  # the daemon applies /ip service changes on its next poll

    clients, errors = [], []

    def open_one():
        try:
            raw = Raw(d.api_port, timeout=300)  # 200 password KDFs on the workers take a while
            assert raw.login() == [["!done"]]
            clients.append(raw)
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=open_one) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(clients) == 200, errors[:3]
    # Every one of them is answered while all are open, and another client is still served.
    for i, raw in enumerate(clients):
        raw.send("/system/resource/print", "=.proplist=version", f".tag={i}")
    for i, raw in enumerate(clients):
        assert raw.until_done()[-1] == ["!done", f".tag={i}"]
    assert served(d)
    for raw in clients:
        raw.close()


def test_max_sessions_is_enforced(certos_daemon):
    d = certos_daemon
    admin = connect(d)
    tuple(admin("/ip/service/set", **{"numbers": "api", "max-sessions": "2"}))
    time.sleep(2.5)
    second = connect(d)
    third = Raw(d.api_port)
    assert third.closed(timeout=5)  # refused: admin and second hold both sessions
    second.close()
    admin.close()
