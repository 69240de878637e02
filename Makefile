# ModelAudit — the two commands: `make run` and `make test`. Each works from a fresh clone
# on Debian 12 as root (with ../shared beside it: the bundled DVC remote): it installs what is
# missing, configures, builds, pulls the DVC-tracked data, then runs or tests.
BUILD     ?= build
BUILDTYPE ?= Release
CLI       := $(BUILD)/bin/modelaudit-cli
JOBS      ?= $(shell nproc)

.PHONY: all deps configure build pull model run test bench package lint format test-asan clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILDTYPE) $(CMAKE_ARGS) > $(BUILD).configure.log 2>&1 \
		|| { cat $(BUILD).configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The data DVC versions (data/raw/census.csv) from the remote .dvc/config names
# (../shared/dvc-remote), into .dvc/cache and the workspace: `dvc pull` without DVC.
pull: build
	@$(CLI) pull

# Reproduces the pipeline of dvc.yaml where it is stale (clean, split, train, the reports):
# `dvc repro` without DVC. Nothing runs when everything matches dvc.lock.
model: pull
	@$(CLI) repro

run: model
	$(BUILD)/bin/modelaudit --project "$(CURDIR)"

test: pull
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: pull
	@bash scripts/install-deps.sh --bench
	@$(CLI) repro
	$(BUILD)/bin/bench_pipeline --project "$(CURDIR)"
	$(BUILD)/bin/bench_audit --project "$(CURDIR)"
	$(BUILD)/bin/bench_explain --project "$(CURDIR)"
	QT_QPA_PLATFORM=offscreen $(BUILD)/bin/bench_gui --project "$(CURDIR)"

# The Debian package (CPack DEB) with a generated example project: $(BUILD)/package/*.deb
package: build
	@bash scripts/package.sh $(BUILD)

SOURCES = $(shell find app core ui tests bench -name '*.cpp' -o -name '*.h')

format:
	clang-format -i $(SOURCES)

# clang-format in check mode, then clang-tidy (.clang-tidy) on every core/ui/app source.
lint: configure
	@bash scripts/install-deps.sh --lint
	clang-format --dry-run --Werror $(SOURCES)
	run-clang-tidy -p $(BUILD) -quiet -j $(JOBS) '$(CURDIR)/(core|ui|app)/.+\.cpp$$'

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer; any finding fails.
ASAN_BUILD ?= build-asan
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMODELAUDIT_SANITIZE=ON > $(ASAN_BUILD).configure.log 2>&1 \
		|| { cat $(ASAN_BUILD).configure.log; exit 1; }
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -E '^tst_package$$'

clean:
	rm -rf $(BUILD) $(BUILD).configure.log $(ASAN_BUILD) $(ASAN_BUILD).configure.log
