#!/bin/bash -eu
# build.sh - build every fuzz target of fuzz/ the OSS-Fuzz way: with $CC
# and $CFLAGS (sanitizers and -fsanitize=fuzzer-no-link come from there),
# linked with $LIB_FUZZING_ENGINE, into $OUT, each with its seed corpus
# ($OUT/TARGET_seed_corpus.zip from corpus/TARGET/), dictionary and options
# file next to it.  Also run here by `make fuzz-cflite` (fuzz/cflite-test.sh).
# Run from the checkout, or as the builder does: copied to $SRC/build.sh
# and started in WORKDIR, the checkout.
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/../src/reply.h" ] && cd "$here/.."
[ -f src/reply.h ] || { echo "build.sh: run me from the smtp-harness checkout" >&2; exit 1; }
work=${WORK:-$(mktemp -d)}/smtph-cflite
rm -rf "$work"
mkdir -p "$work/obj" "$OUT"
flags="-std=c11 -D_GNU_SOURCE -Isrc -Ifuzz"
for f in src/*.c; do
	$CC $CFLAGS $flags -c "$f" -o "$work/obj/$(basename "$f" .c).o"
done
ar rcs "$work/libsmtph.a" "$work"/obj/*.o
# Static libraries: the runner image has no libyaml.
libs="-Wl,-Bstatic -lyaml -lssl -lcrypto -Wl,-Bdynamic -ldl -lpthread"
for src in fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	extra=""
	[ "$t" = fuzz_engine ] && extra="-Wl,--wrap=tp_spawn,--wrap=loop_run_once"
	$CC $CFLAGS $flags "$src" -o "$OUT/$t" $LIB_FUZZING_ENGINE \
	    "$work/libsmtph.a" $extra $libs
	[ -f "fuzz/$t.dict" ] && cp "fuzz/$t.dict" "$OUT/$t.dict"
	[ -f "fuzz/$t.options" ] && cp "fuzz/$t.options" "$OUT/$t.options"
	if [ -d "corpus/$t" ]; then
		rm -f "$OUT/${t}_seed_corpus.zip"
		(cd "corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
	fi
done
rm -rf "$work"
