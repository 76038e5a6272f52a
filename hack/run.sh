#!/usr/bin/env bash
# Sets up the machine, builds Roost, and runs its main job on the embedded default: `roost demo`,
# a simulated cluster with three node pools, Roost placing a seeded mix of scheduled and
# on-demand sessions, and a report of every placement (under a minute).
# Extra arguments go to `roost demo`, e.g. `bash hack/run.sh --json` or `--seed 7`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/setup.sh
swift build -c release --product roost
exec .build/release/roost demo "$@"
