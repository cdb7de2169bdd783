# kdiff.mk: convenience rules for the live-kernel differential tests
# (tests/kdiff.c, tests/test_kdiff.c). They are ordinary unit tests built into
# build/unit and build/unit-san; these rules only run the kdiff subset.
# Not for: building anything extra; the helper is the test binary itself.
.PHONY: kdiff kdiff-san

# KDIFF_VERBOSE=1 prints every call; KDIFF_SEED=n reruns one random seed;
# KDIFF_SHRINK_SECS bounds the reproducer shrinking on a divergence.
kdiff: $(B)/unit
	./$(B)/unit kdiff

kdiff-san: $(B)/unit-san
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./$(B)/unit-san kdiff
