#!/bin/sh
# bench.sh - smtp-harness side by side with the load tools, against real
# servers, all in one run so the ratios hold across machines (make bench).
#
# usage: sh harness/interop/bench.sh HARNESS      (as root)
#
# Postfix and aiosmtpd are started by their interop scripts
# (harness/interop/SERVER/start.sh) in a private loopback-only network
# namespace of the bench's own (INTEROP_NS, default smtph-bench, with its
# own build/bench-interop folder, so it never meets a `make interop`
# running beside it), stopped by pid at the end, and the namespace removed.
# Against each:
#
#   1. the one-transaction scenario tests/bench/one-transaction.yaml
#      --repeat N at -j 10, beside `smtp-source -s 10 -m N` (Postfix's load
#      generator: 10 sessions at once, one message per session);
#   2. the same scenario --repeat S at -j 1, beside S `swaks` runs one
#      after the other (one message each), and beside `smtp-source -s 1
#      -m S`: one session at a time from a compiled client, the server's
#      own floor for sequential sessions (what no client at -j 1 can beat
#      by much: the harness's ratio to swaks is bounded by swaks's to it);
#   3. CPU per session: the harness's (user + system of its process, from
#      the shell's `times`) beside the server's (the sum of utime, stime,
#      cutime and cstime in /proc/PID/stat over every process of the
#      namespace, before and after the harness's last run 1: for
#      Postfix the master, smtpd,
#      cleanup, qmgr, discard... and what the master reaped; for aiosmtpd
#      its one Python process).
#
# Then Exim 4.96 (harness/interop/exim/start.sh, 127.0.0.1:2602): the
# fuzzer's rate (`smtp-harness fuzz --target smtp://127.0.0.1:2602
# --profile harness/targets/exim.profile.yaml -j BENCH_EXIM_JOBS
# --duration BENCH_EXIM_FUZZ_SECONDS --no-minimize`, sessions over seconds
# from its summary.json) beside Exim's own under
# `smtp-source -s 10 -m BENCH_EXIM_SESSIONS`; goal (issue 13): >= 0.8x.
#
# The interop servers share fixed paths (the Postfix installed for real,
# the packages unpacked under build/), so the whole side-by-side part runs
# under `flock $INTEROP_LOCK` (default /work/.interop-lock), waiting up to
# an hour for a `make interop` or another bench holding it.
#
# After a warm-up run, each is timed BENCH_ROUNDS times (default 3),
# alternating, and the best time kept.  A ratio is the other tool's wall
# time over the harness's: above 1 the harness is faster.  Goals (issue 14): >= 1.0x smtp-source on both
# servers, >= 50x swaks on aiosmtpd, harness CPU <= 1/10 of the server's.
# BENCH_SESSIONS=N (default 1000), BENCH_SEQUENTIAL=S (default 50).
# Exit 0 when it ran (a missed goal is printed, not an error), 1 when a
# tool or a run failed, 77 when it cannot run here (not root).
IO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
INTEROP_NS=${INTEROP_NS:-smtph-bench}
IO_DIR=${IO_DIR:-$IO_ROOT/build/bench-interop}
export INTEROP_NS IO_DIR
# shellcheck source=harness/interop/lib.sh
. "$IO_ROOT/harness/interop/lib.sh"
set +e
cd "$IO_ROOT" || exit 1

BIN=$(cd "$(dirname "${1:-build/smtp-harness}")" && pwd)/$(basename "${1:-build/smtp-harness}")
N=${BENCH_SESSIONS:-1000}
S=${BENCH_SEQUENTIAL:-50}
ROUNDS=${BENCH_ROUNDS:-3}
SCN=$IO_ROOT/tests/bench/one-transaction.yaml
OUT=$IO/bench
SENDER=sender@client.example
RCPT=user@interop.test
HZ=$(getconf CLK_TCK)

if [ "$(id -u)" != 0 ]; then
	echo "bench: the side-by-side part needs root (a network namespace, the servers); skipped"
	exit 77
