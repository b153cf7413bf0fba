# Trygghetskartan — every target does its own set-up on a fresh machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
PDFTOPPM := /usr/bin/pdftoppm

.PHONY: all run test lint bench maps docs clean setup npm chromium

all: test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the dependency list changes; constraints.txt pins every package (the
# dependencies' dependencies too) to the versions the tests last passed with.
$(VENV)/.stamp-deps: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.stamp-npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium (browser tests, PDF printing) and poppler-utils (pdftoppm, to check PDFs).
$(CHROMIUM) $(PDFTOPPM):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium poppler-utils

setup: $(VENV)/.stamp-deps node_modules/.stamp-npm
npm: node_modules/.stamp-npm
chromium: $(CHROMIUM)

run: setup $(CHROMIUM)
	$(BIN)/geo run

test: setup $(CHROMIUM) $(PDFTOPPM)
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check geo tests bench
	$(BIN)/ruff format --check geo tests bench
	$(BIN)/mypy

bench: setup $(CHROMIUM)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

maps: setup
	$(BIN)/geo maps

# docs/cli.md: every command's --help (a test fails when it is out of date).
docs: setup
	$(BIN)/python -m geo.cli.reference docs/cli.md

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache tests/artifacts data/lagesbild.gpkg*
