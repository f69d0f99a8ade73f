#!/bin/sh
# api_query_run.sh builds the libFuzzer target for API queries, which REST `.query` shares
# (tests/fuzz/api_query_fuzz.cpp), with clang, AddressSanitizer and UndefinedBehaviorSanitizer, then fuzzes it for
# a bounded time from the committed seeds in tests/fuzz/corpus/api_query (one word per line: librouteros' queries
# and the operator floods of issue 12). Exit status 0: no finding; otherwise the crashing input is saved under
# $FUZZ_BUILD/artifacts/.
#
#   tests/fuzz/api_query_run.sh                 # 60 seconds
#   FUZZ_TIME=600 tests/fuzz/api_query_run.sh   # longer
#   tests/fuzz/api_query_run.sh path/to/input   # replay one input
#
# Needs clang++ with libFuzzer (Debian: clang and libclang-rt-dev). The build lives in $FUZZ_BUILD (default
# build-fuzz-api-query) and is redone only when a source changed.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build-fuzz-api-query}
TIME=${FUZZ_TIME:-60}
CXX=${FUZZ_CXX:-clang++}

if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "api_query_run.sh: $CXX not found (install the Debian package clang)" >&2
    exit 2
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"
SOURCES="$ROOT/tests/fuzz/api_query_fuzz.cpp"
for f in menu/api_query.cpp menu/filter.cpp menu/schema.cpp menu/record.cpp core/duration.cpp core/value.cpp \
         core/id.cpp; do
    SOURCES="$SOURCES $ROOT/src/$f"
done
BIN="$OUT/api_query_fuzz"
stale=no
[ -x "$BIN" ] || stale=yes
if [ "$stale" = no ]; then
    for f in $SOURCES "$ROOT"/src/menu/*.hpp "$ROOT"/src/core/*.hpp; do
        if [ "$f" -nt "$BIN" ]; then stale=yes; break; fi
    done
fi
if [ "$stale" = yes ]; then
    echo "api_query_run.sh: building $BIN"
    # shellcheck disable=SC2086
    "$CXX" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I"$ROOT/src" $SOURCES -o "$BIN"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
if [ $# -gt 0 ]; then
    exec "$BIN" "$@"
fi
cp "$ROOT"/tests/fuzz/corpus/api_query/* "$OUT/corpus/"
# -max_len covers the largest seed (20,000 operators).
exec "$BIN" "$OUT/corpus" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1
