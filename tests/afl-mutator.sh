#!/bin/sh
# afl-mutator.sh - AFL++ driving a stdin SMTP server with the session
# mutator (fuzz/afl_mutator.c, docs/fuzzing.md), checked:
#   - the library as afl-fuzz loads it: entry points, outputs within
#     max_size, mutants that differ and keep the session's shape, the same
#     seed giving the same mutants (tests/afl_mutator_check.c);
#   - afl-fuzz with AFL_CUSTOM_MUTATOR_ONLY=1 on the reference server built
#     with afl-clang-fast (serve --stdio, persistent mode) for SECONDS: many
#     executions, a corpus grown by entries the mutator made ("smtph-sess"),
#     no crash and no hang; the rate is printed;
#   - fuzz/afl2yaml.sh (smtp-harness fuzz --afl-to-yaml): a crash and a
#     hang file become scenarios without a server run, with the replies the
#     framing model counts (an AUTH LOGIN exchange, a refused DATA, a
#     STARTTLS), which the loader reads back byte for byte, which pass on
#     the clean server and fail on one that closes where the bytes go
#     (builtin:close-on-invalid);
#   - coverage feedback in `smtp-harness fuzz` (an exec: target): 5 s on
#     the instrumented serve --stdio count coverage edges > 0 in
#     summary.json and summary.md, the plain build 0 (not instrumented),
#     --no-coverage 0 and no row.
# Usage: afl-mutator.sh MUTATOR.so AFL-SERVER-BINARY BINARY CHECK-BINARY [SECONDS]
set -eu
SO=$1
AFLSRV=$2
BIN=$3
CHECK=$4
SECONDS_=${5:-20}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL afl-mutator: $*" >&2; exit 1; }
SEEDS=corpus/afl_session

