#!/usr/bin/env bash
# Installs everything (Python packages into .venv; Debian's chromium where apt is usable)
# and runs the linters and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Exit code 5 (no tests collected) is a failure here too: pytest returns it as non-zero.
exec .venv/bin/python -m pytest "$@"
