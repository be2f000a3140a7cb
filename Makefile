# smtp-harness build.  `make` builds build/smtp-harness; `make test` runs
# every test (CUnit suites, then the end-to-end tests of the command line);
# `make test-sanitize` runs the same under ASan + UBSan; `make run` runs the
# conformance suite against the built-in reference server; `make install`
# (PREFIX, DESTDIR) installs the binary, the suite, the man pages and the
# shell completions, `make uninstall` removes them.

CC      ?= cc
OPT     ?= -O2 -g
BUILD   ?= build
SANFLAGS ?=
CFLAGS  += $(OPT) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Isrc $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
LDLIBS  += -lyaml -lssl -lcrypto

SRC     := $(sort $(wildcard src/*.c))
OBJ     := $(SRC:src/%.c=$(BUILD)/obj/%.o)
LIB     := $(BUILD)/libsmtph.a
BIN     := $(BUILD)/smtp-harness
TESTSRC := $(sort $(wildcard tests/test_*.c))
TESTBIN := $(TESTSRC:tests/%.c=$(BUILD)/tests/%)
DEPS    := $(BUILD)/.deps-ok

.PHONY: test-fuzz-live fuzz-live-smoke all deps test unit e2e install uninstall deb test-deb docker test-docker test-ci-templates test-html test-sanitize test-valgrind run bench bench-fuzz-memory clean lint bite modes coverage interop

all: $(BIN)

# Install missing Debian packages once per build tree (the script is a
# no-op when everything is present).  `make DEPS=` skips it: the Debian
# package build (debian/rules), whose Build-Depends provide the libraries.
ifneq ($(DEPS),)
$(DEPS): harness/install-deps.sh
	@mkdir -p $(BUILD)
	@sh harness/install-deps.sh
	@touch $@
endif

deps: $(DEPS)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

HARNESS := $(sort $(wildcard harness/*.c))

$(BIN): $(HARNESS) $(wildcard harness/*.h) $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(HARNESS) $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB) tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS) -lcunit

unit: $(TESTBIN)
	@set -e; for t in $(TESTBIN); do echo "== $$t"; $$t; done

e2e: $(BIN)
	@BUILD=$(BUILD) sh tests/e2e.sh $(BIN)
	@sh tests/e2e-oracle.sh $(BIN) >$(BUILD)/e2e-oracle.log || { grep -v '^ok' $(BUILD)/e2e-oracle.log; exit 1; }
	@tail -n 1 $(BUILD)/e2e-oracle.log
	@sh tests/bad-files.sh $(BIN) >$(BUILD)/bad-files.log || { grep -v '^ok' $(BUILD)/bad-files.log; exit 1; }
	@tail -n 1 $(BUILD)/bad-files.log

test: unit e2e fuzz-regress
	@sh tests/include-rules.sh
	@sh tests/man.sh $(BIN)
	@sh tests/completion.sh $(BIN)
	@BUILD=$(BUILD) sh tests/install.sh
	@$(if $(SANFLAGS),echo "deb and ci-templates: checked by the plain make test",sh tests/deb.sh)
	@$(if $(SANFLAGS),true,sh tests/ci-templates.sh)

# `smtp-harness fuzz` against the reference server: the clean server for
# FUZZ_LIVE_SECONDS and every benign mode give no finding, each fault an
# oracle sees is found within a minute and its finding replays.
FUZZ_LIVE_SECONDS ?= 30
test-fuzz-live: $(BIN)
	@sh tests/fuzz-live.sh $(BIN) $(FUZZ_LIVE_SECONDS)

# `smtp-harness fuzz` against real servers (as root; not in .ci/run): Exim
# as a daemon and as `exim4 -bs`, and Postfix, each started by its
# harness/interop start.sh, fuzzed inside the namespace with its profile for
# FUZZ_LIVE_DURATION (default 120s; FUZZ_LIVE_DURATION_exim_bs and the like
# for one target; FUZZ_LIVE_TARGETS to choose), then stopped; the findings
# and summary.md in reports/fuzz-live/TARGET/.
fuzz-live-smoke: $(BIN)
	@sh harness/interop/fuzz-live.sh $(BIN)

# The whole test run again, built with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer in a separate build tree.
test-sanitize: $(DEPS)
	BITE_TIMEOUT=3 $(MAKE) BUILD=build/san CC=clang \
	    SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    OPT="-O1 -g" test

# End-to-end runs under valgrind memcheck: zero errors, no leaks.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
test-valgrind: $(BIN)
	$(VALGRIND) $(BIN) run scenarios/ -j 8 --report json:$(BUILD)/vg.json >/dev/null
	$(VALGRIND) $(BIN) run scenarios/ -j 8 --target builtin:lf-dot-lf,endless-line >/dev/null; test $$? -eq 1
	$(VALGRIND) $(BIN) run scenarios/ --target builtin:random-bytes >/dev/null 2>&1; test $$? -eq 3
	$(VALGRIND) $(BIN) run scenarios/rfc5321/session --target "exec:$(BIN) serve --stdio" >/dev/null
	$(VALGRIND) $(BIN) lint tests/bad-scenarios/ >/dev/null 2>&1; test $$? -eq 2
	$(VALGRIND) $(BIN) list --coverage >/dev/null
	@echo "valgrind: no errors"

run: $(BIN)
	$(BIN) run scenarios/

# The scenarios, and the include rules of docs/architecture.md.
lint: $(BIN)
	$(BIN) lint scenarios/
	@sh tests/include-rules.sh

# Which fault each scenario bites on, and which scenarios catch each fault
# (also part of `make e2e`); the mapping lands in $(BUILD)/bites.txt.
bite: $(BIN)
	@BITES=$(BUILD)/bites.txt sh tests/bite.sh $(BIN)

# Only the benign modes of the reference server (serve --list-faults marks
# them "(benign)"): the whole suite passes on each.  `make e2e` runs them
# too, inside tests/bite.sh.
modes: $(BIN)
	@sh tests/bite.sh --modes $(BIN)

# Which catalogue ids (docs/catalogue.md) the suite covers.
coverage: $(BIN)
	$(BIN) list --coverage

# The suite against seven real servers (Postfix, Exim, OpenSMTPD, Sendmail,
# aiosmtpd, smtp-server, Haraka), each started by harness/interop/ in a
# private network namespace; reports and the matrix in reports/interop/.
# As root: installs what it needs (harness/interop/install.sh).
interop: $(BIN)
	@sh harness/interop/run.sh $(BIN)

# With AFL++ installed, the session mutator and the instrumented server are
# built first, for the AFL++ rate (tests/bench-fuzz.sh).
bench: $(BIN) $(BUILD)/bench_reply
	@if command -v $(FUZZ_AFL_CC) >/dev/null 2>&1 && command -v afl-fuzz >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory fuzz-afl-mutator fuzz-afl-server >$(BUILD)/bench-afl-build.log 2>&1 || \
	    echo "bench: the AFL++ builds failed, see $(BUILD)/bench-afl-build.log"; fi
	@BUILD=$(BUILD) sh tests/bench.sh $(BIN) $(BUILD)/bench_reply $(FZ_AFL)/libsmtph-mutator.so $(FZ_AFLSRV)/smtp-harness

# The fuzzer's memory over a long campaign (issue 13; not in .ci/run):
# `smtp-harness fuzz --target builtin` for FUZZ_MEM_SECONDS (default 3600),
# its RSS sampled every FUZZ_MEM_INTERVAL s (10); first, last, largest and
# the slope, in $(BUILD)/bench-fuzz-memory/ (tests/bench-fuzz-memory.sh).
FUZZ_MEM_SECONDS ?= 3600
bench-fuzz-memory: $(BIN)
	@FUZZ_MEM_SECONDS=$(FUZZ_MEM_SECONDS) sh tests/bench-fuzz-memory.sh $(BIN) $(BUILD)/bench-fuzz-memory

$(BUILD)/bench_reply: tests/bench_reply.c $(LIB)
	$(CC) $(CFLAGS) -O2 -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

clean:
	rm -rf $(BUILD)

# ---- install ----------------------------------------------------------
# The installed binary has the data folder compiled in, so it finds the
# installed suite and catalogue from any directory (harness/datadir.h: an
# explicit PATH, then ./scenarios, then DATADIR).  It is built apart from
# $(BIN), and again whenever PREFIX changes ($(IPREFIX) records it).
PREFIX  ?= /usr/local
DESTDIR ?=
DATADIR  = $(PREFIX)/share/smtp-harness
IBIN    := $(BUILD)/install/smtp-harness
IPREFIX := $(BUILD)/install/prefix
SCNFILES = $(shell find scenarios -type f -name '*.yaml' | LC_ALL=C sort)
DATAFILES = docs/catalogue.md docs/catalogue-gaps.md
MAN1    := docs/man/smtp-harness.1
MAN5    := docs/man/smtp-harness-scenarios.5
DOCFILES = README.md docs/scenarios.md docs/reports.md docs/server.md docs/catalogue.md \
	   docs/catalogue-gaps.md docs/fuzzing.md docs/architecture.md
BASHCOMP := $(PREFIX)/share/bash-completion/completions/smtp-harness
ZSHCOMP  := $(PREFIX)/share/zsh/site-functions/_smtp-harness

.PHONY: FORCE
$(IPREFIX): FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' >$@

$(IBIN): $(HARNESS) $(wildcard harness/*.h) $(LIB) $(IPREFIX)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DSMTPH_DATADIR='"$(DATADIR)"' -o $@ $(HARNESS) $(LIB) $(LDFLAGS) $(LDLIBS)

install: $(IBIN)
	install -D -m 755 $(IBIN) $(DESTDIR)$(PREFIX)/bin/smtp-harness
	@for f in $(SCNFILES); do install -D -m 644 $$f $(DESTDIR)$(DATADIR)/$$f || exit 1; done
	@echo "installed $(words $(SCNFILES)) scenarios in $(DESTDIR)$(DATADIR)/scenarios"
	install -m 644 $(DATAFILES) $(DESTDIR)$(DATADIR)/
	install -D -m 644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/smtp-harness.1
	install -D -m 644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/smtp-harness-scenarios.5
	install -d $(DESTDIR)$(PREFIX)/share/doc/smtp-harness
	install -m 644 $(DOCFILES) $(DESTDIR)$(PREFIX)/share/doc/smtp-harness/
	install -D -m 644 harness/completion/smtp-harness.bash $(DESTDIR)$(BASHCOMP)
	install -D -m 644 harness/completion/_smtp-harness $(DESTDIR)$(ZSHCOMP)

# Exactly what install wrote; of the folders only smtp-harness's own go.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/smtp-harness \
	    $(DESTDIR)$(PREFIX)/share/man/man1/smtp-harness.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5/smtp-harness-scenarios.5 \
	    $(DESTDIR)$(BASHCOMP) $(DESTDIR)$(ZSHCOMP)
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(notdir $(DATAFILES)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/doc/smtp-harness/,$(notdir $(DOCFILES)))
	@for f in $(SCNFILES); do rm -f $(DESTDIR)$(DATADIR)/$$f; done
	@[ ! -d $(DESTDIR)$(DATADIR) ] || find $(DESTDIR)$(DATADIR) -depth -type d -empty -delete
	@rmdir $(DESTDIR)$(PREFIX)/share/doc/smtp-harness 2>/dev/null || true

# ---- the Debian package --------------------------------------------------
# debian/ builds through `make install PREFIX=/usr`.  tests/deb.sh builds it
# with dpkg-buildpackage in a copy of the tree, checks its contents, runs
# the unpacked binary against builtin from another directory and runs
# lintian (no error, no warning); `make deb` keeps the result in
# $(BUILD)/deb/.  make test runs it (about 45 s), except under sanitizers.
deb: $(DEPS)
	@sh tests/deb.sh --out $(BUILD)/deb

test-deb: $(DEPS)
	@sh tests/deb.sh

# ---- the container image and the CI templates -----------------------------
# tests/docker.sh builds the Dockerfile (base debian:12-slim, or the same
# made by harness/container/base-image.sh where Docker Hub is out of reach)
# and runs the suite in it: against builtin, and with --network host against
# serve on the host.  Where no engine can be used it says "docker: NOT RUN"
# and exits 77, which fails the target.  `make docker` keeps the image as
# smtp-harness:latest.  Not in make test (it needs a container engine, and
# 1 to 4 minutes); .ci/run runs it.
test-docker: $(BIN)
	@BUILD=$(BUILD) sh tests/docker.sh $(BIN)

docker: $(BIN)
	@BUILD=$(BUILD) sh tests/docker.sh $(BIN) --tag smtp-harness:latest

# The HTML report and the interop matrix as a reader sees them: three
# builtin targets (no deviation, known ones, new MUST and SHOULD ones), their
# reports and matrix opened in headless Chromium (installed when missing,
# as root), screenshots in $(BUILD)/html/screenshots/.  In .ci/run.
test-html: $(BIN)
	@BUILD=$(BUILD) sh tests/html.sh $(BIN)

# docs/ci/: the GitHub Actions and GitLab CI templates, parsed and their
# commands run against serve (about 1 minute; part of make test).
test-ci-templates: $(DEPS)
	@sh tests/ci-templates.sh

include fuzz/fuzz.mk
