# Two commands for a new user: `make run` (the console on the built-in demo)
# and `make test` (the whole suite). Each creates the virtualenv it needs.
# The first interpreter that runs and is 3.11 or newer (pyenv shims may exist for versions that do not run).
PYTHON ?= $(shell for candidate in python3.13 python3.12 python3.11 python3; do \
	if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then command -v $$candidate; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# uv only resolves the lock (`make lock`); installing uses plain pip.
UV_VERSION := 0.13.9

.PHONY: run test test-reliability bench lock clean

# Every dependency (runtime, test and build backend) comes from requirements.lock,
# pinned with hashes; then the package itself, without dependencies.
$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "finops-tui needs Python 3.11 or newer: none found on PATH (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Regenerate requirements.lock after changing dependencies in pyproject.toml.
# Versions already in the lock are kept where they still fit; pass
# LOCK_ARGS=--upgrade (or --upgrade-package NAME) to move them.
lock:
	@test -n "$(PYTHON)" || { echo "make lock needs Python 3.11 or newer"; exit 1; }
	test -x .lock-tools/bin/uv || { $(PYTHON) -m venv .lock-tools && .lock-tools/bin/python -m pip install --quiet uv==$(UV_VERSION); }
	.lock-tools/bin/uv pip compile pyproject.toml requirements/build.in --extra test --extra parquet \
		--generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock" \
		$(LOCK_ARGS) -o requirements.lock

run: $(STAMP)
	$(BIN)/finops-tui --demo

# The suite, then the tests that reason about days again with the wall clock moved (time-machine)
# to the first minute of a month and to 23:59:59 UTC of a month's last day (a leap day): no test
# may depend on the real date or time.
MOVED_CLOCK_TESTS := tests/unit tests/integration/test_status_cli.py tests/integration/test_focus_calendar.py

# Tests run in parallel, one worker per CPU (pytest-xdist): each test keeps its own files, servers and ports.
# The SVG snapshots run on their own, one at a time: on a machine busy with other tests a screenshot can be
# taken between a layout request (a header that wraps) and the frame that draws it.
SNAPSHOT_TESTS := tests/tui/test_snapshots.py
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --ignore=$(SNAPSHOT_TESTS)
	$(BIN)/python -m pytest -q -p no:cacheprovider $(SNAPSHOT_TESTS)
	$(BIN)/python -m pytest -n auto -q -p no:cacheprovider --wall-clock 2027-03-01T00:00:30+00:00 $(MOVED_CLOCK_TESTS)
	$(BIN)/python -m pytest -n auto -q -p no:cacheprovider --wall-clock 2028-02-29T23:59:59+00:00 $(MOVED_CLOCK_TESTS)

test-reliability: $(STAMP)
	$(BIN)/python -m pytest -m reliability

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .lock-tools
