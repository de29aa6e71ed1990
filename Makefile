# synthstm: the two commands of the README are `make demo` and `make test`.
PRESET   ?= release
BUILD    := build/$(PRESET)
BIN      := $(BUILD)/apps/synthstm/synthstm
JOBS     ?= $(shell nproc)
# Debian's interpreter, with its python3-* packages (another python3 may come first on PATH).
PYTHON   ?= /usr/bin/python3

.PHONY: all deps configure build python demo test bench check-dataset clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake --preset $(PRESET) -DSYNTHSTM_PYTHON_EXECUTABLE=$(PYTHON) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The Python package in $(BUILD)/python (docs/python.md), and its tests.
python: configure
	@cmake --build $(BUILD) -j $(JOBS) --target synthstm_python synthstm
	@cd $(BUILD) && ctest -L python --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo $(BIN) demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	@$(BUILD)/bench/synthstm_bench --benchmark_min_time=0.2

# 500 wse2-main samples checked for NaN/Inf, target ranges and parameter ranges (docs/dataset.md).
check-dataset: build
	@PYTHON=$(PYTHON) scripts/check-dataset $(BIN) check-dataset 500

clean:
	rm -rf build demo check-dataset
