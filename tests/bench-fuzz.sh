#!/bin/sh
# bench-fuzz.sh - the rate of `smtp-harness fuzz` beside the yardsticks of
# issue 13 ("Speed"), each pair in one run (part of make bench).
#
# usage: sh tests/bench-fuzz.sh HARNESS [AFL-MUTATOR.so AFL-SERVER]
#
# 1. builtin-tcp: the reference server as a network server
#    (`HARNESS serve --listen 127.0.0.1:PORT`, started here and stopped by
#    its pid), driven by `smtp-source -s 10 -m BENCH_SOURCE_SESSIONS`
#    (Postfix's load generator, one message a session) and by
#    `HARNESS fuzz --target smtp://127.0.0.1:PORT -j BENCH_FUZZ_JOBS
#    --duration BENCH_FUZZ_SECONDS --no-minimize` (the suite's seeds, the
#    server's account in --var; no finding is expected, and --no-minimize
#    keeps shrinking out of the rate should one come), alternating
#    BENCH_ROUNDS times, the best rate of each kept; goal: the fuzzer at
#    >= 0.8x smtp-source's sessions/s.  Skipped when smtp-source is not
#    installed (harness/interop/install.sh installs it, as root).
# 2. AFL++ with the session mutator (AFL_CUSTOM_MUTATOR_ONLY) on the
#    reference server built with afl-clang-fast (`serve --stdio`, persistent
#    mode: a fork server, a session per test case, 10000 per process), for
#    BENCH_AFL_SECONDS from corpus/afl_session; its execs_per_sec (from
#    fuzzer_stats) beside AFLNet's 8 exec/s, a constant: the figure issue 13
#    gives for AFLNet's instrumented fork server on Exim 4.96 on this kind
#    of machine, not measured here; goal >= 50x.  Skipped without the two
#    AFL++ files (make fuzz-afl-mutator fuzz-afl-server) or afl-fuzz.
# Exim's own rates are harness/interop/bench.sh's (as root).
# Exit 0 when it ran (a missed goal is printed, not an error), 1 when a
# run failed.  Files in $BUILD/bench-fuzz/ (BUILD default build).
set -u

if [ $# -ne 1 ] && [ $# -ne 3 ]; then
	echo "usage: $0 HARNESS [AFL-MUTATOR.so AFL-SERVER]" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=${BUILD:-build}/bench-fuzz
ROUNDS=${BENCH_ROUNDS:-3}
N=${BENCH_SOURCE_SESSIONS:-2000}
FSECS=${BENCH_FUZZ_SECONDS:-10}
JOBS=${BENCH_FUZZ_JOBS:-32}
ASECS=${BENCH_AFL_SECONDS:-25}
AFLNET=8 # exec/s: AFLNet's instrumented fork server on Exim 4.96 (issue 13)
ACCOUNT="--var auth_user=harness --var auth_password=harness-secret"
rm -rf "$OUT"
mkdir -p "$OUT"
fail=0

now() { date +%s.%N; }

# The larger of two rates ("" is none yet).
most() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'
}

# shellcheck source=tests/bench/fuzz-rate.sh
. tests/bench/fuzz-rate.sh

# The CPU clock ticks process $1 has used (utime + stime, /proc/PID/stat;
# the fields after the command's closing parenthesis).
server_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# Is something listening on 127.0.0.1:$1?  (The kernel says; no connection.)
listening() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# ---- 1. builtin-tcp --------------------------------------------------------
if [ ! -x /usr/sbin/smtp-source ]; then
	echo "fuzz builtin-tcp: skipped, no /usr/sbin/smtp-source (harness/interop/install.sh, as root)"
