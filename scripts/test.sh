#!/usr/bin/env bash
# Builds everything and runs every test: unit and rule tests, the live-kernel
# differential tests, the example, the tests again under ASan and UBSan, and a
# short libFuzzer run of each fuzz target (make test, which also installs into
# a temporary prefix: make install-check). Also proves the build is
# warning-free with clang as well as gcc. Ends with one total line.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
jobs=$(nproc)
make -j"$jobs" CC=clang B=build/clang all
make -j"$jobs" all
make -j"$jobs" build/unit build/unit-san
log=build/test.log
make test 2>&1 | tee "$log"
awk '/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ { p += $1; f += $3; s += $5 }
     END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s; exit f != 0 }' "$log"