fi
# One user of the interop servers at a time: the rest of the script again,
# holding the lock.
INTEROP_LOCK=${INTEROP_LOCK:-/work/.interop-lock}
if [ -z "${BENCH_LOCKED:-}" ]; then
	mkdir -p "$(dirname "$INTEROP_LOCK")"
	BENCH_LOCKED=1 flock -w 3600 -E 75 "$INTEROP_LOCK" sh "$IO_ROOT/harness/interop/bench.sh" "$BIN"
	rc=$?
	if [ "$rc" = 75 ]; then
		echo "bench: $INTEROP_LOCK was held for an hour (make interop or another bench); not run"
		rc=1
	fi
	exit "$rc"
fi
if [ ! -x /usr/sbin/smtp-source ] || [ ! -x /usr/bin/swaks ] ||
    ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
    [ ! -x "$IO/pkg/exim/usr/sbin/exim4" ]; then
	sh harness/interop/install.sh
fi
for tool in /usr/sbin/smtp-source /usr/bin/swaks; do
	if [ ! -x "$tool" ]; then
		echo "bench: $tool is missing (harness/interop/install.sh installs it)"
		exit 1
	fi
done
mkdir -p "$OUT"

now() { date +%s.%N; }

# The smaller of two times ("" is none yet).
best() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'
}

# CPU seconds (user + system) of the children a `times` output reports.
cpu_of() {
	sed -n 2p "$1" | awk '{
		t = 0
		for (i = 1; i <= 2; i++) {
			split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2]
		}
		printf "%.3f\n", t
	}'
}

# CPU seconds of every process in the namespace, with what they reaped.
ns_cpu() {
	for p in $(ip netns pids "$IO_NS" 2>/dev/null); do
		# Fields after the ")" of the command name: utime is the 12th.
		sed 's/.*) //' "/proc/$p/stat" 2>/dev/null
	done | awk -v hz="$HZ" '{ t += $12 + $13 + $14 + $15 } END { printf "%.3f\n", t / hz }'
}

# Run "$@" in the namespace; its wall seconds to stdout, its own CPU
# seconds to file $1, its output to file $2.  Status: the command's.
timed() {
	tf=$1
	lf=$2
	shift 2
	BENCH_LOG=$lf
	BENCH_TIMES=$tf
	export BENCH_LOG BENCH_TIMES
	t0=$(now)
	# shellcheck disable=SC2016
	ns_run sh -c '"$@" >"$BENCH_LOG" 2>&1; rc=$?; times >"$BENCH_TIMES"; exit $rc' \
	    timed "$@" 2>/dev/null
	rc=$?
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
	return $rc
}

stop_servers() {
	sh harness/interop/postfix/stop.sh
	sh harness/interop/aiosmtpd/stop.sh
	sh harness/interop/exim/stop.sh
}
trap 'stop_servers; exit 130' INT TERM

