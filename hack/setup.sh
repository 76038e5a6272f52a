#!/usr/bin/env bash
# Idempotent machine setup for Roost: installs the Debian packages the build and tests need.
# Safe to run repeatedly; does nothing when everything is already present.
set -euo pipefail

packages=(libcurl4-openssl-dev libyaml-dev pkg-config curl jq ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "hack/setup.sh: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v swift >/dev/null 2>&1 || { echo "hack/setup.sh: swift is not on PATH (expected /opt/swift)" >&2; exit 1; }
command -v kubectl >/dev/null 2>&1 || echo "hack/setup.sh: kubectl not found; the kubectl end-to-end tests will be skipped" >&2
exit 0
