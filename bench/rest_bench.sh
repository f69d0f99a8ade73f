#!/usr/bin/env bash
# REST benchmark (DESIGN.md targets): wrk against GET /rest/certificate/*ID and GET /rest/certificate on a
# store of 10,000 signed certificates, plus the HTTP layer's own ceiling (the same GET on a store of one).
#
#   bench/rest_bench.sh                 # uses build/certos
#   CERTOS_BIN=build-rest/certos COUNT=10000 DURATION=15 bench/rest_bench.sh
#
# The 10,000 certificates (EC P-256, issued by one local CA, made with a console script) take minutes to
# create; the data directory is kept in $BENCH_DATA and reused when it already holds them.
set -euo pipefail

CERTOS_BIN=${CERTOS_BIN:-build/certos}
COUNT=${COUNT:-10000}
DURATION=${DURATION:-15}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
BENCH_DATA=${BENCH_DATA:-/tmp/certos-rest-bench-$COUNT}
SMALL_DATA=${SMALL_DATA:-/tmp/certos-rest-bench-1}
export CERTOS_ADMIN_PASSWORD=${CERTOS_ADMIN_PASSWORD:-bench-pw}
export TZ=UTC
AUTH="Authorization: Basic $(printf 'admin:%s' "$CERTOS_ADMIN_PASSWORD" | base64)"

command -v wrk >/dev/null || { echo "rest_bench: wrk is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# make_store DIR N: N certificates signed by one CA, unless DIR already has them.
make_store() {
    local dir=$1 n=$2
    local have
    have=$("$CERTOS_BIN" --data "$dir" -c '/certificate print count-only' 2>/dev/null || echo 0)
    if [ "$have" -ge "$n" ]; then
        return
    fi
    rm -rf "$dir"
    local script
    script=$(mktemp --suffix=.rsc)
    /usr/bin/python3 - "$n" > "$script" <<'PY'
import sys
n = int(sys.argv[1])
print("/certificate add name=bench-ca common-name=bench-ca key-size=prime256v1 key-usage=key-cert-sign,crl-sign")
print("/certificate sign bench-ca")
for i in range(n - 1):
    print(f"/certificate add name=c{i} common-name=c{i}.bench subject-alt-name=DNS:c{i}.bench key-size=prime256v1")
    print(f"/certificate sign c{i} ca=bench-ca")
PY
    local started=$SECONDS
    "$CERTOS_BIN" --data "$dir" "$script" > /dev/null
    echo "created $n certificates in $((SECONDS - started)) s ($dir)"
    rm -f "$script"
}

SERVER_PID=""
stop_server() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi; }
trap stop_server EXIT

# start_server DIR: certos serve on a free loopback port; sets PORT.
start_server() {
    PORT=$(free_port)
    # max-sessions (default 20) must cover wrk's connections, or the extra ones are closed at once.
    "$CERTOS_BIN" --data "$1" -c "/ip service set www port=$PORT max-sessions=1000" > /dev/null
    "$CERTOS_BIN" --data "$1" serve --listen 127.0.0.1 > /dev/null 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return
        sleep 0.1
    done
    echo "rest_bench: certos serve did not start" >&2
    exit 1
}

# cpu_ticks PID: user+system CPU time the process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_wrk URL: a warm-up (the first connection logs in: PBKDF2), then the measured run. Also prints the CPU
# time certos and wrk spent per request: on this shared machine wall-clock req/s depend on whatever else
# runs, CPU per request does not, and 2 cores / (certos + wrk CPU per request) is what an idle machine
# would sustain.
run_wrk() {
    wrk -t "$THREADS" -c "$CONNECTIONS" -d 3s -H "$AUTH" "$1" > /dev/null
    local before out wrk_cpu requests
    before=$(cpu_ticks "$SERVER_PID")
    out=$(/usr/bin/time -f "WRKCPU %U %S" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency -H "$AUTH" "$1" 2>&1)
    echo "$out" | grep -v WRKCPU
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    wrk_cpu=$(echo "$out" | awk '/WRKCPU/ {print $2 + $3}')
    /usr/bin/python3 - "$before" "$(cpu_ticks "$SERVER_PID")" "$(getconf CLK_TCK)" "$wrk_cpu" "$requests" "$(nproc)" <<'PY'
import sys
before, after, tck, wrk_cpu, requests, cores = map(float, sys.argv[1:])
if requests == 0:
    print(f"  no request completed (wrk gives up on a request after 2 s); certos used {(after - before) / tck:.1f} s CPU")
    sys.exit(0)
server = (after - before) / tck / max(requests, 1) * 1e6
client = wrk_cpu / max(requests, 1) * 1e6
print(f"  CPU per request: certos {server:.0f} us, wrk {client:.0f} us -> an idle {cores:.0f}-core machine: "
      f"~{cores / ((server + client) / 1e6):,.0f} req/s with wrk on it, ~{cores / (server / 1e6):,.0f} req/s for certos alone")
PY
}

