# kdiff.mk: the live-kernel differential harness (cli/kdiff.c) and its users.
# The harness lives in cli/ so that `vmspace verify` (cli/verify.c) links it
# with the CLI; build/unit links only tests/ and compiles it once through
# tests/kdiff_impl.c (the tests include "../cli/kdiff.h"). The rules below
# add those cross-directory dependencies and run the kdiff subset of the
# unit tests. Not for: building anything extra; the helper process is the
# running binary itself (build/unit or build/vmspace).
.PHONY: kdiff kdiff-san verify

# KDIFF_VERBOSE=1 prints every call; KDIFF_SEED=n reruns one random seed;
# KDIFF_SHRINK_SECS bounds the reproducer shrinking on a divergence.
kdiff: $(B)/unit
	./$(B)/unit kdiff

kdiff-san: $(B)/unit-san
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./$(B)/unit-san kdiff

# `make verify [VERIFY_ARGS='--calls 100000 --seeds 3']`
verify: $(B)/vmspace
	./$(B)/vmspace verify $(VERIFY_ARGS)

KDIFF_USERS := kdiff_impl test_kdiff test_mremap test_verify
$(KDIFF_USERS:%=$(B)/tests/%.o) $(KDIFF_USERS:%=$(B)/san/tests/%.o): cli/kdiff.h
$(B)/tests/kdiff_impl.o $(B)/san/tests/kdiff_impl.o: cli/kdiff.c
$(B)/tests/test_verify.o $(B)/san/tests/test_verify.o: cli/verify.c cli/verify.h

# The live-kernel tests' random seeds come from the commit under test, never
# from the clock: the same commit runs the same calls (tests/test_kdiff.c).
export KDIFF_COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)

# The live-kernel execve harness (cli/exec_kdiff.c), compiled into build/unit
# through tests/exec_kdiff_impl.c as kdiff.c is.
$(B)/tests/exec_kdiff_impl.o $(B)/san/tests/exec_kdiff_impl.o: cli/exec_kdiff.c cli/exec_kdiff.h
$(B)/tests/test_exec_kdiff.o $(B)/san/tests/test_exec_kdiff.o: cli/exec_kdiff.h
