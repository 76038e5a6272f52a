#!/usr/bin/env bash
# Sets up the machine, builds Roost, and runs its main job on the embedded default: `roost demo`,
# a simulated cluster with three node pools, Roost placing a seeded mix of scheduled and
# on-demand sessions, and a report of every placement (under a minute).
# Extra arguments go to `roost demo`, e.g. `bash hack/run.sh --json` or `--seed 7`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Setup and build report on stderr, so stdout carries only the demo's report (`--json | jq`).
bash hack/setup.sh 1>&2
swift build -c release --product roost 1>&2
exec .build/release/roost demo "$@"
