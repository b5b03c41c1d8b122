# Waypoint: `make run` to try it, `make test` for everything that must pass.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: run test install secrets messages lint typecheck contracts pytest pytest-postgres bench lock clean

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

secrets: install
	$(BIN)/python -m waypoint.local_secrets var

messages: install
	$(BIN)/waypoint compile_translations

run: secrets messages
	WAYPOINT_DEBUG=1 $(BIN)/waypoint migrate --no-input
	WAYPOINT_DEBUG=1 $(BIN)/waypoint demo
	@echo "Waypoint is at http://$(HOST)/  (Ctrl-C stops it)"
	WAYPOINT_DEBUG=1 $(BIN)/waypoint runserver $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install secrets
	$(BIN)/mypy waypoint

contracts: install
	$(BIN)/lint-imports

pytest: secrets messages
	env -u DATABASE_URL $(BIN)/pytest --cov --cov-report=term --cov-fail-under=90 $(PYTEST_ARGS)

# The same suite on PostgreSQL, when DATABASE_URL names one (CI sets it).
pytest-postgres: secrets messages
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "Running the suite again on PostgreSQL"; \
		$(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo "DATABASE_URL is not set: skipping the PostgreSQL run"; \
	fi

test: lint typecheck contracts pytest pytest-postgres

bench: secrets messages
	$(BIN)/python bench/run_all.py

# Re-resolve the pinned dependencies after editing pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.12 --generate-hashes \
		-o requirements.lock --quiet
	$(BIN)/python -m pip uninstall --quiet --yes uv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
