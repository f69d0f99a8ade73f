"""Sessions and /log against a real `certos serve` (issues 11 and 12): an open API connection or REST keep-alive
connection sees a change to its user before its next command, whichever process makes it; /log entries are
bounded and escaped whatever a client sends as its user name; a given admin password is never echoed."""

import os
import subprocess

import librouteros
import pytest
import requests
from librouteros.exceptions import FatalError, TrapError

from cli import CERTOS
from conftest import ADMIN_PASSWORD
from test_api import Raw


def connect(d, user="admin", password=ADMIN_PASSWORD):
    return librouteros.connect(host="127.0.0.1", username=user, password=password, port=d.api_port)


def refused(api, *command, **args):
    """Runs one API command; returns the exception that refused it (None when it ran)."""
    try:
        tuple(api(*command, **args))
        return None
    except (TrapError, FatalError, ConnectionError, OSError) as e:
        return e


def add_user(d, name, password, group="write"):
    d.console(f"/user add name={name} group={group} password={password}")


# --- 1: open sessions follow changes to their user --------------------------------------------------------------

def test_api_session_sees_group_password_disabled_and_remove_before_its_next_command(certos_daemon):
    d = certos_daemon
    d.console("/user group add name=noapi policy=read,write,rest-api")
    add_user(d, "bob", "pw1")
    admin = connect(d)
    bob = connect(d, "bob", "pw1")
    tuple(bob("/certificate/add", name="a", **{"common-name": "a"}))

    # Group changed by another process (`certos -c`): the next command runs with the new group's rights.
    d.console("/user set bob group=read")
    trap = refused(bob, "/certificate/add", name="b", **{"common-name": "b"})
    assert isinstance(trap, TrapError) and "not enough permissions (9)" in str(trap), trap
    assert tuple(bob("/certificate/print"))  # reading still works
    # A group without the api policy: the session ends.
    tuple(admin("/user/set", numbers="bob", group="noapi"))
    assert refused(bob, "/certificate/print") is not None
    tuple(admin("/user/set", numbers="bob", group="write"))

    # Password changed over the API by admin: the open session ends at its next command.
    bob = connect(d, "bob", "pw1")
    assert tuple(bob("/certificate/print"))
    tuple(admin("/user/set", numbers="bob", password="pw2"))
    assert refused(bob, "/certificate/print") is not None
    with pytest.raises(TrapError):
        connect(d, "bob", "pw1")

    # Disabled by another process.
    bob = connect(d, "bob", "pw2")
    d.console("/user set bob disabled=yes")
    assert refused(bob, "/certificate/print") is not None
    d.console("/user set bob disabled=no")

    # Removed.
    bob = connect(d, "bob", "pw2")
    tuple(admin("/user/remove", numbers="bob"))
    assert refused(bob, "/certificate/print") is not None
    assert any("user bob logged out" in m for m in d.log())


def test_rest_keepalive_session_sees_group_password_disabled_and_remove_at_once(certos_daemon):
    d = certos_daemon
    add_user(d, "bob", "pw1")
    bob = d.session("bob", "pw1")  # one keep-alive connection
    body = {"name": "a", "common-name": "a"}
    assert bob.put(f"{d.url}/certificate", json=body, timeout=10).status_code == 200

    d.console("/user set bob group=read")
    r = bob.put(f"{d.url}/certificate", json={"name": "b", "common-name": "b"}, timeout=10)
    assert r.status_code == 403, r.text
    assert bob.get(f"{d.url}/certificate", timeout=10).status_code == 200

    d.console("/user set bob password=pw2")  # no wait: the very next request sees it
    assert bob.get(f"{d.url}/certificate", timeout=10).status_code == 401
    bob = d.session("bob", "pw2")
    assert bob.get(f"{d.url}/certificate", timeout=10).status_code == 200

    d.session().patch(f"{d.url}/user/bob", json={"disabled": "yes"}, timeout=10).raise_for_status()
    assert bob.get(f"{d.url}/certificate", timeout=10).status_code == 401
    d.console("/user set bob disabled=no")
    assert bob.get(f"{d.url}/certificate", timeout=10).status_code == 200

    d.console("/user remove bob")
    assert bob.get(f"{d.url}/certificate", timeout=10).status_code == 401


# --- 2: /log entries are bounded and escaped --------------------------------------------------------------------

def db_bytes(d):
    return sum(f.stat().st_size for f in d.data.iterdir() if f.name.startswith("certos.db"))


