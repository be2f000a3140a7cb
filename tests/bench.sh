#!/bin/sh
# bench.sh - performance figures of smtp-harness, all from one run.
#
# usage: sh tests/bench.sh HARNESS BENCH_REPLY [AFL-MUTATOR.so AFL-SERVER]
#   HARNESS      path of the smtp-harness binary
#   BENCH_REPLY  path of the bench_reply binary (tests/bench_reply.c)
#   AFL-*        the session mutator and the afl-clang-fast reference
#                server (make fuzz-afl-mutator fuzz-afl-server), if built
#
# 1. reply_parse() throughput against a memchr scan (bench_reply);
# 2. wall time of the conformance suite against the built-in reference
#    server at -j 1 and -j 8, and the speed-up;
# 3. the fuzzer's rates (issue 13, tests/bench-fuzz.sh): `smtp-harness
#    fuzz` on `serve --listen` beside smtp-source -s 10 on the same server,
#    and AFL++ with the session mutator on the instrumented `serve --stdio`
#    beside AFLNet's 8 exec/s (issue 13's figure);
# 4. as root, the harness side by side with smtp-source and swaks against
#    the interop Postfix and aiosmtpd, ratios and CPU per session
#    (harness/interop/bench.sh; BENCH_SESSIONS, BENCH_SEQUENTIAL,
#    BENCH_ROUNDS), and the fuzzer beside smtp-source on Exim; as another
#    user it says it was skipped.
# Then the machine: nproc and the CPU model.
# Run from the top of the checkout (the suite is read from $SCENARIOS,
# default scenarios/).  BENCH_RUNS=N times each suite run N times and keeps
# the best (default 1).  Exit 1 when a part could not run as it should.
set -eu

if [ $# -ne 2 ] && [ $# -ne 4 ]; then
	echo "usage: $0 HARNESS BENCH_REPLY [AFL-MUTATOR.so AFL-SERVER]" >&2
	exit 2
fi
harness=$1
bench=$2
scenarios=${SCENARIOS:-scenarios/}
runs=${BENCH_RUNS:-1}

"$bench"

# Wall time in seconds of one suite run at -j $1.  Exit status 1 only means
# some scenario failed, which does not spoil the timing; anything else
# (usage error, unreachable target) does.
suite_time() {
	t0=$(date +%s.%N)
	rc=0
	"$harness" run "$scenarios" --target builtin -j "$1" \
	    --report json:/dev/null >/dev/null || rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" -gt 1 ]; then
		echo "bench.sh: '$harness run' at -j $1 exited with $rc" >&2
		exit 1
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# Best of $runs runs at -j $1.
best_time() {
	best=""
	i=0
	while [ "$i" -lt "$runs" ]; do
		t=$(suite_time "$1")
		best=$(awk -v a="$best" -v b="$t" \
		    'BEGIN { if (a == "" || b + 0 < a + 0) print b; else print a }')
		i=$((i + 1))
	done
	echo "$best"
}

t1=$(best_time 1)
t8=$(best_time 8)
awk -v a="$t1" -v b="$t8" 'BEGIN {
	printf "suite -j 1: %.3f s   suite -j 8: %.3f s   speed-up: %.2fx\n",
	    a, b, (b > 0 ? a / b : 0)
}'

rc=0
if [ $# -eq 4 ]; then
	sh tests/bench-fuzz.sh "$harness" "$3" "$4" || rc=1
else
	sh tests/bench-fuzz.sh "$harness" || rc=1
fi
r2=0
sh harness/interop/bench.sh "$harness" || r2=$?
[ "$r2" = 77 ] || [ "$r2" = 0 ] || rc=$r2
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
