#!/usr/bin/env bash
# Runs the criterion benchmarks and reports them (table + target/bench-results.json).
#
#   ./scripts/bench.sh --quick   short warm-up and measurement: the CI run (< 3 minutes)
#   ./scripts/bench.sh           full criterion defaults, for numbers worth quoting
#
# Extra arguments after the mode go to criterion (e.g. a name filter).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
if [ "${1:-}" = "--quick" ]; then
    mode=quick
    shift
fi
rm -rf target/criterion
if [ "$mode" = quick ]; then
    log=target/bench-quick.log
    mkdir -p target
    if ! cargo bench --workspace --locked --quiet --bench '*' -- --warm-up-time 0.3 --measurement-time 1 \
        --sample-size 10 --noplot "$@" >"$log" 2>&1; then
        cat "$log"
        exit 1
    fi
else
    cargo bench --workspace --locked --bench '*' -- "$@"
fi
PY=python3
[ -x .venv/bin/python ] && PY=.venv/bin/python
"$PY" scripts/bench_report.py target/criterion target/bench-results.json
