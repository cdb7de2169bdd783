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

$(B)/fuzz/fuzz_exec: fuzz/fuzz_exec.c $(FUZZ_LIB) $(wildcard src/*.h) include/vmspace.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_exec.c $(FUZZ_LIB)
# The exec target's seeds are written by a program (small ELF images and
# scripts, fuzz/exec_seeds.c); the inputs it found are kept in fuzz/regress-exec.
$(B)/fuzz/exec_seeds: fuzz/exec_seeds.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -o $@ $<
$(B)/fuzz/seeds-exec/.done: $(B)/fuzz/exec_seeds
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(B)/fuzz/exec_seeds $(dir $@)
	@touch $@

FUZZ_CALLS_RUN ?= -max_total_time=$(FUZZ_SECONDS)
FUZZ_STRACE_RUN ?= -max_total_time=$(FUZZ_SECONDS)
FUZZ_EXEC_RUN ?= -max_total_time=$(FUZZ_SECONDS)
fuzz: $(B)/fuzz/fuzz_calls $(B)/fuzz/fuzz_strace $(B)/fuzz/fuzz_exec $(B)/fuzz/seeds-exec/.done
	@mkdir -p $(B)/fuzz/corpus-calls $(B)/fuzz/corpus-strace $(B)/fuzz/corpus-exec
	$(B)/fuzz/fuzz_calls $(FUZZ_CALLS_RUN) -max_len=4096 $(B)/fuzz/corpus-calls fuzz/regress-calls
	$(B)/fuzz/fuzz_strace $(FUZZ_STRACE_RUN) $(B)/fuzz/corpus-strace tests/data/strace
	$(B)/fuzz/fuzz_exec $(FUZZ_EXEC_RUN) -max_len=20000 $(B)/fuzz/corpus-exec \
		$(wildcard fuzz/regress-exec) $(B)/fuzz/seeds-exec

fuzz-smoke:
	@mkdir -p $(B)
	@if echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(B)/fuzz-probe 2>/dev/null; then \
		rm -rf $(B)/fuzz/corpus-calls $(B)/fuzz/corpus-strace $(B)/fuzz/corpus-exec; \
		$(MAKE) --no-print-directory B=$(B) FUZZ_CALLS_RUN='-seed=1 -runs=200000' \
			FUZZ_STRACE_RUN='-seed=1 -runs=3000' FUZZ_EXEC_RUN='-seed=1 -runs=20000' fuzz; \
	else \
		echo "fuzz-smoke: skipped: $(FUZZ_CC) cannot build libFuzzer targets (install clang and libclang-rt-14-dev)"; \
	fi
