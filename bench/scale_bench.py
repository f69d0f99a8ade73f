#!/usr/bin/env python3
"""Scale benchmark (issue 13): a store of 10,000 and 100,000 EC certificates issued by one CA (1,000,000 with
SCALE_MILLION=1), and what counts, filters and the daemon cost on it, with the store pushdown off (the row-by-row
path every listing took before: CERTOS_PUSHDOWN=off) and on, in the same run on the same store.

    /usr/bin/python3 bench/scale_bench.py            # uses build/certos and build/bench/scale_gen
    SIZES=10000 RUNS=3 CERTOS_BIN=build/certos SCALE_GEN=build/bench/scale_gen /usr/bin/python3 bench/scale_bench.py

Stores are made by bench/scale_gen (directly through pki and the store, one transaction per 2,000
certificates) under $SCALE_DATA (default /tmp/certos-scale-N) and reused when they already hold N + 1 rows.
Each figure is the median of RUNS wall-clock runs (console: the whole `certos -c` process, start to exit).
Memory is the daemon's VmRSS and VmHWM from /proc/PID/status after the REST requests. Above FULL_MAX (100,000)
only the pushed-down console figures are taken (see FULL_MAX below)."""

import base64
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request

CERTOS = os.environ.get("CERTOS_BIN", "build/certos")
SCALE_GEN = os.environ.get("SCALE_GEN", "build/bench/scale_gen")
SIZES = [int(s) for s in os.environ.get("SIZES", "10000,100000").split(",")]
if os.environ.get("SCALE_MILLION") == "1":
    SIZES.append(1000000)
RUNS = int(os.environ.get("RUNS", "3"))
# Above FULL_MAX certificates only the pushed-down console figures are taken: the row-by-row path and the daemon's
# list warm-up render every certificate (about 1.4 GB per 100,000), which would not fit beside other work.
FULL_MAX = int(os.environ.get("FULL_MAX", "100000"))
# BEFORE_BIN, when set, is another certos binary (a build of main before a change) whose figures fill the "before"
# column instead of the pushdown-off path: both columns then run with the pushdown on, the same store, one run.
# DAEMON_MAX is the largest store the daemon figures are taken on with the current binary (listings stream, so
# the daemon stays small at any size); the before binary is measured only up to FULL_MAX.
BEFORE_BIN = os.environ.get("BEFORE_BIN")
DAEMON_MAX = int(os.environ.get("DAEMON_MAX", str(FULL_MAX)))
PASSWORD = os.environ.setdefault("CERTOS_ADMIN_PASSWORD", "bench-pw")
os.environ["TZ"] = "UTC"


def data_dir(n):
    return os.environ.get("SCALE_DATA", "/tmp/certos-scale") + f"-{n}"


def console(data, command, pushdown):
    env = dict(os.environ, CERTOS_PUSHDOWN="on" if pushdown else "off")
    started = time.perf_counter()
    out = subprocess.run([CERTOS, "--data", data, "-c", command], check=True, capture_output=True, text=True,
                         env=env).stdout
    return (time.perf_counter() - started) * 1000, out


def make_store(n):
    data = data_dir(n)
    try:
        if int(console(data, "/certificate print count-only", True)[1].strip() or 0) == n + 1:
            return data
    except (subprocess.CalledProcessError, ValueError):
        pass
    shutil.rmtree(data, ignore_errors=True)
    started = time.monotonic()
    subprocess.run([SCALE_GEN, "--data", data, "--count", str(n)], check=True)
    print(f"store of {n} certificates made in {time.monotonic() - started:.0f} s ({data}, "
          f"{subprocess.run(['du', '-sh', data], capture_output=True, text=True).stdout.split()[0]})")
    return data


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median_ms(fn, runs):
    return statistics.median(fn() for _ in range(runs))


def rest(port, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/rest{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode())
    if body is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) // 1024
    return fields


def wait_for(proc, attempt):
    """Repeats `attempt` until it raises no OSError (connection refused while the daemon starts)."""
    while True:
        try:
            return attempt()
        except urllib.error.HTTPError:
            raise  # an answer (401: a store made with another CERTOS_ADMIN_PASSWORD), not a daemon starting
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("certos serve exited") from None
            time.sleep(0.002)


