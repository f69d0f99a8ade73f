# target.sh: what every tests/fuzz/*_run.sh shares. A runner sets these variables, then sources this file:
#   NAME      the target (tests/fuzz/$NAME.cpp holds LLVMFuzzerTestOneInput)
#   SOURCES   the certos sources it links, relative to src/ (a list, not a glob, so that work in progress
#             elsewhere cannot break the fuzz build)
#   LIBS      extra link flags ("-lssl -lcrypto"), may be empty
#   FLAGS     extra compile flags ("-DBOOST_BEAST_USE_STD_STRING_VIEW"), may be unset
#   SEEDS     a folder of seed inputs, copied into the working corpus
#   MAX_LEN, TIMEOUT   libFuzzer's -max_len and -timeout
# It builds $FUZZ_BUILD (default build-fuzz-$NAME)/$NAME with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer: one object per source under obj/, compiled again (FUZZ_JOBS, 2, at a time) when its
# source or a header it includes (the compiler's list in obj/*.o.d) is newer; then fuzzes for FUZZ_TIME seconds
# (60), or replays the inputs given as arguments. Exit status 0: no finding; a crashing input is saved under
# artifacts/. FUZZ_BUILD_ONLY=1 stops after the build (`make fuzz` builds every target first, one at a time, so
# that their shared sources compile once, then fuzzes two at a time).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build-fuzz-$NAME}
TIME=${FUZZ_TIME:-60}
CXX=${FUZZ_CXX:-clang++}
if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "$NAME: $CXX not found (install the Debian package clang)" >&2
    exit 2
fi
# The targets share most of their sources and flags: through ccache each source compiles once for all of them.
CC_LAUNCHER=""
if command -v ccache >/dev/null 2>&1; then
    CC_LAUNCHER=ccache
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"
files="$ROOT/tests/fuzz/$NAME.cpp"
for f in $SOURCES; do
    files="$files $ROOT/src/$f"
done
BIN="$OUT/$NAME"
CXXFLAGS="-std=c++20 -O1 -g1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
    -fno-sanitize-recover=undefined -I$ROOT/src ${FLAGS:-}"
# Stale: the object is missing, or older than a file its .d lists (its source and the certos headers it includes).
# An object without a .d (compiled before these lists were kept) gets one from the preprocessor.
stale_object() {
    [ -f "$2" ] || return 0
    if [ ! -f "$2.d" ]; then
        # shellcheck disable=SC2086
        $CXX $CXXFLAGS -MM -MT "$2" -MF "$2.d" "$1" 2>/dev/null || { rm -f "$2.d"; return 0; }
    fi
    for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$2.d"); do
        if [ "$dep" -nt "$2" ]; then return 0; fi
    done
    return 1
}
objects=""
stale=""
for f in $files; do
    o="$OUT/obj/$(echo "${f#"$ROOT"/}" | tr / _).o"
    objects="$objects $o"
    if stale_object "$f" "$o"; then
        stale="$stale $f=$o"
    fi
done
if [ -n "$stale" ]; then
    echo "$NAME: compiling $(echo $stale | wc -w) sources into $OUT/obj"
    mkdir -p "$OUT/obj"
    # shellcheck disable=SC2086
    printf '%s\n' $stale | CXX="$CC_LAUNCHER $CXX" CXXFLAGS="$CXXFLAGS" xargs -P "${FUZZ_JOBS:-2}" -I{} sh -c \
        'f=${1%%=*}; o=${1#*=}; $CXX $CXXFLAGS -MMD -MF "$o.d.tmp" -c "$f" -o "$o.tmp" &&
         mv "$o.d.tmp" "$o.d" && mv "$o.tmp" "$o"' sh {}
fi
relink=no
[ -x "$BIN" ] || relink=yes
for o in $objects; do
    [ -f "$o" ] || { echo "$NAME: $o did not compile" >&2; exit 2; }
    if [ "$o" -nt "$BIN" ]; then relink=yes; fi
done
if [ "$relink" = yes ]; then
    echo "$NAME: linking $BIN"
    # shellcheck disable=SC2086
    "$CXX" -fsanitize=fuzzer,address,undefined $objects -o "$BIN" $LIBS
fi
if [ -n "${FUZZ_BUILD_ONLY:-}" ]; then
    exit 0
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
if [ $# -gt 0 ]; then
    exec "$BIN" "$@"
fi
cp "$SEEDS"/* "$OUT/corpus/"
exec "$BIN" "$OUT/corpus" -max_total_time="$TIME" -timeout="$TIMEOUT" -rss_limit_mb=2048 -max_len="$MAX_LEN" \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1
