"""Listings streamed in bounded memory (issue 13): REST answers a long list as a chunked JSON array written as the
rows are read, the API protocol sends `!re` sentences as they come and a `/cancel` stops the listing half-way,
the console prints `print detail`/`terse` row by row. Real sockets, requests and librouteros."""

import socket

import pytest
import requests

import librouteros  # python3-librouteros, installed by scripts/install-deps.sh

from conftest import ADMIN_PASSWORD
from cli import run
from test_api import Raw
from test_system_scheduler import start_daemon

ROWS = 20000  # templates: about 9 MB of `!re` sentences, 12 MB of JSON; more than the sockets' buffers hold


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A daemon over a store of ROWS certificate templates (made by one console script before it starts)."""
    script = f':for i from=1 to={ROWS} do={{/certificate add name=("t" . $i) common-name=("host" . $i)}}'
    daemon = start_daemon(tmp_path_factory.mktemp("streaming"), None, before=[script])
    yield daemon
    daemon.stop()


def comparable(record):
    return {k: v for k, v in record.items() if k != "expires-after"}


def test_rest_list_is_a_chunked_array_equal_to_the_items(big):
    s = big.session()
    r = s.get(f"{big.url}/certificate", timeout=120)
    assert r.status_code == 200
    assert r.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in r.headers
    rows = r.json()
    assert len(rows) == ROWS
    assert [row["name"] for row in rows[:3]] == ["t1", "t2", "t3"]
    # Each element is what the item's own GET answers (one row, not streamed).
    for row in rows[:: ROWS // 25]:
        one = s.get(f"{big.url}/certificate/{row['.id']}", timeout=10)
        assert one.status_code == 200 and "Content-Length" in one.headers
        assert comparable(one.json()) == comparable(row)
    # POST .../print streams too, with the proplist and filter applied.
    p = s.post(f"{big.url}/certificate/print", json={".proplist": "name,common-name"}, timeout=120)
    assert p.status_code == 200 and p.headers.get("Transfer-Encoding") == "chunked"
    assert p.json() == [{"name": row["name"], "common-name": row["common-name"]} for row in rows]
    q = s.post(f"{big.url}/certificate/print", json={".proplist": "name", ".query": ["common-name=host77"]},
               timeout=10)
    assert q.json() == [{"name": "t77"}]
    # The connection goes on after a chunked answer (keep-alive); a short list is an ordinary response.
    small = s.get(f"{big.url}/certificate?name=t7", timeout=10)
    assert small.status_code == 200 and small.headers.get("Content-Length")
    assert [comparable(row) for row in small.json()] == [comparable(rows[6])]
    # An error found before the first row is the usual error answer, not a broken stream.
    bad = s.post(f"{big.url}/certificate/print", json={"from": "nothing"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["detail"] == "no such item"
    count = s.post(f"{big.url}/certificate/print", json={"count-only": ""}, timeout=10)
    assert count.json() == {"ret": str(ROWS)}


def test_rest_stream_to_a_client_that_goes_away_leaves_the_daemon_serving(big):
    sock = socket.create_connection(("127.0.0.1", big.www_port), timeout=10)
    auth = requests.auth._basic_auth_str("admin", ADMIN_PASSWORD)
    sock.sendall(f"GET /rest/certificate HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\r\n".encode())
    head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200") and b"chunked" in head.lower()
    sock.close()  # half-way through the array
    r = big.session().post(f"{big.url}/certificate/print", json={"count-only": ""}, timeout=10)
    assert r.json() == {"ret": str(ROWS)}


def test_api_streams_rows_and_cancel_stops_the_listing(big):
    raw = Raw(big.api_port, timeout=60)
    assert raw.login() == [["!done"]]
    raw.send("/certificate/print", "=.proplist=.id,name", ".tag=all")
    first = [raw.sentence() for _ in range(10)]
    assert [s[0] for s in first] == ["!re"] * 10 and first[0] == ["!re", "=.id=*1", "=name=t1", ".tag=all"]
    # The client stopped reading: the daemon waits for it (bounded memory) with the listing unfinished.
    raw.send("/cancel", "=tag=all", ".tag=c")
    got = []
    while not (["!done", ".tag=all"] in got and ["!done", ".tag=c"] in got):
        got.append(raw.sentence())
    rows = [s for s in got if s[0] == "!re"]
    assert ["!trap", "=category=2", "=message=interrupted", ".tag=all"] in got
    assert len(first) + len(rows) < ROWS  # stopped half-way
    trap = got.index(["!trap", "=category=2", "=message=interrupted", ".tag=all"])
    assert all(s[0] != "!re" for s in got[trap:])  # nothing of the listing after its trap
    # The connection is usable: a whole listing and a count on it.
    raw.send("/certificate/print", "?name=t20000", "=.proplist=name")
    assert raw.until_done() == [["!re", "=name=t20000"], ["!done"]]
    raw.close()


def test_librouteros_reads_the_whole_streamed_listing(big):
    api = librouteros.connect(host="127.0.0.1", username="admin", password=ADMIN_PASSWORD, port=big.api_port,
                              timeout=120)
    try:
        names = [row["name"] for row in api.path("/certificate").select("name")]
        assert len(names) == ROWS and names[0] == "t1" and names[-1] == f"t{ROWS}"
    finally:
        api.close()


def test_console_detail_and_terse_print_as_before(big):
    # Streamed row by row (detail, terse): the same text as printed whole for a few rows.
    terse = run(big.data, "/certificate print terse where name~\"^t1999\"")[1]
    lines = terse.splitlines()
    assert len(lines) == 11 and lines[0].split()[0] == "0" and " name=t1999 " in lines[0]
    detail = run(big.data, "/certificate print detail where name~\"^t1999[0-2]\"")[1]
    assert detail.startswith("Flags: ") and detail.count("name=\"t1999") == 3
    assert "\n\n 1 " in detail and "\n\n 2 " in detail
    # The item numbers of a streamed print are remembered for the next command of the same console.
    out = run(big.data, "/certificate print terse where name~\"^t1999[0-2]\"; :put [/certificate get 2 name]")[1]
    assert out.splitlines()[-1] == "t19992"
