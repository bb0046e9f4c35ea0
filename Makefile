# Makefile: the front door. `make demo` and `make test` install what is missing, then build
# (Release) and run.
BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 20

.PHONY: all deps build test demo bench fuzz fuzz-ci clean

all: build

deps:
	scripts/install-deps build test

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	scripts/demo $(BUILD)

bench: build
	scripts/install-deps bench
	bench/decode $(BUILD)

# libFuzzer targets under ASan + UBSan (clang), each run for FUZZ_SECONDS.
fuzz:
	scripts/install-deps fuzz
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(BUILD)-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DIMGPIPE_FUZZ=ON -DIMGPIPE_SANITIZE=ON -DIMGPIPE_TESTS=OFF -DIMGPIPE_BENCH=OFF \
	  -DIMGPIPE_PROGRAMS=OFF >/dev/null
	cmake --build $(BUILD)-fuzz -j $(JOBS)
	scripts/run-fuzzers $(BUILD)-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(BUILD)-fuzz demo-out
