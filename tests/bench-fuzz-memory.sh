#!/bin/sh
# bench-fuzz-memory.sh - is the fuzzer's memory flat over a long campaign?
# (issue 13, "memory flat over an hour"; `make bench-fuzz-memory`, not in
# .ci/run: it takes FUZZ_MEM_SECONDS.)
#
# usage: sh tests/bench-fuzz-memory.sh HARNESS [OUTDIR]
#
# Runs `HARNESS fuzz --target $FUZZ_MEM_TARGET --duration ${FUZZ_MEM_SECONDS}s`
# (default builtin: the reference server in the fuzzer's own process, so
# both are measured; default 3600 s) and reads its VmRSS from
# /proc/PID/status every FUZZ_MEM_INTERVAL seconds (default 10) into
# OUTDIR/rss.tsv (seconds since the start, KiB).  Then it prints the
# first, last and largest RSS and the least-squares slope in KiB per hour,
# over the whole run and over its second half (past the corpus's warm-up).
# "flat" when the second half's slope is under FUZZ_MEM_FLAT KiB/h
# (default 1024) or under 1% of the largest RSS per hour, whichever is
# larger.  OUTDIR (default build/bench-fuzz-memory) also holds the
# fuzzer's log and its --out folder.  The fuzzer ends by itself; should it
# outlive its duration by 5 minutes it gets SIGINT (the summary), then
# SIGKILL 30 s later.  Exit 0 when it ran (growth is printed, not an
# error), 1 when the fuzzer failed.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: $0 HARNESS [OUTDIR]" >&2
	exit 2
fi
BIN=$1
OUT=${2:-build/bench-fuzz-memory}
SECS=${FUZZ_MEM_SECONDS:-3600}
IVL=${FUZZ_MEM_INTERVAL:-10}
TARGET=${FUZZ_MEM_TARGET:-builtin}
FLAT=${FUZZ_MEM_FLAT:-1024}

rm -rf "$OUT"
mkdir -p "$OUT"
"$BIN" fuzz --target "$TARGET" --duration "${SECS}s" --out "$OUT/fuzz" \
    >"$OUT/fuzz.log" 2>&1 &
pid=$!
echo "$pid" >"$OUT/fuzz.pid"
echo "fuzz memory: pid $pid, --target $TARGET for $SECS s, RSS every $IVL s in $OUT/rss.tsv"

t0=$(date +%s)
# Bounded: one sample per interval up to the duration and 5 minutes more.
max=$(((SECS + 300) / IVL + 1))
n=0
: >"$OUT/rss.tsv"
while [ "$n" -lt "$max" ] && kill -0 "$pid" 2>/dev/null; do
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
	[ -n "$rss" ] && echo "$(($(date +%s) - t0)) $rss" >>"$OUT/rss.tsv"
	n=$((n + 1))
	sleep "$IVL"
done
if kill -0 "$pid" 2>/dev/null; then
	echo "fuzz memory: the fuzzer outlived its duration by 5 minutes: SIGINT"
	kill -INT "$pid" 2>/dev/null || true
	timeout 30 tail --pid="$pid" -f /dev/null || true
	kill -KILL "$pid" 2>/dev/null || true
fi
rc=0
wait "$pid" || rc=$?
rm -f "$OUT/fuzz.pid"
sessions=$(sed -n 's/.*"sessions": *\([0-9]*\).*/\1/p' "$OUT/fuzz/summary.json" 2>/dev/null | head -n 1)

awk -v secs="$SECS" -v flat="$FLAT" -v sessions="${sessions:-?}" -v target="$TARGET" '
function slope(lo,   i, m, sx, sy, sxx, sxy, d) {
	m = 0; sx = sy = sxx = sxy = 0
	for (i = 1; i <= n; i++)
		if (t[i] >= lo) {
			m++; sx += t[i]; sy += r[i]; sxx += t[i] * t[i]; sxy += t[i] * r[i]
		}
	d = m * sxx - sx * sx
	return (m < 2 || d == 0) ? 0 : (m * sxy - sx * sy) / d * 3600
}
{ n++; t[n] = $1; r[n] = $2; if ($2 > mx) mx = $2 }
END {
	if (n < 2) { print "fuzz memory: fewer than two samples"; exit 1 }
	s = slope(0); h = slope(t[n] / 2)
	lim = flat > mx / 100 ? flat : mx / 100
	printf "fuzz memory: %s, %d s, %s sessions, %d samples: RSS first %d KiB, last %d KiB, max %d KiB; slope %+.0f KiB/h, second half %+.0f KiB/h (goal flat, < %.0f KiB/h: %s)\n",
	    target, t[n], sessions, n, r[1], r[n], mx, s, h, lim, (h < lim ? "ok" : "GROWING")
}' "$OUT/rss.tsv" | tee "$OUT/summary.txt"
# 0 no finding, 1 findings: both mean the campaign ran.
[ "$rc" -le 1 ] || { echo "fuzz memory: the fuzzer exited $rc; see $OUT/fuzz.log"; tail -n 3 "$OUT/fuzz.log"; exit 1; }
exit 0
