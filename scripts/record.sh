#!/usr/bin/env bash
# record.sh: records a program for `vmspace replay` tests: its strace log and,
# from the same run, its /proc/PID/maps before its first memory call and at its
# exit, into tests/data/replay/NAME/ (or $RECORD_DIR when set).
#
#   scripts/record.sh NAME [--cwd DIR] [--plain] -- PROGRAM [ARGS...]
#
# Writes NAME/trace.txt (strace -f -v -y; with --plain without -y, as strace
# is usually run, so that files appear by the names the program opened and
# replay has to resolve them on this host), NAME/initial.maps (at the first
# brk, which ld.so makes before any library is loaded: program image, ld.so,
# stack, vvar/vdso), NAME/final.maps (at the first process's exit_group),
# NAME/start_brk (the first brk(NULL) result) and NAME/settings (the replay
# options that describe this machine: `vmspace settings --as-options`).
#
# ASLR is off (setarch -R) and the environment fixed (env -i), so that a
# replay can check every address. strace holds the process while the maps are
# read: inject=brk:delay_enter at the first brk and inject=exit_group:
# delay_enter at exit. PROGRAM must be an absolute path (no shell wrapper).
#
# Not for: anything but x86-64 Linux with strace >= 5.x; the program must not
# call brk from another process before the first one (forks do not matter).
set -euo pipefail

usage() { echo "usage: $0 NAME [--cwd DIR] [--plain] -- PROGRAM [ARGS...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
name=$1; shift
cwd=$PWD
yflag=-y
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	--cwd) cwd=$2; shift 2 ;;
	--plain) yflag=; shift ;;
	*) usage ;;
	esac
done
[ "${1:-}" = "--" ] || usage
shift
case $1 in /*) ;; *) echo "$0: PROGRAM must be an absolute path" >&2; exit 2 ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" build/vmspace >/dev/null
out=${RECORD_DIR:-$top/tests/data/replay/$name}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# us: how long strace holds the process for us to read its maps (more on a
# loaded machine: RECORD_DELAY_US)
delay=${RECORD_DELAY_US:-400000}
# The traced set: what replay applies, what it learns files from, and what
# creates processes; chdir, fchdir and getcwd give the working directory that
# relative paths start from. Everything else would only be skipped.
TR='trace=%memory,openat,open,creat,close,close_range,dup,dup2,dup3,fcntl,memfd_create'
TR+=',fstat,newfstatat,statx,clone,clone3,fork,vfork,execve,prlimit64,setrlimit,prctl'
TR+=',chdir,fchdir,getcwd,exit_group,exit,shmget,shmctl,ftruncate,fallocate,memfd_secret,unlink,unlinkat'
# pidfds name the process of process_madvise and process_mrelease (getpid the
# caller itself, in a log without pids); strace before 6.10 has no name for
# mseal and traces it, as syscall_0x1ce, under any filter.
TR+=',pidfd_open,getpid,process_madvise,process_mrelease'
# userfaultfd contexts and their UFFDIO_* ioctls (other ioctls are skipped).
TR+=',userfaultfd,ioctl'
TR+=',mbind,set_mempolicy,get_mempolicy,set_mempolicy_home_node,pkey_alloc,pkey_free'
TR+=',pkey_mprotect,personality,capget,capset,setuid,setresuid,setgid,setresgid'

# RECORD_ASLR=1 records as users do, ASLR on and without -v (the replay
# must then learn the random bases: vmspace replay --follow).
noaslr=(setarch x86_64 -R)
verbose=(-v -s 65536)
if [ -n "${RECORD_ASLR:-}" ]; then noaslr=(); verbose=(); fi
(cd "$cwd" && exec env -i PATH=/usr/bin:/bin LANG=C HOME=/nonexistent \
	"${noaslr[@]}" strace -f "${verbose[@]}" $yflag -qq -o "$tmp/trace.txt" -e "$TR" \
	-e inject=brk:delay_enter=$delay:when=1 \
	-e inject=exit_group:delay_enter=$delay "$@") >"$tmp/stdout" 2>"$tmp/stderr" &
spid=$!

# The first process is strace's child running PROGRAM (strace forks short-lived
# test children of its own first); it holds in brk (syscall 12) first and in
# exit_group (231) last.
prog=$(readlink -f "$1")
pid=
for _ in $(seq 1 5000); do
	for c in $(cat /proc/$spid/task/$spid/children 2>/dev/null || true); do
		if [ "$(readlink /proc/$c/exe 2>/dev/null || true)" = "$prog" ]; then
			pid=$c
		fi
	done
	[ -n "$pid" ] && break
	sleep 0.001
done
[ -n "$pid" ] || { echo "$0: no traced process" >&2; exit 1; }
state=initial
while [ -d /proc/$pid ]; do
	sc=$(cut -d' ' -f1 /proc/$pid/syscall 2>/dev/null || true)
	if [ "$state" = initial ] && [ "$sc" = 12 ]; then
		cat /proc/$pid/maps >"$tmp/initial.maps"
		state=running
	elif [ "$state" = running ] && [ "$sc" = 231 ]; then
		cat /proc/$pid/maps >"$tmp/final.maps"
		state=done
		break
	fi
	sleep 0.0005
done
wait $spid || { echo "$0: strace failed:" >&2; cat "$tmp/stderr" >&2; exit 1; }
[ "$state" = done ] || { echo "$0: missed the maps (state $state)" >&2; exit 1; }

cp "$tmp/trace.txt" "$tmp/initial.maps" "$tmp/final.maps" "$out/"
# The command, for people (and the demo's heading).
{
	printf '%s' "$(basename "$1")"
	shift
	for a in "$@"; do
		case $a in *[!A-Za-z0-9_.:/=-]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	echo
} >"$out/command"
# The first brk(NULL) of the first process: its start_brk.
awk -v p="$pid" '$1 == p && $2 ~ /^brk\(NULL\)/ {
	sub(/.*\) *= */, ""); print $1; exit }' "$tmp/trace.txt" >"$out/start_brk"
# Every setting of this machine the model depends on, read and measured
# (vmspace settings: sysctls, boot parameters, the zero page, hugetlb pools,
# memory, this shell's rlimits and capabilities), as replay options.
"$top/build/vmspace" settings --as-options >"$out/settings"
echo "$out: $(wc -l <"$out/trace.txt") trace lines, pid $pid"
# Without -y a relative path needs the directory the program started in.
[ -n "$yflag" ] || echo "replay with --cwd $(cd "$cwd" && pwd -P)"
