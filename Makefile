# ModelAudit — the two commands: `make run` and `make test`. Each works from a fresh clone
# on Debian 12 as root: it installs what is missing, configures, builds, then runs or tests.
BUILD     ?= build
BUILDTYPE ?= Release
CLI       := $(BUILD)/bin/modelaudit-cli
JOBS      ?= $(shell nproc)

.PHONY: all deps configure build model run test bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILDTYPE) $(CMAKE_ARGS) > $(BUILD).configure.log 2>&1 \
		|| { cat $(BUILD).configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Cleans, splits and trains the bundled census data when the model is missing.
model: build
	@test -f models/model.bin || bash scripts/pipeline.sh $(BUILD)

run: model
	$(BUILD)/bin/modelaudit --project "$(CURDIR)"

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	@bash scripts/install-deps.sh --bench
	@test -f data/test.csv || bash scripts/pipeline.sh $(BUILD)
	$(BUILD)/bin/bench_pipeline --project "$(CURDIR)"
	$(BUILD)/bin/bench_audit --project "$(CURDIR)"
	QT_QPA_PLATFORM=offscreen $(BUILD)/bin/bench_gui --project "$(CURDIR)"

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
