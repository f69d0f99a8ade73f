"""One command tree behind three front ends: the console (`certos -c` on the daemon's data directory), REST
(python3-requests) and the API protocol (python3-librouteros) send the same bad input and get the same error
text, and the same successful action leaves exactly one /log entry from each, in RouterOS's form and without
secrets.

The only difference in wording is RouterOS's own: the console checks a line's syntax before it runs it and
reports an unknown argument as "expected end of command (line 1 column N)", where REST and the API protocol
answer "unknown parameter X" (facts §2, §3.3); both are asserted here."""

import librouteros
import pytest
from librouteros.exceptions import TrapError

from cli import run
from conftest import ADMIN_PASSWORD

EXPORT_PASSPHRASE = "export-secret-1234"
USER_PASSWORD = "user-secret-5678"


def console_error(d, line):
    """The message the console prints for a failing line (it must fail)."""
    rc, out, err = run(d.data, line, check=False)
    assert rc != 0, f"{line!r} succeeded: {out}"
    return (err + out).strip()


def rest_error(session, method, url, body=None):
    response = session.request(method, url, json=body, timeout=30)
    assert response.status_code in (400, 403), f"{method} {url}: {response.status_code} {response.text}"
    return response.json()["detail"]


def api_error(api, path, **words):
    with pytest.raises(TrapError) as trap:
        tuple(api(path, **words))
    return trap.value.message


def api_connect(d, user="admin", password=ADMIN_PASSWORD):
    return librouteros.connect(host="127.0.0.1", username=user, password=password, port=d.api_port)


@pytest.fixture
def fronts(certos_daemon):
    """The daemon with one template `dup` to collide with, a REST session and an API connection as admin."""
    d = certos_daemon
    d.console("/certificate add name=dup common-name=dup key-size=prime256v1")
    rest = d.session()
    api = api_connect(d)
    yield d, rest, api
    api.close()


# Each case: the console line, the REST request (method, path, body) and the API sentence (path, words), and the
# message all three must report.
SAME_ERROR_CASES = [
    pytest.param("/certificate add name=x key-size=3000",
                 ("PUT", "/certificate", {"name": "x", "key-size": "3000"}),
                 ("/certificate/add", {"name": "x", "key-size": "3000"}),
                 "input does not match any value of key-size", id="bad-enum"),
    pytest.param("/certificate set nothing common-name=y",
                 ("POST", "/certificate/set", {"numbers": "nothing", "common-name": "y"}),
                 ("/certificate/set", {"numbers": "nothing", "common-name": "y"}),
                 "no such item", id="missing-item"),
    pytest.param("/certificate add common-name=y",
                 ("PUT", "/certificate", {"common-name": "y"}),
                 ("/certificate/add", {"common-name": "y"}),
                 "missing value(s) of argument(s) name", id="missing-required"),
    pytest.param("/certificate add name=dup common-name=y",
                 ("PUT", "/certificate", {"name": "dup", "common-name": "y"}),
                 ("/certificate/add", {"name": "dup", "common-name": "y"}),
                 "failure: certificate with the same name already exists", id="duplicate-name"),
    pytest.param("/certificate add name=x days-valid=0",
                 ("PUT", "/certificate", {"name": "x", "days-valid": "0"}),
                 ("/certificate/add", {"name": "x", "days-valid": "0"}),
                 "value of days-valid out of range (1..36500)", id="out-of-range"),
    pytest.param("/certificate sign dup ca=nothing",
                 ("POST", "/certificate/sign", {"number": "dup", "ca": "nothing"}),
                 ("/certificate/sign", {"number": "dup", "ca": "nothing"}),
                 "failure: CA certificate nothing does not exist", id="failure-in-pki"),
]


@pytest.mark.parametrize("line,rest_request,api_sentence,message", SAME_ERROR_CASES)
def test_the_same_bad_input_gets_the_same_message_everywhere(fronts, line, rest_request, api_sentence, message):
    d, rest, api = fronts
    method, path, body = rest_request
    assert console_error(d, line) == message
    assert rest_error(rest, method, d.url + path, body) == message
    assert api_error(api, api_sentence[0], **api_sentence[1]) == message


def test_unknown_argument(fronts):
    d, rest, api = fronts
    assert console_error(d, "/certificate add name=x colour=red") == "expected end of command (line 1 column 25)"
    assert rest_error(rest, "PUT", f"{d.url}/certificate", {"name": "x", "colour": "red"}) == "unknown parameter colour"
    assert api_error(api, "/certificate/add", name="x", colour="red") == "unknown parameter colour"


