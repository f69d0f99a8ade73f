"""The first hour of a RouterOS user in the interactive console (issue 16), in a real terminal (tmux): Ctrl-C
during a long sign, `print follow`, and completion that offers only the items that fit.

Run: CERTOS_BIN=build/certos /usr/bin/python3 -m pytest tests/integration/test_fidelity_console.py
"""

import re

import pytest

from cli import out
from test_console_tmux import EMPTY_ROOT_PROMPT, Terminal


@pytest.fixture
def setup_term(tmp_path):
    """A terminal on a data directory made beforehand by `certos -c` (the function's argument runs first)."""
    terminals = []

    def start(*lines):
        for line in lines:
            out(tmp_path / "data", line)
        terminal = Terminal(tmp_path)
        terminals.append(terminal)
        terminal.wait_for(EMPTY_ROOT_PROMPT)
        return terminal

    yield start
    for terminal in terminals:
        terminal.close()


def test_ctrl_c_stops_a_long_sign_and_leaves_the_template(setup_term):
    term = setup_term("/certificate add name=big common-name=big key-size=8192")
    term.type("/certificate sign big")
    term.key("Enter")
    term.wait_for(r"progress: generating rsa 8192 key \(1s\)", timeout=30)
    term.key("C-c")
    term.wait_for(r"(?:\^C)?interrupted\n" + EMPTY_ROOT_PROMPT)
    term.type(":put [/certificate print as-value proplist=name,key-size,fingerprint,private-key]")
    term.key("Enter")
    screen = term.wait_for(r"name=big.*\n" + EMPTY_ROOT_PROMPT)
    row = next(line for line in screen.splitlines() if line.startswith(".id="))
    assert "key-size=8192" in row and "private-key=false" in row and "fingerprint" not in row  # still a template


def test_print_follow_shows_what_is_added_until_ctrl_c(setup_term, tmp_path):
    term = setup_term("/certificate add name=first common-name=first")
    term.type("/certificate print follow")
    term.key("Enter")
    term.wait_for(r"^0\s+first\s+first$")
    out(tmp_path / "data", "/certificate add name=second common-name=second")  # another process
    term.wait_for(r"^1\s+second\s+second$")
    term.key("C-c")
    term.wait_for(r"(?:\^C)?interrupted\n" + EMPTY_ROOT_PROMPT)
    term.type("/log print follow-only")
    term.key("Enter")
    out(tmp_path / "data", ":log info hello-from-elsewhere")
    term.wait_for(r"hello-from-elsewhere$")
    term.key("C-c")
    term.wait_for(r"(?:\^C)?interrupted\n" + EMPTY_ROOT_PROMPT)


def test_print_interval_repeats_until_ctrl_c(setup_term):
    term = setup_term("/certificate add name=only common-name=only")
    term.type("/certificate print interval=1s")
    term.key("Enter")
    term.wait_for(r"^0\s+only\s+only\n(?:.*\n)*0\s+only\s+only$")  # printed at least twice
    term.key("C-c")
    term.wait_for(r"(?:\^C)?interrupted\n" + EMPTY_ROOT_PROMPT)


SIGNED = [
    "/certificate add name=myca common-name=myca key-size=prime256v1 key-usage=key-cert-sign,crl-sign",
    "/certificate sign myca",
    "/certificate add name=leaf common-name=leaf key-size=prime256v1 key-usage=digital-signature,tls-server",
    "/certificate sign leaf ca=myca",
    "/certificate add name=tpl-a common-name=a key-size=prime256v1",
    "/certificate add name=tpl-b common-name=b key-size=prime256v1",
]


def candidates_line(screen, word):
    """The line of completion candidates that holds `word`."""
    return next(line for line in screen.splitlines() if re.search(rf"(^|\s){re.escape(word)}(\s|$)", line))


def test_completion_offers_only_the_items_that_fit(setup_term):
    term = setup_term(*SIGNED)
    term.type("/certificate sign ")
    term.key("Tab")
    line = candidates_line(term.wait_for(r"tpl-b"), "tpl-a")
    assert "tpl-b" in line and "myca" not in line and "leaf" not in line
    term.key("C-u")
    term.type("/certificate sign tpl-a ca=")
    term.key("Tab")
    term.wait_for(r"/certificate sign tpl-a ca=myca$")  # the only CA with its key, completed at once
    term.key("C-u")
    term.type("/certificate create-certificate-request template=")
    term.key("Tab")
    term.wait_for(r"template=tpl-$")  # both templates share `tpl-`; nothing signed is offered
    term.key("C-u")
    term.type("/ip service set www-ssl certificate=")
    term.key("Tab")
    line = candidates_line(term.wait_for(r"^.*\bleaf\b.*$"), "myca")
    assert "leaf" in line and "tpl-a" not in line


def test_question_mark_at_the_root_lists_menus_and_global_commands(setup_term):
    term = setup_term()
    term.type("?")
    screen = term.wait_for(r"^:put\s+-- global command$")
    assert re.search(r"^certificate\s+-- ", screen, re.MULTILINE)
    assert re.search(r"^:local\s+-- global command$", screen, re.MULTILINE)
