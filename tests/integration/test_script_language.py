"""The scripting language's golden files: every tests/script/NAME.rsc runs through `certos NAME.rsc` and through the
console (`certos -c`, the whole text as one line) on a fresh data directory, and its output must equal NAME.out.

NAME.out is what the script prints, then, when the script stops at an error, the error line (as `certos FILE.rsc`
prints it, with the line). The console prints the same output; a console error names no script line, so only the
error text before " (line" is compared there."""

import pathlib
import re
import subprocess

import pytest

from cli import CERTOS, run

SCRIPTS = sorted((pathlib.Path(__file__).parent.parent / "script").glob("*.rsc"))
ENV = {"COLUMNS": "160", "TZ": "UTC", "CERTOS_ADMIN_PASSWORD": "admin-test-pw"}


def fresh_data(tmp_path):
    """A data directory made beforehand, so that the first start's "created user admin" line is not in the output."""
    data = tmp_path / "data"
    run(data, "/")
    return data


def golden(script):
    return script.with_suffix(".out").read_text()


def without_position(text):
    return re.sub(r" \(line \d+( column \d+)?\)$", "", text, flags=re.M)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_script_file_matches_golden_output(script, tmp_path):
    proc = subprocess.run([CERTOS, "--data", str(fresh_data(tmp_path)), str(script)], capture_output=True, text=True,
                          env=dict(__import__("os").environ, **ENV), timeout=120)
    expected = golden(script)
    assert proc.stdout + proc.stderr == expected
    assert (proc.returncode == 0) == (proc.stderr == "")


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_script_as_console_line_matches_golden_output(script, tmp_path):
    code, stdout, stderr = run(fresh_data(tmp_path), script.read_text(), check=False)
    assert without_position(stdout + stderr) == without_position(golden(script))
    assert (code == 0) == (stderr == "")


def test_golden_files_cover_every_construct():
    text = "\n".join(s.read_text() for s in SCRIPTS)
    for construct in [":typeof", ":tostr", ":tonum", ":totime", ":tobool", ":toid", ":toarray", "1d - 2h",
                      "[:timestamp]", "$(", "$[", "\"$", ":local", ":global", ":set", ":if", ":while", ":for",
                      ":foreach k,v", "on-error=", ":onerror", ":error", ":return", "do={", "$1", "$0", ":pick",
                      ":len", ":find", ":delay", ":execute", ":beep", ":log", "print as-value", "get ca]",
                      "expires-after]", "find where", "->", "/log print", "/system script environment"]:
        assert construct in text, construct
