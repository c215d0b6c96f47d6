# `make run` and `make test` set everything up on a fresh machine (see README.md).
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app registry
PYTHON ?= python3
# The virtualenv is rebuilt whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install run test lint check migrate contracts-text clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

# The worker delivers notices beside the web server (as .eml files in instance/outbox without REGISTRY_MAIL_SERVER).
run: migrate
	$(FLASK) demo load --if-empty
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)  # browser tests
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check registry tests bench
	$(BIN)/mypy registry
	$(BIN)/lint-imports  # the floors of shared/DESIGN.md (pyproject.toml, tool.importlinter)

check: lint test

# The plain-text copies contracts/dpa.<lang>.txt of the Word templates, committed with them (tests/contracts).
contracts-text: install
	$(BIN)/python tests/contracts/text_copy.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
