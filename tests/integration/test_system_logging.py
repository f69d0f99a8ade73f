"""/system logging and shared globals with the real binary: a rule sending topic `script` to a disk action writes
the file under /file, the memory action feeds /log print, echo reaches an interactive console (tmux), and a
:global set by one REST session's script run is seen by another session's and listed by
/system script environment.

Run: CERTOS_BIN=build/certos /usr/bin/python3 -m pytest tests/integration/test_system_logging.py
"""

import re

from cli import out, run
from test_console_tmux import EMPTY_ROOT_PROMPT, Terminal


def test_a_rule_sends_script_lines_to_a_rotating_disk_file(tmp_path):
    data = tmp_path / "data"
    out(data, "/system logging action add name=scripts target=disk disk-file-name=scripts "
              "disk-lines-per-file=2 disk-file-count=2")
    out(data, "/system logging add topics=script action=scripts")
    for i in range(1, 4):
        out(data, f':log info "run {i}"')
    newest = (data / "files" / "scripts.0.txt").read_text()
    older = (data / "files" / "scripts.1.txt").read_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d script,info run 3\n", newest), newest
    assert re.fullmatch(r"\S+ \S+ script,info run 1\n\S+ \S+ script,info run 2\n", older), older
    listing = out(data, "/file print")
    assert "scripts.0.txt" in listing and "scripts.1.txt" in listing
    # An unknown topic or action is refused, as RouterOS refuses it, and changes nothing.
    code, stdout, stderr = run(data, "/system logging add topics=gossip", check=False)
    assert code != 0 and "input does not match any value of topics" in stdout + stderr
    code, stdout, stderr = run(data, "/system logging add topics=script action=nowhere", check=False)
    assert code != 0 and "input does not match any value of action" in stdout + stderr
    assert out(data, ":put [/system logging print count-only]").strip() == "5"


def test_memory_rules_decide_what_log_print_shows(tmp_path):
    data = tmp_path / "data"
    out(data, ':log info "kept"; :log debug "not kept"')
    shown = out(data, '/log print where topics~"script"')
    assert "kept" in shown and "not kept" not in shown
    out(data, "/system logging add topics=script,debug action=memory prefix=DBG")
    out(data, ':log debug "now kept"')
    assert "DBG now kept" in out(data, '/log print where topics~"script"')
    # The rules are in /export, and a fresh store importing that export routes the same way.
    exported = out(data, "/system logging export")
    assert 'add action=memory prefix=DBG topics=script,debug' in exported, exported
    (data / "files" / "logging.rsc").write_text(exported)
    fresh = tmp_path / "fresh"
    out(fresh, "/system logging print")  # makes the store
    (fresh / "files").mkdir(exist_ok=True)
    (fresh / "files" / "logging.rsc").write_text(exported)
    out(fresh, "/import file-name=logging.rsc")
    # The first line is the export's time stamp.
    assert out(fresh, "/system logging export").splitlines()[1:] == exported.splitlines()[1:]
    out(fresh, ':log debug "routed"')
    assert "DBG routed" in out(fresh, '/log print where topics~"script"')


def test_echo_reaches_the_interactive_console(tmp_path):
    term = Terminal(tmp_path)
    try:
        term.wait_for(EMPTY_ROOT_PROMPT)
        term.type("/system logging add topics=script action=echo")
        term.key("Enter")
        term.wait_for(EMPTY_ROOT_PROMPT)
        term.type(':log info "hello terminal"')
        term.key("Enter")
        term.wait_for(r"^\d\d:\d\d:\d\d script,info hello terminal$")
    finally:
        term.close()


def test_a_global_is_shared_by_the_daemons_sessions(certos_daemon):
    rest = certos_daemon.url
    admin = certos_daemon.session()
    for name, source in [("setter", ':global counter 41; :set counter ($counter + 1)'),
                         ("getter", ':global counter; :put "counter=$counter"')]:
        r = admin.put(f"{rest}/system/script", json={"name": name, "source": source}, timeout=10)
        assert r.status_code in (200, 201), r.text
    r = admin.post(f"{rest}/system/script/run", json={"number": "setter"}, timeout=10)
    assert r.status_code == 200, r.text
    other = certos_daemon.session()  # another connection, another session
    r = other.post(f"{rest}/system/script/run", json={"number": "getter"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json().get("ret") == "counter=42\n", r.json()
    r = other.get(f"{rest}/system/script/environment", timeout=10)
    assert r.status_code == 200, r.text
    assert [(e["name"], e["value"]) for e in r.json()] == [("counter", "42")]
    r = admin.post(f"{rest}/system/script/environment/remove", json={"numbers": "counter"}, timeout=10)
    assert r.status_code == 200, r.text
    assert other.get(f"{rest}/system/script/environment", timeout=10).json() == []


def test_rules_and_actions_travel_in_a_backup(tmp_path):
    data = tmp_path / "data"
    out(data, "/system logging action add name=scripts target=disk disk-file-name=scripts")
    out(data, "/system logging add topics=script action=scripts")
    out(data, "/system backup save name=with-logging password=backup-pw")
    out(data, "/system logging remove [ find where action=scripts ]; /system logging action remove scripts")
    assert out(data, ":put [/system logging print count-only]").strip() == "4"
    out(data, "/system backup load name=with-logging password=backup-pw")
    assert out(data, ":put [/system logging print count-only]").strip() == "5"
    out(data, ':log info "after the load"')
    assert "after the load" in (data / "files" / "scripts.0.txt").read_text()
