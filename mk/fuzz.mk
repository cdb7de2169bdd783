# fuzz.mk: libFuzzer targets (clang). `make fuzz` runs each for FUZZ_SECONDS
# (default 60); `make fuzz-smoke` runs each briefly and is part of `make test`.
# Without clang's fuzzer runtime the smoke run says so and skips.
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

fuzz: $(B)/fuzz/fuzz_calls $(B)/fuzz/fuzz_strace
	@mkdir -p $(B)/fuzz/corpus-calls $(B)/fuzz/corpus-strace
	$(B)/fuzz/fuzz_calls -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(B)/fuzz/corpus-calls fuzz/regress-calls
	$(B)/fuzz/fuzz_strace -max_total_time=$(FUZZ_SECONDS) $(B)/fuzz/corpus-strace tests/data/strace

fuzz-smoke:
	@mkdir -p $(B)
	@if echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(B)/fuzz-probe 2>/dev/null; then \
		$(MAKE) --no-print-directory B=$(B) FUZZ_SECONDS=10 fuzz; \
	else \
		echo "fuzz-smoke: skipped: $(FUZZ_CC) cannot build libFuzzer targets (install clang and libclang-rt-14-dev)"; \
	fi
