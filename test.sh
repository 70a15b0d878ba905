#!/usr/bin/env bash
# Installs everything (Python packages into .venv; Debian's chromium where apt is usable)
# and runs the linters and the test suite (CI: this script without arguments).
#   bash test.sh            linters, every test but the load test in two workers, then the load test
#   bash test.sh fast       linters and the fast tier: no AppTest page, browser, server, load or
#                           build beyond the session's one (docs/testing.md; under a minute)
#   bash test.sh ARGS...    plain pytest with ARGS (e.g. tests/test_db.py -x)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The layers of ikz/ (pyproject.toml): fails when an import runs back up or a lower layer imports Streamlit.
.venv/bin/lint-imports
# Exit code 5 (no tests collected) is a failure here too: pytest returns it as non-zero.
if [ "${1:-}" = fast ]; then
  exec .venv/bin/python -m pytest -q -m "not browser and not load and not slow"
fi
if [ "$#" -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# In two workers: a serial run left the two cores idle about 45 % of the time (servers starting,
# Chromium and script runs waited for), so a second test file runs meanwhile. --dist loadfile keeps
# each file, with its module fixtures (server, browser), in one worker; --no-loadscope-reorder
# keeps the files in collection order, the longest first (tests/conftest.py, LONGEST_FIRST).
status=0
.venv/bin/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not load" || status=$?
# The load test measures one server, so it runs with the machine to itself.
.venv/bin/python -m pytest -m load || status=$((status ? status : $?))
exit "$status"
