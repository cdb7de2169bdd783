# strace.mk: tests/test_strace_parse.c includes the CLI's strace parser as part
# of its own translation unit (build/unit does not link cli/), so its objects
# must be rebuilt when the parser changes.
$(B)/tests/test_strace_parse.o $(B)/san/tests/test_strace_parse.o: cli/strace_parse.c cli/strace_parse.h
