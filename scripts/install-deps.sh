#!/usr/bin/env bash
# Installs every Debian package certos needs to build, run and test. Idempotent and quick when
# everything is already there: apt is only called for what is missing.
set -euo pipefail

packages=(
    # build
    build-essential cmake ninja-build pkg-config ccache
    libssl-dev libsqlite3-dev libboost-dev nlohmann-json3-dev libedit-dev libcli11-dev
    libspdlog-dev libfmt-dev libcurl4-openssl-dev
    libgtest-dev libgmock-dev
    # tests: real clients and tools
    openssl ca-certificates sqlite3 tmux curl wrk sslscan
    python3 python3-pytest python3-requests python3-cryptography
    # tests/integration/test_api*.py: librouteros, and ansible with its community.routeros collection
    python3-librouteros ansible
    # tests/fuzz/run.sh: clang++ and libFuzzer (libclang-rt-dev is only a Recommends of clang)
    clang libclang-rt-dev
    # make format-check: the formatter .clang-format is written for
    clang-format-14
    # tests/integration/test_acme.py and bench/acme_bench.py: Let's Encrypt's test CA (pebble and
    # pebble-challtestsrv) and lego, the client certos is measured against
    pebble lego
    # tests/integration/test_acme_authoritative.py: the resolver and the lagging secondary name server
    python3-dnslib
    # tests/integration/test_scep_server.py: micromdm's scepclient and scepserver, and certmonger
    scep certmonger
    # tests/integration/test_scep_client.py: tests/peers/scep-aes, micromdm's SCEP server library (with
    # go.mozilla.org/pkcs7, go-kit, gorilla/mux, bolt, pkg/errors as its dependencies) built with AES replies
    golang-go golang-github-micromdm-scep-dev
)

if ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

# node-routeros 1.6.9 for tests/integration/test_api_node.py, pinned in tests/integration/node/package.json
# (npm comes with the machine's Node.js, or Debian's nodejs and npm when there is none).
install_node_modules() {
    local dir
    dir="$(cd "$(dirname "$0")/.." && pwd)/tests/integration/node"
    if [ ! -d "$dir/node_modules/node-routeros" ]; then
        (cd "$dir" && npm install --no-audit --no-fund --silent) || { echo "install-deps: npm install in $dir failed" >&2; exit 1; }
    fi
}

if [ ${#missing[@]} -eq 0 ]; then
    install_node_modules
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_node_modules
