"""The interactive console in a real terminal: certos runs in a detached tmux session, keys are typed into it
and the screen is read back with capture-pane.

Run: CERTOS_BIN=build/certos /usr/bin/python3 -m pytest tests/integration/test_console_tmux.py
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CERTOS = Path(os.environ.get("CERTOS_BIN", REPO / "build" / "certos")).resolve()

# A missing dependency is a failure, not a skip: scripts/install-deps.sh installs tmux, make builds certos.
assert shutil.which("tmux") is not None, "tmux is not installed (scripts/install-deps.sh)"
assert CERTOS.exists(), f"{CERTOS} is not built (set CERTOS_BIN)"

# capture-pane drops trailing blanks, so the prompts are matched without their final space.
ROOT_PROMPT = re.escape("[admin@certos] >")
CERT_PROMPT = re.escape("[admin@certos] /certificate>")
EMPTY_ROOT_PROMPT = "^" + ROOT_PROMPT + "$"


class Terminal:
    """One tmux server on a private socket, running certos in a 160x50 window."""

    def __init__(self, tmp_path: Path):
        self.socket = str(tmp_path / "tmux.sock")
        self.data = tmp_path / "data"
        self.tmux("new-session", "-d", "-s", "certos", "-x", "160", "-y", "50",
                  f"env TERM=xterm COLUMNS=160 {CERTOS} --data {self.data}")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "certos", "-l", text)

    def key(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "certos", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "certos")

    def wait_for(self, pattern: str, timeout: float = 10.0) -> str:
        """Waits until the screen matches the regular expression `pattern` (multi-line); returns the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            try:
                screen = self.screen()
            except subprocess.CalledProcessError:
                break
            if re.search(pattern, screen, re.MULTILINE):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"screen never matched {pattern!r}:\n{screen}")

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-S", self.socket, "has-session", "-t", "certos"],
                              capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def term(tmp_path):
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for(EMPTY_ROOT_PROMPT)
        yield terminal
    finally:
        terminal.close()


def test_tab_completes_verb_then_add_and_print(term):
    term.type("/certificate ad")
    term.key("Tab")
    term.wait_for(r"/certificate add")
    term.type(" name=t1 common-name=x")
    term.key("Enter")
    term.wait_for(EMPTY_ROOT_PROMPT)
    term.type("/certificate")
    term.key("Enter")
    term.wait_for("^" + CERT_PROMPT + "$")
    term.type("print")
    term.key("Enter")
    screen = term.wait_for(r"^0\s+t1\s+x\s*$")
    assert "Columns: NAME, COMMON-NAME" in screen


def test_tab_completes_argument_names_and_values(term):
    term.type("/certificate add key-si")
    term.key("Tab")
    term.wait_for(r"/certificate add key-size=$")
    term.type("40")
    term.key("Tab")
    term.wait_for(r"/certificate add key-size=4096$")
    term.type("name=t2")
    term.key("Enter")
    term.wait_for(EMPTY_ROOT_PROMPT)
    term.type(":put [/certificate get t2 key-size]")
    term.key("Enter")
    term.wait_for(r"^4096$")


def test_question_mark_lists_verbs_and_reshows_the_line(term):
    term.type("/certificate")
    term.key("Enter")
    term.wait_for("^" + CERT_PROMPT + "$")
    term.type("?")
    screen = term.wait_for(r"^print\s+-- .*\n(?:.*\n)*" + CERT_PROMPT + "$")
    assert re.search(r"^add\s+-- ", screen, re.MULTILINE)
    assert re.search(r"^remove\s+-- ", screen, re.MULTILINE)
    term.type("add ?")
    term.wait_for(r"^  common-name\s+-- .*\n(?:.*\n)*" + CERT_PROMPT + r" add$")


def test_errors_history_and_ctrl_d(term):
    term.type("/certificate frobnicate")
    term.key("Enter")
    term.wait_for(r"^bad command name frobnicate \(line 1 column 14\)$")
    term.type("/certificate add key-size=99")
    term.key("Enter")
    term.wait_for(r"^input does not match any value of key-size$")
    term.key("Up")
    term.wait_for(ROOT_PROMPT + r" /certificate add key-size=99$")
    term.key("C-u")
    term.key("C-d")
    deadline = time.monotonic() + 5
    while term.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not term.alive()