def test_not_enough_permissions_is_the_same_over_rest_and_the_api(fronts):
    # The local console always runs with every policy (a router's terminal); REST and the API log users in.
    d, rest, api = fronts
    # RouterOS's default `read` group has the sensitive policy; this one lacks it (and write).
    tuple(api("/user/group/add", name="viewers", policy="read,api,rest-api"))
    tuple(api("/user/add", name="viewer", group="viewers", password=USER_PASSWORD))
    viewer_rest = d.session("viewer", USER_PASSWORD)
    viewer_api = api_connect(d, "viewer", USER_PASSWORD)
    try:
        for rest_request, api_sentence in [
            (("PUT", "/certificate", {"name": "v", "common-name": "v"}), ("/certificate/add", {"name": "v"})),
            (("POST", "/certificate/remove", {"numbers": "dup"}), ("/certificate/remove", {"numbers": "dup"})),
            # `get` honours `sensitive` as `print` does: naming a sensitive property needs the policy.
            (("POST", "/user/get", {"number": "admin", "value-name": "password"}),
             ("/user/get", {"number": "admin", "value-name": "password"})),
            (("POST", "/file/get", {"number": "x.txt", "value-name": "contents"}),
             ("/file/get", {"number": "x.txt", "value-name": "contents"})),
        ]:
            method, path, body = rest_request
            assert rest_error(viewer_rest, method, d.url + path, body) == "not enough permissions (9)"
            assert api_error(viewer_api, api_sentence[0], **api_sentence[1]) == "not enough permissions (9)"
    finally:
        viewer_api.close()
    names = [c["name"] for c in rest.get(f"{d.url}/certificate", timeout=10).json()]
    assert names == ["dup"]  # nothing was added or removed


def test_get_of_a_sensitive_property_is_answered_with_the_policy(fronts):
    d, rest, api = fronts
    d.console('/file add name=x.txt contents="hello"')
    assert d.console(":put [/file get x.txt contents]").strip() == "hello"
    got = rest.post(f"{d.url}/file/get", json={"number": "x.txt", "value-name": "contents"}, timeout=10)
    assert got.status_code == 200 and got.json() == {"ret": "hello"}
    assert tuple(api("/file/get", number="x.txt", **{"value-name": "contents"})) == ({"ret": "hello"},)


def audit_entries(d, marker):
    """The /log messages that name `marker` (an item name), in order."""
    return [m for m in d.log() if marker in m]


def test_each_action_leaves_one_entry_in_the_same_form_from_each_front_end(fronts):
    d, rest, api = fronts
    via = {"console": "console", "rest": "rest-api 127.0.0.1", "api": "api 127.0.0.1"}

    def expect(name, front, *actions):
        assert audit_entries(d, name) == [a.format(name=name) + f" by admin ({via[front]})" for a in actions]

    # add
    d.console("/certificate add name=c-console common-name=c key-size=prime256v1")
    added = rest.put(f"{d.url}/certificate", json={"name": "c-rest", "common-name": "c", "key-size": "prime256v1"},
                     timeout=30).json()
    api_id = api.path("certificate").add(**{"name": "c-api", "common-name": "c", "key-size": "prime256v1"})
    for name, front in [("c-console", "console"), ("c-rest", "rest"), ("c-api", "api")]:
        expect(name, front, "certificate {name} added")

    # set: REST and the API name the item by its id; the entry names it by its name, as the console's does.
    d.console("/certificate set c-console common-name=d")
    assert rest.patch(f"{d.url}/certificate/{added['.id']}", json={"common-name": "d"}, timeout=30).ok
    api.path("certificate").update(**{".id": api_id, "common-name": "d"})
    for name, front in [("c-console", "console"), ("c-rest", "rest"), ("c-api", "api")]:
        expect(name, front, "certificate {name} added", "certificate {name} changed")

    # sign
    d.console("/certificate sign c-console")
    assert rest.post(f"{d.url}/certificate/sign", json={"number": added[".id"]}, timeout=60).ok
    tuple(api("/certificate/sign", **{".id": api_id}))
    for name, front in [("c-console", "console"), ("c-rest", "rest"), ("c-api", "api")]:
        expect(name, front, "certificate {name} added", "certificate {name} changed", "certificate sign {name}")

    # export with a passphrase: the passphrase never reaches the log
    d.console(f"/certificate export-certificate c-console export-passphrase={EXPORT_PASSPHRASE}")
    assert rest.post(f"{d.url}/certificate/export-certificate",
                     json={"numbers": added[".id"], "export-passphrase": EXPORT_PASSPHRASE}, timeout=30).ok
    tuple(api("/certificate/export-certificate", numbers=api_id, **{"export-passphrase": EXPORT_PASSPHRASE}))

    # remove
    d.console("/certificate remove c-console")
    assert rest.delete(f"{d.url}/certificate/{added['.id']}", timeout=30).ok
    api.path("certificate").remove(api_id)
    for name, front in [("c-console", "console"), ("c-rest", "rest"), ("c-api", "api")]:
        expect(name, front, "certificate {name} added", "certificate {name} changed", "certificate sign {name}",
               "certificate export-certificate {name}", "certificate {name} removed")

    # a user with a password, from each front end
    d.console(f"/user add name=u-console group=read password={USER_PASSWORD}")
    assert rest.put(f"{d.url}/user", json={"name": "u-rest", "group": "read", "password": USER_PASSWORD},
                    timeout=30).ok
    tuple(api("/user/add", name="u-api", group="read", password=USER_PASSWORD))
    for name, front in [("u-console", "console"), ("u-rest", "rest"), ("u-api", "api")]:
        expect(name, front, "user {name} added")

    log = d.log()
    assert not any(EXPORT_PASSPHRASE in m or USER_PASSWORD in m or ADMIN_PASSWORD in m for m in log)
