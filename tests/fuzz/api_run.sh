#!/bin/sh
# api_run.sh builds the libFuzzer target for the API sentence decoder (tests/fuzz/api_sentence_fuzz.cpp) with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer, then fuzzes it for a bounded time from a few seed
# sentences. Exit status 0: no finding; otherwise the crashing input is saved under $FUZZ_BUILD/artifacts/.
#
#   tests/fuzz/api_run.sh                 # 60 seconds
#   FUZZ_TIME=600 tests/fuzz/api_run.sh   # longer
#   tests/fuzz/api_run.sh path/to/input   # replay one input
#
# Needs clang++ with libFuzzer (Debian: clang and libclang-rt-dev). The build lives in $FUZZ_BUILD (default
# build-fuzz-api) and is redone only when a source changed.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build-fuzz-api}
TIME=${FUZZ_TIME:-60}
CXX=${FUZZ_CXX:-clang++}

if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "api_run.sh: $CXX not found (install the Debian package clang)" >&2
    exit 2
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"
SOURCES="$ROOT/tests/fuzz/api_sentence_fuzz.cpp $ROOT/src/api/codec.cpp"
BIN="$OUT/api_sentence_fuzz"
stale=no
[ -x "$BIN" ] || stale=yes
if [ "$stale" = no ]; then
    for f in $SOURCES "$ROOT/src/api/codec.hpp"; do
        if [ "$f" -nt "$BIN" ]; then stale=yes; break; fi
    done
fi
if [ "$stale" = yes ]; then
    echo "api_run.sh: building $BIN"
    # shellcheck disable=SC2086
    "$CXX" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I"$ROOT/src" $SOURCES -o "$BIN"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
if [ $# -gt 0 ]; then
    exec "$BIN" "$@"
fi
# Seeds: a login, a print with a query and a tag, the 2-, 3- and 5-byte length forms, a control byte.
printf '\006/login\013=name=admin\012=password=\000' > "$OUT/corpus/seed-login"
printf '\022/certificate/print\007?name=x\007.tag=12\000' > "$OUT/corpus/seed-print"
printf '\200\003abc\300\000\002xy\360\000\000\000\001z\000' > "$OUT/corpus/seed-lengths"
printf '\003abc\370' > "$OUT/corpus/seed-control"
exec "$BIN" "$OUT/corpus" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1
