#!/usr/bin/env bash
# Runs the whole test suite from a fresh clone: machine setup, build, every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/setup.sh
swift build --build-tests
swift test --skip-build
