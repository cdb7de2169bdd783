#!/usr/bin/env bash
# The page of `vmspace replay --html` in a real browser: for recorded logs of
# real programs (tests/data/replay/), writes the page, opens it in headless
# Chromium and checks what it draws at each call against `vmspace replay --at`
# (tests/browser/html_test.mjs). Installs what it needs when missing and it
# may (Debian's chromium and nodejs as root, playwright-core from npm into
# $B/browser); otherwise says why it skips. Ends with the suite's
# "N passed, N failed, N skipped" line.
#
#   tests/browser/run.sh                 run the test
#   tests/browser/run.sh --screenshot    also write docs/replay-html.png
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
VMSPACE=$B/vmspace
DIR=$B/browser
LOGS=(threads memcalls shm)

skip() {
	echo "skip browser test: $*"
	echo "0 passed, 0 failed, $((${#LOGS[@]} + 1)) skipped"
	exit 0
}

[ -x "$VMSPACE" ] || { echo "browser test: $VMSPACE is not built (make)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# Without recommends: chromium's pull in avahi-daemon, whose new user rewrites
# /etc/passwd (a new inode), which recorded logs that map it then see.
apt_install() {
	[ "$(id -u)" = 0 ] || return 1
	command -v apt-get >/dev/null || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$DIR/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$DIR/apt.log" 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$DIR/apt.log" 2>&1; }
}

mkdir -p "$DIR"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
	apt_install chromium || skip "no chromium, and it cannot be installed here (needs root and apt-get; see $DIR/apt.log)"
	CHROMIUM=$(command -v chromium) || skip "chromium did not install (see $DIR/apt.log)"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	apt_install nodejs npm || skip "no node/npm, and they cannot be installed here (needs root and apt-get)"
fi
if [ ! -d "$DIR/node_modules/playwright-core" ]; then
	# the driver only: it uses the chromium above, and downloads no browser
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm install --no-audit --no-fund --silent \
		--prefix "$DIR" playwright-core >"$DIR/npm.log" 2>&1 ||
		skip "playwright-core cannot be installed from npm (see $DIR/npm.log)"
fi
export CHROMIUM PLAYWRIGHT_CORE=$PWD/$DIR/node_modules/playwright-core

passed=0 failed=0
for name in "${LOGS[@]}"; do
	d=tests/data/replay/$name
	args=(--settings "$d/settings" --initial-maps "$d/initial.maps" "$d/trace.txt")
	page=$DIR/$name.html
	if ! "$VMSPACE" replay "${args[@]}" --html "$page" >/dev/null; then
		echo "FAIL browser_page_draws_the_maps_of_each_call ($name): --html failed"
		failed=$((failed + 1))
		continue
	fi
	if timeout 600 node tests/browser/html_test.mjs "$VMSPACE" "$page" -- "${args[@]}"; then
		echo "ok   browser_page_draws_the_maps_of_each_call ($name)"
		passed=$((passed + 1))
	else
		echo "FAIL browser_page_draws_the_maps_of_each_call ($name)"
		failed=$((failed + 1))
	fi
done
# 100,000 calls (the page tests/test_html.c makes): opened in under 30 s,
# any call shown in under a second (generous: the machine is shared)
if [ -x "$B/unit" ] && VMS_HTML_DUMP=$DIR/100k.html "$B/unit" html_page_of_100000_calls >/dev/null &&
	timeout 600 node tests/browser/html_test.mjs --perf "$DIR/100k.html" 30 1000; then
	echo "ok   browser_page_of_100000_calls_shows_any_call_at_once"
	passed=$((passed + 1))
else
	echo "FAIL browser_page_of_100000_calls_shows_any_call_at_once"
	failed=$((failed + 1))
fi
rm -f "$DIR/100k.html"
if [ "${1:-}" = --screenshot ]; then
	# threads: a fork and three threads; the step where the last thread's
	# stack is mapped, the first process chosen
	node tests/browser/html_test.mjs --screenshot docs/replay-html.png "$DIR/threads.html" \
		"${SHOT_STEP:-60}" 0 && echo "wrote docs/replay-html.png"
fi
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
