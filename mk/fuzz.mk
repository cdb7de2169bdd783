# fuzz.mk: libFuzzer targets (clang). `make fuzz` runs each for FUZZ_SECONDS
# (default 60) from a random seed; `make fuzz-smoke`, part of `make test`, runs
# a fixed number of inputs from a fixed seed, so that a test run is repeatable
# (the long runs are where new inputs get found). Without clang's fuzzer
# runtime the smoke run says so and skips.
.PHONY: fuzz fuzz-smoke
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LIB := $(sort $(wildcard src/*.c))

$(B)/fuzz/fuzz_calls: fuzz/fuzz_calls.c $(FUZZ_LIB) $(wildcard src/*.h) include/vmspace.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_calls.c $(FUZZ_LIB)
$(B)/fuzz/fuzz_strace: fuzz/fuzz_strace.c cli/strace_parse.c cli/strace_parse.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Icli -o $@ fuzz/fuzz_strace.c cli/strace_parse.c

FUZZ_CALLS_RUN ?= -max_total_time=$(FUZZ_SECONDS)
FUZZ_STRACE_RUN ?= -max_total_time=$(FUZZ_SECONDS)
fuzz: $(B)/fuzz/fuzz_calls $(B)/fuzz/fuzz_strace
	@mkdir -p $(B)/fuzz/corpus-calls $(B)/fuzz/corpus-strace
	$(B)/fuzz/fuzz_calls $(FUZZ_CALLS_RUN) -max_len=4096 $(B)/fuzz/corpus-calls fuzz/regress-calls
	$(B)/fuzz/fuzz_strace $(FUZZ_STRACE_RUN) $(B)/fuzz/corpus-strace tests/data/strace

fuzz-smoke:
	@mkdir -p $(B)
	@if echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(B)/fuzz-probe 2>/dev/null; then \
		rm -rf $(B)/fuzz/corpus-calls $(B)/fuzz/corpus-strace; \
		$(MAKE) --no-print-directory B=$(B) FUZZ_CALLS_RUN='-seed=1 -runs=200000' \
			FUZZ_STRACE_RUN='-seed=1 -runs=3000' fuzz; \
	else \
		echo "fuzz-smoke: skipped: $(FUZZ_CC) cannot build libFuzzer targets (install clang and libclang-rt-14-dev)"; \
	fi
