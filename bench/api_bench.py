#!/usr/bin/env python3
"""API protocol benchmark (issue 6): list 10,000 certificates through Debian's python3-librouteros
(`api.path('certificate')`, i.e. `/certificate/print` with every property) against `certos serve`.

    /usr/bin/python3 bench/api_bench.py                     # uses build/certos
    CERTOS_BIN=build-api/certos COUNT=10000 RUNS=5 /usr/bin/python3 bench/api_bench.py

The certificates (EC P-256, signed by one local CA, made with a console script as bench/rest_bench.sh does)
take minutes to create; the data directory is kept in $BENCH_DATA and reused when it already holds them.
Prints the best and the median of RUNS listings; the target is < 1 s."""

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
import librouteros.query

CERTOS = os.environ.get("CERTOS_BIN", "build/certos")
COUNT = int(os.environ.get("COUNT", "10000"))
RUNS = int(os.environ.get("RUNS", "5"))
DATA = os.environ.get("BENCH_DATA", f"/tmp/certos-api-bench-{COUNT}")
PASSWORD = os.environ.setdefault("CERTOS_ADMIN_PASSWORD", "bench-pw")
os.environ["TZ"] = "UTC"


def console(command):
    return subprocess.run([CERTOS, "--data", DATA, "-c", command], check=True, capture_output=True, text=True).stdout


def make_store():
    try:
        if int(console("/certificate print count-only").strip() or 0) >= COUNT:
            return
    except (subprocess.CalledProcessError, ValueError):
        pass
    shutil.rmtree(DATA, ignore_errors=True)
    with tempfile.NamedTemporaryFile("w", suffix=".rsc", delete=False) as script:
        script.write("/certificate add name=bench-ca common-name=bench-ca key-size=prime256v1 "
                     "key-usage=key-cert-sign,crl-sign\n/certificate sign bench-ca\n")
        for i in range(COUNT - 1):
            script.write(f"/certificate add name=c{i} common-name=c{i}.bench subject-alt-name=DNS:c{i}.bench "
                         f"key-size=prime256v1\n/certificate sign c{i} ca=bench-ca\n")
    started = time.monotonic()
    subprocess.run([CERTOS, "--data", DATA, script.name], check=True, stdout=subprocess.DEVNULL)
    os.unlink(script.name)
    print(f"created {COUNT} certificates in {time.monotonic() - started:.0f} s ({DATA})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw_listing(port):
    """Seconds for `/certificate/print` read with large recv() calls: certos's own cost plus the transfer;
    and the reply's bytes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    word = lambda text: bytes([len(text)]) + text.encode()  # noqa: E731 (all words here are < 128 bytes)
    sock.sendall(word("/login") + word("=name=admin") + word(f"=password={PASSWORD}") + b"\x00")
    while not sock.recv(4096).endswith(b"!done\x00"):
        pass
    started = time.perf_counter()
    sock.sendall(word("/certificate/print") + b"\x00")
    reply = bytearray()
    while not reply.endswith(b"\x05!done\x00"):
        reply += sock.recv(1 << 20)
    elapsed = time.perf_counter() - started
    sock.close()
    return elapsed, bytes(reply)


def replay_listing(reply):
    """Seconds librouteros needs to list `reply` (certos's recorded answer to `/certificate/print`) from a
    server that only replays bytes: the client's own cost, which no server can lower."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        with conn:
            pending = b""
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                pending += data
                while b"\x00" in pending:  # every request here is words < 128 bytes, then a 0 byte
                    sentence, pending = pending.split(b"\x00", 1)
                    conn.sendall(reply if b"/certificate/print" in sentence else b"\x05!done\x00")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    api = librouteros.connect(host="127.0.0.1", username="admin", password=PASSWORD,
                              port=listener.getsockname()[1], timeout=60)
    started = time.perf_counter()
    listed = list(api.path("certificate"))
    elapsed = time.perf_counter() - started
    api.close()
    thread.join(timeout=10)
    listener.close()
    assert len(listed) >= COUNT, len(listed)
    return elapsed


def main():
    make_store()
    port, www = free_port(), free_port()
    console(f"/ip service set api port={port}")
    console(f"/ip service set www port={www}")
    console(f"/user set admin password={PASSWORD}")  # a reused store may have another one
    server = subprocess.Popen([CERTOS, "--data", DATA, "serve", "--listen", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        api = librouteros.connect(host="127.0.0.1", username="admin", password=PASSWORD, port=port, timeout=60)
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            listed = list(api.path("certificate"))
            times.append(time.perf_counter() - started)
            assert len(listed) >= COUNT, len(listed)
        fields = len(listed[-1])
        proplist = []
        for _ in range(RUNS):
            started = time.perf_counter()
            list(api.path("certificate").select(librouteros.query.Key(".id"), librouteros.query.Key("name")))
            proplist.append(time.perf_counter() - started)
        raw_runs = [raw_listing(port) for _ in range(RUNS)]
        raw = [elapsed for elapsed, _ in raw_runs]
        replay = [replay_listing(raw_runs[0][1]) for _ in range(RUNS)]
        print(f"api: raw socket client (server and transfer only): best {min(raw) * 1000:.0f} ms, "
              f"median {statistics.median(raw) * 1000:.0f} ms ({len(raw_runs[0][1]):,} bytes)")
        print(f"api: librouteros reading the same reply from a byte-replaying server (the client alone): "
              f"best {min(replay) * 1000:.0f} ms, median {statistics.median(replay) * 1000:.0f} ms")
        print(f"api: librouteros with .proplist=.id,name: best {min(proplist) * 1000:.0f} ms, "
              f"median {statistics.median(proplist) * 1000:.0f} ms")
        print(f"api: listed {len(listed)} certificates ({fields} properties each) through librouteros: "
              f"best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms over {RUNS} runs "
              f"(target < 1000 ms)")
        api.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
