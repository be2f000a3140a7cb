#!/bin/sh
# bench.sh - exec/s of every fuzz target: the libFuzzer build (ASan +
# UBSan), one process, one core, BENCH_SECONDS (default 10) from a copy of
# its seeds.  usage: sh fuzz/bench.sh BINDIR TARGET...   (make bench-fuzz)
set -eu
cd "$(dirname "$0")/.."
. fuzz/lfopts.sh

bindir=$1
shift
secs=${BENCH_SECONDS:-10}
work=build/fuzz/bench
printf '%-12s %12s %10s %6s\n' target execs exec/s cov
for t in "$@"; do
	rm -rf "${work:?}/$t"
	mkdir -p "$work/$t"
	[ -d "corpus/$t" ] && cp -R "corpus/$t/." "$work/$t/"
	# shellcheck disable=SC2046
	"$bindir/$t" $(lf_opts "$t") -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$work/" "$work/$t" >"$work/$t.log" 2>&1 || {
		echo "bench-fuzz: $t stopped on a finding, see $work/$t.log" >&2
		exit 1
	}
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
	cov=$(grep -a -E '^#[0-9]+.*DONE' "$work/$t.log" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	printf '%-12s %12s %10s %6s\n' "$t" "$runs" "$eps" "$cov"
done
