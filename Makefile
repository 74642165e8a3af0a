# Two commands on a fresh machine: `make report` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lint bench clean sysdeps

# Debian packages the browser and PDF tests use, installed only when missing (CI runs as root).
SYSDEPS_MISSING = $(strip $(if $(wildcard /usr/bin/chromium),,chromium) \
	$(if $(wildcard /usr/bin/chromedriver),,chromium-driver) \
	$(if $(wildcard /usr/bin/pdftoppm),,poppler-utils))
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# the replica's pre-specified analysis: its study plan says the model, covariates and options
report: $(STAMP)
	$(BIN)/irtrial report data/synthetic/ir_wrap_trial.csv --plan data/synthetic/ir_wrap_plan.toml --out reports

sysdeps:
ifneq ($(SYSDEPS_MISSING),)
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SYSDEPS_MISSING)
endif

test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports
