#!/bin/sh
# `make interop`: the whole suite against every real server.
#
#   1. install what is missing (install.sh; as root only);
#   2. start every server (harness/interop/TARGET/start.sh), each in the
#      private namespace (lib.sh);
#   3. the isolation test (check-isolation.sh);
#   4. for each target that started: the suite with its profile and
#      baseline, reports json, junit and html in reports/interop/;
#      a target that could not be installed or started gets TARGET.status
#      with the reason instead; a target with a file
#      harness/interop/TARGET/oracle also gets `--oracle VALUE`, VALUE its
#      one line (e.g. sink:127.0.0.1:2526: the server relays sink.test
#      there, to the harness's delivery oracle; the targets run one at a
#      time, so they share the port), but only when the harness's help
#      mentions --oracle (an older harness runs without it);
#   5. stop every server, by pid (also when interrupted);
#   6. the matrix (matrix.py) and the Chromium check of the pages
#      (tests/html_render.py), screenshots in build/interop/screenshots.
#
# Exit 0 only when every target that ran exited 0 (every failure is in its
# baseline), the isolation test and the page check passed.  A server that
# cannot be installed is reported, loudly, but does not fail the run.
# Usage: run.sh [HARNESS]   (default build/smtp-harness)
IO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
set +e
cd "$IO_ROOT"
BIN=$(cd "$(dirname "${1:-build/smtp-harness}")" && pwd)/$(basename "${1:-build/smtp-harness}")
TARGETS=${INTEROP_TARGETS:-"postfix exim exim-bs opensmtpd sendmail sendmail-bs aiosmtpd smtp-server haraka aiosmtpd-sink smtp-server-auth smtp-server-auth-creds"}
OUT=$IO_ROOT/reports/interop
JOBS=${INTEROP_JOBS:-8}
# Does this harness know --oracle?  (run --help, or the global --help.)
HAS_ORACLE=0
{ "$BIN" run --help; "$BIN" --help; } 2>&1 | grep -q -e '--oracle' && HAS_ORACLE=1
T0=$(date +%s)

mkdir -p "$OUT" "$IO/status"
for t in $TARGETS; do
	rm -f "$OUT/$t".json "$OUT/$t".junit.xml "$OUT/$t".html "$OUT/$t".txt \
	    "$OUT/$t".status "$OUT/$t".rc "$IO/status/$t"
done
rm -f "$OUT/matrix.html" "$OUT/matrix.md"

if [ "$(id -u)" = 0 ]; then
	sh harness/interop/install.sh
else
	io_log "not root: nothing installed, and no namespace can be made"
fi

stop_all() {
	for t in $TARGETS; do
		[ -f "harness/interop/$t/stop.sh" ] && sh "harness/interop/$t/stop.sh"
	done
}
trap 'stop_all; exit 130' INT TERM

for t in $TARGETS; do
	if [ ! -f "harness/interop/$t/start.sh" ]; then
		io_unavailable "$t" "no harness/interop/$t/start.sh"
		continue
	fi
	if [ "$(id -u)" != 0 ]; then
		io_unavailable "$t" "make interop needs root (network namespace, packages)"
		continue
	fi
	timeout 180 sh "harness/interop/$t/start.sh" ||
	    [ -s "$IO/status/$t" ] || io_unavailable "$t" "start.sh failed or took over 180 s"
done

iso=0
if [ "$(id -u)" = 0 ]; then
	sh harness/interop/check-isolation.sh || iso=1
fi

failed=""
for t in $TARGETS; do
	st=$(cat "$IO/status/$t" 2>/dev/null)
	if [ "$st" != available ] || [ ! -s "$IO/run/$t/target" ]; then
		echo "${st:-unavailable: start.sh recorded nothing}" > "$OUT/$t.status"
		echo "interop: $t: ${st:-unavailable}"
		continue
	fi
	url=$(cat "$IO/run/$t/target")
	bl=""
	[ -f "harness/targets/$t.baseline.yaml" ] && bl="--baseline harness/targets/$t.baseline.yaml"
	orc=""
	if [ -s "harness/interop/$t/oracle" ]; then
		if [ "$HAS_ORACLE" = 1 ]; then
			orc="--oracle $(head -n 1 "harness/interop/$t/oracle")"
		else
			echo "interop: $t: the harness has no --oracle: run without the delivery oracle"
		fi
	fi
	s0=$(date +%s)
	# The harness runs in the namespace too: exec: targets are its children.
	ns_run "$BIN" run scenarios/ --target "$url" \
	    --profile "harness/targets/$t.profile.yaml" $bl $orc -j "$JOBS" \
	    --report "json:$OUT/$t.json" --report "junit:$OUT/$t.junit.xml" \
	    --report "html:$OUT/$t.html" > "$OUT/$t.txt" 2>&1
	rc=$?
	echo "$rc" > "$OUT/$t.rc"
	echo "interop: $t: exit $rc in $(( $(date +%s) - s0 )) s: $(grep '^total:' "$OUT/$t.txt")"
	# An expected failure that now passes does not fail the run, but
	# the baseline is out of date: say which.
	grep '^  XPASS' "$OUT/$t.txt" | sed "s/^/interop: $t: now passes, update the baseline:/"
	if [ "$rc" != 0 ]; then
		failed="$failed $t"
		sed -n '/^failed:/,$p' "$OUT/$t.txt" | head -n 40
		[ -s "$OUT/$t.json" ] || tail -n 5 "$OUT/$t.txt"
	fi
done
stop_all
trap - INT TERM
# Every process the servers started must be gone with them: list what is
# left in the namespace, then end each by its pid.
io_end_left_over "not ok interop:" \
    "ok   interop: no process left in $IO_NS after the stop scripts" || iso=1

/usr/bin/python3 tests/matrix_test.py || failed="$failed matrix_test"
/usr/bin/python3 harness/interop/matrix.py "$OUT" $TARGETS || failed="$failed matrix"
pages="$OUT/matrix.html"
for t in $TARGETS; do
	[ -s "$OUT/$t.html" ] && [ -s "$OUT/$t.json" ] && pages="$pages $OUT/$t.html"
done
html=0
if [ -s "$OUT/matrix.html" ]; then
	ns_run /usr/bin/python3 tests/html_render.py "$IO/screenshots" $pages
	html=$?
	[ "$html" = 77 ] && echo "interop: chromium missing: the page check did not run" && html=1
fi

unavailable=""
ran=0
for t in $TARGETS; do
	if [ -f "$OUT/$t.status" ]; then
		unavailable="$unavailable $t"
	else
		ran=$((ran + 1))
	fi
done
# Nothing tested at all is not a pass.
[ "$ran" -gt 0 ] || failed="$failed (no target ran)"
echo "interop: $(( $(date +%s) - T0 )) s; matrix: $OUT/matrix.html"
[ -n "$unavailable" ] && echo "interop: NOT RUN (see reports/interop/*.status):$unavailable"
[ "$iso" = 0 ] || echo "interop: the isolation test FAILED"
[ "$html" = 0 ] || echo "interop: the HTML page check FAILED"
[ -z "$failed" ] || echo "interop: failures outside the baselines:$failed"
if [ "$iso" = 0 ] && [ "$html" = 0 ] && [ -z "$failed" ]; then
	echo "interop: ok"
	exit 0
fi
exit 1
