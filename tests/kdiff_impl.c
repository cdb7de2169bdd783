/*
 * kdiff_impl.c: compiles the live-kernel differential harness (cli/kdiff.c,
 * shared with `vmspace verify`) into build/unit, which links only tests/ and
 * the library. Tests include "../cli/kdiff.h". Not for: anything else.
 */
#include "../cli/kdiff.c"
