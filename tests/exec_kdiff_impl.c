/*
 * exec_kdiff_impl.c: compiles the live-kernel execve harness
 * (cli/exec_kdiff.c, shared with `vmspace exec --check/--scan`) into
 * build/unit, which links only tests/ and the library. Not for: anything else.
 */
#include "../cli/exec_kdiff.c"
