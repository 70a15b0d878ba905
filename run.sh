#!/usr/bin/env bash
# Installs everything into .venv and starts the dashboard on http://127.0.0.1:8501
# (the DuckDB file is built from data/raw on first start).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
exec .venv/bin/python scripts/serve.py --server.address 127.0.0.1 --server.port "${PORT:-8501}" "$@"
