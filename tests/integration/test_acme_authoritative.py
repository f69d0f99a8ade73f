"""DNS-01's propagation check without dns-server=: certos finds the zone of the _acme-challenge record (SOA),
its name servers (NS) and their addresses (A) through a recursive resolver, and waits until every one of them
serves the TXT record, as lego does.

Authoritative servers answer on port 53, so the scenario runs in a private network namespace
(`unshare -rn`, loopback only), where port 53 of 127.0.0.2 and 127.0.0.3 is free to bind:
- 127.0.0.1:RESOLVER — the recursive resolver (dnslib): example.com's SOA, NS ns1 and ns2, their A records;
- 127.0.0.2:53 — ns1, pebble-challtestsrv, the zone's primary, where the dns-hook publishes the record and
  where pebble looks it up;
- 127.0.0.3:53 — ns2, a lagging secondary (dnslib): it forwards TXT questions to ns1 but answers the first
  few with nothing, as a secondary does before its zone transfer.

The driver test_* below runs this module's netns_* functions with pytest inside the namespace."""

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import requests
from dnslib import A, CNAME, NS, QTYPE, RCODE, RR, SOA, DNSRecord
from dnslib.server import BaseResolver, DNSServer

from acme_fixture import Pebble
from cli import run
from conftest import Daemon, free_port

HERE = Path(__file__).resolve().parent
ZONE = "example.com."
NS1, NS2 = "127.0.0.2", "127.0.0.3"


def test_dns01_check_finds_and_asks_every_authoritative_server():
    """Runs the netns_* scenarios in a private network namespace and reports their pytest outcome."""
    inner = subprocess.run(
        ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$0" -m pytest -q -p no:cacheprovider '
         '-o python_functions="netns_*" "$1"', sys.executable, str(Path(__file__).resolve())],
        cwd=HERE, capture_output=True, text=True, timeout=600)
    assert inner.returncode == 0, inner.stdout + inner.stderr
    assert "3 passed" in inner.stdout, inner.stdout


class Quiet:
    """dnslib's server logger, silent."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class Recursive(BaseResolver):
    """The recursive resolver's view of example.com; `cnames` maps a name to its alias target."""

    def __init__(self, cnames=None):
        self.cnames = cnames or {}
        self.questions = []

    def resolve(self, request, handler):
        reply = request.reply()
        name, qtype = str(request.q.qname).lower(), QTYPE[request.q.qtype]
        self.questions.append((name, qtype))
        soa = RR(ZONE, QTYPE.SOA, rdata=SOA("ns1." + ZONE, "hostmaster." + ZONE, (1, 3600, 600, 86400, 60)))
        if name in self.cnames and qtype in ("CNAME", "TXT", "SOA"):
            reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME(self.cnames[name])))
        elif not name.endswith(ZONE):
            reply.header.rcode = RCODE.NXDOMAIN
        elif name == ZONE and qtype == "SOA":
            reply.add_answer(soa)
        elif name == ZONE and qtype == "NS":
            reply.add_answer(RR(ZONE, QTYPE.NS, rdata=NS("ns1." + ZONE)), RR(ZONE, QTYPE.NS, rdata=NS("ns2." + ZONE)))
        elif name == "ns1." + ZONE and qtype == "A":
            reply.add_answer(RR(name, QTYPE.A, rdata=A(NS1)))
        elif name == "ns2." + ZONE and qtype == "A":
            reply.add_answer(RR(name, QTYPE.A, rdata=A(NS2)))
        else:
            reply.add_auth(soa)  # NOERROR, no data: the zone's SOA in the authority section
        return reply


class LaggingSecondary(BaseResolver):
    """ns2: answers TXT questions from ns1, but the first `lag` of them with nothing."""

    def __init__(self, lag):
        self.lag = lag
        self.txt_questions = 0
        self.lock = threading.Lock()

    def resolve(self, request, handler):
        if QTYPE[request.q.qtype] != "TXT":
            return request.reply()
        with self.lock:
            self.txt_questions += 1
            lagging = self.txt_questions <= self.lag
        if lagging:
            return request.reply()
        return DNSRecord.parse(request.send(NS1, 53, timeout=2))


def serve(resolver, address, port):
    server = DNSServer(resolver, address=address, port=port, logger=Quiet())
    server.start_thread()
    return server


def daemon_in(tmp_path):
    data = tmp_path / "data"
    www_port, ssl_port = free_port(), free_port()
    for service, port in (("www", www_port), ("www-ssl", ssl_port), ("api", free_port()),
                          ("api-ssl", free_port())):
        run(data, f"/ip service set {service} port={port}")
    return Daemon(data, www_port, ssl_port, tmp_path)


