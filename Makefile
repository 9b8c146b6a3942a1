# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test venv deps test-deps chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

deps: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

test-deps: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

# Debian's Chromium for the browser tests (never `playwright install`).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi

run: deps  # `serve` prints the address to open
	$(BIN)/nn-playground serve --host $(HOST) --port $(PORT)

test: test-deps chromium
	$(BIN)/ruff check .
	$(BIN)/mypy
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest -q

bench: deps
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_server.py

clean:
	rm -rf $(VENV) build *.egg-info test-results
