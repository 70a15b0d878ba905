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
  # uv (from PyPI, pinned) installs the pinned requirements in parallel and compiles their bytecode
  # on both cores: 33 s for a fresh install where pip took about 100 s (measured without caches).
  # Bytecode must be compiled: with PYTHONDONTWRITEBYTECODE set, as on this machine, nothing is
  # cached at import, and every server, worker and AppTest would compile streamlit, plotly and
  # polars from source (a test run took 12:48 instead of 11:17). Where uv cannot be had, pip does
  # the same, more slowly.
  if .venv/bin/python -m pip install -q --disable-pip-version-check uv==0.13.9 &&
    .venv/bin/python -m uv pip install -q --python .venv/bin/python --compile-bytecode -r "$req"; then
    :
  else
    echo "uv nicht verfügbar: Installation mit pip …"
    .venv/bin/python -m pip install -q --no-compile --disable-pip-version-check -r "$req"
    # (a file that does not compile is skipped, as pip skips it: some packages ship such test data)
    .venv/bin/python -m compileall -q -j 2 .venv/lib >/dev/null || true
  fi
  touch "$stamp"
fi
# DejaVu Sans gives the PDF report the glyphs Liberation Sans lacks (◆, ✓): also where chromium is there.
if { [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } &&
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installiere Debians chromium und fonts-dejavu-core (für Browser-Tests, Bildexport und PDF) …"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
