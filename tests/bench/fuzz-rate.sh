# fuzz-rate.sh - sourced by tests/bench-fuzz.sh and harness/interop/bench.sh:
# the rate of one bench campaign of `smtp-harness fuzz`.
#
# fuzz_rate NAME RC DIR LOG: the campaign NAME exited RC with its --out DIR
# and its output in LOG.  Prints its sessions/s (sessions over seconds from
# DIR/summary.json) and returns 0; or says what went wrong (exit 2 or 3, no
# summary) and returns 1.  Findings (exit 1) are a rate like any other.
fuzz_rate() {
	if [ "$2" -gt 1 ] || [ ! -s "$3/summary.json" ]; then
		echo "bench: $1: the fuzzer exited $2; see $4" >&2
		tail -n 3 "$4" | sed 's/^/    /' >&2
		return 1
	fi
	sed -n 's/.*"sessions":\([0-9]*\),"seconds":\([0-9.]*\).*/\1 \2/p' "$3/summary.json" |
	    awk '{ printf "%.1f\n", ($2 > 0 ? $1 / $2 : 0) }'
}
