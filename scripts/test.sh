#!/usr/bin/env bash
# Builds everything and runs every test: unit and rule tests, the live-kernel
# differential tests, the example, the tests again under ASan and UBSan, a
# short libFuzzer run of each fuzz target, an install into a temporary
# prefix and the --html page in a browser. Also proves the build is warning-free with clang as well as gcc.
#
# Every step runs even when an earlier one failed, so that one run shows
# everything that is wrong. Ends with one total line; a step that failed
# without counting a failed test of its own (a build, a crash, the fuzzer)
# counts as one failure, and the failed steps are named just before it. Exits
# 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mkdir -p build
log=build/test.log
: >"$log"
jobs=$(nproc)
passed=0 failed=0 skipped=0
failed_steps=()

# step NAME COMMAND...: runs it, its output to the terminal and the log.
step() {
	local name=$1 out rc counts p f s
	shift
	out=$(mktemp)
	echo "== $name: $*" | tee -a "$log"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	cat "$out" >>"$log"
	counts=$(awk '/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ { p += $1; f += $3; s += $5 }
		      END { print p + 0, f + 0, s + 0 }' "$out")
	rm -f "$out"
	read -r p f s <<<"$counts"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$rc" != 0 ]; then
		failed_steps+=("$name")
		[ "$f" != 0 ] || failed=$((failed + 1))
	fi
}

step deps ./scripts/deps.sh
step "clang build" make -j"$jobs" CC=clang B=build/clang all
step "gcc build" make -j"$jobs" all
step "test build" make -j"$jobs" build/unit build/unit-san
step "unit tests and example" make test-fast
step "unit tests under ASan+UBSan" make test-san
step "fuzz smoke" make fuzz-smoke
step "install check" make install-check
# the --html page in headless Chromium (installed when missing; skips with
# the reason where it cannot be)
step "browser test" ./tests/browser/run.sh

if [ ${#failed_steps[@]} -gt 0 ]; then
	msg="failed steps: $(printf '%s, ' "${failed_steps[@]}")"
	echo "${msg%, }" | tee -a "$log"
fi
echo "total: $passed passed, $failed failed, $skipped skipped" | tee -a "$log"
[ "$failed" = 0 ] && [ ${#failed_steps[@]} = 0 ]
