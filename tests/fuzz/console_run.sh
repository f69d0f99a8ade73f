#!/bin/sh
# console_run.sh builds the libFuzzer target for the console's lexer and `where` parser
# (tests/fuzz/console_fuzz.cpp) with clang, AddressSanitizer and UndefinedBehaviorSanitizer, then fuzzes it for a
# bounded time from the committed seeds in tests/fuzz/corpus/console (console lines, scripts, and the nesting
# floods of issue 12). Exit status 0: no finding; otherwise the crashing input is saved under $FUZZ_BUILD/artifacts/.
#
#   tests/fuzz/console_run.sh                 # 60 seconds
#   FUZZ_TIME=600 tests/fuzz/console_run.sh   # longer
#   tests/fuzz/console_run.sh path/to/input   # replay one input
#
# Needs clang++ with libFuzzer (Debian: clang and libclang-rt-dev). The build lives in $FUZZ_BUILD (default
# build-fuzz-console) and is redone only when a source changed.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build-fuzz-console}
TIME=${FUZZ_TIME:-60}
CXX=${FUZZ_CXX:-clang++}

if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "console_run.sh: $CXX not found (install the Debian package clang)" >&2
    exit 2
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"
SOURCES="$ROOT/tests/fuzz/console_fuzz.cpp"
for f in console/lexer.cpp console/where.cpp menu/filter.cpp menu/schema.cpp menu/record.cpp menu/tree.cpp \
         core/duration.cpp core/value.cpp core/id.cpp; do
    SOURCES="$SOURCES $ROOT/src/$f"
done
BIN="$OUT/console_fuzz"
stale=no
[ -x "$BIN" ] || stale=yes
if [ "$stale" = no ]; then
    for f in $SOURCES "$ROOT"/src/console/*.hpp "$ROOT"/src/menu/*.hpp "$ROOT"/src/core/*.hpp; do
        if [ "$f" -nt "$BIN" ]; then stale=yes; break; fi
    done
fi
if [ "$stale" = yes ]; then
    echo "console_run.sh: building $BIN"
    # shellcheck disable=SC2086
    "$CXX" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I"$ROOT/src" $SOURCES -o "$BIN"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
if [ $# -gt 0 ]; then
    exec "$BIN" "$@"
fi
cp "$ROOT"/tests/fuzz/corpus/console/* "$OUT/corpus/"
# -max_len keeps the fuzzing fast; longer seeds (the 100,000 `!` of issue 12) are cut to it, which still nests
# far beyond the bound (the full inputs are in console_test.cpp).
exec "$BIN" "$OUT/corpus" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1
