#!/usr/bin/env bash
# Runs every side-by-side comparison in benches/compare/ against its Python
# peer (OpenCV, flyr, supervision + trackers, scikit-learn), after installing
# those peers into ./.venv from bindings/python/requirements-compare.txt and
# building the hsm package in release mode (speed comparisons against a debug
# build would be meaningless).
#
#   ./scripts/compare.sh            all comparisons
#   ./scripts/compare.sh NAME ...   only benches/compare/NAME.py
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r bindings/python/requirements-dev.txt -r bindings/python/requirements-compare.txt
(cd bindings/python && VIRTUAL_ENV=$VENV PATH=$VENV/bin:$PATH "$VENV/bin/maturin" develop --release --quiet)
if [ $# -gt 0 ]; then
    scripts=()
    for name in "$@"; do scripts+=("benches/compare/$name.py"); done
else
    scripts=(benches/compare/*.py)
fi
status=0
for s in "${scripts[@]}"; do
    [ -f "$s" ] || { echo "no comparison $s"; status=1; continue; }
    echo "==> $s"
    "$VENV/bin/python" "$s" || status=1
done
# Leave the debug build that scripts/test.sh expects.
(cd bindings/python && VIRTUAL_ENV=$VENV PATH=$VENV/bin:$PATH "$VENV/bin/maturin" develop --quiet)
exit $status
