#!/bin/sh
# `make fuzz-live-smoke`: `smtp-harness fuzz` against real servers, a few
# minutes each (issue 13).  Not part of .ci/run: it takes minutes, and what
# it finds on a real server is a report to read, not a test that passes.
#
# For each target (FUZZ_LIVE_TARGETS, default "exim exim-bs postfix":
# Exim 4 as a daemon on 127.0.0.1:2602, Exim 4 as `exim4 -bs`, one process
# per session, an exec: target, and Postfix on 127.0.0.1:2601):
#   1. harness/interop/TARGET/start.sh (as `make interop` starts it, in the
#      private namespace of lib.sh); the URL is build/interop/run/TARGET/target;
#   2. the fuzzer, inside the namespace too (ns_run, as run.sh runs the
#      harness: an exec: target is its child), with the target's profile:
#        smtp-harness fuzz --target URL --profile harness/targets/T.profile.yaml
#                          --duration D --out reports/fuzz-live/TARGET/
#      D: FUZZ_LIVE_DURATION_TARGET (a dash in TARGET becomes _: e.g.
#      FUZZ_LIVE_DURATION_exim_bs), else FUZZ_LIVE_DURATION, else 120s;
#      the findings in reports/fuzz-live/TARGET/findings/*.yaml, the
#      campaign in reports/fuzz-live/TARGET/summary.md and summary.json;
#   3. each reproducer kept in harness/interop/findings/TARGET/ replayed
#      with `run` (said: still fails, or no longer);
#   4. harness/interop/TARGET/stop.sh (also when interrupted).
# Then every process left in the namespace is listed and ended by its pid
# (io_end_left_over of lib.sh, as run.sh does).
#
# As root only (network namespace, packages); otherwise it says so and exits
# 0 without doing anything.  Findings do not fail it (exit 1 of the fuzzer
# is what it is for); exit 1 when a target could not be started, the fuzzer
# could not reach it or refused its arguments (exit 2 or 3), or a process
# was left in the namespace.
# Usage: fuzz-live.sh [HARNESS]   (default build/smtp-harness)
IO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
set +e
cd "$IO_ROOT"

if [ "$(id -u)" != 0 ]; then
	echo "fuzz-live: needs root (network namespace, packages): nothing done"
	exit 0
fi

BIN=$(cd "$(dirname "${1:-build/smtp-harness}")" && pwd)/$(basename "${1:-build/smtp-harness}")
TARGETS=${FUZZ_LIVE_TARGETS:-"exim exim-bs postfix"}
OUT=$IO_ROOT/reports/fuzz-live

sh harness/interop/install.sh

stop_all() {
	for t in $TARGETS; do
		[ -f "harness/interop/$t/stop.sh" ] && sh "harness/interop/$t/stop.sh"
	done
}
trap 'stop_all; exit 130' INT TERM

# replay_reproducers TARGET URL: each committed finding of TARGET
# (harness/interop/findings/TARGET/*.yaml, a real server's crash kept with
# its reproducer) run again: still failing (exit 1), or not any more.
replay_reproducers() {
	for f in harness/interop/findings/"$1"/*.yaml; do
		[ -f "$f" ] || continue
		ns_run "$BIN" run --target "$2" --profile "harness/targets/$1.profile.yaml" "$f" \
		    > "$OUT/$1/replay-$(basename "$f" .yaml).txt" 2>&1
		rrc=$?
		if [ "$rrc" -eq 1 ]; then
			echo "fuzz-live: $1: $f still fails (exit 1)"
		else
			echo "fuzz-live: $1: $f no longer fails (exit $rrc): see $OUT/$1/"
		fi
	done
}

failed=""
for t in $TARGETS; do
	if [ ! -f "harness/interop/$t/start.sh" ] || [ ! -f "harness/targets/$t.profile.yaml" ]; then
		echo "fuzz-live: $t: no harness/interop/$t/start.sh or harness/targets/$t.profile.yaml"
		failed="$failed $t"
		continue
	fi
	rm -f "$IO/status/$t"
	timeout 180 sh "harness/interop/$t/start.sh"
	st=$(cat "$IO/status/$t" 2>/dev/null)
	if [ "$st" != available ] || [ ! -s "$IO/run/$t/target" ]; then
		echo "fuzz-live: $t: ${st:-unavailable: start.sh recorded nothing}"
		sh "harness/interop/$t/stop.sh"
		failed="$failed $t"
		continue
	fi
	url=$(cat "$IO/run/$t/target")
	var=FUZZ_LIVE_DURATION_$(echo "$t" | tr -- - _)
	eval "dur=\${$var:-\${FUZZ_LIVE_DURATION:-120s}}"
	rm -rf "$OUT/$t"
	mkdir -p "$OUT/$t"
	echo "fuzz-live: $t: $url for $dur -> reports/fuzz-live/$t/"
	s0=$(date +%s)
	ns_run "$BIN" fuzz --target "$url" --profile "harness/targets/$t.profile.yaml" \
	    --duration "$dur" --out "reports/fuzz-live/$t/" 2> "$OUT/$t/fuzz.log"
	rc=$?
	replay_reproducers "$t" "$url"
	sh "harness/interop/$t/stop.sh"
	echo "$rc" > "$OUT/$t/rc"
	n=$(ls "$OUT/$t/findings/"*.yaml 2>/dev/null | wc -l)
	echo "fuzz-live: $t: exit $rc in $(( $(date +%s) - s0 )) s, $n finding(s)"
	case $rc in
	0 | 1) ;;
	*)
		tail -n 5 "$OUT/$t/fuzz.log"
		failed="$failed $t"
		;;
	esac
done
stop_all
trap - INT TERM

left_over=0
io_end_left_over "fuzz-live:" || left_over=1

for t in $TARGETS; do
	[ -s "$OUT/$t/summary.md" ] && echo "fuzz-live: $t: reports/fuzz-live/$t/summary.md"
done
if [ -n "$failed" ] || [ "$left_over" = 1 ]; then
	echo "fuzz-live: FAILED:$failed$( [ "$left_over" = 1 ] && echo ' (processes left in the namespace)')"
	exit 1
fi
echo "fuzz-live: ok"
exit 0
