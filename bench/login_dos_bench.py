#!/usr/bin/python3
"""Login latency under a password-guessing flood and idle connections (issue 12), with a baseline in the same run.

    /usr/bin/python3 bench/login_dos_bench.py                      # uses build/certos
    CERTOS_BIN=/path/to/certos ROUNDS=10 GUESSERS=16 IDLE=50 /usr/bin/python3 bench/login_dos_bench.py

Starts `certos serve` on a fresh data directory (www and api on free loopback ports), then measures, first with
nothing else going on and then while GUESSERS threads guess passwords of user `x` from 127.0.0.2 over keep-alive
connections (a new wrong password each try) and IDLE TCP connections are held open to www and to api each:

- an administrator's REST login: a GET on a new connection from a loopback address of its own, so that the
  password check (PBKDF2, 600,000 rounds) really runs;
- an administrator's authenticated REST request on a kept-alive connection (the login remembered);
- an administrator's API login with librouteros from an address of its own.

Prints min / median / max of ROUNDS tries each, how many guesses were answered, and the /log lines the flood left."""

import base64
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import librouteros
import requests

CERTOS = os.environ.get("CERTOS_BIN", "build/certos")
ROUNDS = int(os.environ.get("ROUNDS", "10"))
GUESSERS = int(os.environ.get("GUESSERS", "16"))
IDLE = int(os.environ.get("IDLE", "50"))
PASSWORD = "bench-admin-pw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def console(data, command):
    env = dict(os.environ, CERTOS_ADMIN_PASSWORD=PASSWORD, TZ="UTC")
    subprocess.run([CERTOS, "--data", data, "-c", command], check=True, env=env, capture_output=True)


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def fresh_login(port, source):
    """Seconds for a GET as admin on a new connection from `source` (no remembered login there)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))
    try:
        conn.request("GET", "/rest/system/resource", headers=basic("admin", PASSWORD))
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
    finally:
        conn.close()
    return time.perf_counter() - started


def api_login(port, source):
    started = time.perf_counter()
    api = librouteros.connect(host="127.0.0.1", username="admin", password=PASSWORD, port=port, saddr=source,
                              timeout=120)
    api.close()
    return time.perf_counter() - started


def guesser(port, stop, answered, errors):
    conn, n = None, 0
    while not stop.is_set():
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=("127.0.0.2", 0))
            n += 1
            conn.request("GET", "/rest/system/resource", headers=basic("x", f"guess-{threading.get_ident()}-{n}"))
            response = conn.getresponse()
            response.read()
            answered.append(response.status)
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors.append(1)
            if conn is not None:
                conn.close()
                conn = None
            time.sleep(0.05)


def measure(label, www, api, session, round_base):
    fresh, cached, api_times = [], [], []
    for i in range(ROUNDS):
        fresh.append(fresh_login(www, f"127.0.{round_base}.{i + 1}"))
        started = time.perf_counter()
        session.get(f"http://127.0.0.1:{www}/rest/system/resource", timeout=120).raise_for_status()
        cached.append(time.perf_counter() - started)
        api_times.append(api_login(api, f"127.0.{round_base + 1}.{i + 1}"))

    def line(name, values):
        ms = [v * 1000 for v in values]
        return (f"  {name:<34} min {min(ms):7.1f} ms  median {statistics.median(ms):7.1f} ms  "
                f"max {max(ms):7.1f} ms")

    print(f"== {label}")
    print(line("REST login (password check)", fresh))
    print(line("REST request, login remembered", cached))
    print(line("API login (librouteros)", api_times))


def main():
    tmp = tempfile.mkdtemp(prefix="certos-login-bench-")
    data = os.path.join(tmp, "data")
    www, api = free_port(), free_port()
    console(data, f"/ip service set www port={www}")
    console(data, f"/ip service set api port={api}")
    console(data, "/user add name=x group=read password=x-right-pw")
    env = dict(os.environ, CERTOS_ADMIN_PASSWORD=PASSWORD, TZ="UTC")
    server = subprocess.Popen([CERTOS, "--data", data, "serve", "--listen", "127.0.0.1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", www), timeout=0.5).close()
                socket.create_connection(("127.0.0.1", api), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        print(f"== machine: {os.cpu_count()} cores, load {load}; {CERTOS}; {ROUNDS} rounds")
        session = requests.Session()
        session.auth = ("admin", PASSWORD)
        session.get(f"http://127.0.0.1:{www}/rest/system/resource", timeout=120).raise_for_status()

        measure("baseline: nothing else going on", www, api, session, 10)

        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for port in (www, api) for _ in range(IDLE)]
        stop, answered, errors = threading.Event(), [], []
        threads = [threading.Thread(target=guesser, args=(www, stop, answered, errors)) for _ in range(GUESSERS)]
        for t in threads:
            t.start()
        time.sleep(2)  # the flood under way
        started, before = time.monotonic(), len(answered)
        try:
            measure(f"under attack: {GUESSERS} clients guessing passwords from 127.0.0.2, {IDLE} idle connections "
                    f"each to www and api", www, api, session, 20)
        except Exception as e:  # noqa: BLE001 - what the attack did is the result
            print(f"  an administrator's request failed: {e!r}")
        seconds = time.monotonic() - started
        stop.set()
        for t in threads:
            t.join()
        for s in idle:
            s.close()
        guesses = len(answered) - before
        print(f"  guesses answered meanwhile: {guesses} in {seconds:.1f} s ({guesses / seconds:.0f}/s, all "
              f"{sorted(set(answered))}); connection errors {len(errors)}")
        log = session.get(f"http://127.0.0.1:{www}/rest/log", timeout=120).json()
        failures = sum(1 for e in log if e["message"].startswith("login failure for user x"))
        throttled = [e["message"] for e in log if "throttled" in e["message"]]
        print(f"  /log: {failures} 'login failure for user x' lines; throttling lines: {throttled}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
