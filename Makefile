# gatehouse: compiled git hooks enforcing a responsibility matrix.
#
#   make            build the library, hooks and CLI into $(BUILD)/
#   make test       unit tests (Criterion) + integration tests (real git pushes)
#   make asan       the whole test suite against an ASan+UBSan build (build-asan/)
#   make valgrind   the integration suite with every hook run under valgrind memcheck
#   make demo       an end-to-end walk through a throwaway server repo
#   make bench      benchmarks: figures and ratios (no pass/fail)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

BUILD     ?= build
PREFIX    ?= /usr/local
CC        ?= cc
PKGS      := libgit2 yaml-0.1 jansson libcrypto libpcre2-8
# VECTORSCAN=0 builds the PCRE2-only scanner (slower; for machines without Vectorscan).
VECTORSCAN ?= 1
ifeq ($(VECTORSCAN),1)
PKGS      += libhs
DEFS      += -DGATE_HAVE_HS
endif
TEST_PKGS := criterion

# SAN=1: sanitizer build; FAULT=1: allocation-failure injection compiled in.
ifeq ($(SAN),1)
OPT       ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN    :=
LDHARDEN  := -fsanitize=address,undefined
else
OPT       ?= -O2 -g
HARDEN    := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN  := -pie -Wl,-z,relro,-z,now
endif
ifeq ($(FAULT),1)
DEFS      += -DGATE_FAULT_INJECTION
endif

# V=1 shows full compiler command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN      := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wvla
DEFS      += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS  := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

ALL_CFLAGS = $(WARN) $(OPT) $(HARDEN) $(DEFS) $(FUZZFLAGS) -Iinclude -Isrc $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(OPT) $(LDHARDEN) $(LDFLAGS)

