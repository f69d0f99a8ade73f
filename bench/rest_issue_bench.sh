#!/usr/bin/env bash
# REST issuance benchmark (issue 13, DESIGN.md targets): certificates issued per second over REST, each one a
# `PUT /rest/certificate` (add a prime256v1 template) followed by `POST /rest/certificate/sign` with ca=, by 1
# client and by 16 concurrent clients (wrk, one connection per thread, a Lua script that alternates the two
# requests on its connection), on a store on disk (synchronous=FULL: each acknowledged command is durable).
# Every answer must be 200; the store's count is checked afterwards.
#
#   bench/rest_issue_bench.sh                              # build/certos
#   BINARIES="/tmp/before/certos build/certos" DURATION=10 ROUNDS=2 bench/rest_issue_bench.sh
#
# With several BINARIES each round runs each of them in turn (same machine, same moment), on a fresh data
# directory under $BENCH_DIR (default /tmp: the disk, not memory).
set -euo pipefail

BINARIES=${BINARIES:-${CERTOS_BIN:-build/certos}}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-1}
CLIENTS=${CLIENTS:-"1 16"}
BENCH_DIR=${BENCH_DIR:-/tmp}
export CERTOS_ADMIN_PASSWORD=${CERTOS_ADMIN_PASSWORD:-bench-pw}
export TZ=UTC
AUTH="Authorization: Basic $(printf 'admin:%s' "$CERTOS_ADMIN_PASSWORD" | base64)"

command -v wrk >/dev/null || { echo "rest_issue_bench: wrk is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }

LUA=$(mktemp --suffix=.lua)
DATA=""
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -f "$LUA"
    if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

# One connection per wrk thread: each thread's Lua state alternates add and sign on its own connection, so a
# sign always follows the answer to its add. Names are unique per run, thread and request.
cat > "$LUA" <<'LUA'
local counter = 0
local threads = {}
function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end
function init(args)
    run = args[1]
    n = 0
    pending = nil
    last = nil
    bad = 0
    issued = 0
    json = {["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"]}
end
-- The next request follows from the answers, not from how often request() was called: wrk calls it once more
-- than it sends at the start (a sign of a template it never added answered 400 "no such item" once a run).
function request()
    if pending == nil then
        name = "r" .. run .. "-" .. id .. "-" .. (n + 1)
        last = "add"
        return wrk.format("PUT", "/rest/certificate", json,
            '{"name":"' .. name .. '","common-name":"' .. name .. '","key-size":"prime256v1"}')
    end
    last = "sign"
    return wrk.format("POST", "/rest/certificate/sign", json, '{"number":"' .. pending .. '","ca":"CA"}')
end
function response(status, headers, body)
    if last == "add" then
        n = n + 1
    end
    if status ~= 200 then
        bad = bad + 1
        pending = nil
        if bad <= 3 then
            io.stderr:write("non-200 answer: " .. status .. " " .. body .. "\n")
        end
    elseif last == "add" then
        pending = name
    else
        issued = issued + 1
        pending = nil
    end
end
function done(summary, latency, requests)
    local b, i = 0, 0
    for _, t in ipairs(threads) do
        b = b + t:get("bad")
        i = i + t:get("issued")
    end
    io.write(string.format("ISSUED %d BAD %d\n", i, b))
end
LUA

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# bench BIN: a fresh store with one CA, certos serve, then each client count for $DURATION s.
bench() {
    local bin=$1
    DATA=$(mktemp -d "$BENCH_DIR/certos-rest-issue.XXXXXX")
    PORT=$(free_port)
    "$bin" --data "$DATA" -c "/certificate add name=CA common-name=CA key-size=prime256v1 key-usage=key-cert-sign,crl-sign" > /dev/null
    "$bin" --data "$DATA" -c "/certificate sign CA" > /dev/null
    "$bin" --data "$DATA" -c "/ip service set www port=$PORT max-sessions=1000" > /dev/null
    "$bin" --data "$DATA" serve --listen 127.0.0.1 > /dev/null 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
    curl -s -o /dev/null -H "$AUTH" "http://127.0.0.1:$PORT/rest/certificate/*1"  # the first login's PBKDF2
    local run=0 total=0
    for clients in $CLIENTS; do
        run=$((run + 1))
        local before out issued bad
        before=$(cpu_ticks "$SERVER_PID")
        out=$(wrk -t "$clients" -c "$clients" -d "${DURATION}s" -H "$AUTH" -s "$LUA" "http://127.0.0.1:$PORT" -- "$run" 2>&1)
        echo "$out" | grep "non-200 answer" | head -3 || true
        issued=$(echo "$out" | awk '/^ISSUED/ {print $2}')
        bad=$(echo "$out" | awk '/^ISSUED/ {print $4}')
        total=$((total + issued))
        /usr/bin/python3 - "$bin" "$clients" "$issued" "$bad" "$DURATION" "$before" "$(cpu_ticks "$SERVER_PID")" "$(getconf CLK_TCK)" <<'PY'
import sys
bin_, clients, issued, bad, duration, before, after, tck = sys.argv[1:]
issued, bad, duration = int(issued), int(bad), float(duration)
cpu_us = (float(after) - float(before)) / float(tck) / max(issued, 1) * 1e6
print(f"{bin_}: {clients:>2} client(s): {issued / duration:8.1f} certificates/s ({issued} in {duration:.0f} s, "
      f"{bad} non-200 answers); certos CPU {cpu_us:.0f} us per certificate")
PY
    done
    local stored
    stored=$(curl -s -H "$AUTH" -H "Content-Type: application/json" -d '{"count-only":""}' \
        "http://127.0.0.1:$PORT/rest/certificate/print" | tr -dc '0-9')
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    # A sign cut off by the end of the run leaves its template unsigned; every acknowledged sign is stored.
    echo "$bin: store holds $stored certificates (CA + $total signed + templates of the last adds)"
    rm -rf "$DATA"; DATA=""
}

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ); store in $BENCH_DIR"
for _ in $(seq "$ROUNDS"); do
    for bin in $BINARIES; do
        bench "$bin"
    done
done
