#!/usr/bin/env bash
# libhsm's main job on simulated data: no files, no downloads. A 30-minute
# morning at a hospital entrance runs through the gate (thermal, metal,
# beams, overhead counting), the passages go to ./hsm-gate-demo.db, and the
# summary compares them with the simulation's truth.
#
#   ./scripts/demo.sh [--minutes M] [--seed S] [--db PATH] [--format json|csv|table]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --locked -p hsm-cli -- gate demo "$@"
