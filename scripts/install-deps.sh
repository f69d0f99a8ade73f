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
    openssl ca-certificates sqlite3 tmux curl wrk
    python3 python3-pytest python3-requests python3-cryptography
    # tests/fuzz/run.sh: clang++ and libFuzzer (libclang-rt-dev is only a Recommends of clang)
    clang libclang-rt-dev
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
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
