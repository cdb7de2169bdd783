# `make bench`: builds bench/*.c at -O2 against the library's objects (linked
# directly, so every library file is in, whatever the bench references) and
# runs it: a table on stdout, the summary in $(B)/bench.json. The benchmark
# raises vm.max_map_count for its 1M-VMA kernel side when it may, and restores it.
BENCH_SRC := $(sort $(wildcard bench/*.c))

$(B)/bench: $(BENCH_SRC) $(wildcard bench/*.h) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O2 -Ibench -o $@ $(BENCH_SRC) $(LIB_OBJ)

bench: $(B)/bench $(B)/vmspace
	$(abspath $(B)/bench) --out $(B)/bench.json --vmspace $(B)/vmspace \
		--trace $(B)/bench-trace.txt --exec-trace $(B)/bench-exec-trace.txt \
		--table-md $(B)/bench-table.md
