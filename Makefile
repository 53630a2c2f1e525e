# smtptls — GNU Makefile
#
#   make            build ./smtptls (-O2, warnings are errors)
#   make asan       build build/asan/smtptls with AddressSanitizer + UBSan
#   make check      = ./tests/run.sh: packages, build, lab up, every test, lab down
#   make demo       = ./scripts/demo.sh: build, lab up, probe the lab's good domain
#   make fuzz       build the libFuzzer targets in build/fuzz/
#   make install    PREFIX=/usr/local (DESTDIR honoured): binary, man page,
#                   bash and zsh completions, JSON Schemas
#   make dist       release tarball smtptls-VERSION.tar.gz of HEAD
#   make deb        Debian package ../smtptls_VERSION_ARCH.deb (debian/)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/smtptls
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
CC      ?= cc
PKGS    := openssl libcurl ldns libcjson libidn2 libmicrohttpd

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libcurl and libmicrohttpd are not linked but opened when first used
# (src/base/lib_load.h): the binary knows them by SONAME, read here from
# the libraries pkg-config names.
LAZY_PKGS  := libcurl libmicrohttpd
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)))
soname_of   = $(shell readelf -d $(shell pkg-config --variable=libdir $(1))/$(1).so 2>/dev/null | \
                sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
CURL_SONAME := $(call soname_of,libcurl)
MHD_SONAME  := $(call soname_of,libmicrohttpd)
ifeq ($(CURL_SONAME),)
$(error cannot read libcurl's SONAME (pkg-config, readelf))
endif
ifeq ($(MHD_SONAME),)
$(error cannot read libmicrohttpd's SONAME (pkg-config, readelf))
endif

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wwrite-strings -Wvla
CSTD     := -std=c11
OPT      ?= -O2 -g
# src/ is in layers, lowest first (README "Architecture"); a file includes
# headers of its own layer or lower ones, which `make layercheck` enforces.
LAYERS   := base proto net probe judge report run listen sender serve
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
            $(addprefix -Isrc/,$(LAYERS)) \
            -DSMTPTLS_CURL_SONAME='"$(CURL_SONAME)"' \
            -DSMTPTLS_MHD_SONAME='"$(MHD_SONAME)"'

ALL_CFLAGS = $(CSTD) $(OPT) $(WARN) $(PKG_CFLAGS) $(CFLAGS)

LIB_SRC  := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
CMD_SRC  := $(sort $(wildcard cmd/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/*.c))
PEER_SRC := $(sort $(wildcard tests/peers/*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

# Each build flavour lives in its own directory so that asan and normal
# objects never mix.
B ?= build/release

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
PEER_BIN := $(PEER_SRC:tests/peers/%.c=$(B)/peers/%)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(B)/replay/%)

# One version, kept in version.c; `make dist` and debian/changelog use it.
VERSION := $(shell sed -n 's/^\#define SMTPTLS_VERSION "\(.*\)"$$/\1/p' src/base/version.c)
# Where this build comes from, for --version (scripts/build-info.sh).
BUILD_INFO := $(shell scripts/build-info.sh $(VERSION))

.PHONY: all asan check check-asan demo unit fuzz install clean hdrcheck lint-man cyclecheck layercheck formatcheck dist deb FORCE

all: smtptls

smtptls: $(B)/smtptls
	cp $< $@

$(B)/smtptls: $(CMD_OBJ) $(B)/libsmtptls.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) $(B)/libsmtptls.a $(PKG_LIBS) -lpthread

$(B)/libsmtptls.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# -MMD -MP: each object depends on the headers it really includes.
$(B)/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)

# version.o is rebuilt when BUILD_INFO changes (a new commit, a tag), not
# on every make: the file is rewritten only when its content differs.
$(B)/build-info: FORCE
	@mkdir -p $(@D)
	@echo '$(BUILD_INFO)' | cmp -s - $@ || echo '$(BUILD_INFO)' >$@
$(B)/src/base/version.o: $(B)/build-info
$(B)/src/base/version.o: CPPFLAGS += -DSMTPTLS_BUILD_INFO='"$(BUILD_INFO)"'

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libsmtptls.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -o $@ $< $(B)/libsmtptls.a $(PKG_LIBS) -lpthread

$(B)/peers/%: tests/peers/%.c $(wildcard tests/peers/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS) -lpthread

# tests/tools: small programs that drive one library module for
# integration tests (linked with the library); tests/peers: scripted
# misbehaving servers (standalone).
$(B)/tools/%: tests/tools/%.c $(B)/libsmtptls.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(B)/libsmtptls.a $(PKG_LIBS) -lpthread

# Each fuzz target linked with a plain main() that replays files: the suite
# replays every corpus with the normal (and the ASan) build.
$(B)/replay/%: fuzz/%.c tests/fuzz/replay_main.c $(B)/libsmtptls.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(B)/libsmtptls.a $(PKG_LIBS) -lpthread

unit: $(UNIT_BIN) $(PEER_BIN) $(TOOL_BIN) $(REPLAY_BIN)

# The sanitizer runtimes are linked statically: LeakSanitizer's exit scan
# reads every writable segment of every shared object, and the shared
# libasan and libubsan bring 11.7 MiB of .bss, untouched until then: about
# 3,000 page faults, 22 ms of CPU in each process the suite starts (63 ms
# for a usage error, 41 ms with static runtimes; perf stat, 20 runs).
ASAN_OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -static-libasan -static-libubsan
asan:
	$(MAKE) B=build/asan OPT='$(ASAN_OPT)' build/asan/smtptls unit

# The single test command of the README and of .ci/run.
check:
	./tests/run.sh

demo:
	./scripts/demo.sh

check-asan:
	SMTPTLS_ASAN=1 ./tests/run.sh

FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined
fuzz:
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRC); do \
	  n=$$(basename $$f .c); \
	  echo "  FUZZ $$n"; \
	  clang $(CSTD) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) -o build/fuzz/$$n $$f $(LIB_SRC) $(PKG_LIBS) -lpthread || exit 1; \
	done

# Every header, public and internal, compiles on its own.
hdrcheck:
	@for h in include/smtptls/*.h; do \
	  echo "#include \"$${h#include/}\"" | $(CC) $(CPPFLAGS) $(ALL_CFLAGS) -x c -fsyntax-only - || exit 1; \
	done
	@for h in $(wildcard $(foreach l,$(LAYERS),src/$(l)/*.h) cmd/*.h); do \
	  echo "#include \"$$(basename $$h)\"" | $(CC) $(CPPFLAGS) -I$$(dirname $$h) $(ALL_CFLAGS) -x c -fsyntax-only - || exit 1; \
	done

# The code keeps the layout of .clang-format (applied once; test tables in
# tests/ and fuzz/ keep their hand alignment).
# The version that laid the tree out: another one may lay it out otherwise.
CLANG_FORMAT ?= clang-format-14
FORMAT_SRC = $(wildcard $(foreach l,$(LAYERS),src/$(l)/*.[ch]) cmd/*.[ch] include/smtptls/*.h)
formatcheck:
	@$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRC) && \
	  echo "formatcheck: $(words $(FORMAT_SRC)) files as .clang-format lays them out"

# Functions within the 60-line budget, or not longer than when it came in.
toplength:
	@python3 scripts/toplength.py --allow scripts/toplength.allow $(sort $(LIB_SRC) $(CMD_SRC)) | tail -n 1

# No include that points up the layers of src/.
layercheck:
	@python3 scripts/layercheck.py $(LAYERS)

# No call cycles between files: the release objects' symbol graph.
cyclecheck: $(LIB_OBJ) $(CMD_OBJ)
	@python3 scripts/cyclecheck.py $(LIB_OBJ) $(CMD_OBJ)

lint-man:
	mandoc -Tlint -Wwarning man/smtptls.1

SCHEMAS := $(sort $(wildcard tests/schema/*.json))

install: smtptls
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DATADIR)/schema $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 smtptls $(DESTDIR)$(BINDIR)/smtptls
	install -m 0644 man/smtptls.1 $(DESTDIR)$(MANDIR)/man1/smtptls.1
	install -m 0644 $(SCHEMAS) $(DESTDIR)$(DATADIR)/schema/
	install -m 0644 completions/smtptls.bash $(DESTDIR)$(BASHCOMPDIR)/smtptls
	install -m 0644 completions/_smtptls $(DESTDIR)$(ZSHCOMPDIR)/_smtptls

# The tarball is HEAD as committed (git archive) plus BUILD-INFO, which
# tells a build from it what it is: a release when HEAD is tagged
# vVERSION, a snapshot otherwise (scripts/build-info.sh). Changes not
# committed are not in the tarball, so they do not matter here.
DIST := smtptls-$(VERSION)
dist:
	@mkdir -p build/dist
	@if git describe --tags --exact-match --match 'v$(VERSION)' HEAD >/dev/null 2>&1; then \
	  echo 'release $(VERSION)'; \
	else \
	  echo 'snapshot $(VERSION) of git '"$$(git rev-parse --short HEAD)"; \
	  echo "dist: HEAD is not tagged v$(VERSION): a snapshot" >&2; \
	fi >build/dist/BUILD-INFO
	git archive --format=tar.gz --prefix=$(DIST)/ \
	    --add-file=build/dist/BUILD-INFO -o $(DIST).tar.gz HEAD
	@echo "dist: $(DIST).tar.gz ($$(cat build/dist/BUILD-INFO))"

# Binary package only, unsigned; the suite has tested the code (debian/rules
# skips the tests).
deb:
	dpkg-buildpackage -us -uc -b

clean:
	rm -rf build smtptls $(DIST).tar.gz
