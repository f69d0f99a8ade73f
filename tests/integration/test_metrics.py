"""`/metrics` in Prometheus text format: behind REST's login (read policy), with commands per front end,
failed logins, certificates by state, seconds until expiry and the local CRL's age."""

import re

import requests

from conftest import ADMIN_PASSWORD
from test_rest_api import make_signed, ok


def samples(text):
    """{(name, labels): value} of every sample line; asserts every family has TYPE before its samples."""
    typed, out = set(), {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-z_]+)(\{(.*)\})? (\S+)', line)
        assert m, line
        name = m.group(1)
        assert re.sub(r"_(bucket|sum|count)$", "", name) in typed or name in typed, f"{name} before its TYPE"
        out[(name, m.group(3) or "")] = float(m.group(4))
    return out


def test_metrics_need_a_login_and_count_what_happened(certos_daemon):
    d = certos_daemon
    base = f"http://127.0.0.1:{d.www_port}/metrics"
    assert requests.get(base, timeout=10).status_code == 401
    assert requests.get(base, auth=("admin", "wrong"), timeout=30).status_code == 401
    s = d.session()
    ok(s.put(f"{d.url}/certificate", json={"name": "ca", "common-name": "ca", "key-size": "prime256v1",
                                           "key-usage": "key-cert-sign,crl-sign"}, timeout=10))
    ok(s.post(f"{d.url}/certificate/sign", json={"number": "ca", "ca-crl-host": "127.0.0.1"}, timeout=30))
    make_signed(s, d.url, "leaf", "leaf", ca="ca")
    ok(s.put(f"{d.url}/certificate", json={"name": "tpl", "common-name": "tpl"}, timeout=10))
    ok(s.post(f"{d.url}/certificate/issued-revoke", json={"numbers": "leaf"}, timeout=30))
    r = s.get(base, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    m = samples(r.text)
    assert m[("certos_certificates", 'state="template"')] == 1
    assert m[("certos_certificates", 'state="valid"')] == 1
    assert m[("certos_certificates", 'state="revoked"')] == 1
    assert 364 * 86400 < m[("certos_certificate_expiry_seconds", 'name="ca"')] <= 365 * 86400
    assert m[("certos_commands_total", 'via="rest-api",path="/certificate",verb="sign",outcome="ok"')] == 2
    assert m[("certos_commands_total", 'via="rest-api",path="/certificate",verb="issued-revoke",outcome="ok"')] == 1
    assert m[("certos_command_duration_seconds_count", 'via="rest-api",path="/certificate",verb="sign"')] == 2
    assert m[("certos_login_failures_total", 'via="rest-api"')] >= 1
    assert 0 <= m[("certos_crl_age_seconds", 'ca="ca"')] < 600
    assert m[("certos_crl_next_update_seconds", 'ca="ca"')] > 86400
    assert m[("certos_crl_entries", 'ca="ca"')] == 1
    # A user without the read policy is refused; nothing in the output is a secret.
    ok(s.put(f"{d.url}/user/group", json={"name": "restonly", "policy": "rest-api"}, timeout=10))
    ok(s.put(f"{d.url}/user", json={"name": "bot", "group": "restonly", "password": "bot-pw"}, timeout=30))
    assert requests.get(base, auth=("bot", "bot-pw"), timeout=30).status_code == 403
    assert ADMIN_PASSWORD not in r.text and "PRIVATE" not in r.text