# The library, as afl-fuzz sees it.
"$CHECK" "$SO" "$SEEDS"/* || fail "afl_mutator_check"
echo "ok afl-mutator: library checks"

# afl-fuzz on the reference server.  The settings a shared machine or a
# container needs: no CPU frequency or core-pattern checks, no core binding.
command -v afl-fuzz >/dev/null || fail "afl-fuzz not installed (harness/install-deps.sh)"
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    AFL_NO_AFFINITY=1 AFL_CUSTOM_MUTATOR_ONLY=1
AFL_CUSTOM_MUTATOR_LIBRARY=$(cd "$(dirname "$SO")" && pwd)/$(basename "$SO")
export AFL_CUSTOM_MUTATOR_LIBRARY
rc=0
afl-fuzz -V "$SECONDS_" -t 2000 -i "$SEEDS" -o "$TMP/afl" -- "$AFLSRV" serve --stdio \
    >"$TMP/afl.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || { tail -20 "$TMP/afl.log" >&2; fail "afl-fuzz exited $rc"; }
stats=$TMP/afl/default/fuzzer_stats
[ -f "$stats" ] || { tail -20 "$TMP/afl.log" >&2; fail "no fuzzer_stats"; }
stat() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
execs=$(stat execs_done)
rate=$(stat execs_per_sec)
corpus=$(stat corpus_count)
crashes=$(stat saved_crashes)
hangs=$(stat saved_hangs)
seeds=$(ls "$SEEDS" | wc -l)
made=$(ls "$TMP/afl/default/queue" | grep -c 'smtph-sess' || true)
grep -q 'Persistent mode binary detected' "$TMP/afl.log" || fail "the server is not in persistent mode"
[ "$execs" -ge 500 ] || fail "only $execs executions in $SECONDS_ s"
[ "$corpus" -gt "$seeds" ] || fail "the corpus did not grow ($corpus entries)"
[ "$made" -ge 1 ] || fail "no queue entry made by the mutator"
if [ "$crashes" -ne 0 ] || [ "$hangs" -ne 0 ]; then
	SMTPH=$BIN sh fuzz/afl2yaml.sh reports/afl-findings "$TMP/afl" >&2
	fail "$crashes crashes, $hangs hangs of the reference server (scenarios in reports/afl-findings)"
fi
echo "ok afl-mutator: afl-fuzz $SECONDS_ s on serve --stdio: $execs execs ($rate/s), corpus $seeds -> $corpus ($made by the mutator), no crash, no hang"

# afl2yaml.sh (smtp-harness fuzz --afl-to-yaml) on a synthetic crash file
# holding every byte send_raw escapes: the replies counted by the framing
# model, no server run.
mkdir -p "$TMP/out/default/crashes" "$TMP/out/default/hangs"
f=$TMP/out/default/crashes/id:000000,sig:11,src:000001,op:smtph-sess
printf 'EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n' >"$f"
printf "Subject: a\0b\$c\\\\d'e\200\tf\r\n\r\n.\r\nFOOBAR\r\nNOOP\r\nQUIT\r\n" >>"$f"
echo "AFL++'s own note" >"$TMP/out/default/crashes/README.txt"
# A hang: an AUTH LOGIN exchange whose responses look like commands (DATA,
# QUIT), a DATA refused (no transaction: its "data" is commands), a
# STARTTLS (what follows is TLS: the scenario drops the connection).
printf 'EHLO x\r\nAUTH LOGIN\r\nDATA\r\nQUIT\r\nDATA\r\nNOOP\r\n.\r\nSTARTTLS\r\nNOOP\r\n' \
    >"$TMP/out/default/hangs/id:000000,src:000002,op:havoc"
# No server may be run: a PATH without one.
PATH=/nonexistent SMTPH=$BIN /bin/sh fuzz/afl2yaml.sh "$TMP/yaml" "$TMP/out" >"$TMP/a2y.out"
[ "$(wc -l <"$TMP/a2y.out")" -eq 2 ] || fail "afl2yaml wrote $(wc -l <"$TMP/a2y.out") files"
yaml=$(grep '/afl-crash-' "$TMP/a2y.out")
hang=$(grep '/afl-hang-' "$TMP/a2y.out")
"$BIN" lint "$yaml" "$hang" >/dev/null || fail "afl2yaml: $yaml or $hang does not lint"
[ "$(grep -c '^  - expect: xxx$' "$yaml")" -eq 8 ] || fail "afl2yaml: not the 8 replies owed after the greeting"
grep -q 'drain:' "$yaml" && fail "afl2yaml: a drain after an answered QUIT"
[ "$(grep -c '^  - expect: xxx$' "$hang")" -eq 8 ] || fail "afl2yaml: the hang file: not 8 replies up to STARTTLS's"
grep -q '^  - disconnect: true$' "$hang" || fail "afl2yaml: no disconnect after STARTTLS"
# Byte for byte: a target that greets, then keeps what it is sent.
"$BIN" run --timeout 1 --target "exec:sh -c 'printf \"220 x\\r\\n\"; exec cat >$TMP/got'" \
    "$yaml" >/dev/null 2>&1 || true
cmp -n "$(wc -c <"$f")" "$f" "$TMP/got" || fail "afl2yaml: send_raw does not give the file's bytes back"
for t in "exec:$BIN serve --stdio" builtin; do
	rc=0
	"$BIN" run --target "$t" "$yaml" "$hang" >"$TMP/run.out" || rc=$?
	[ $rc -eq 0 ] || { cat "$TMP/run.out" >&2; fail "afl2yaml: a scenario fails on the clean server ($t, exit $rc)"; }
done
rc=0
"$BIN" run --target builtin:close-on-invalid "$yaml" >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "afl2yaml: the scenario does not fail on close-on-invalid (exit $rc)"
rc=0
"$BIN" fuzz --afl-to-yaml --out "$TMP/none" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "fuzz --afl-to-yaml without a file: exit $rc, not 2"
echo "ok afl-mutator: afl2yaml.sh (fuzz --afl-to-yaml, no server): replies counted by the framing model, replays byte for byte, passes clean, fails on close-on-invalid"

# Coverage feedback in `smtp-harness fuzz`: through an exec: target it
# hands each session's server an AFL++ map (__AFL_SHM_ID) and counts the
# edges hit.  The instrumented serve --stdio fills it (coverage_edges > 0
# in summary.json, a row in summary.md); the plain build leaves it empty
# (0, "not instrumented"); --no-coverage hands out no map (0, no row).
cov_edges() { sed -n 's/.*"coverage_edges":\([0-9]*\).*/\1/p' "$1/summary.json"; }
for c in afl plain nocov; do
	case $c in
	afl) t="exec:$AFLSRV serve --stdio" o= ;;
	plain) t="exec:$BIN serve --stdio" o= ;;
	nocov) t="exec:$AFLSRV serve --stdio" o=--no-coverage ;;
	esac
	rc=0
	timeout 120 "$BIN" fuzz --target "$t" --duration 5 --seed 14 --timeout 2 $o --out "$TMP/cov-$c" \
	    2>"$TMP/cov-$c.err" || rc=$?
	[ $rc -eq 0 ] || { tail -5 "$TMP/cov-$c.err" >&2; fail "fuzz $c serve --stdio: exit $rc"; }
	grep -q '"sessions":[1-9]' "$TMP/cov-$c/summary.json" || fail "fuzz $c serve --stdio: no session"
done
afl_edges=$(cov_edges "$TMP/cov-afl")
[ "${afl_edges:-0}" -gt 0 ] || fail "fuzz on the instrumented serve --stdio: coverage_edges ${afl_edges:-missing}, not > 0"
grep -q "^| coverage edges (AFL++ map) | $afl_edges |" "$TMP/cov-afl/summary.md" ||
    fail "fuzz on the instrumented serve --stdio: summary.md does not give the $afl_edges edges"
[ "$(cov_edges "$TMP/cov-plain")" = 0 ] || fail "fuzz on the plain serve --stdio: coverage_edges $(cov_edges "$TMP/cov-plain"), not 0"
grep -q '^| coverage edges (AFL++ map) | 0 (the target is not instrumented) |' "$TMP/cov-plain/summary.md" ||
    fail "fuzz on the plain serve --stdio: summary.md does not say it is not instrumented"
[ "$(cov_edges "$TMP/cov-nocov")" = 0 ] || fail "fuzz --no-coverage: coverage_edges $(cov_edges "$TMP/cov-nocov"), not 0"
grep -q 'coverage edges' "$TMP/cov-nocov/summary.md" && fail "fuzz --no-coverage: summary.md has a coverage row"
echo "ok afl-mutator: smtp-harness fuzz 5 s on the instrumented serve --stdio: $afl_edges coverage edges; plain build 0; --no-coverage 0"
