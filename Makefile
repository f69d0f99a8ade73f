# certos: the two commands a newcomer needs are `make run` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DATA       ?= ./var
JOBS       ?= 2
# -g1 (line tables, which perf and sanitizer reports need; no variables) compiles ~35 % faster than -g.
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
    -DCERTOS_WERROR=ON

FUZZ_TIME  ?= 30

# ccache keys on paths relative to the checkout, so clones in other folders share one cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: deps build run test unit integration tidy asan fuzz format format-check clean

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt Makefile | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS)

# Starts certos on the embedded SQLite store in $(DATA): the interactive console.
run: build
	$(BUILD)/certos --data $(DATA)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

integration: build
	CERTOS_BIN=$(abspath $(BUILD))/certos /usr/bin/python3 -m pytest -q tests/integration

# The unit tests once more under AddressSanitizer and UndefinedBehaviorSanitizer, built at -O1 with line tables
# only: the sanitizers' instrumentation at -O2 -g made this build most of `make test`'s time (one Beast file
# took 867 s at -O2 -g and 193 s at -O1 -g1, on a loaded 2-core machine).
# It is also a unity build (CMakeLists.txt lists the sources that compile alone): 8 sources a translation unit.
ASAN_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=-O1 -g1" -DCERTOS_WERROR=ON -DCERTOS_SANITIZE=ON \
              -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8
asan: deps
	cmake -S . -B $(ASAN_BUILD) $(ASAN_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target unit_tests
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

# Each libFuzzer target (tests/fuzz/*.sh builds and runs one) for a bounded time: all are built first, one after
# the other (their shared sources compile once, through ccache), then fuzzed $(JOBS) at a time, each one's output
# in build-fuzz-logs/RUNNER.log (printed whole when it fails).
FUZZ_RUNNERS = $(wildcard tests/fuzz/*.sh)
fuzz: deps
	@set -e; for runner in $(FUZZ_RUNNERS); do echo "fuzz: building $$runner"; FUZZ_BUILD_ONLY=1 sh $$runner; done
	@mkdir -p build-fuzz-logs; printf '%s\n' $(FUZZ_RUNNERS) | xargs -P $(JOBS) -I{} sh -c \
	    'log=build-fuzz-logs/$$(basename {} .sh).log; echo "fuzz: {} ($(FUZZ_TIME) s)"; \
	    if FUZZ_TIME=$(FUZZ_TIME) sh {} > $$log 2>&1; then echo "fuzz: {} passed: $$(grep -a "^Done" $$log)"; \
	    else cat $$log; echo "fuzz: {} FAILED"; exit 255; fi'

# The C++ sources against .clang-format (STYLE.md); `make format` rewrites them.
CLANG_FORMAT ?= clang-format-14
FORMATTED = $(shell git ls-files '*.cpp' '*.hpp')

format: deps
	@$(CLANG_FORMAT) -i $(FORMATTED)

format-check: deps
	@echo "format-check: $(words $(FORMATTED)) files against .clang-format"
	@$(CLANG_FORMAT) --dry-run -Werror $(FORMATTED)

# clang-tidy with .clang-tidy's checks over certos's own sources (src/ and bench/, the unit tests' *_test.cpp
# excepted: about 12 s of CPU a file, and CI's 45 minutes have no room for the 69 test files) through the
# build's compile_commands.json. Any finding fails; $(BUILD)/tidy.log keeps the whole output.
CLANG_TIDY_RUN ?= run-clang-tidy-14
TIDY_FILES ?= ^$(CURDIR)/(src|bench)/.*(?<!_test)\.cpp$$

tidy: deps $(BUILD)/build.ninja
	@echo "tidy: clang-tidy over src/ and bench/ (not *_test.cpp), $(JOBS) at a time"
	@$(CLANG_TIDY_RUN) -p $(BUILD) -quiet -j$(JOBS) '$(TIDY_FILES)' > $(BUILD)/tidy.log 2>&1; status=$$?; \
	    sed 's/\x1b\[[0-9;]*m//g' $(BUILD)/tidy.log | grep -v -e '^clang-tidy-14 ' -e '^clang-apply-replacements ' \
	        -e '^[0-9]* warnings\? generated\.' -e '^Suppressed [0-9]* warnings' -e '^Use -header-filter'; \
	    if [ $$status -ne 0 ]; then echo "tidy: findings (see above, and $(BUILD)/tidy.log)"; exit 1; fi

# Every stage in turn, each one's wall time printed as it ends (the 45-minute budget is watched from these lines).
TEST_STAGES = format-check build tidy unit integration asan fuzz
test:
	@set -e; start=$$(date +%s); for stage in $(TEST_STAGES); do began=$$(date +%s); \
	    $(MAKE) --no-print-directory $$stage; echo "make test: $$stage done in $$(( $$(date +%s) - began )) s"; \
	done; echo "make test: every stage passed in $$(( $$(date +%s) - start )) s"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz*
