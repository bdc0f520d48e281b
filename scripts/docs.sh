#!/usr/bin/env bash
# The docs build: renders the Python guide's plots of a simulated morning
# into docs/img/ (or the directory given), from the hsm package installed in
# ./.venv by scripts/test.sh (or `maturin develop`).
#
#   ./scripts/docs.sh [OUT_DIR] [--minutes M]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img}
shift || true
[ -x .venv/bin/python ] || { echo "run ./scripts/test.sh first (it creates .venv)"; exit 2; }
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bindings/python/requirements-docs.txt
exec .venv/bin/python docs/plots/morning.py "$out" "$@"