else
	port=${BENCH_FUZZ_PORT:-2640}
	tries=0
	while listening "$port" && [ "$tries" -lt 20 ]; do
		port=$((port + 1))
		tries=$((tries + 1))
	done
	"$BIN" serve --listen "127.0.0.1:$port" >"$OUT/serve.log" 2>&1 &
	spid=$!
	trap 'kill "$spid" 2>/dev/null; exit 130' INT TERM
	w=0
	while ! listening "$port" && [ "$w" -lt 50 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	rf='' rs='' round=0 fcpu=0 fn=0 scpu=0
	while [ "$round" -lt "$ROUNDS" ] && kill -0 "$spid" 2>/dev/null; do
		round=$((round + 1))
		rm -rf "$OUT/fuzz-tcp"
		c0=$(server_ticks "$spid")
		# shellcheck disable=SC2086
		"$BIN" fuzz --target "smtp://127.0.0.1:$port" $ACCOUNT -j "$JOBS" \
		    --duration "${FSECS}s" --no-minimize --out "$OUT/fuzz-tcp" >"$OUT/fuzz-tcp.log" 2>&1
		rc=$?
		if ! r=$(fuzz_rate builtin-tcp "$rc" "$OUT/fuzz-tcp" "$OUT/fuzz-tcp.log"); then
			fail=1
			break
		fi
		[ "$rc" = 1 ] && echo "bench-fuzz: fuzz builtin-tcp had findings on the clean server: $OUT/fuzz-tcp/findings/"
		rf=$(most "$rf" "$r")
		c1=$(server_ticks "$spid")
		fcpu=$((fcpu + c1 - c0))
		fn=$((fn + $(sed -n 's/.*"sessions":\([0-9]*\),.*/\1/p' "$OUT/fuzz-tcp/summary.json")))
		t0=$(now)
		/usr/sbin/smtp-source -s 10 -m "$N" -f sender@client.example -t user@example.com \
		    -M client.example "127.0.0.1:$port" >"$OUT/source.log" 2>&1
		rc=$?
		t1=$(now)
		if [ "$rc" != 0 ]; then
			echo "bench-fuzz: smtp-source exited $rc; see $OUT/source.log"
			fail=1
			break
		fi
		scpu=$((scpu + $(server_ticks "$spid") - c1))
		rs=$(most "$rs" "$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%.1f\n", n / (b - a) }')")
	done
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	trap - INT TERM
	if [ -n "$rf" ] && [ -n "$rs" ]; then
		awk -v f="$rf" -v s="$rs" -v j="$JOBS" 'BEGIN {
			r = s > 0 ? f / s : 0
			printf "fuzz builtin-tcp: %.0f sessions/s (-j %d), smtp-source -s 10: %.0f sessions/s: %.2fx (goal >= 0.8x: %s)\n",
			    f, j, s, r, (r >= 0.8 ? "ok" : "BELOW")
		}' | tee "$OUT/builtin-tcp.txt"
		# The server's CPU a session under each tool: with the server
		# the limit, the ratio can be no more than their quotient.
		awk -v fc="$fcpu" -v fn="$fn" -v sc="$scpu" -v sn="$((N * round))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
			if (fn == 0 || sn == 0 || fc == 0)
				exit
			f = fc * 1e6 / hz / fn
			s = sc * 1e6 / hz / sn
			printf "fuzz builtin-tcp: the server'"'"'s CPU a session: %.0f us fuzzed, %.0f us under smtp-source: the most the server allows the ratio, %.2fx\n",
			    f, s, s / f
		}' | tee -a "$OUT/builtin-tcp.txt"
	fi
fi

# ---- 2. AFL++ with the session mutator ----------------------------------------
if [ $# -ne 3 ] || [ ! -s "$2" ] || [ ! -x "$3" ] || ! command -v afl-fuzz >/dev/null; then
	echo "afl-fuzz session mutator: skipped (needs afl-fuzz and make fuzz-afl-mutator fuzz-afl-server)"
	exit "$fail"
fi
SO=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
AFLSRV=$3
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    AFL_NO_AFFINITY=1 AFL_CUSTOM_MUTATOR_ONLY=1 AFL_CUSTOM_MUTATOR_LIBRARY="$SO"
rm -rf "$OUT/afl"
afl-fuzz -V "$ASECS" -t 2000 -i corpus/afl_session -o "$OUT/afl" -- "$AFLSRV" serve --stdio \
    >"$OUT/afl.log" 2>&1
rc=$?
stats=$OUT/afl/default/fuzzer_stats
if [ "$rc" != 0 ] || [ ! -f "$stats" ]; then
	echo "bench-fuzz: afl-fuzz exited $rc; see $OUT/afl.log"
	tail -n 5 "$OUT/afl.log" | sed 's/^/    /'
	exit 1
fi
mode=$(grep -q 'Persistent mode binary detected' "$OUT/afl.log" && echo "persistent" || echo "fork server")
awk -v aflnet="$AFLNET" -v secs="$ASECS" -v mode="$mode" '
$1 == "execs_per_sec" { r = $3 } $1 == "execs_done" { n = $3 }
END {
	x = r / aflnet
	printf "afl-fuzz session mutator, serve --stdio (%s, %d s, %d execs): %.0f exec/s, AFLNet %d exec/s (issue 13: its instrumented fork server on Exim 4.96, not measured here): %.0fx (goal >= 50x: %s)\n",
	    mode, secs, n, r, aflnet, x, (x >= 50 ? "ok" : "BELOW")
}' "$stats" | tee "$OUT/afl.txt"
exit "$fail"
