#!/usr/bin/env bash
# libhsm's main job on built-in data: no files, no downloads.
#
#   ./scripts/demo.sh [--format json|csv|table]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --locked -p hsm-cli -- demo "$@"