# sequential_latency URL [CHANGE_URL]: time of one GET over a kept-alive connection, 20 times: min / median /
# max, and the CPU certos spent per request. With CHANGE_URL, each GET follows a PATCH of that certificate
# (trusted toggled), so no GET finds the store as the previous one left it.
sequential_latency() {
    /usr/bin/python3 - "$1" "$CERTOS_ADMIN_PASSWORD" "$SERVER_PID" "${2:-}" <<'PY'
import os, statistics, sys, time, requests
url, password, pid, change = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def cpu():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
s = requests.Session()
s.auth = ("admin", password)
s.get(url).raise_for_status()  # log in once
times, size, count = [], 0, 0
started = cpu()
for i in range(20):
    if change:
        s.patch(change, json={"trusted": "yes" if i % 2 else "no"}).raise_for_status()
    t = time.perf_counter()
    r = s.get(url)
    r.raise_for_status()
    times.append((time.perf_counter() - t) * 1000)
    body = r.json()
    size, count = len(r.content), (len(body) if isinstance(body, list) else 1)
used = (cpu() - started) / 20 * 1000
after = f" (each after a PATCH of {change.rsplit('/', 1)[1]})" if change else ""
print(f"GET {url}{after}: {count} items, {size} bytes; min {min(times):.1f} ms, "
      f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms; certos CPU {used:.1f} ms per request"
      + (" (PATCH included)" if change else ""))
PY
}

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ); $("$CERTOS_BIN" --help | head -1)"

make_store "$SMALL_DATA" 1
start_server "$SMALL_DATA"
echo "== HTTP layer ceiling: GET /rest/certificate/*1 on a store of 1 certificate"
run_wrk "http://127.0.0.1:$PORT/rest/certificate/*1"
stop_server

make_store "$BENCH_DATA" "$COUNT"
start_server "$BENCH_DATA"
MIDDLE=$(printf '*%X' $((COUNT / 2)))
echo "== GET /rest/certificate/$MIDDLE on a store of $COUNT certificates"
sequential_latency "http://127.0.0.1:$PORT/rest/certificate/$MIDDLE"
run_wrk "http://127.0.0.1:$PORT/rest/certificate/$MIDDLE"
echo "== GET /rest/certificate (the whole list of $COUNT)"
sequential_latency "http://127.0.0.1:$PORT/rest/certificate"
echo "== GET /rest/certificate after each change (no listing finds the store as the last one left it)"
sequential_latency "http://127.0.0.1:$PORT/rest/certificate" "http://127.0.0.1:$PORT/rest/certificate/$MIDDLE"
echo "== GET /rest/certificate from a fresh start (the first listing renders every row)"
stop_server
start_server "$BENCH_DATA"
/usr/bin/python3 - "http://127.0.0.1:$PORT/rest/certificate" "$CERTOS_ADMIN_PASSWORD" <<'PY'
import sys, time, requests
s = requests.Session()
s.auth = ("admin", sys.argv[2])
s.get(sys.argv[1] + "/*1").raise_for_status()  # log in (the PBKDF2) first
t = time.perf_counter()
s.get(sys.argv[1]).raise_for_status()
print(f"first GET {sys.argv[1]} after start: {(time.perf_counter() - t) * 1000:.1f} ms")
PY
echo "== console, same store: /certificate print count-only (the tree alone, process start included)"
/usr/bin/time -f "%e s, %M KB max RSS" "$CERTOS_BIN" --data "$BENCH_DATA" -c '/certificate print count-only'
