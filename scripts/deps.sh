#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian machine (as root).
set -euo pipefail
need=()
command -v cc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
command -v strace >/dev/null || need+=(strace)
command -v clang >/dev/null || need+=(clang)
# The install check builds the example through the installed vmspace.pc.
command -v pkg-config >/dev/null || need+=(pkg-config)
# libFuzzer's runtime ships in libclang-rt-14-dev on Debian 12.
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
	need+=(libclang-rt-14-dev)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
	else
		echo "missing: ${need[*]} (run as root or install them)" >&2
		exit 1
	fi
fi
