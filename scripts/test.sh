#!/usr/bin/env bash
# Runs every check libhsm has, from a fresh clone, installing what it needs
# from the project's own files (cargo for Rust; pip into ./.venv for Python).
#
#   ./scripts/test.sh
#
# Stages: formatting, clippy (-D warnings), cargo test (unit, integration,
# doc, golden vectors, C-header drift), docs (-D warnings), the C tests
# under ASan+UBSan (static, and shared through pkg-config), the Python
# package built into .venv with pytest and mypy stubtest, versions agreeing
# across doors, the benchmarks compiled and run briefly (scripts/bench.sh
# --quick), and each door checked as an installed distribution
# (scripts/check-dist.sh). Every stage runs; the script exits non-zero
# if any failed, after a summary.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# This script builds everything in several profiles; incremental caches
# (1.3 GB in target/debug alone) only cost disk here, and once filled a CI
# machine's. Set CARGO_INCREMENTAL=1 to keep them.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
VENV=$ROOT/.venv
PY=$VENV/bin/python

passed=0
failed=0
failures=()
stage() {
    local name=$1
    shift
    printf '\n==> %s\n' "$name"
    local start=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        printf '<== %s: ok (%ss)\n' "$name" $((SECONDS - start))
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf '<== %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
    fi
}

python_env() {
    # A project-local virtual environment with pinned build and test tools.
    [ -x "$PY" ] || python3 -m venv "$VENV" || return 1
    "$PY" -m pip install --quiet --disable-pip-version-check -r bindings/python/requirements-dev.txt
}

python_build() {
    (cd bindings/python && VIRTUAL_ENV=$VENV PATH=$VENV/bin:$PATH "$VENV/bin/maturin" develop --quiet)
}

python_tests() {
    "$PY" -m pytest bindings/python/tests -q
}

python_stubtest() {
    (cd bindings/python && "$PY" -m mypy.stubtest hsm --allowlist stubtest-allowlist.txt) &&
        "$PY" -m mypy --strict bindings/python/python/hsm bindings/python/tests
}

versions_agree() {
    # `hsm version`, `hsm.__version__` and the header's macros must agree.
    local cli py hdr
    cli=$(cargo run --quiet --locked -p hsm-cli -- version --format json |
        "$PY" -c 'import json, sys; print(json.load(sys.stdin)["version"])') || return 1
    py=$("$PY" -c 'import hsm; print(hsm.__version__)') || return 1
    hdr=$(sed -n 's/^#define HSM_VERSION_STRING "\(.*\)"$/\1/p' bindings/c/include/hsm.h)
    echo "cli=$cli python=$py header=$hdr"
    [ -n "$cli" ] && [ "$cli" = "$py" ] && [ "$py" = "$hdr" ]
}

stage "cargo fmt --check" cargo fmt --all --check
stage "cargo clippy -D warnings (all features)" cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
stage "cargo test (incl. golden vectors, header drift)" cargo test --workspace --locked
stage "cargo doc -D warnings" env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet
stage "C tests under ASan+UBSan" make --no-print-directory -C bindings/c test
stage "python environment (.venv)" python_env
stage "python package build (maturin develop)" python_build
stage "pytest" python_tests
stage "mypy stubtest + mypy --strict" python_stubtest
stage "docs build (plots of a simulated morning)" ./scripts/docs.sh target/docs-img --minutes 30
stage "versions agree (CLI, Python, C header)" versions_agree
stage "benchmarks compile (cargo bench --no-run)" cargo bench --workspace --no-run --locked --quiet
stage "benchmarks quick run (table + target/bench-results.json)" ./scripts/bench.sh --quick
stage "distributions (C install via pkg-config/CMake, wheel in a clean venv, cargo package)" ./scripts/check-dist.sh

printf '\n'
if [ "$failed" -ne 0 ]; then
    printf 'failed stages: %s\n' "${failures[*]}"
fi
printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
