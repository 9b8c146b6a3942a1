# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx

.PHONY: run test venv deps test-deps chromium nginx bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed once per change of pyproject.toml (a stamp file each): `make run` then starts
# at once, and works without the package registry.
deps: $(VENV)/.installed
test-deps: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Debian's Chromium for the browser tests (never `playwright install`).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi

# Debian's nginx for tests/deploy, which starts its own on loopback; never left running as a service.
nginx:
	@if [ ! -x "$(NGINX)" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx; \
		$$SUDO service nginx stop >/dev/null 2>&1 || true; \
		if command -v systemctl >/dev/null 2>&1; then $$SUDO systemctl disable nginx >/dev/null 2>&1 || true; fi; \
	fi

run: deps  # `serve` prints the address to open
	$(BIN)/nn-playground serve --host $(HOST) --port $(PORT)

test: test-deps chromium nginx
	$(BIN)/ruff check .
	$(BIN)/mypy
	CHROMIUM_PATH=$(CHROMIUM) NGINX_PATH=$(NGINX) $(BIN)/python -m pytest -q

bench: deps
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_server.py

clean:
	rm -rf $(VENV) build dist *.egg-info test-results
