# Easel: `make run` serves the API on $(PORT); `make test` runs the suite. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT

.PHONY: run test fuzz bench lint venv venv-dev clean

$(BIN)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Easel needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(BIN)/.dev: $(BIN)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.runtime
venv-dev: $(BIN)/.dev

run: venv
	$(BIN)/flask --app app init-db
	$(BIN)/python app.py

test: venv-dev
	$(BIN)/python -m pytest

# Schemathesis with 100 examples per operation (make test runs 25): FUZZ_ARGS passes more options.
fuzz: venv-dev
	$(BIN)/python -m tests.fuzz_api --examples 100 $(FUZZ_ARGS)

bench: venv-dev
	$(BIN)/python -m bench

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
