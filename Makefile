# synthstm: the two commands of the README are `make demo` and `make test`.
PRESET   ?= release
BUILD    := build/$(PRESET)
BIN      := $(BUILD)/apps/synthstm/synthstm
JOBS     ?= $(shell nproc)
# Debian's interpreter, with its python3-* packages (another python3 may come first on PATH).
PYTHON   ?= /usr/bin/python3

.PHONY: all deps configure build python demo test bench check-dataset model clean

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

# The default model (docs/ml.md): trained on the most realistic preset (wse2-real), with its
# figures on held-out sets (other seeds) of wse2-main (the seed's definition, where the quality
# targets are set) and of wse2-real, in model/eval-main.json and model/eval-real.json.
# Measured: a few minutes generating on 2 cores, 14 epochs of ~80 s training (docs/ml.md).
MODEL_PRESET  ?= wse2-real
MODEL_SAMPLES ?= 4000
MODEL_EPOCHS  ?= 14
model: build
	@$(BIN) generate --preset $(MODEL_PRESET) -n $(MODEL_SAMPLES) --seed 1 --threads $(JOBS) --out model/data
	@$(BIN) generate --preset wse2-main -n 500 --seed 2 --threads $(JOBS) --out model/test
	@$(BIN) generate --preset wse2-real -n 500 --seed 3 --threads $(JOBS) --out model/test-real
	@$(BIN) train --data model/data --out model/run --epochs $(MODEL_EPOCHS) --batch 16 --lr auto \
	  $(if $(wildcard model/run/checkpoint.pt),--resume)
	@$(BIN) evaluate --model model/run --data model/test --threshold 0.3 --json --png model/evaluate-main.png > model/eval-main.json
	@$(BIN) evaluate --model model/run --data model/test-real --threshold 0.3 --json --png model/evaluate-real.png > model/eval-real.json
	@cat model/eval-main.json model/eval-real.json

clean:
	rm -rf build demo check-dataset model
