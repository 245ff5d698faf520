# The few verbs people run. CI runs `make test` (see .ci/run); the README documents `make run`
# and `make test` as the two set-up commands: each installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@# The kernel data-plane engine (and its tests) use nftables and conntrack: as root on
	@# Debian, install them when missing; elsewhere the engine says what it needs.
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! (command -v nft && command -v conntrack) >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables conntrack) \
	  || echo "could not install nftables/conntrack: the kernel engine's tests will be skipped"; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the embedded default in the foreground (Ctrl-C stops it).
run: $(STAMP)
	$(BIN)/localnlb up

## Everything CI checks: format, lint, layering, types, then the test suite.
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@# No import circle between any two modules (import-linter's layers see only packages).
	$(BIN)/python -m tools.import_cycles

typecheck: $(STAMP)
	$(BIN)/mypy

## The suite, two pytest-xdist workers per core: most tests wait on real timers, probes and
## processes rather than compute, so a second worker per core overlaps the waits, and
## work-stealing keeps the long files (the docs pages, the e2e stacks) from finishing last on
## one worker (1,931 tests: 4m46s on 2 cores; one worker per core and per-file: 6m+). Each
## worker takes its own slice of 127.x VPC octets: tests/helpers/octets.py.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
