# Every target bootstraps .venv from nothing but python3, installing the pinned dependency set.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUNTIME_STAMP := $(VENV)/.runtime-stamp
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: demo test lint docs bench bench-cases bench-sdc bench-surveys install clean lock

install: $(STAMP)

# The demo needs only the runtime dependencies (quick); tests add the dev extra (pyspark, etc.).
$(RUNTIME_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(PIP) -e '.[dev]'
	touch $(STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/safepath demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# docs/cli.md is generated from the CLI itself (tests/cli/test_reference.py fails when it is stale).
docs: $(RUNTIME_STAMP)
	$(BIN)/python -m safepath.cli.reference docs/cli.md

bench: $(STAMP)
	$(BIN)/python -m bench

# The case API under load, with Datasette (in its own venv) as the reference SQLite web server.
DATASETTE := .datasette-venv/bin/datasette
bench-cases: $(STAMP)
	test -x $(DATASETTE) || ($(PYTHON) -m venv .datasette-venv && \
		.datasette-venv/bin/python -m pip install --quiet --disable-pip-version-check datasette==0.65.5)
	$(BIN)/python -m bench.cases --datasette $(DATASETTE) $(ARGS)

# Disclosure control: sdcMicro's risk measures on 1M records (needs ../shared/data/sdcmicro).
bench-sdc: $(STAMP)
	$(BIN)/python -m bench.sdc $(ARGS)

# Survey-round import at Kobo's failing size (132,229 x 510 XLSX) and a 1M-row CSV, against
# pandas read_excel (openpyxl); generated data are cached in /tmp (CPU heavy: minutes).
bench-surveys: $(STAMP)
	$(BIN)/python -m bench.surveys $(ARGS)

# Re-resolve the pinned set after changing dependencies in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
