#!/bin/sh
# bad-files.sh - every malformed scenario file is refused with exit 2 and a
# FILE:LINE:COL error, within 10 s and 512 MiB.  Usage: bad-files.sh BIN
#
# tests/bad-scenarios/*.yaml each start with "# expect: LINE:COL: MESSAGE"
# (files whose first line cannot be a comment are made here instead: empty,
# binary, many megabytes).
set -u
BIN=${1:?usage: bad-files.sh path/to/smtp-harness}
T=$(mktemp -d "${TMPDIR:-/tmp}/smtph-bad.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
. "$(dirname "$0")/lib.sh"
BAD_LINES=10

# check FILE POS TEXT: lint and run both exit 2 within 10 s and 512 MiB,
# and print a line "FILE:POS: error: ..." holding TEXT.
check() {
	f=$1 pos=$2 text=$3
	for cmd in lint run; do
		# Memory is measured, not limited: ulimit -v would also stop the
		# sanitizer build, whose shadow memory is virtual.
		timeout 10 /usr/bin/time -f '%M' -o "$T/rss" "$BIN" $cmd "$f" >"$T/out" 2>&1
		rc=$?
		rss=$(tail -n 1 "$T/rss")
		if [ "${rss:-0}" -gt 524288 ]; then bad "$cmd $(basename "$f"): $rss KiB of memory"; fi
		if [ $rc -ne 2 ]; then bad "$cmd $(basename "$f"): exit $rc, wanted 2" "$(head -n 5 "$T/out")"; continue; fi
		if grep -F "$f:$pos: error: " "$T/out" | grep -qF -- "$text"; then
			ok "$cmd $(basename "$f"): $pos: $text"
		else
			bad "$cmd $(basename "$f"): wanted '$pos: error: ...$text...'" "$(head -n 5 "$T/out")"
		fi
	done
}

for f in tests/bad-scenarios/*.yaml; do
	pos=$(sed -n '1s/^# expect: \([0-9]*:[0-9]*\): .*$/\1/p' "$f")
	text=$(sed -n '1s/^# expect: [0-9]*:[0-9]*: \(.*\)$/\1/p' "$f")
	[ -n "$pos" ] || { bad "$f has no '# expect: LINE:COL: MESSAGE' first line"; continue; }
	check "$f" "$pos" "$text"
done

: >"$T/empty.yaml"
check "$T/empty.yaml" 1:1 "empty file"
head -c 4096 /dev/urandom | tr -d '\n' | sed 's/^/\x01/' >"$T/binary.yaml"
check "$T/binary.yaml" 1:1 "YAML"
python3 - "$T/huge.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("id: huge\ntitle: t\nlevel: must\nrefs: [TM-01]\nsteps:\n")
    f.write("  - send: NOOP\n  - expect: 250\n" * 400000)
PY
check "$T/huge.yaml" 1:1 "file larger than"
python3 -c 'print("a: " + "[" * 200000 + "]" * 200000)' >"$T/deep.yaml"
check "$T/deep.yaml" 1:36 "nesting deeper than 32 levels"
python3 -c 'print("id: " + "x" * 900000)' >"$T/long-scalar.yaml"
check "$T/long-scalar.yaml" 1:5 "bad id"

echo "bad files: $failures problems"
[ "$failures" -eq 0 ]