fail=0
summary=""
for srv in postfix aiosmtpd; do
	rm -f "$IO/status/$srv"
	timeout 120 sh "harness/interop/$srv/start.sh"
	if [ "$(cat "$IO/status/$srv" 2>/dev/null)" != available ]; then
		echo "bench: $srv: $(cat "$IO/status/$srv" 2>/dev/null || echo 'did not start')"
		fail=1
		continue
	fi
	url=$(cat "$IO/run/$srv/target")
	port=${url##*:}
	prof=harness/targets/$srv.profile.yaml

	# Warm the server up (Postfix starts its smtpd, cleanup... on demand).
	timed "$OUT/$srv.warm.times" "$OUT/$srv.warm.log" "$BIN" run "$SCN" --target "$url" \
	    --profile "$prof" --repeat 50 -j 10 >/dev/null
	th='' ts='' t1='' tw='' t1s='' rh=0 rs=0 r1=0 rw=0 r1s=0
	round=0
	while [ "$round" -lt "$ROUNDS" ]; do
		round=$((round + 1))
		# 1. -j 10 beside smtp-source -s 10 -m N; the server's CPU
		#    around the harness's run (of the last round).
		s0=$(ns_cpu)
		t=$(timed "$OUT/$srv.j10.times" "$OUT/$srv.j10.log" "$BIN" run "$SCN" --target "$url" \
		    --profile "$prof" --report "json:$OUT/$srv.j10.json" --repeat "$N" -j 10) || rh=$?
		th=$(best "$th" "$t")
		s1=$(ns_cpu)
		t=$(timed "$OUT/$srv.source.times" "$OUT/$srv.source.log" /usr/sbin/smtp-source \
		    -s 10 -m "$N" -f "$SENDER" -t "$RCPT" -M client.example "127.0.0.1:$port") || rs=$?
		ts=$(best "$ts" "$t")
		# 2. -j 1 beside S swaks runs, one after the other (one shell
		#    loop in the namespace, as the harness is one process there).
		t=$(timed "$OUT/$srv.j1.times" "$OUT/$srv.j1.log" "$BIN" run "$SCN" --target "$url" \
		    --profile "$prof" --report "json:$OUT/$srv.j1.json" --repeat "$S" -j 1) || r1=$?
		t1=$(best "$t1" "$t")
		t=$(timed "$OUT/$srv.source1.times" "$OUT/$srv.source1.log" /usr/sbin/smtp-source \
		    -s 1 -m "$S" -f "$SENDER" -t "$RCPT" -M client.example "127.0.0.1:$port") || r1s=$?
		t1s=$(best "$t1s" "$t")
		# shellcheck disable=SC2016
		t=$(timed "$OUT/$srv.swaks.times" "$OUT/$srv.swaks.log" sh -c '
		    i=0
		    while [ "$i" -lt "$1" ]; do
			/usr/bin/swaks --server 127.0.0.1 --port "$2" --from "$3" --to "$4" \
			    --helo client.example --silent 2 || exit 1
			i=$((i + 1))
		    done' swaks "$S" "$port" "$SENDER" "$RCPT") || rw=$?
		tw=$(best "$tw" "$t")
	done
	for what in "harness -j 10:$rh:j10" "smtp-source:$rs:source" "harness -j 1:$r1:j1" \
	    "smtp-source -s 1:$r1s:source1" "swaks:$rw:swaks"; do
		name=${what%%:*}
		rest=${what#*:}
		if [ "${rest%%:*}" != 0 ]; then
			echo "bench: $srv: $name exited ${rest%%:*}; see $OUT/$srv.${rest#*:}.log"
			tail -n 3 "$OUT/$srv.${rest#*:}.log" | sed 's/^/    /'
			fail=1
		fi
	done
	ch=$(cpu_of "$OUT/$srv.j10.times")
	cs=$(cpu_of "$OUT/$srv.source.times")
	line=$(awk -v srv="$srv" -v n="$N" -v s="$S" -v th="$th" -v ts="$ts" -v t1="$t1" -v tw="$tw" \
	    -v t1s="$t1s" \
	    -v ch="$ch" -v cs="$cs" -v s0="$s0" -v s1="$s1" 'BEGIN {
		src = th > 0 ? ts / th : 0
		sw = t1 > 0 ? tw / t1 : 0
		sv = s1 - s0
		# The harness made N + 1 sessions (its probe); the server served them.
		hc = ch / (n + 1) * 1e6
		sc = sv / (n + 1) * 1e6
		g1 = src >= 1.0 ? "(goal >= 1.0x: ok)" : "(goal >= 1.0x: BELOW)"
		g2 = srv != "aiosmtpd" ? "" : (sw >= 50 ? "(goal >= 50x: ok)" : "(goal >= 50x: BELOW)")
		share = sc > 0 ? hc / sc : 0
		g3 = (sc > 0 && share <= 0.1) ? "(goal <= 0.1: ok)" : "(goal <= 0.1: BELOW)"
		printf "%-9s -j 10: %d sessions %.2f s, smtp-source -s 10 -m %d %.2f s: %.2fx %s\n",
		    srv, n, th, n, ts, src, g1
		printf "%-9s -j 1:  %d sessions %.2f s, %d swaks runs %.2f s: %.1fx %s\n",
		    srv, s, t1, s, tw, sw, g2
		f1 = t1 > 0 ? t1s / t1 : 0
		fw = t1s > 0 ? tw / t1s : 0
		printf "%-9s -j 1 floor: smtp-source -s 1 -m %d %.2f s: harness %.2fx of it; swaks %.1fx slower than it\n",
		    srv, s, t1s, f1, fw
		printf "%-9s CPU per session: harness %.0f us, server %.0f us (%.3f of it) %s; smtp-source %.0f us\n",
		    srv, hc, sc, share, g3, cs / n * 1e6
	}') || {
		echo "bench: $srv: the figures could not be computed (awk failed)"
		fail=1
	}
	echo "$line"
	summary="$summary$line
"
done

# Exim: the fuzzer's sessions/s beside Exim's own under smtp-source.
# shellcheck source=tests/bench/fuzz-rate.sh
. "$IO_ROOT/tests/bench/fuzz-rate.sh"
EN=${BENCH_EXIM_SESSIONS:-300}
EJ=${BENCH_EXIM_JOBS:-16}
ES=${BENCH_EXIM_FUZZ_SECONDS:-15}
rm -f "$IO/status/exim"
timeout 120 sh harness/interop/exim/start.sh
if [ "$(cat "$IO/status/exim" 2>/dev/null)" != available ]; then
	echo "bench: exim: $(cat "$IO/status/exim" 2>/dev/null || echo 'did not start')"
	fail=1
else
	url=$(cat "$IO/run/exim/target")
	port=${url##*:}
	# Warm-up (the first deliveries make the spool's folders).
	timed "$OUT/exim.warm.times" "$OUT/exim.warm.log" /usr/sbin/smtp-source -s 10 -m 20 \
	    -f "$SENDER" -t "$RCPT" -M client.example "127.0.0.1:$port" >/dev/null
	rf='' rs='' round=0
	while [ "$round" -lt "$ROUNDS" ]; do
		round=$((round + 1))
		rm -rf "$OUT/exim-fuzz"
		timed "$OUT/exim.fuzz.times" "$OUT/exim.fuzz.log" "$BIN" fuzz --target "$url" \
		    --profile harness/targets/exim.profile.yaml -j "$EJ" --duration "${ES}s" \
		    --no-minimize --out "$OUT/exim-fuzz" >/dev/null
		rc=$?
		if ! r=$(fuzz_rate exim "$rc" "$OUT/exim-fuzz" "$OUT/exim.fuzz.log"); then
			fail=1
			break
		fi
		rf=$(awk -v a="$rf" -v b="$r" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }')
		t=$(timed "$OUT/exim.source.times" "$OUT/exim.source.log" /usr/sbin/smtp-source \
		    -s 10 -m "$EN" -f "$SENDER" -t "$RCPT" -M client.example "127.0.0.1:$port")
		rc=$?
		if [ "$rc" != 0 ]; then
			echo "bench: exim: smtp-source exited $rc; see $OUT/exim.source.log"
			fail=1
			break
		fi
		r=$(awk -v t="$t" -v n="$EN" 'BEGIN { printf "%.1f\n", (t > 0 ? n / t : 0) }')
		rs=$(awk -v a="$rs" -v b="$r" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }')
	done
	if [ -n "$rf" ] && [ -n "$rs" ]; then
		line=$(awk -v f="$rf" -v s="$rs" -v j="$EJ" 'BEGIN {
			r = s > 0 ? f / s : 0
			printf "fuzz exim-tcp: %.1f sessions/s (-j %d), smtp-source -s 10: %.1f sessions/s: %.2fx (goal >= 0.8x: %s)\n",
			    f, j, s, r, (r >= 0.8 ? "ok" : "BELOW")
		}')
		echo "$line"
		summary="$summary$line
"
	fi
fi
stop_servers
trap - INT TERM
# Nothing of ours may be left in the namespace; then it goes.
left=$(ip netns pids "$IO_NS" 2>/dev/null | tr '\n' ' ')
if [ -n "$left" ]; then
	echo "bench: processes left in $IO_NS after the stop scripts: $left"
	fail=1
else
	ip netns del "$IO_NS" 2>/dev/null
fi
printf '%s' "$summary" >"$OUT/summary.txt"
exit $fail
