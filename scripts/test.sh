#!/usr/bin/env bash
# Builds everything and runs every test: unit and rule tests, the live-kernel
# differential tests, then all of them again under ASan and UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
make -j"$(nproc)" all
make test
