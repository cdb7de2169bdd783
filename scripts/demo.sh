#!/usr/bin/env bash
# Builds the tool and runs its main job on the built-in example.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
make -j"$(nproc)" all >/dev/null
./build/vmspace demo
