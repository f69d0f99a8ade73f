"""/system script and /system scheduler in a running daemon: the seed's expiry monitoring as a real v7 script
(tests/integration/scripts/expiry_check.rsc) stored as a /system script and run by a /system scheduler entry on the
daemon's injected, fast clock (the test-only CERTOS_TEST_CLOCK), with its warnings in `/log print where
topics~"script"`; a script never gets more rights than its owner; REST and the API run scripts; the v6 seed's
scheduler line is accepted as written; start-time=startup runs when the daemon starts."""

import pathlib

import librouteros
import pytest
from librouteros.exceptions import TrapError

from cli import run, out
from conftest import ADMIN_PASSWORD, Daemon, free_port, wait_until

EXPIRY_SCRIPT = pathlib.Path(__file__).parent / "scripts" / "expiry_check.rsc"
GOLDEN = sorted((pathlib.Path(__file__).parent.parent / "script").glob("*.rsc"))
# The seed's line (004_..., "RouterOS Scheduled Backup Script"), character for character.
SEED_LINE = ('add name="weekly-backup" interval=1w start-time=03:00:00 on-event="/system backup save '
             'name=weekly-backup" policy=ftp,read,reboot,write,policy,test,password,sensitive,romon owner=admin '
             'run-count=0 start-date=may/12/2024 time-zone-autodetect=yes')
# The daemon's clock: from 2030-01-01 02:59:00, an hour for every real second.
TEST_CLOCK = "2030-01-01 02:59:00,3600"


def start_daemon(tmp_path, monkeypatch, clock=None, before=()):
    """`certos serve` on a fresh data directory, after the console lines `before`."""
    data = tmp_path / "data"
    www_port, ssl_port, api_port = free_port(), free_port(), free_port()
    run(data, f"/ip service set www port={www_port}")
    run(data, f"/ip service set www-ssl port={ssl_port}")
    run(data, f"/ip service set api port={api_port}")
    run(data, f"/ip service set api-ssl port={free_port()}")
    for line in before:
        run(data, line)
    if clock:
        monkeypatch.setenv("CERTOS_TEST_CLOCK", clock)
    daemon = Daemon(data, www_port, ssl_port, tmp_path)
    daemon.api_port = api_port
    return daemon


@pytest.fixture
def daemon(tmp_path, monkeypatch):
    d = start_daemon(tmp_path, monkeypatch)
    yield d
    d.stop()


def entry(d, name):
    r = d.session().get(f"{d.url}/system/scheduler", params={"name": name}, timeout=10)
    r.raise_for_status()
    return r.json()[0]


def test_expiry_script_run_by_the_scheduler_on_a_fast_clock_logs_warnings(tmp_path, monkeypatch):
    # A CA, a certificate that expires in 10 days and one that has a year.
    d = start_daemon(tmp_path, monkeypatch, clock=TEST_CLOCK, before=[
        "/certificate add name=ca common-name=ca key-size=prime256v1 key-usage=key-cert-sign,crl-sign days-valid=3650",
        "/certificate sign ca",
        "/certificate add name=soon common-name=soon key-size=prime256v1 days-valid=10",
        "/certificate sign soon ca=ca",
        "/certificate add name=later common-name=later key-size=prime256v1 days-valid=365",
        "/certificate sign later ca=ca",
    ])
    try:
        s = d.session()
        r = s.put(f"{d.url}/system/script", json={"name": "expiry-check", "source": EXPIRY_SCRIPT.read_text()},
                  timeout=10)
        assert r.ok, r.text
        # Daily at 03:00 from 2030-01-01 (the daemon's clock), added by a console beside the daemon.
        run(d.data, "/system scheduler add name=expiry start-date=jan/01/2030 start-time=03:00:00 interval=1h "
                    "on-event=expiry-check")
        assert entry(d, "expiry")["next-run"] == "2030-01-01 03:00:00"
        ran = wait_until(lambda: int(entry(d, "expiry")["run-count"]) >= 2, timeout=60)
        assert ran, entry(d, "expiry")
        assert entry(d, "expiry")["next-run"].startswith("2030-01-")
        assert int(out(d.data, ":put [/system script get expiry-check run-count]")) >= 2
        log = out(d.data, '/log print where topics~"script"')
        assert "certificate 'soon' expires in 1w2d23:59:" in log, log
        assert "'later'" not in log and "'ca'" not in log
        assert "expiry check: 1 of 3 certificates expire within 4w2d00:00:00" in log
        assert "script,warning" in out(d.data, '/log print detail where topics~"script"')
    finally:
        d.stop()


