# Sourced by run.sh and test.sh: creates .venv and installs the pinned requirements.
# With "dev" it also installs the test tools. Where apt-get is usable as root it installs
# Debian's chromium (browser tests and the chart export need it).
set -euo pipefail
want="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
req=requirements.txt
[ "$want" = dev ] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)-$want"
if [ ! -f "$stamp" ]; then
  # Bytecode is compiled here, once (pip's default): with PYTHONDONTWRITEBYTECODE set, as on this
  # machine, a --no-compile install made every server, worker and AppTest compile streamlit, plotly
  # and polars from source again (the test run took 12:48 instead of about 10 minutes; measured).
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
  touch "$stamp"
fi
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installiere Debians chromium (für Browser-Tests und Bildexport) …"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
