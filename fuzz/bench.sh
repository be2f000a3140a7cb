#!/bin/sh
# bench.sh - exec/s of every fuzz target: the libFuzzer build (ASan +
# UBSan), one process, one core, BENCH_SECONDS (default 30) from a copy of
# its seeds.  usage: sh fuzz/bench.sh BINDIR TARGET...   (make bench-fuzz)
#
# Three rates: exec/s is libFuzzer's own over the whole run (runs / wall
# seconds); steady the runs per wall second after the first third of the
# run, what an overnight campaign gets (the start is slower: the seeds
# run once, new inputs are written one file each and checked for leaks,
# and ASan's quarantine faults in its first 256 MB); exec/cpu-s the runs
# over the CPU seconds the fuzzer used (user + system, from the shell's
# `times`), which a busy machine does not lower as much.  Each beside the
# target's goal (issue 14): the engine 5k, the server 20k, the parsers
# (reply, EHLO, syntax) 100k, every other target 5k; "ok" when the steady
# rate reaches it, "ok per CPU second only" when only the CPU rate does
# (the machine was busy: the wall rate is then not the fuzzer's), else
# "BELOW GOAL".  Exit 1 only on a finding, not on a missed goal.
set -eu
cd "$(dirname "$0")/.."
. fuzz/lfopts.sh

bindir=$1
shift
secs=${BENCH_SECONDS:-30}
work=build/fuzz/bench

goal() {
	case $1 in
	fuzz_reply | fuzz_ehlo | fuzz_syntax) echo 100000 ;;
	fuzz_server) echo 20000 ;;
	*) echo 5000 ;;
	esac
}

# CPU seconds (user + system) of the children a `times` line 2 reports.
cpu_of() {
	sed -n 2p "$1" | awk '{
		t = 0
		for (i = 1; i <= 2; i++) {
			split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2]
		}
		printf "%.3f\n", t
	}'
}

# The wall time now, in seconds with nanoseconds.
now() { date +%s.%N; }

# A warm-up, not counted: in two runs without it the first target after a
# build ran at two thirds of the rate it had when run again just after.
"$bindir/$1" -max_total_time=3 -artifact_prefix="$work/" >/dev/null 2>&1 || true

printf '%-12s %10s %9s %9s %11s %9s %6s\n' target execs exec/s steady exec/cpu-s goal cov
for t in "$@"; do
	rm -rf "${work:?}/$t"
	mkdir -p "$work/$t"
	[ -d "corpus/$t" ] && cp -R "corpus/$t/." "$work/$t/"
	# A subshell whose only child is the fuzzer: its `times` is the
	# fuzzer's CPU.  Its progress lines (#RUNS pulse, at each power of
	# two, and DONE) are stamped as they come, for the steady rate.
	rm -f "$work/$t.rc" "$work/$t.times"
	start=$(now)
	# shellcheck disable=SC2046
	( set +e
	  "$bindir/$t" $(lf_opts "$t") -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$work/" "$work/$t" 2>&1
	  echo $? >"$work/$t.rc"
	  times >"$work/$t.times" ) | tee "$work/$t.log" |
	    grep --line-buffered -a -E '^#[0-9]+[[:space:]]+(pulse|DONE)' |
	    while IFS= read -r l; do printf '%s %s\n' "$(now)" "$l"; done >"$work/$t.stamps"
	[ "$(cat "$work/$t.rc" 2>/dev/null)" = 0 ] || {
		echo "bench-fuzz: $t stopped on a finding, see $work/$t.log" >&2
		exit 1
	}
	cpu=$(cpu_of "$work/$t.times")
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
	cov=$(grep -a -E '^#[0-9]+.*DONE' "$work/$t.log" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	# From the first pulse past a third of the run to DONE.
	steady=$(awk -v start="$start" -v secs="$secs" '
	    { n = substr($2, 2) + 0 }
	    $3 == "pulse" && !p && 3 * ($1 - start) >= secs { p = 1; pn = n; pt = $1 }
	    $3 == "DONE" && p && $1 > pt { printf "%d", (n - pn) / ($1 - pt) }' "$work/$t.stamps")
	g=$(goal "$t")
	awk -v t="$t" -v r="$runs" -v e="$eps" -v st="${steady:-0}" -v cpu="$cpu" -v g="$g" \
	    -v cov="$cov" 'BEGIN {
		pc = cpu > 0 ? r / cpu : 0
		v = st >= g ? "ok" : pc >= g ? "ok per CPU second only (a busy machine?)" : "BELOW GOAL"
		printf "%-12s %10d %9d %9s %11d %9s %6s  %s\n", t, r, e, (st > 0 ? st : "-"), pc,
		    ">= " g, cov, v
	}'
done
