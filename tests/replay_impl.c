/*
 * replay_impl.c: compiles the parts of `vmspace replay` that tests/test_replay.c
 * does not include itself (cli/fds.c, procs.c, diagnose.c, fast_path.c,
 * replay_exec.c, host_files.c, explain.c, stats.c, html.c, uffd.c) into
 * build/unit, which links only tests/ and the library. Not for: anything else.
 */
#include "../cli/diagnose.c"
#include "../cli/explain.c"
#include "../cli/fast_path.c"
#include "../cli/fds.c"
#include "../cli/host_files.c"
#include "../cli/html.c"
#include "../cli/procs.c"
#include "../cli/replay_exec.c"
#include "../cli/stats.c"
#include "../cli/uffd.c"
