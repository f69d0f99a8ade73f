"""Wall time to obtain one certificate from pebble: certos vs Debian's lego, same pebble, same run.

One pebble (PEBBLE_VA_NOSLEEP=1: validation sleeps off for both) validates HTTP-01 on one port. certos's
daemon listens there for its runs (`certos -c '/certificate add-acme ...'`, a whole console process each);
for lego's runs the daemon's www is switched off and `lego --http --http.port` takes the port. Each run uses a
new domain name and, for lego, a fresh --path (account registration included, as certos's first run has).
Runs alternate between the two clients. Prints the median and all runs.

    RUNS=5 /usr/bin/python3 bench/acme_bench.py
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration"))
from acme_fixture import Pebble, free_port  # noqa: E402
from conftest import port_open  # noqa: E402

CERTOS = os.environ.get("CERTOS_BIN", str(Path(__file__).resolve().parent.parent / "build" / "certos"))
RUNS = int(os.environ.get("RUNS", "5"))
ENV = dict(os.environ, CERTOS_ADMIN_PASSWORD="bench-pw", TZ="UTC")


def certos(data, command):
    proc = subprocess.run([CERTOS, "--data", str(data), "-c", command], capture_output=True, text=True, env=ENV,
                          timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"certos -c {command!r}: {proc.stdout}{proc.stderr}")
    return proc.stdout


def wait(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.05)


def main():
    work = Path(tempfile.mkdtemp(prefix="acme-bench-"))
    data = work / "data"
    www, ssl_port = free_port(), free_port()
    certos(data, f"/ip service set www port={www}")
    certos(data, f"/ip service set www-ssl port={ssl_port}")
    for service in ("api", "api-ssl"):
        certos(data, f"/ip service set {service} port={free_port()}")
    daemon = subprocess.Popen([CERTOS, "--data", str(data), "serve", "--listen", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    pebble = Pebble(work / "pebble", www)
    try:
        wait(lambda: port_open(www))
        (data / "files").mkdir(exist_ok=True)
        shutil.copy(pebble.tls_ca, data / "files" / "pebble-tls-ca.pem")
        certos(data, "/certificate import file-name=pebble-tls-ca.pem trusted=yes")
        lego_env = dict(os.environ, LEGO_CA_CERTIFICATES=str(pebble.tls_ca))
        times = {"certos": [], "lego": []}
        for i in range(RUNS):
            wait(lambda: port_open(www))
            start = time.monotonic()
            certos(data, f"/certificate add-acme name=b{i} directory-url={pebble.directory_url} "
                         f"domain-names=certos{i}.bench.example")
            times["certos"].append(time.monotonic() - start)

            certos(data, "/ip service set www disabled=yes")
            wait(lambda: not port_open(www))
            start = time.monotonic()
            proc = subprocess.run(["lego", "--server", pebble.directory_url, "--accept-tos", "--email",
                                   "bench@example.org", "--domains", f"lego{i}.bench.example", "--http",
                                   "--http.port", f"127.0.0.1:{www}", "--key-type", "ec256",
                                   "--path", str(work / f"lego{i}"), "run"],
                                  capture_output=True, text=True, env=lego_env, timeout=120)
            times["lego"].append(time.monotonic() - start)
            if proc.returncode != 0:
                raise SystemExit(f"lego failed: {proc.stdout}{proc.stderr}")
            certos(data, "/ip service set www disabled=no")
        for tool, values in times.items():
            print(f"{tool}: median {statistics.median(values):.3f} s, runs " +
                  ", ".join(f"{v:.3f}" for v in values))
        ratio = statistics.median(times["certos"]) / statistics.median(times["lego"])
        print(f"certos/lego: {ratio:.3f}")
    finally:
        pebble.stop()
        daemon.terminate()
        daemon.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
