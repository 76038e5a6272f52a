#!/usr/bin/env bash
# Sets up the machine, builds Roost, and runs its main job on the embedded default: a simulated
# Kubernetes cluster on 127.0.0.1:6443 with three node pools and a kubeconfig in .roost/.
# (Until `roost demo` lands, the main job is the simulated cluster itself.)
# Extra arguments go to `roost sim`, e.g. `bash hack/run.sh --tls --port 7443`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/setup.sh
swift build -c release --product roost
mkdir -p .roost
exec .build/release/roost sim --port 6443 --nodes default:3,scheduled-runs:2,large-machines:1 \
  --kubeconfig-out .roost/kubeconfig "$@"
