#!/usr/bin/env bash
# Builds everything and runs every test: unit and rule tests, the live-kernel
# differential tests, the example, the tests again under ASan and UBSan, and a
# short libFuzzer run of each fuzz target. Also proves the build is
# warning-free with clang as well as gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
jobs=$(nproc)
make -j"$jobs" CC=clang B=build/clang all
make -j"$jobs" all
make -j"$jobs" build/unit build/unit-san
make test
