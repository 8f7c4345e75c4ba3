# ember — two commands: `make run` and `make test`. Everything else is here for developers.
JOBS ?= 2
BUILD_TYPE_DIR = build/release
PYTHON = /usr/bin/python3
CMAKE_CONFIGURE = cmake -G Ninja -S . -Wno-dev

.PHONY: run test build release bench check fuzz tsan deps format unit integration clean

deps:
	@bash scripts/install-deps.sh

# Debug build with assertions, for development.
build: deps
	@$(CMAKE_CONFIGURE) -B build/debug -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build/debug -j $(JOBS)

release: deps
	@$(CMAKE_CONFIGURE) -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j $(JOBS)

run: release
	./build/release/ember-server --host 127.0.0.1 --port 6379

unit: release
	cd build/release && ctest --output-on-failure -j $(JOBS)

# End-to-end suites: the real binary on free loopback ports, real clients.
PYTEST_DIRS = tests/e2e $(wildcard tests/integration)

integration: release
	EMBER_SERVER=$(CURDIR)/build/release/ember-server $(PYTHON) -m pytest -q $(PYTEST_DIRS)

test: unit integration

# Every test again under AddressSanitizer + UndefinedBehaviorSanitizer. Tests on the shared
# server run on one of its four configurations (4 shards io_uring: the cross-shard paths; the
# epoll backend and one shard still run under ASan in every test that starts its own server),
# which keeps CI's time down as the suites grow. `make check ASAN_CONFIGS=1:epoll,4:uring` for
# more.
ASAN_CONFIGS ?= 4:uring
check: deps
	@$(CMAKE_CONFIGURE) -B build/asan -DCMAKE_BUILD_TYPE=Debug -DEMBER_SANITIZE=ON >/dev/null
	@cmake --build build/asan -j $(JOBS)
	cd build/asan && ctest --output-on-failure -j $(JOBS)
	EMBER_SERVER=$(CURDIR)/build/asan/ember-server EMBER_SANITIZED=1 EMBER_TEST_CONFIGS=$(ASAN_CONFIGS) $(PYTHON) -m pytest -q $(PYTEST_DIRS)

# libFuzzer targets (tests/fuzz), built with clang-14 under ASan + UBSan, each run for
# FUZZ_SECONDS from its seed corpus; fails if any finds a crash (kept in FUZZ_CRASH_DIR).
CLANG = -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
CLANG_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
	"-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1"
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= resp-parser command-dispatch restore-payload rdb-load aof-load lua-args acl-rules
FUZZ_CRASH_DIR ?= $(CURDIR)/build/fuzz/crashes
fuzz: deps
	@$(CMAKE_CONFIGURE) -B build/fuzz $(CLANG) $(CLANG_FLAGS) -DEMBER_FUZZ=ON >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target $(addsuffix -fuzz,$(FUZZ_TARGETS))
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_CRASH_DIR=$(FUZZ_CRASH_DIR) bash tests/fuzz/run.sh $(FUZZ_TARGETS)

# ember-server under ThreadSanitizer (clang-14) and a mixed load on both io backends for
# TSAN_SECONDS each; fails on any ThreadSanitizer report.
TSAN_SECONDS ?= 60
tsan: deps
	@$(CMAKE_CONFIGURE) -B build/tsan $(CLANG) $(CLANG_FLAGS) -DEMBER_TSAN=ON >/dev/null
	@cmake --build build/tsan -j $(JOBS) --target ember-server
	EMBER_SERVER=$(CURDIR)/build/tsan/ember-server EMBER_SANITIZED=1 TSAN_SECONDS=$(TSAN_SECONDS) \
		$(PYTHON) -m pytest -q tests/tsan

bench: release
	bash bench/compare.sh

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf build