def test_huge_user_names_leave_short_log_entries(certos_daemon):
    d = certos_daemon
    before = db_bytes(d)
    d.log()  # admin logs in from this address first: the throttle keeps letting a known user in from it
    # REST: the longest user name a request header takes (16 KiB of headers). First, because after five
    # failures from one address the throttle refuses that address's logins without checking (and logs that
    # once per burst instead of each try).
    long_name = "B" * 12000
    r = requests.get(f"{d.url}/certificate", auth=(long_name, "x"), timeout=10)
    assert r.status_code == 401
    huge = "A" * ((1 << 20) - len("=name="))  # the word "=name=..." is 1 MiB, the longest an API word may be
    for _ in range(4):
        raw = Raw(d.api_port, timeout=30)
        raw.send("/login", f"=name={huge}", "=password=x")
        assert raw.until_done()[0][0] == "!trap"
        raw.close()
    messages = d.log()
    failures = [m for m in messages if m.startswith("login failure for user AAAA")]
    assert len(failures) == 4
    assert any(m.startswith("login failure for user BBBB") for m in messages)
    assert max(len(m) for m in messages) <= 1024
    assert all("A" * 100 not in m and "B" * 100 not in m for m in messages)
    assert db_bytes(d) - before < 1 << 20, "the store grew by about a MiB per failed login"


def test_user_names_with_newlines_and_escape_codes_do_not_forge_log_lines(certos_daemon):
    d = certos_daemon
    forged = "x\nuser admin logged in from 10.0.0.1 via api\x1b[2K\r"
    raw = Raw(d.api_port)
    raw.send("/login", f"=name={forged}", "=password=x")
    assert raw.until_done()[0][0] == "!trap"
    raw.close()
    r = requests.get(f"{d.url}/certificate", auth=("y\r\nuser admin logged in", "x"), timeout=10)
    assert r.status_code == 401
    messages = d.log()
    assert not any(m.startswith("user admin logged in from 10.0.0.1") for m in messages)
    for m in messages:
        assert not any(c in m for c in "\n\r\x1b"), repr(m)
    assert any(m.startswith("login failure for user x\\nuser admin logged in from 10.0.0.1 via api\\x1b[2K\\r ")
               for m in messages), messages
    # The console prints one line per entry.
    out = d.console("/log print where message~\"login failure\"")
    assert not any(line.startswith("user admin logged in") for line in out.splitlines()), out


def test_script_log_messages_are_escaped_and_bounded(certos_daemon):
    d = certos_daemon
    s = d.session()
    s.post(f"{d.url}/log/info", json={"message": "one\ntwo" + "z" * 5000}, timeout=10).raise_for_status()
    entry = [m for m in d.log() if m.startswith("one")][-1]
    assert entry.startswith("one\\ntwo") and len(entry) <= 1024 and entry.endswith("...")


# --- 3: a given admin password is never echoed ------------------------------------------------------------------

def test_admin_password_from_the_environment_is_not_echoed(tmp_path):
    env = dict(os.environ, CERTOS_ADMIN_PASSWORD="s3cret-from-env", TZ="UTC")
    proc = subprocess.run([CERTOS, "--data", str(tmp_path / "data"), "-c", "/user print"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "s3cret-from-env" not in proc.stdout + proc.stderr
    assert "created user admin with the password from CERTOS_ADMIN_PASSWORD" in proc.stderr
    # Without it, the random password is printed once.
    env.pop("CERTOS_ADMIN_PASSWORD")
    proc = subprocess.run([CERTOS, "--data", str(tmp_path / "other"), "-c", "/user print"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert "created user admin with password " in proc.stderr


def test_daemon_does_not_echo_the_admin_password(certos_daemon):
    assert ADMIN_PASSWORD not in certos_daemon.stdout.read_text() + certos_daemon.stderr.read_text()


# --- 4: every change from every front end leaves one audit entry -----------------------------------------------

def test_each_change_leaves_one_audit_entry_of_the_same_form_from_every_front_end(certos_daemon):
    d = certos_daemon
    d.console("/certificate add name=c1 common-name=c1")
    d.session().put(f"{d.url}/certificate", json={"name": "c2", "common-name": "c2"}, timeout=10).raise_for_status()
    api = connect(d)
    tuple(api("/certificate/add", name="c3", **{"common-name": "c3"}))
    add_user(d, "bob", "first-secret")
    d.console("/user set bob password=console-secret")
    d.session().patch(f"{d.url}/user/bob", json={"password": "rest-secret"}, timeout=10).raise_for_status()
    tuple(api("/user/set", numbers="bob", password="api-secret"))
    tuple(api("/certificate/print"))  # reads leave nothing
    d.session().get(f"{d.url}/certificate", timeout=10).raise_for_status()
    messages = d.log()
    for name, origin in (("c1", "console"), ("c2", "rest-api 127.0.0.1"), ("c3", "api 127.0.0.1")):
        mine = [m for m in messages if m.startswith(f"certificate {name} ")]
        assert mine == [f"certificate {name} added by admin ({origin})"], messages
    changes = [m for m in messages if m.startswith("user ") and " by admin " in m]
    assert changes == ["user bob added by admin (console)", "user bob changed by admin (console)",
                       "user bob changed by admin (rest-api 127.0.0.1)", "user bob changed by admin (api 127.0.0.1)"], \
        changes
    assert not any("secret" in m for m in messages), messages
    assert not any("print" in m for m in messages), messages
