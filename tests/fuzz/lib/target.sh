# target.sh: what every tests/fuzz/*_run.sh shares. A runner sets these variables, then sources this file:
#   NAME      the target (tests/fuzz/$NAME.cpp holds LLVMFuzzerTestOneInput)
#   SOURCES   the certos sources it links, relative to src/ (a list, not a glob, so that work in progress
#             elsewhere cannot break the fuzz build)
#   HEADERS   the src/ folders whose headers make the build stale
#   LIBS      extra link flags ("-lssl -lcrypto"), may be empty
#   SEEDS     a folder of seed inputs, copied into the working corpus
#   MAX_LEN, TIMEOUT   libFuzzer's -max_len and -timeout
# It builds $FUZZ_BUILD (default build-fuzz-$NAME)/$NAME with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer when a source is newer than the binary, then fuzzes for FUZZ_TIME seconds (60), or
# replays the inputs given as arguments. Exit status 0: no finding; a crashing input is saved under artifacts/.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build-fuzz-$NAME}
TIME=${FUZZ_TIME:-60}
CXX=${FUZZ_CXX:-clang++}
if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "$NAME: $CXX not found (install the Debian package clang)" >&2
    exit 2
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"
files="$ROOT/tests/fuzz/$NAME.cpp"
for f in $SOURCES; do
    files="$files $ROOT/src/$f"
done
BIN="$OUT/$NAME"
stale=no
[ -x "$BIN" ] || stale=yes
if [ "$stale" = no ]; then
    for dir in $HEADERS; do
        for f in $files "$ROOT"/src/"$dir"/*.hpp; do
            if [ "$f" -nt "$BIN" ]; then stale=yes; break 2; fi
        done
    done
fi
if [ "$stale" = yes ]; then
    echo "$NAME: building $BIN"
    # shellcheck disable=SC2086
    "$CXX" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I"$ROOT/src" $files -o "$BIN" $LIBS
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
if [ $# -gt 0 ]; then
    exec "$BIN" "$@"
fi
cp "$SEEDS"/* "$OUT/corpus/"
exec "$BIN" "$OUT/corpus" -max_total_time="$TIME" -timeout="$TIMEOUT" -rss_limit_mb=2048 -max_len="$MAX_LEN" \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1
