# fuzz.mk - the fuzz targets of fuzz/, included by the Makefile.
#
#   make fuzz          libFuzzer builds (clang, ASan + UBSan) in build/fuzz/libfuzzer/
#   make fuzz-afl      AFL++ persistent-mode builds in build/fuzz/afl/
#   make fuzz-replay   plain builds with a replaying main() in $(BUILD)/fuzz/replay/
#   make fuzz-regress  replay fuzz/regressions/ and corpus/ (part of `make test`)
#   make fuzz-smoke    every target for FUZZ_SECONDS (30) under ASan + UBSan
#   make fuzz-overnight HOURS=8 (or MINUTES=60)   see fuzz/overnight.sh
#   make bench-fuzz    exec/s of every target
#   make fuzz-cflite   run .clusterfuzzlite/build.sh here (part of fuzz-smoke)
#   make fuzz-afl-mutator  the AFL++ custom mutator, build/fuzz/afl/libsmtph-mutator.so
#   make fuzz-afl-server   the whole binary under afl-clang-fast, build/fuzz/afl-server/
#   make test-afl-mutator  both, driven by afl-fuzz for AFL_SECONDS (20); see
#                          tests/afl-mutator.sh and docs/fuzzing.md
#   make bench-fuzz-coverage  sessions and seconds to each deep fault, with
#                          coverage feedback and without (BENCH_SEEDS x 2
#                          campaigns per fault, each at most BENCH_FUZZ_SECONDS)

FUZZ_TARGETS := fuzz_reply fuzz_ehlo fuzz_syntax fuzz_mailbox fuzz_loader fuzz_server fuzz_engine
FUZZ_CC      ?= clang
# Not AFL_CC: afl-cc reads that from the environment as its own compiler.
FUZZ_AFL_CC  ?= afl-clang-fast
FUZZ_SECONDS ?= 30
FUZZ_OPT     ?= -O2 -g
FUZZ_WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
                -Wstrict-prototypes -Wmissing-prototypes -Isrc -Ifuzz
# UBSan without its alignment and pointer-overflow checks, as OSS-Fuzz's
# UBSan set: under libFuzzer every such check is a comparison traced by a
# call (of no use to the fuzzer), which made fuzz_server and fuzz_engine
# about a third slower and the reply parser a fifth.  `make test-sanitize`
# (full UBSan) replays every seed and regression with both checks on.
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize=alignment,pointer-overflow \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
# The engine target replaces the exec: transport's spawn (fuzz_engine.c).
FUZZ_LD_fuzz_engine := -Wl,--wrap=tp_spawn,--wrap=loop_run_once
FUZZ_LIBS    := -lyaml -lssl -lcrypto

