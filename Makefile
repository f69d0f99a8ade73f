# certos: the two commands a newcomer needs are `make run` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DATA       ?= ./var
JOBS       ?= 2
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTOS_WERROR=ON

FUZZ_TIME  ?= 30

# ccache keys on paths relative to the checkout, so clones in other folders share one cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: deps build run test unit integration asan fuzz format format-check clean

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
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
ASAN_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=-O1 -g1" -DCERTOS_WERROR=ON -DCERTOS_SANITIZE=ON
asan: deps
	cmake -S . -B $(ASAN_BUILD) $(ASAN_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target unit_tests
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

# Each libFuzzer target (tests/fuzz/*.sh builds and runs one) for a bounded time.
fuzz: deps
	@set -e; for runner in tests/fuzz/*.sh; do echo "fuzz: $$runner ($(FUZZ_TIME) s)"; FUZZ_TIME=$(FUZZ_TIME) sh $$runner; done

# The C++ sources against .clang-format (STYLE.md); `make format` rewrites them.
CLANG_FORMAT ?= clang-format-14
FORMATTED = $(shell git ls-files '*.cpp' '*.hpp')

format: deps
	@$(CLANG_FORMAT) -i $(FORMATTED)

format-check: deps
	@echo "format-check: $(words $(FORMATTED)) files against .clang-format"
	@$(CLANG_FORMAT) --dry-run -Werror $(FORMATTED)

test: format-check build unit integration asan fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz*
