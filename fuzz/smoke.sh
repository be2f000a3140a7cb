#!/bin/sh
# smoke.sh - every target for a short fixed time under ASan + UBSan (the
# libFuzzer build), starting from its seeds; fails on any finding.
#
# usage: sh fuzz/smoke.sh BINDIR SECONDS TARGET...   (make fuzz-smoke FUZZ_SECONDS=30)
# The seeds are copied, corpus/ is not changed.  A finding is left in
# build/fuzz/smoke/TARGET/ with the command that replays it; once fixed,
# put it in fuzz/regressions/TARGET/ so `make test` replays it for ever.
set -eu
cd "$(dirname "$0")/.."
. fuzz/lfopts.sh

bindir=$1
secs=$2
shift 2
work=build/fuzz/smoke
rc=0
for t in "$@"; do
	rm -rf "${work:?}/$t"
	mkdir -p "$work/$t/corpus" "$work/$t/findings"
	[ -d "corpus/$t" ] && cp -R "corpus/$t/." "$work/$t/corpus/"
	# shellcheck disable=SC2046
	if "$bindir/$t" $(lf_opts "$t") -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$work/$t/findings/" "$work/$t/corpus" \
	    >"$work/$t/log" 2>&1; then
		stats=$(grep -a -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
		    "$work/$t/log" | sed 's/^stat:://' | paste -sd' ' -)
		cov=$(grep -a -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$work/$t/log" | tail -n 1 |
		    sed -n 's/.* cov: \([0-9]*\).*/\1/p')
		echo "fuzz-smoke: $t ok: ${secs}s, cov $cov, $stats"
	else
		rc=1
		echo "fuzz-smoke: $t FAILED; log $work/$t/log" >&2
		grep -a -E 'ERROR|property broken|SUMMARY' "$work/$t/log" | head -n 5 >&2 || true
		for f in "$work/$t/findings"/*; do
			[ -f "$f" ] && echo "  replay: $bindir/$t $f" >&2
		done
	fi
done
exit $rc