LIB_SRC   := $(wildcard src/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/builtin_rules.o
HOOKS     := pre-receive update pre-commit pre-push
HOOK_BIN  := $(HOOKS:%=$(BUILD)/%)
CLI_BIN   := $(BUILD)/gatehouse
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(BUILD)/unit-tests

.PHONY: all test unit integration asan valgrind demo bench install clean deps ghes-bundle fuzz fuzz-regress fuzz-bins lint
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/.deps $(BUILD)/libgatehouse.a $(HOOK_BIN) $(CLI_BIN)

# Installs the Debian packages when a dependency is missing (needs root).
$(BUILD)/.deps:
	@mkdir -p $(BUILD)
	@if ! pkg-config --exists $(PKGS) $(TEST_PKGS) || ! command -v git >/dev/null; then \
	  echo "gatehouse: missing build dependencies; running ./install.sh --deps"; \
	  ./install.sh --deps; \
	fi
	@touch $@

deps:
	./install.sh --deps

$(BUILD)/%.o: %.c | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The built-in secret rules, compiled into a C table by tools/genrules at build time.
GENRULES_OBJ := $(BUILD)/tools/genrules.o $(BUILD)/src/util.o $(BUILD)/src/error.o \
                $(BUILD)/src/yamltree.o $(BUILD)/src/secret_rules.o
$(BUILD)/genrules: $(GENRULES_OBJ)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(GENRULES_OBJ) $(PKG_LIBS)

$(BUILD)/gen/builtin_rules.c: rules/secrets.yml $(BUILD)/genrules
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(BUILD)/genrules $< >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/libgatehouse.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/%: $(BUILD)/hooks/%.o $(BUILD)/libgatehouse.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libgatehouse.a $(PKG_LIBS)

$(CLI_BIN): $(BUILD)/cli/gatehouse.o $(BUILD)/libgatehouse.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libgatehouse.a $(PKG_LIBS)

$(UNIT_BIN): $(UNIT_OBJ) $(BUILD)/libgatehouse.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libgatehouse.a $(PKG_LIBS) $(TEST_LIBS)

unit: all $(UNIT_BIN)
	SAN=$(SAN) bash scripts/unit.sh $(CURDIR)/$(UNIT_BIN)

integration: all
	GATEHOUSE_BIN=$(CURDIR)/$(BUILD) GATEHOUSE_SAN=$(SAN) bash tests/integration/run.sh

test: unit integration

asan:
	$(MAKE) BUILD=build-asan SAN=1 FAULT=1 test

# the integration suite with every installed hook under valgrind memcheck
valgrind: all
	GATEHOUSE_BIN=$(CURDIR)/$(BUILD) bash scripts/valgrind.sh

demo: all
	GATEHOUSE_BIN=$(CURDIR)/$(BUILD) bash scripts/demo.sh

# docs/RESPONSIBILITIES.md is this project's matrix as a page; t1900-render fails when it is stale.
.PHONY: docs
docs: all
	$(BUILD)/gatehouse matrix render matrix/responsibility.yml >docs/RESPONSIBILITIES.md.tmp \
	  || { rm -f docs/RESPONSIBILITIES.md.tmp; exit 1; }
	mv docs/RESPONSIBILITIES.md.tmp docs/RESPONSIBILITIES.md

# The floor for the big-push benchmark: every blob read once, one thread, plain libgit2.
$(BUILD)/bench-readblobs: bench/readblobs.c | $(BUILD)/.deps
	@echo "  CC      $<"
	$(Q)$(CC) $(WARN) $(OPT) $(shell pkg-config --cflags libgit2) $(CFLAGS) -o $@ $< $(LDFLAGS) $(shell pkg-config --libs libgit2)

bench: all $(BUILD)/bench-readblobs
	GATEHOUSE_BIN=$(CURDIR)/$(BUILD) bash scripts/bench.sh

# libFuzzer targets (clang, ASan+UBSan): make fuzz runs each for FUZZ_SECONDS (default 60).
FUZZ_TARGETS := matrix trailers sshsig glob scanner push deps containers dashboard
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/libgatehouse.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(OPT) -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/libgatehouse.a $(PKG_LIBS)

fuzz-bins: $(BUILD)/.deps $(FUZZ_BINS)

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SAN=1 FUZZFLAGS=-fsanitize=fuzzer-no-link fuzz-bins
	FUZZ_BIN=$(CURDIR)/build-fuzz bash scripts/fuzz.sh run

fuzz-regress:
	$(MAKE) BUILD=build-fuzz CC=clang SAN=1 FUZZFLAGS=-fsanitize=fuzzer-no-link fuzz-bins
	FUZZ_BIN=$(CURDIR)/build-fuzz bash scripts/fuzz.sh regress

# Static analysis: cppcheck and clang-tidy (selected checks) must be clean.
TIDY_CHECKS := -*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,-bugprone-suspicious-string-compare,-bugprone-implicit-widening-of-multiplication-result,-bugprone-sizeof-expression,cert-err34-c,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-valist.Uninitialized
lint:
	cppcheck --quiet --enable=warning,portability,performance --inline-suppr --error-exitcode=1 \
	  -D_POSIX_C_SOURCE=200809L -DGATE_HAVE_HS -Iinclude -Isrc --suppress=missingIncludeSystem \
	  src hooks cli tools
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' src/*.c hooks/*.c cli/*.c tools/*.c -- \
	  -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DGATE_HAVE_HS -Iinclude -Isrc $(PKG_CFLAGS)

# GitHub Enterprise Server: a chroot tarball with the hooks and every library they load.
ghes-bundle: all
	bash scripts/ghes-bundle.sh $(BUILD) $(BUILD)/gatehouse-ghes.tar.gz

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/gatehouse/hooks
	install -m 0755 $(CLI_BIN) $(DESTDIR)$(PREFIX)/bin/gatehouse
	install -m 0755 $(HOOK_BIN) $(DESTDIR)$(PREFIX)/lib/gatehouse/hooks/

clean:
	rm -rf build build-asan build-pcre build-fuzz

-include $(BUILD)/tests/fuzz/*.d $(BUILD)/tools/*.d
-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/hooks/*.d $(BUILD)/cli/*.d