def hook_for(tmp_path, pebble, publish_at=None):
    """A dns-hook publishing the record in pebble-challtestsrv (at `publish_at` instead of the name given)."""
    hook = tmp_path / "dns-hook.sh"
    host = f'"{publish_at}"' if publish_at else '"\'"$2"\'"'  # a JSON string, in the single-quoted body
    hook.write_text(f"""#!/bin/sh
echo "$1 $2" >> {tmp_path / "hook-calls"}
if [ "$1" = present ]; then
  exec curl -sf -X POST -d '{{"host":{host},"value":"'"$3"'"}}' http://127.0.0.1:{pebble.challtest_port}/set-txt
else
  exec curl -sf -X POST -d '{{"host":{host}}}' http://127.0.0.1:{pebble.challtest_port}/clear-txt
fi
""")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    return hook


class Scenario:
    """certos, pebble with challtestsrv as ns1, the lagging ns2 and the resolver, all in this namespace."""

    def __init__(self, tmp_path, cnames=None, lag=3):
        self.daemon = daemon_in(tmp_path)
        self.pebble = Pebble(tmp_path / "pebble", self.daemon.www_port, dns_host=NS1, dns_port=53)
        files = self.daemon.data / "files"
        files.mkdir(parents=True, exist_ok=True)
        (files / "pebble-tls-ca.pem").write_bytes(self.pebble.tls_ca.read_bytes())
        run(self.daemon.data, "/certificate import file-name=pebble-tls-ca.pem name=pebble-tls-ca trusted=yes")
        self.recursive = Recursive(cnames)
        self.resolver_port = free_port()
        self.secondary = LaggingSecondary(lag)
        self.servers = [serve(self.recursive, "127.0.0.1", self.resolver_port), serve(self.secondary, NS2, 53)]

    def add_acme(self, name, domain, hook, resolver=None):
        resolver = resolver or f"127.0.0.1:{self.resolver_port}"
        return run(self.daemon.data, f"/certificate add-acme name={name} directory-url={self.pebble.directory_url} "
                                     f"domain-names={domain} dns-hook={hook} dns-resolver={resolver}", check=False)

    def record(self, name):
        r = self.daemon.session().get(f"{self.daemon.url}/certificate", params={"name": name}, timeout=10)
        r.raise_for_status()
        (record,) = r.json()
        return record

    def stop(self):
        for server in self.servers:
            server.stop()
        self.pebble.stop()
        self.daemon.stop()


def netns_every_authoritative_server_serves_the_record_first(tmp_path):
    scenario = Scenario(tmp_path, lag=3)
    try:
        hook = hook_for(tmp_path, scenario.pebble)
        code, out, err = scenario.add_acme("wild", "*.wild.example.com", hook)
        assert code == 0, out + err
        record = scenario.record("wild")
        assert record["acme-status"] == "valid"
        assert "*.wild.example.com" in record["subject-alt-name"]
        # The zone, its servers and their addresses came from the resolver ...
        asked = set(scenario.recursive.questions)
        assert ("_acme-challenge.wild.example.com.", "SOA") in asked
        assert (ZONE, "NS") in asked and ("ns1." + ZONE, "A") in asked and ("ns2." + ZONE, "A") in asked
        # ... and ns2 was asked again until it served the record (3 empty answers, then the record).
        assert scenario.secondary.txt_questions >= 4
    finally:
        scenario.stop()


def netns_a_cname_at_the_record_is_followed(tmp_path):
    """_acme-challenge.alias.example.com is a CNAME to _acme-challenge.target.example.com (a delegated
    challenge record): certos checks the record at the target, where the hook published it."""
    alias, target = "_acme-challenge.alias.example.com.", "_acme-challenge.target.example.com."
    scenario = Scenario(tmp_path, cnames={alias: target}, lag=0)
    try:
        hook = hook_for(tmp_path, scenario.pebble, publish_at=target)
        # pebble asks challtestsrv, which must know the alias as well.
        requests.post(f"http://127.0.0.1:{scenario.pebble.challtest_port}/set-cname",
                      json={"host": alias, "target": target}, timeout=10).raise_for_status()
        code, out, err = scenario.add_acme("alias", "*.alias.example.com", hook)
        assert code == 0, out + err
        assert scenario.record("alias")["acme-status"] == "valid"
        assert (alias, "CNAME") in scenario.recursive.questions
        assert ("_acme-challenge.target.example.com.", "SOA") in set(scenario.recursive.questions)
        assert scenario.secondary.txt_questions >= 1
    finally:
        scenario.stop()


def netns_a_resolver_that_does_not_answer_is_a_clear_error(tmp_path):
    scenario = Scenario(tmp_path)
    try:
        hook = hook_for(tmp_path, scenario.pebble)
        silent = f"127.0.0.1:{free_port()}"
        code, out, err = scenario.add_acme("silent", "*.silent.example.com", hook, resolver=silent)
        assert code != 0
        assert f"DNS-01: the resolver {silent} does not answer" in out + err
        record = scenario.record("silent")
        assert f"the resolver {silent} does not answer" in record["acme-status"]
        assert "invalid-after" not in record  # nothing issued, nothing half-stored
        lines = (tmp_path / "hook-calls").read_text().splitlines()
        assert lines[0] == "present _acme-challenge.silent.example.com."
        assert "cleanup _acme-challenge.silent.example.com." in lines  # the record is withdrawn again
    finally:
        scenario.stop()
