# vmspace: `make` builds the libraries and the CLI into build/; `make test` runs
# every test, then again under ASan+UBSan; `make bench`, `make fuzz`, `make install`.
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0
SONAME := libvmspace.so.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD := -std=c11 -D_DEFAULT_SOURCE
OPT ?= -O2 -g
# With gcc the library is optimised as one program (link-time optimisation):
# the system calls' paths cross tree.c, vma.c and mmap.c many times per call,
# and inlining across them makes mmap, mprotect and brk 10-25% faster (make
# bench). Fat objects keep ordinary code in libvmspace.a for non-LTO users.
# LTO= turns it off; other compilers build without it.
LTO ?= $(if $(shell $(CC) --version 2>/dev/null | grep -i 'free software foundation'),-flto=auto -ffat-lto-objects)
CFLAGS_BASE := $(CSTD) $(WARN) $(OPT) -Iinclude -Isrc $(CFLAGS)
CFLAGS_ALL := $(CFLAGS_BASE) $(LTO)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC := $(sort $(wildcard src/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c))

B := build
LIB_OBJ := $(LIB_SRC:src/%.c=$(B)/obj/%.o)
PIC_OBJ := $(LIB_SRC:src/%.c=$(B)/pic/%.o)
CLI_OBJ := $(CLI_SRC:cli/%.c=$(B)/cli/%.o)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(B)/tests/%.o)
SAN_OBJ := $(LIB_SRC:src/%.c=$(B)/san/src/%.o) $(TEST_SRC:tests/%.c=$(B)/san/tests/%.o)

.PHONY: all test test-fast test-san install install-check clean bench fuzz demo example

# Feature makefiles (bench, fuzz, kernel-diff helper) add their own rules here.
.DEFAULT_GOAL := all
-include mk/*.mk
all: $(B)/libvmspace.a $(B)/$(SONAME) $(B)/vmspace $(B)/example

$(B)/obj/%.o: src/%.c $(wildcard src/*.h) include/vmspace.h Makefile
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	@$(CC) $(CFLAGS_ALL) -c $< -o $@
$(B)/pic/%.o: src/%.c $(wildcard src/*.h) include/vmspace.h Makefile
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_ALL) -fPIC -c $< -o $@
$(B)/cli/%.o: cli/%.c $(wildcard cli/*.h) include/vmspace.h Makefile
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	@$(CC) $(CFLAGS_ALL) -Icli -c $< -o $@
$(B)/tests/%.o: tests/%.c $(wildcard tests/*.h) $(wildcard src/*.h) $(wildcard cli/*.h) \
		include/vmspace.h Makefile
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	@$(CC) $(CFLAGS_ALL) -Itests -c $< -o $@
$(B)/san/src/%.o: src/%.c $(wildcard src/*.h) include/vmspace.h
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_BASE) $(SAN) -c $< -o $@
$(B)/san/tests/%.o: tests/%.c $(wildcard tests/*.h) $(wildcard src/*.h) $(wildcard cli/*.h) \
		include/vmspace.h
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_BASE) $(SAN) -Itests -c $< -o $@

$(B)/libvmspace.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(B)/libvmspace.so.$(VERSION): $(PIC_OBJ)
	$(CC) $(OPT) $(LTO) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/vmspace.map -o $@ $^
$(B)/$(SONAME): $(B)/libvmspace.so.$(VERSION)
	ln -sf libvmspace.so.$(VERSION) $@
	ln -sf libvmspace.so.$(VERSION) $(B)/libvmspace.so
$(B)/vmspace: $(CLI_OBJ) $(B)/libvmspace.a
	$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJ) $(B)/libvmspace.a
$(B)/example: docs/example.c $(B)/libvmspace.a
	$(CC) $(CFLAGS_ALL) -o $@ docs/example.c $(B)/libvmspace.a
$(B)/unit: $(TEST_OBJ) $(B)/libvmspace.a
	$(CC) $(CFLAGS_ALL) -o $@ $(TEST_OBJ) $(B)/libvmspace.a
$(B)/unit-san: $(SAN_OBJ)
	$(CC) $(CFLAGS_BASE) $(SAN) -o $@ $(SAN_OBJ)

# The example program from the README runs as part of the build checks.
example: $(B)/example
	./$(B)/example

test-fast: $(B)/unit $(B)/example
	./$(B)/example >/dev/null
	./$(B)/unit
test-san: $(B)/unit-san
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./$(B)/unit-san --quick
# `make install` into a temporary prefix; the command and docs/example.c built
# through pkg-config (shared and static) must run with nothing from the tree.
install-check: all
	B=$(B) CC='$(CC)' MAKE='$(MAKE)' ./scripts/install-check.sh
# -k: a failing step does not stop the others; make still fails at the end.
test:
	@$(MAKE) --no-print-directory -k B=$(B) all test-fast test-san fuzz-smoke install-check

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/vmspace.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(B)/libvmspace.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/libvmspace.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libvmspace.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf libvmspace.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libvmspace.so
	install -m 755 $(B)/vmspace $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/vmspace.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' vmspace.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/vmspace.pc

clean:
	rm -rf $(B)
