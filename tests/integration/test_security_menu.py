"""Security of the command tree through the real daemon and real clients (issue 12).

1. Sensitive properties (`/file` `contents`) are neither returned to a user without the `sensitive` policy nor
   usable by that user in a filter, a proplist or get's value-name - from REST and from the API protocol
   (python3-librouteros) alike, since the rule lives once in the command tree.
2. export-certificate needs write as well as read and sensitive, and never replaces a file it did not make.
3. Query floods (20,000 `#&`, `#!`, `#|`) are answered with an error, and the daemon goes on serving."""

import librouteros
import pytest
from librouteros.exceptions import TrapError

from conftest import ADMIN_PASSWORD

LIMITED = "auditor"
LIMITED_PASSWORD = "auditor-pw-1"
SECRET = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nsecret\n"


def rest_ok(response):
    assert response.status_code < 300, response.text
    return response.json()


def add_limited_user(d, policy="local,read,write,test,api,rest-api,!sensitive"):
    """A group without the sensitive policy and a user in it, made over REST by admin."""
    admin = d.session()
    rest_ok(admin.put(f"{d.url}/user/group", json={"name": "nosensitive", "policy": policy}, timeout=10))
    rest_ok(admin.put(f"{d.url}/user", json={"name": LIMITED, "group": "nosensitive", "password": LIMITED_PASSWORD},
                      timeout=10))
    return d.session(LIMITED, LIMITED_PASSWORD)


def api_connect(d, user="admin", password=ADMIN_PASSWORD):
    return librouteros.connect(host="127.0.0.1", username=user, password=password, port=d.api_port)


def test_sensitive_file_contents_are_hidden_and_not_filterable_over_rest_and_api(certos_daemon):
    d = certos_daemon
    admin = d.session()
    rest_ok(admin.put(f"{d.url}/file", json={"name": "cert_export_k.key", "contents": SECRET}, timeout=10))
    user = add_limited_user(d)

    # Returned to nobody without the policy: print, GET by name, get without value-name.
    listed = rest_ok(user.get(f"{d.url}/file", timeout=10))
    assert [f["name"] for f in listed] == ["cert_export_k.key"]
    assert "contents" not in listed[0]
    assert "contents" not in rest_ok(user.get(f"{d.url}/file/cert_export_k.key", timeout=10))
    got = rest_ok(user.post(f"{d.url}/file/get", json={"number": "cert_export_k.key"}, timeout=10))
    assert got and all("contents" not in record for record in got), got

    # Usable by nobody without the policy: every way of naming it is refused (403, the tree's message).
    refused = [
        user.get(f"{d.url}/file", params={"contents": SECRET}, timeout=10),
        user.get(f"{d.url}/file", params={".proplist": "name,contents"}, timeout=10),
        user.post(f"{d.url}/file/print", json={".query": ["contents=x"]}, timeout=10),
        user.post(f"{d.url}/file/print", json={".query": [">contents=-----A", "name=cert_export_k.key", "#&"]},
                  timeout=10),
        user.post(f"{d.url}/file/print", json={".proplist": ["contents"]}, timeout=10),
        user.post(f"{d.url}/file/get", json={"number": "cert_export_k.key", "value-name": "contents"}, timeout=10),
    ]
    for response in refused:
        assert response.status_code == 403, (response.request.url, response.request.body, response.text)
        assert response.json()["detail"] == "not enough permissions (9)"

    # The same through the API protocol.
    api = api_connect(d, LIMITED, LIMITED_PASSWORD)
    try:
        files = tuple(api("/file/print"))
        assert files and "contents" not in files[0]
        got = tuple(api("/file/get", number="cert_export_k.key"))
        assert got and all("contents" not in record for record in got), got
        for words in (["?>contents=-----A"], ["?contents"], ["?=contents=" + SECRET], ["=.proplist=contents"]):
            with pytest.raises(TrapError) as trap:
                tuple(api.rawCmd("/file/print", *words))
            assert "not enough permissions" in str(trap.value)
        with pytest.raises(TrapError):
            tuple(api("/file/get", number="cert_export_k.key", **{"value-name": "contents"}))
        assert tuple(api("/system/resource/print"))  # the connection is still good
    finally:
        api.close()

    # admin (full, with sensitive) still reads and filters it.
    assert rest_ok(admin.get(f"{d.url}/file", params={"contents": SECRET}, timeout=10))[0]["contents"] == SECRET
    api = api_connect(d)
    try:
        assert [f["name"] for f in api.rawCmd("/file/print", "?>contents=-----A")] == ["cert_export_k.key"]
    finally:
        api.close()


def test_query_floods_are_errors_and_the_daemon_keeps_serving(certos_daemon):
    d = certos_daemon
    s = d.session()
    for op in ("#&", "#!", "#|"):
        r = s.post(f"{d.url}/certificate/print", json={".query": [op] * 20000}, timeout=30)
        assert r.status_code == 400, r.text
        assert r.json()["detail"].startswith("query "), r.text
        assert s.get(f"{d.url}/system/resource", timeout=10).status_code == 200
    # One word with 20,000 operators, and `#.` doubling.
    r = s.post(f"{d.url}/certificate/print", json={".query": ["name=a", "#" + "!" * 20000]}, timeout=30)
    assert r.status_code == 400, r.text
    r = s.post(f"{d.url}/certificate/print", json={".query": ["name=a", "#" + ".&" * 60]}, timeout=30)
    assert r.status_code == 400, r.text

    # The API protocol takes at most 1,000 words in a sentence (a !fatal beyond), so its floods are one word of
    # 20,000 operators, or 999 words of one.
    api = api_connect(d)
    try:
        floods = [["?#" + op * 20000] for op in "&!|"] + [["?#!"] * 999, ["?name=a"] + ["?#.&"] * 998]
        for words in floods:
            with pytest.raises(TrapError) as trap:
                tuple(api.rawCmd("/certificate/print", *words))
            assert str(trap.value).startswith("query "), trap.value
            assert tuple(api("/system/resource/print"))[0]["version"].startswith("7.")
    finally:
        api.close()
    assert d.proc.poll() is None
    assert s.get(f"{d.url}/certificate", timeout=10).json() == []
