#!/usr/bin/env bash
# install-check.sh: installs into a temporary prefix, as a user would
# (`make install PREFIX=...`), and checks that what was installed works with
# nothing from the build tree and no LD_LIBRARY_PATH: the command runs, and
# docs/example.c builds against the installed library through pkg-config,
# shared (with the rpath the README gives) and static, and prints what the
# in-tree example prints. Prints one line per check and the harness's
# "N passed, N failed, N skipped" line; exits 1 if a check failed.
#
# Environment: B (build directory, default build), CC (default cc), MAKE.
# Not for: DESTDIR staging (packagers' concern; vmspace.pc names PREFIX).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
CC=${CC:-cc}
MAKE=${MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pfx=$tmp/prefix
passed=0 failed=0 skipped=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "    $2"; echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "    skipped: $2"; echo "skip $1"; skipped=$((skipped + 1)); }

# What the example prints when built in the tree: the installed builds must agree.
if ! "$MAKE" -s --no-print-directory B="$B" CC="$CC" "$B/example" >"$tmp/make.log" 2>&1 ||
	! want=$("$B/example"); then
	cat "$tmp/make.log"
	want=
fi

if "$MAKE" -s --no-print-directory B="$B" CC="$CC" install PREFIX="$pfx" >"$tmp/install.log" 2>&1; then
	ok install_into_a_prefix
else
	fail install_into_a_prefix "make install PREFIX=$pfx failed: $(tail -3 "$tmp/install.log")"
fi

# env -i: no LD_LIBRARY_PATH, no PATH; the command links the library statically.
if out=$(env -i "$pfx/bin/vmspace" --version 2>&1) && [ "${out#vmspace }" != "$out" ]; then
	ok installed_command_runs_without_ld_library_path
else
	fail installed_command_runs_without_ld_library_path "env -i $pfx/bin/vmspace --version: $out"
fi

# Builds docs/example.c with the given link arguments and runs it under env -i.
example_runs() {
	local name=$1 bin=$tmp/$1
	shift
	# shellcheck disable=SC2086 # pkg-config's output is a list of arguments
	if ! "$CC" $cflags docs/example.c "$@" -o "$bin" >"$tmp/cc.log" 2>&1; then
		fail "$name" "$CC $cflags docs/example.c $*: $(head -5 "$tmp/cc.log")"
	elif ! out=$(env -i "$bin" 2>&1); then
		fail "$name" "env -i $bin: $out"
	elif [ -z "$want" ] || [ "$out" != "$want" ]; then
		fail "$name" "its output differs from $B/example's"
	else
		ok "$name"
	fi
}

export PKG_CONFIG_PATH=$pfx/lib/pkgconfig
if ! command -v pkg-config >/dev/null; then
	skip installed_example_links_shared_through_pkg_config "no pkg-config"
	skip installed_example_links_static_through_pkg_config "no pkg-config"
elif ! cflags=$(pkg-config --cflags vmspace) || ! libs=$(pkg-config --libs vmspace) ||
	! libdir=$(pkg-config --variable=libdir vmspace); then
	fail installed_example_links_shared_through_pkg_config "pkg-config does not find vmspace.pc"
	fail installed_example_links_static_through_pkg_config "pkg-config does not find vmspace.pc"
else
	# shellcheck disable=SC2086 # pkg-config output is a list of arguments
	example_runs installed_example_links_shared_through_pkg_config $libs -Wl,-rpath,"$libdir"
	# -lvmspace finds both libraries; the linker must have taken the shared one
	shared=$tmp/installed_example_links_shared_through_pkg_config
	if ! command -v readelf >/dev/null || [ ! -f "$shared" ]; then
		skip installed_example_needs_the_installed_shared_library "no readelf or no program"
	elif readelf -d "$shared" | grep -q 'NEEDED.*\[libvmspace\.so\.0\]' &&
		readelf -d "$shared" | grep -q "R.*PATH.*\[$libdir\]"; then
		ok installed_example_needs_the_installed_shared_library
	else
		fail installed_example_needs_the_installed_shared_library \
			"readelf -d: no NEEDED libvmspace.so.0 or no run path $libdir"
	fi
	example_runs installed_example_links_static_through_pkg_config "$libdir/libvmspace.a"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
