#!/bin/sh
# cflite-test.sh - prove .clusterfuzzlite/build.sh builds here: run it with
# the variables the OSS-Fuzz builder sets (libFuzzer, ASan + UBSan) into a
# temporary $OUT, then check every target, seed zip, .dict and .options is
# there and that each target runs its seed corpus.  Part of `make fuzz-smoke`.
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$out" "$work"' EXIT
CC=${CFLITE_CC:-clang} \
CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined -fsanitize=fuzzer-no-link" \
LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$out WORK=$work \
    bash .clusterfuzzlite/build.sh
n=0
for src in fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
		[ -s "$out/$f" ] || { echo "fuzz-cflite: $f missing from \$OUT" >&2; exit 1; }
	done
	mkdir -p "$work/seeds/$t"
	(cd "$work/seeds/$t" && unzip -q "$out/${t}_seed_corpus.zip")
	"$out/$t" -runs=0 "$work/seeds/$t" >"$work/$t.log" 2>&1 ||
	    { echo "fuzz-cflite: $t fails on its seeds:" >&2; tail -n 20 "$work/$t.log" >&2; exit 1; }
	n=$((n + 1))
done
echo "fuzz-cflite: .clusterfuzzlite/build.sh built $n targets with seeds, dictionaries and options"