def all_rows(port):
    """GET /rest/certificate read to its end: (ms to the first byte of the body, ms in all, rows)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", "/rest/certificate", headers={
        "Authorization": "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()})
    response = connection.getresponse()
    first = response.read(1)
    first_byte = (time.perf_counter() - started) * 1000
    body = first + response.read()
    total = (time.perf_counter() - started) * 1000
    connection.close()
    return first_byte, total, body.count(b'{".id"')


def daemon_figures(data, pushdown, runs, binary=CERTOS):
    port = free_port()
    console(data, f"/ip service set www port={port}", True)
    for service in ("www-ssl", "api", "api-ssl"):
        console(data, f"/ip service set {service} disabled=yes", True)
    env = dict(os.environ, CERTOS_PUSHDOWN="on" if pushdown else "off")
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "--data", data, "serve", "--listen", "127.0.0.1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(proc, lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close())
        listening = (time.perf_counter() - started) * 1000
        wait_for(proc, lambda: rest(port, "GET", "/certificate/*1"))
        first_answer = (time.perf_counter() - started) * 1000

        def count_only():
            t = time.perf_counter()
            reply = rest(port, "POST", "/certificate/print", {"count-only": ""})
            assert int(reply["ret"]) > 0, reply
            return (time.perf_counter() - t) * 1000

        def by_name():
            t = time.perf_counter()
            reply = rest(port, "GET", "/certificate?name=c7777")
            assert len(reply) == 1, reply
            return (time.perf_counter() - t) * 1000

        figures = {"serve start to www listening": listening,
                   "serve start to first REST answer (incl. the first login's password hash)": first_answer,
                   "REST print count-only": median_ms(count_only, runs),
                   "REST GET /certificate?name=c7777": median_ms(by_name, runs)}
        if os.environ.get("ALL_ROWS", "1") == "1":
            for attempt in range(runs):
                first_byte, total, rows = all_rows(port)
                assert rows > 0, rows
                figures[f"REST GET /certificate, all {rows:,} rows: first byte (run {attempt + 1})"] = first_byte
                figures[f"REST GET /certificate, all {rows:,} rows: whole body (run {attempt + 1})"] = total
        mem = memory(proc.pid)
        figures["daemon VmRSS after these (MB)"] = mem["VmRSS"]
        figures["daemon VmHWM (MB)"] = mem["VmHWM"]
        return figures
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def figures(data, n, pushdown, binary=CERTOS):
    if binary != CERTOS:
        return daemon_figures(data, True, RUNS, binary) if n <= FULL_MAX else None
    if not pushdown and n > FULL_MAX:
        return None
    runs = RUNS if pushdown or n <= 10000 else 1  # the old path takes seconds per run at 100,000
    out = {}
    for label, command in (("certos -c '/certificate print count-only'", "/certificate print count-only"),
                           ("print count-only where expires-after<30d",
                            "/certificate print count-only where expires-after<30d"),
                           ("print where name=c7777", "/certificate print where name=c7777")):
        out[label] = median_ms(lambda: console(data, command, pushdown)[0], runs)
    if n <= (DAEMON_MAX if pushdown else FULL_MAX):
        out.update(daemon_figures(data, pushdown, runs))
    return out


def main():
    for n in SIZES:
        data = make_store(n)
        expiring = console(data, "/certificate print count-only where expires-after<30d", True)[1].strip()
        if BEFORE_BIN:
            before = figures(data, n, pushdown=True, binary=BEFORE_BIN)
            after = daemon_figures(data, True, RUNS) if n <= DAEMON_MAX else {}
            columns = f"{BEFORE_BIN} (before) | {CERTOS} (after)"
        else:
            before = figures(data, n, pushdown=False)
            after = figures(data, n, pushdown=True)
            columns = "pushdown off (before) | pushdown on (after)"
        print(f"\n{n} certificates (+ the CA), {expiring} expiring within 30 days; ms unless marked MB")
        print(f"| what | {columns} |\n| --- | --- | --- |")
        for label in after:
            was = f"{before[label]:,.0f}" if before and label in before else "not measured"
            print(f"| {label} | {was} | {after[label]:,.0f} |")


if __name__ == "__main__":
    main()