def quoted(text):
    """`text` as a RouterOS string literal."""
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("$", "\\$"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(plain, escaped)
    return f'"{text}"'


@pytest.mark.parametrize("script", GOLDEN, ids=[s.stem for s in GOLDEN])
def test_language_golden_files_through_system_script_run(script, tmp_path):
    """Every golden file of the language suite (tests/script, see test_script_language.py) stored as a /system
    script and run with `/system script run` prints what `certos FILE.rsc` prints, its error line included."""
    data = tmp_path / "data"
    run(data, f"/system script add name=golden source={quoted(script.read_text())}")
    assert out(data, ":put [/system script get golden source]") == script.read_text() + "\n"
    code, stdout, stderr = run(data, "/system script run golden", check=False)
    assert stdout + stderr == script.with_suffix(".out").read_text()
    assert (code == 0) == (stderr == "")


def test_a_read_only_owners_script_cannot_add_a_certificate(daemon):
    s = daemon.session()
    s.put(f"{daemon.url}/user", json={"name": "reader", "group": "read", "password": "r3ader-pw"},
          timeout=10).raise_for_status()
    r = s.put(f"{daemon.url}/system/script",
              json={"name": "grab", "owner": "reader", "source": "/certificate add name=x common-name=x"}, timeout=10)
    r.raise_for_status()
    script_id = r.json()[".id"]
    r = s.post(f"{daemon.url}/system/script/run", json={".id": script_id}, timeout=10)
    assert r.status_code == 400, r.text
    assert "not enough permissions (9)" in r.json()["detail"]
    assert s.get(f"{daemon.url}/certificate", timeout=10).json() == []
    # The reader may not run admin's script that writes, nor make one owned by admin.
    s.put(f"{daemon.url}/system/script", json={"name": "w", "source": ":log info \"w ran\""},
          timeout=10).raise_for_status()
    reader = daemon.session("reader", "r3ader-pw")
    r = reader.post(f"{daemon.url}/system/script/run", json={"number": "w"}, timeout=10)
    assert r.status_code == 403 and "not enough permissions (9)" in r.text, r.text
    assert not any("w ran" in line for line in daemon.log())
    r = reader.put(f"{daemon.url}/system/script", json={"name": "r", "owner": "admin", "source": ":put 1"}, timeout=10)
    assert r.status_code == 403, r.text


def test_rest_and_the_api_run_a_script(daemon):
    s = daemon.session()
    r = s.put(f"{daemon.url}/system/script",
              json={"name": "hello", "source": ":log info \"hello from $[/system identity get name]\"\n:put done"},
              timeout=10)
    r.raise_for_status()
    r = s.post(f"{daemon.url}/system/script/run", json={".id": r.json()[".id"]}, timeout=10)
    assert r.ok, r.text
    assert r.json() == {"ret": "done\n"}
    api = librouteros.connect(host="127.0.0.1", username="admin", password=ADMIN_PASSWORD, port=daemon.api_port)
    try:
        list(api("/system/script/run", number="hello"))
        with pytest.raises(TrapError):
            list(api("/system/script/run", number="missing"))
    finally:
        api.close()
    assert sum("hello from certos" in line for line in daemon.log()) == 2
    assert out(daemon.data, ":put [/system script get hello run-count]") == "2\n"


def test_the_seeds_scheduler_line_is_accepted_as_written(tmp_path):
    data = tmp_path / "data"
    assert run(data, "/system scheduler\n" + SEED_LINE)[0] == 0
    detail = out(data, "/system scheduler print detail")
    for part in ['name="weekly-backup"', "start-date=2024-05-12", "start-time=03:00:00", "interval=1w",
                 'on-event="/system backup save name=weekly-backup"', "owner=admin",
                 "policy=ftp,reboot,read,write,policy,test,password,sensitive,romon", "run-count=0"]:
        assert part in detail, detail
    assert out(data, ":put [/system scheduler get weekly-backup next-run]").strip().endswith("03:00:00")


def test_startup_entries_run_when_the_daemon_starts(tmp_path, monkeypatch):
    d = start_daemon(tmp_path, monkeypatch, before=[
        '/system scheduler add name=boot start-time=startup on-event=":log info \\"certos came up\\""'])
    try:
        assert wait_until(lambda: any("certos came up" in line for line in d.log()), timeout=30), d.log()
        assert entry(d, "boot")["run-count"] == "1"
    finally:
        d.stop()


def test_identity_and_clock(daemon):
    run(daemon.data, "/system identity set name=edge-ca")
    assert out(daemon.data, ":put [/system identity get name]") == "edge-ca\n"
    clock = daemon.session().get(f"{daemon.url}/system/clock", timeout=10).json()
    assert clock["time-zone-name"] == "UTC"
    assert clock["gmt-offset"] == "+00:00"
