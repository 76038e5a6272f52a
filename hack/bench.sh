#!/usr/bin/env bash
# Builds the benchmarks in release mode and runs the ones given (default: all that exist).
# Each figure is printed as a JSON line {"bench", "metric", "value", "unit"}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/setup.sh
swift build -c release --product roost-bench
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(sim client informer placement)
for bench in "${benches[@]}"; do
  .build/release/roost-bench "$bench"
done
