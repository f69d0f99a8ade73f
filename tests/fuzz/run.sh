#!/bin/sh
# run.sh builds the libFuzzer target for the import parser (tests/fuzz/import_fuzz.cpp) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, then fuzzes it for a bounded time starting from the
# openssl-made inputs in tests/data/import. Exit status 0: no finding; otherwise libFuzzer's report names
# the crashing input, saved under $FUZZ_BUILD/artifacts/.
#
#   tests/fuzz/run.sh                 # 60 seconds
#   FUZZ_TIME=600 tests/fuzz/run.sh   # longer
#   tests/fuzz/run.sh path/to/input   # replay one input (e.g. a saved artifact)
#
# Needs clang++ with libFuzzer (Debian: clang and libclang-rt-dev) and
# libssl-dev. The build lives in $FUZZ_BUILD (default build-fuzz) and is redone only when a source changed.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build-fuzz}
TIME=${FUZZ_TIME:-60}
CXX=${FUZZ_CXX:-clang++}

if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "run.sh: $CXX not found (install the Debian package clang)" >&2
    exit 2
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"

# The parser and exactly what it links against (a list, not a glob, so work in progress elsewhere in
# crypto/ cannot break the fuzz build): core values, the crypto readers, pki/describe.cpp.
SOURCES="$ROOT/tests/fuzz/import_fuzz.cpp $ROOT/src/pki/describe.cpp"
for f in core/value.cpp crypto/ossl.cpp crypto/internal.cpp crypto/digest.cpp crypto/key.cpp crypto/ec_fast.cpp \
         crypto/certificate.cpp crypto/pkcs12.cpp crypto/bundle.cpp crypto/csr.cpp; do
    SOURCES="$SOURCES $ROOT/src/$f"
done
BIN="$OUT/import_fuzz"
stale=no
[ -x "$BIN" ] || stale=yes
if [ "$stale" = no ]; then
    for f in $SOURCES "$ROOT"/src/core/*.hpp "$ROOT"/src/crypto/*.hpp "$ROOT"/src/pki/*.hpp; do
        if [ "$f" -nt "$BIN" ]; then stale=yes; break; fi
    done
fi
if [ "$stale" = yes ]; then
    echo "run.sh: building $BIN"
    # shellcheck disable=SC2086
    "$CXX" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I"$ROOT/src" $SOURCES -o "$BIN" -lssl -lcrypto
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
if [ $# -gt 0 ]; then
    exec "$BIN" "$@"
fi
# Seed: every input of the import tests (not the script or the expected values).
for f in "$ROOT"/tests/data/import/*; do
    case "$f" in */gen.sh|*/expected.txt) ;; *) cp "$f" "$OUT/corpus/seed-$(basename "$f")" ;; esac
done
# -timeout: one input may take a while (a PKCS#12 with a large MAC iteration count is allowed up to 10^7),
# but not minutes. -max_len covers the largest seeds with room for growth.
exec "$BIN" "$OUT/corpus" -max_total_time="$TIME" -timeout=30 -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1
