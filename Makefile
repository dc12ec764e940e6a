# Two commands for a new user: `make run` (the console on the built-in demo)
# and `make test` (the whole suite). Each creates the virtualenv it needs.
# The first interpreter that runs and is 3.11 or newer (pyenv shims may exist for versions that do not run).
PYTHON ?= $(shell for candidate in python3.13 python3.12 python3.11 python3; do \
	if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then command -v $$candidate; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "finops-tui needs Python 3.11 or newer: none found on PATH (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/finops-tui --demo

# The suite, then the tests that reason about days again with the wall clock moved (time-machine)
# to the first minute of a month and to 23:59:59 UTC of a month's last day (a leap day): no test
# may depend on the real date or time.
MOVED_CLOCK_TESTS := tests/unit tests/integration/test_status_cli.py tests/integration/test_report_cli.py \
	tests/integration/test_alerts_delivery.py tests/integration/test_focus_calendar.py tests/tui/test_dashboard.py

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest -q -p no:cacheprovider --wall-clock 2027-03-01T00:00:30+00:00 $(MOVED_CLOCK_TESTS)
	$(BIN)/python -m pytest -q -p no:cacheprovider --wall-clock 2028-02-29T23:59:59+00:00 $(MOVED_CLOCK_TESTS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