FZ_LF   := build/fuzz/libfuzzer
FZ_AFL  := build/fuzz/afl
FZ_REP  := $(BUILD)/fuzz/replay
FZ_SRC  := $(sort $(wildcard src/*.c))
FZ_HDR  := $(wildcard src/*.h) fuzz/fuzz.h

.PHONY: fuzz fuzz-afl fuzz-replay fuzz-regress fuzz-smoke fuzz-overnight bench-fuzz fuzz-cflite \
	fuzz-afl-mutator fuzz-afl-server test-afl-mutator bench-fuzz-coverage

# -- libFuzzer: the library instrumented for coverage, each target linked
#    with libFuzzer's main.
fuzz: $(FUZZ_TARGETS:%=$(FZ_LF)/%)

$(FZ_LF)/obj/%.o: src/%.c $(FZ_HDR) | $(DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ_LF)/libsmtph.a: $(FZ_SRC:src/%.c=$(FZ_LF)/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

$(FZ_LF)/%: fuzz/%.c $(FZ_LF)/libsmtph.a $(FZ_HDR)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_WARN) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
	    $(FZ_LF)/libsmtph.a $(FUZZ_LD_$*) $(FUZZ_LIBS)

# -- AFL++: persistent mode with the shared-memory test case (afl_main.c).
#    AFL_USE_ASAN=1 make fuzz-afl for a sanitizer build.
fuzz-afl: $(FUZZ_TARGETS:%=$(FZ_AFL)/%)

$(FZ_AFL)/obj/%.o: src/%.c $(FZ_HDR) | $(DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_AFL_CC) -O2 -g $(FUZZ_WARN) -c -o $@ $<

$(FZ_AFL)/libsmtph.a: $(FZ_SRC:src/%.c=$(FZ_AFL)/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

$(FZ_AFL)/%: fuzz/%.c fuzz/afl_main.c $(FZ_AFL)/libsmtph.a $(FZ_HDR)
	$(FUZZ_AFL_CC) -O2 -g $(FUZZ_WARN) -Wno-missing-prototypes -o $@ $< fuzz/afl_main.c \
	    $(FZ_AFL)/libsmtph.a $(FUZZ_LD_$*) $(FUZZ_LIBS)

.SECONDARY: $(FZ_SRC:src/%.c=$(FZ_LF)/obj/%.o) $(FZ_SRC:src/%.c=$(FZ_AFL)/obj/%.o)

# -- Plain: the project's own compiler and flags (sanitizers under
#    test-sanitize), the library as built for the tests, replay_main.c.
fuzz-replay: $(FUZZ_TARGETS:%=$(FZ_REP)/%)

$(FZ_REP)/%: fuzz/%.c fuzz/replay_main.c $(LIB) $(FZ_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ifuzz -o $@ $< fuzz/replay_main.c $(LIB) $(LDFLAGS) $(FUZZ_LD_$*) $(LDLIBS)

# Every input that ever crashed a target, and the seeds, replayed for ever.
fuzz-regress: fuzz-replay
	@set -e; for t in $(FUZZ_TARGETS); do \
	    set --; for d in fuzz/regressions/$$t corpus/$$t; do \
	        [ -d $$d ] && set -- "$$@" $$d; done; \
	    $(FZ_REP)/$$t "$$@"; done

fuzz-smoke: fuzz fuzz-cflite
	@sh fuzz/smoke.sh $(FZ_LF) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

HOURS   ?=
MINUTES ?=
fuzz-overnight: fuzz
	@HOURS="$(HOURS)" MINUTES="$(MINUTES)" sh fuzz/overnight.sh $(FZ_LF) $(FUZZ_TARGETS)

bench-fuzz: fuzz
	@sh fuzz/bench.sh $(FZ_LF) $(FUZZ_TARGETS)

# ClusterFuzzLite's build.sh, run here the way its builder image runs it.
fuzz-cflite: | $(DEPS)
	@sh fuzz/cflite-test.sh

# -- AFL++ on a stdin server: the session mutations as a custom mutator
#    library (fuzz/afl_mutator.c), built from a position-independent copy
#    of the few library files it needs (build/obj is not PIC), with only
#    afl_custom_* exported; and the reference server under afl-clang-fast,
#    for `afl-fuzz ... -- build/fuzz/afl-server/smtp-harness serve --stdio`.
FZ_MUT_SRC := fz_mutate fz_raw fz_sess buf template util vars
FZ_MUT_CFLAGS := -O2 -g -fPIC -ffunction-sections -fdata-sections $(FUZZ_WARN)
FZ_AFLSRV  := build/fuzz/afl-server

fuzz-afl-mutator: $(FZ_AFL)/libsmtph-mutator.so

$(FZ_AFL)/pic/%.o: src/%.c $(FZ_HDR) | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(FZ_MUT_CFLAGS) -c -o $@ $<

$(FZ_AFL)/libsmtph-mutator.so: fuzz/afl_mutator.c fuzz/afl_mutator.map $(FZ_MUT_SRC:%=$(FZ_AFL)/pic/%.o)
	$(CC) $(FZ_MUT_CFLAGS) -shared -Wl,--gc-sections -Wl,-z,defs \
	    -Wl,--version-script=fuzz/afl_mutator.map -o $@ fuzz/afl_mutator.c \
	    $(FZ_MUT_SRC:%=$(FZ_AFL)/pic/%.o) -Wl,--as-needed -lcrypto

fuzz-afl-server: $(FZ_AFLSRV)/smtp-harness

$(FZ_AFLSRV)/smtp-harness: $(HARNESS) $(wildcard harness/*.h) $(FZ_AFL)/libsmtph.a
	@mkdir -p $(dir $@)
	$(FUZZ_AFL_CC) -O2 -g $(FUZZ_WARN) -o $@ $(HARNESS) $(FZ_AFL)/libsmtph.a $(FUZZ_LIBS)

$(BUILD)/afl_mutator_check: tests/afl_mutator_check.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -ldl

AFL_SECONDS ?= 20
test-afl-mutator: fuzz-afl-mutator fuzz-afl-server $(BIN) $(BUILD)/afl_mutator_check
	@sh tests/afl-mutator.sh $(FZ_AFL)/libsmtph-mutator.so $(FZ_AFLSRV)/smtp-harness $(BIN) \
	    $(BUILD)/afl_mutator_check $(AFL_SECONDS)

# Coverage feedback against the state feedback alone, on the instrumented
# serve --stdio with deep-crash and deep-hang (fuzz/bench-coverage.sh):
# one campaign at a time, not in .ci/run (up to 2 x N x SECONDS per fault).
BENCH_SEEDS ?= 5
BENCH_FUZZ_SECONDS ?= 300
bench-fuzz-coverage: fuzz-afl-server $(BIN)
	@sh fuzz/bench-coverage.sh $(BIN) $(FZ_AFLSRV)/smtp-harness $(BENCH_SEEDS) $(BENCH_FUZZ_SECONDS)
