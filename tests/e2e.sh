#!/bin/sh
# End-to-end tests of the smtp-harness command line.  Usage: e2e.sh BINARY
# Every exit status of DESIGN.md is produced here; the suite is proven to
# pass on the clean reference server and to bite on its faults.
set -u
BIN=${1:?usage: e2e.sh path/to/smtp-harness}
BUILD=${BUILD:-build}
T=$(mktemp -d "${TMPDIR:-/tmp}/smtph-e2e.XXXXXX")
SERVER_PIDS=""
cleanup() {
	for p in $SERVER_PIDS; do kill "$p" 2>/dev/null; done
	for p in $SERVER_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

. "$(dirname "$0")/lib.sh"
BAD_LINES=40

# expect_rc DESCRIPTION WANTED_RC command...
expect_rc() {
	desc=$1 want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$desc (exit $rc)"; else bad "$desc: exit $rc, wanted $want" "$(cat "$T/err" "$T/out")"; fi
}

# A scratch server on a free loopback port; sets PORT and SERVER_PID.
start_server() {
	host=$1
	shift
	SERVE_LOG="$T/serve.$$.$(date +%s%N).log"
	: >"$SERVE_LOG"
	"$BIN" serve --listen "$host:0" "$@" 2>"$SERVE_LOG" &
	SERVER_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SERVER_PID"
	PORT=""
	i=0
	while [ $i -lt 100 ] && [ -z "$PORT" ]; do
		PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$SERVE_LOG")
		[ -z "$PORT" ] && sleep 0.05
		i=$((i + 1))
	done
	[ -n "$PORT" ] || { bad "server on $host did not start" "$(cat "$SERVE_LOG")"; return 1; }
}

stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
}

json() { python3 - "$@"; }

# ---- the suite against the clean reference server ----------------------
"$BIN" run scenarios/ --report json:"$T/clean.json" --report junit:"$T/clean.xml" \
	--report tap:"$T/clean.tap" >"$T/clean.txt" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "suite passes on builtin (exit 0)"; else bad "suite on builtin: exit $rc" "$(cat "$T/clean.txt")"; fi
json "$T/clean.json" <<'PY' >"$T/msg" 2>&1 && ok "json report: every scenario passed, schema fields present" || bad "json report" "$(cat "$T/msg")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"].startswith("smtp-harness/report/"), r.get("schema")
s = r["scenarios"]
assert len(s) == r["summary"]["total"] > 0
bad = [x["id"] for x in s if x["status"] != "pass"]
assert not bad, bad
for x in s:
    for k in ("id", "title", "level", "refs", "status", "duration", "transcript"):
        assert k in x, (x["id"], k)
    assert x["transcript"], x["id"]
PY
python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert d.getElementsByTagName("testcase")' "$T/clean.xml" 2>"$T/msg" \
	&& ok "junit report is valid XML" || bad "junit report" "$(cat "$T/msg")"
grep -q '^TAP version 13' "$T/clean.tap" && grep -q '^1\.\.[0-9]' "$T/clean.tap" && ! grep -q '^not ok' "$T/clean.tap" \
	&& ok "tap report: version, plan, no failures" || bad "tap report" "$(head -n 5 "$T/clean.tap")"

# ---- speed: no fixed waits, and a dead server costs a few timeouts --------
# Hang guards, not benchmarks: the whole suite against builtin at -j 8 (no
# scenario waits for silence: sentinels), and against servers that never
# end a session wait or never answer MAIL sent alone, within a small
# multiple of --timeout 1 (the engine finds the dead wait from 3 results in
# a row and ends the rest there).  The bounds are hang guards with room for
# a loaded machine (unloaded: about 1, 5, 5 and 7 s; a fixed wait of 1 s a
# scenario, or no fail fast, takes 27 s and over 100 s); that the fail fast
# did it is proven by the count of ERRORs it ended, not by the time.
ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
s0=$(ms)
"$BIN" run scenarios/ -j 8 >"$T/speed.txt" 2>&1
rc=$? dt=$(($(ms) - s0))
if [ $rc -eq 0 ] && [ $dt -lt 10000 ]; then ok "suite on builtin at -j 8 in ${dt} ms (no fixed waits)"; else bad "suite on builtin at -j 8: exit $rc in ${dt} ms" "$(tail -n 5 "$T/speed.txt")"; fi
# FAULT:MAX-MS:MIN-ERRORS (holding MAIL's reply: the steps that enforce a
# rule are still each waited for, so a few more timeouts, fewer ERRORs).
for spec in quit-no-close:30000:100 421-no-close:30000:100 pipelining-holds-replies:30000:50; do
	f=${spec%%:*} lim=${spec#*:} min=${lim#*:} lim=${lim%%:*}
	s0=$(ms)
	"$BIN" run scenarios/ --target "builtin:$f" --timeout 1 --report json:"$T/dead.json" >"$T/dead.txt" 2>&1
	rc=$? dt=$(($(ms) - s0))
	if [ $rc -eq 1 ] && [ $dt -lt "$lim" ] && grep -q 'in 3 scenarios in a row; the others end at that wait as ERROR' "$T/dead.txt" && \
	    [ "$(grep -c 'note: .* in 3 scenarios in a row' "$T/dead.txt")" -eq 1 ] && \
	    python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"]; assert sum(x["status"]=="error" and "not waited for" in (x.get("reason") or "") for x in s) >= int(sys.argv[2])' "$T/dead.json" "$min"; then
		ok "dead server $f: the whole suite in ${dt} ms at --timeout 1, said once, the rest ERROR"
	else
		bad "dead server $f: exit $rc in ${dt} ms" "$(grep -E 'note|^total|^duration' "$T/dead.txt")"
	fi
done
s0=$(ms)
"$BIN" run scenarios/ --target builtin:max-sessions --timeout 1 -j 16 >"$T/max.txt" 2>&1
rc=$? dt=$(($(ms) - s0))
if [ $rc -eq 0 ] && grep -q 'refused a session with 421 while it had 4 others open: at most 4 sessions' "$T/max.txt" && [ $dt -lt 5000 ]; then
	ok "421 for too many sessions: -j lowered to 4 by itself, every scenario run (${dt} ms)"
else
	bad "max-sessions: exit $rc in ${dt} ms" "$(grep -E 'note|^total|SKIP' "$T/max.txt" | head -n 8)"
fi

# ---- every fault bites, every scenario is bitten, every benign mode of the
# reference server passes the whole suite (tests/bite.sh) -----------------
BITES="$BUILD/bites.txt" sh tests/bite.sh "$BIN" >"$T/bite.txt" 2>&1
bite_rc=$?
checks=$((checks + 1))
if [ $bite_rc -ne 0 ]; then
	failures=$((failures + 1))
	echo "FAIL tests/bite.sh: exit $bite_rc"
fi
while IFS= read -r line; do
	case $line in
	"ok   "*) checks=$((checks + 1)); echo "$line" ;;
	"FAIL "*) checks=$((checks + 1)); failures=$((failures + 1)); echo "$line" ;;
	"     "*) echo "$line" ;;
	esac
done <"$T/bite.txt"
tail -n 1 "$T/bite.txt"

# ---- a crash is not the close RFC 5321 7.8 allows --------------------------
# A stand-in server: two error replies, then at the third it closes (a 7.8
# defence: SKIP), dies by SIGSEGV (a crash: FAIL, with the signal named) or
# by SIGALRM (a timer it set, no crash: SKIP as a close), or closes its
# output and lives on (the close is taken after a moment: SKIP).  No "#!":
# run through /bin/sh as execvp would.
cat >"$T/errs-then.sh" <<'SH'
ulimit -c 0
printf '220 t ESMTP\r\n'
n=0
while IFS= read -r line; do
	case $line in
	EHLO*|NOOP*|RSET*|"MAIL FROM:"*|"RCPT TO:"*) printf '250 ok\r\n' ;;
	QUIT*) printf '221 bye\r\n'; exit 0 ;;
	*) n=$((n + 1))
	   if [ $n -gt 2 ]; then
		[ "$1" = crash ] && kill -SEGV $$
		[ "$1" = alarm ] && kill -ALRM $$
		[ "$1" = linger ] && { exec >&- <&-; sleep 1; }
		exit 0
	   fi
	   printf '500 no\r\n' ;;
	esac
done
SH
KEEP=scenarios/rfc5321/session/invalid-commands-keep-session.yaml
chmod +x "$T/errs-then.sh"
# after_errors PROGRAM EXIT STATUS REASON-TEXT WHAT: run KEEP against
# exec:PROGRAM; the exit, the scenario's status and a text of its reason.
after_errors() {
	"$BIN" run "$KEEP" --target "exec:$1" --report json:"$T/t.json" >"$T/out" 2>&1
	rc=$?
	json "$T/t.json" "$3" "$4" <<'PY' >"$T/msg" 2>&1 && [ $rc -eq "$2" ] && ok "$5" || bad "$5 (exit $rc)" "$(cat "$T/msg" "$T/out")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["status"] == sys.argv[2] and sys.argv[3] in s["reason"], s
PY
}
after_errors "$T/errs-then.sh close" 0 skip "ended by the server" \
    "exec: a close after two errors: SKIP (RFC 5321 7.8)"
after_errors "sh $T/errs-then.sh crash" 1 fail "killed by signal 11" \
    "exec: a death by a signal after two errors: FAIL, not excused"
after_errors "sh $T/errs-then.sh alarm" 0 skip "ended by the server" \
    "exec: a death by SIGALRM after two errors: no crash, SKIP (RFC 5321 7.8)"
after_errors "sh $T/errs-then.sh linger" 0 skip "ended by the server" \
    "exec: output closed, the program lives on: the close is taken, SKIP (RFC 5321 7.8)"

# ---- 421 handling --------------------------------------------------------
"$BIN" run scenarios/rfc5321/transaction/complete-transaction.yaml --target builtin:tired-421 \
	--report json:"$T/t.json" >"$T/out" 2>&1
rc=$?
json "$T/t.json" <<'PY' >"$T/msg" 2>&1 && [ $rc -eq 0 ] && ok "421 mid-session then close: SKIP, ended by the server, with a warning" || bad "tired-421 (exit $rc)" "$(cat "$T/msg" "$T/out")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["status"] == "skip", s["status"]
assert "ended by the server" in s["reason"] and "withdrew service" in s["reason"], s["reason"]
assert any("421" in w for w in s["warnings"]), s["warnings"]
PY
"$BIN" run scenarios/rfc5321/transaction/complete-transaction.yaml --target builtin:421-no-close --timeout 1 \
	--report json:"$T/t.json" >"$T/out" 2>&1
rc=$?
json "$T/t.json" <<'PY' >"$T/msg" 2>&1 && [ $rc -eq 1 ] && ok "421 without the close: FAIL" || bad "421-no-close (exit $rc)" "$(cat "$T/msg" "$T/out")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["status"] == "fail", s["status"]
assert "421" in s["reason"] and "close" in s["reason"], s["reason"]
PY
"$BIN" run scenarios/rfc5321/session/unknown-command-then-noop.yaml --target builtin:invalid-421 \
	--report json:"$T/t.json" >"$T/out" 2>&1
rc=$?
json "$T/t.json" <<'PY' >"$T/msg" 2>&1 && [ $rc -eq 1 ] && ok "421 answering an invalid command: FAIL" || bad "invalid-421 (exit $rc)" "$(cat "$T/msg" "$T/out")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["status"] == "fail" and "invalid command" in s["reason"], s
PY
expect_rc "421 greeting: target unusable" 3 "$BIN" run scenarios/ --target builtin:greeting-421
grep -q '421' "$T/err" && ok "421 greeting reason printed" || bad "421 greeting reason" "$(cat "$T/err")"
expect_rc "silent server: no greeting within --timeout" 3 "$BIN" run scenarios/ --target builtin:silent --timeout 0.5

# ---- hostile servers: a clear verdict, bounded time, safe output ---------
# hostile FAULT RC REASON: the run ends with exit RC within 4 x --timeout and
# the reason (text report) says REASON.
hostile() {
	f=$1 want=$2 reason=$3
	s0=$(date +%s)
	"$BIN" run scenarios/rfc5321/session/ --target "builtin:$f" --timeout 2 \
		--report json:"$T/h.json" --report junit:"$T/h.xml" >"$T/h.txt" 2>&1
	rc=$?
	dt=$(($(date +%s) - s0))
	if [ $rc -eq "$want" ] && [ $dt -le 8 ] && grep -q "$reason" "$T/h.txt"; then
		ok "hostile $f: exit $rc in ${dt}s, '$reason'"
	else
		bad "hostile $f: exit $rc (wanted $want) in ${dt}s, reason '$reason'" "$(head -n 12 "$T/h.txt")"
	fi
	if LC_ALL=C grep -q "$(printf '\033')" "$T/h.txt"; then bad "hostile $f: an escape byte reached the terminal"; fi
	if [ $rc -eq 1 ]; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/h.json" 2>"$T/msg" || bad "hostile $f: JSON report invalid" "$(cat "$T/msg")"
		xmllint --noout "$T/h.xml" 2>"$T/msg" || bad "hostile $f: JUnit report invalid" "$(cat "$T/msg")"
	fi
}
hostile silent 3 "no complete reply within 2.0 s"
hostile slow-greeting 3 "no complete reply within 2.0 s"
hostile close-on-connect 3 "cannot be used"
hostile reset-after-greeting 3 "reset"
hostile random-bytes 3 "malformed reply"
hostile greeting-421 3 "421"
hostile endless-line 1 "reply line too long"
hostile endless-multiline 1 "too many lines in reply"
hostile binary-reply 1 "the reply carries control bytes"
hostile unsolicited-reply 1 "unsolicited"
grep -q 'x1b\[2J' "$T/h.txt" 2>/dev/null; "$BIN" run scenarios/rfc5321/session/ --target builtin:binary-reply >"$T/h.txt" 2>&1
grep -q '\\x00\\xff\\xfe\\x1b\[2J' "$T/h.txt" && ok "hostile bytes shown escaped on the terminal" || bad "hostile bytes not shown escaped" "$(grep -m3 actual "$T/h.txt")"
"$BIN" run scenarios/rfc5321/session/ --target builtin:endless-line --max-reply-line 100 >"$T/h.txt" 2>&1
grep -q 'over the limit of 100 bytes a reply line' "$T/h.txt" && ok "--max-reply-line names the limit" || bad "--max-reply-line" "$(grep -m2 -A1 FAIL "$T/h.txt")"
"$BIN" run scenarios/rfc5321/session/ --target builtin:endless-multiline --max-reply-lines 5 --max-transcript 2048 \
	--report json:"$T/h.json" >"$T/h.txt" 2>&1
grep -q 'over the limit of 5 lines a reply' "$T/h.txt" && ok "--max-reply-lines names the limit" || bad "--max-reply-lines" "$(grep -m2 -A1 FAIL "$T/h.txt")"
json "$T/h.json" <<'PY' >"$T/msg" 2>&1 && ok "--max-transcript bounds every transcript" || bad "--max-transcript" "$(cat "$T/msg")"
import json, sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    kept = sum(len(e["data"].encode().decode("unicode_escape").encode("latin-1")) for e in s["transcript"])
    assert kept <= 2048, (s["id"], kept)
PY
expect_rc "--run-timeout also bounds the probe (exit 3)" 3 "$BIN" run scenarios/ --target builtin:silent --timeout 60 --run-timeout 1
# (a slow greeting, so the deadline comes with scenarios still to run: the
# suite itself takes well under a second)
expect_rc "--run-timeout: scenarios not run are errors" 1 "$BIN" run scenarios/ -j 1 --target builtin:delayed-greeting --run-timeout 1.5 --report json:"$T/h.json"
json "$T/h.json" <<'PY' >"$T/msg" 2>&1 && ok "--run-timeout: every scenario has a verdict" || bad "--run-timeout verdicts" "$(cat "$T/msg")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"]
assert any(x["status"] == "error" and "not run: the run deadline" in x["reason"] for x in s), s[-1]
assert all(x["status"] in ("pass", "error") for x in s)
PY
expect_rc "--max-reply-line out of range" 2 "$BIN" run --max-reply-line 10
expect_rc "--repeat 0" 2 "$BIN" run --repeat 0
if start_server 127.0.0.1 --faults endless-line; then
	expect_rc "smtp:// against serve --faults endless-line" 1 "$BIN" run scenarios/rfc5321/session/ --target "smtp://127.0.0.1:$PORT"
	stop_server
fi
expect_rc "exec: with random bytes" 3 "$BIN" run scenarios/rfc5321/session/ --target "exec:$BIN serve --stdio --faults random-bytes"

# ---- load: many sessions at once, identical results, no leaks -----------
statuses() { python3 -c 'import json,sys; print("\n".join(x["id"] + " " + x["status"] for x in json.load(open(sys.argv[1]))["scenarios"]))' "$1"; }
for tgt in builtin builtin:lf-dot-lf,no-enhanced-codes; do
	"$BIN" run scenarios/ --target "$tgt" -j 1 --report json:"$T/j1.json" >/dev/null 2>&1
	"$BIN" run scenarios/ --target "$tgt" -j 256 --report json:"$T/j256.json" >/dev/null 2>&1
	if [ "$(statuses "$T/j1.json")" = "$(statuses "$T/j256.json")" ]; then ok "-j 256 gives the results of -j 1 ($tgt)"; else
		bad "-j 256 and -j 1 differ ($tgt)" "$(diff "$T/j1.json" "$T/j256.json" | head -n 10)"; fi
done
expect_rc "-j 256 against a slow server (delayed greeting), 8 rounds" 0 "$BIN" run scenarios/ --target builtin:delayed-greeting -j 256 --repeat 8
grep -q "total: *$(( $(find scenarios -name "*.yaml" | wc -l) * 8 )) " "$T/out" && ok "every session of the 8 rounds ran" || bad "rounds" "$(tail -n 2 "$T/out")"
( ulimit -n 64; "$BIN" run scenarios/ -j 256 --repeat 100 ) >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'reduced to' "$T/err"; then ok "100 rounds under ulimit -n 64: -j reduced, no descriptor leak"; else bad "ulimit -n 64 (exit $rc)" "$(cat "$T/err"; tail -n 3 "$T/out")"; fi
( ulimit -n 64; "$BIN" run scenarios/rfc5321/session -j 16 --repeat 20 --target "exec:$BIN serve --stdio" ) >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && ok "exec: 20 rounds under ulimit -n 64" || bad "exec: under ulimit -n 64" "$(cat "$T/err"; tail -n 3 "$T/out")"

# ---- exit statuses and errors ------------------------------------------
printf 'id: broken\ntitle: t\nlevel: must\nrefs: [TM-01]\nsteps:\n  - expect: 999\n' >"$T/broken.yaml"
expect_rc "malformed scenario" 2 "$BIN" run "$T/broken.yaml"
grep -q "broken.yaml:6:13: error: bad reply code" "$T/err" && ok "malformed scenario names file:line:col" || bad "file:line:col missing" "$(cat "$T/err")"
expect_rc "lint of a malformed scenario" 2 "$BIN" lint "$T/broken.yaml"
expect_rc "lint of the suite" 0 "$BIN" lint scenarios/
expect_rc "unreachable target" 3 "$BIN" run scenarios/ --target smtp://127.0.0.1:1 --timeout 2
expect_rc "unresolvable host" 3 "$BIN" run scenarios/ --target smtp://no-such-host.invalid:25 --timeout 2
expect_rc "unknown option" 2 "$BIN" run --frobnicate
expect_rc "bad target URL" 2 "$BIN" run --target ftp://x
expect_rc "unknown fault" 2 "$BIN" run --target builtin:no-such-fault
expect_rc "bad -j" 2 "$BIN" run -j 0
expect_rc "bad report format" 2 "$BIN" run --report xml:x
expect_rc "no command" 2 "$BIN"
expect_rc "unknown command" 2 "$BIN" frob
expect_rc "a failing scenario" 1 "$BIN" run scenarios/rfc5321/session/quit-221-close.yaml --target builtin:quit-250
grep -q 'FAIL' "$T/out" && grep -q 'expected 221, got 250' "$T/out" && ok "text report shows the failing step" || bad "text report of a failure" "$(cat "$T/out")"

# ---- baseline ------------------------------------------------------------
printf '# expected failures\nquit-221-close\n' >"$T/baseline"
expect_rc "baseline turns an expected failure into XFAIL" 0 "$BIN" run scenarios/rfc5321/session/quit-221-close.yaml \
	--target builtin:quit-no-close --timeout 1 --baseline "$T/baseline"
grep -q XFAIL "$T/out" && ok "XFAIL reported" || bad "XFAIL not reported" "$(cat "$T/out")"
expect_rc "baseline: unexpected pass is reported, exit 0" 0 "$BIN" run scenarios/rfc5321/session/quit-221-close.yaml --baseline "$T/baseline"
grep -q XPASS "$T/out" && ok "XPASS reported" || bad "XPASS not reported" "$(cat "$T/out")"
cat >"$T/baseline.yaml" <<'YAML'
# the YAML form: id, reason, transcript lines that show the deviation
- id: quit-221-close
  reason: the server answers QUIT with 221 but keeps the connection open
  transcript:
    - 'S: 221'
    - 'S: a line this server never sends'
YAML
expect_rc "YAML baseline turns an expected failure into XFAIL" 0 "$BIN" run scenarios/rfc5321/session/quit-221-close.yaml \
	--target builtin:quit-no-close --timeout 1 --baseline "$T/baseline.yaml" --report json:"$T/bl.json" --report html:"$T/bl.html"
json "$T/bl.json" <<'PY' >"$T/msg" 2>&1 && ok "YAML baseline: XFAIL, and a warning for the transcript line not seen" || bad "YAML baseline" "$(cat "$T/msg")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["status"] == "xfail", s["status"]
assert len(s["warnings"]) == 1 and "a line this server never sends" in s["warnings"][0], s["warnings"]
PY
grep -q 'id="count-xfail">1<' "$T/bl.html" && ok "--report html writes the page" || bad "--report html" "$(head -c 2000 "$T/bl.html")"
printf -- '- id: quit-221-close\n  transcript: []\n' >"$T/bad-baseline.yaml"
expect_rc "YAML baseline without reason: usage error" 2 "$BIN" run scenarios/rfc5321/session/quit-221-close.yaml --baseline "$T/bad-baseline.yaml"
grep -q "bad-baseline.yaml:1:3: error: entry without 'reason'" "$T/err" && ok "baseline errors name FILE:LINE:COL" || bad "baseline error message" "$(cat "$T/err")"

# ---- selection, variables, profiles --------------------------------------
expect_rc "--tags selects" 0 "$BIN" run scenarios/ --tags quit --report json:"$T/sel.json"
json "$T/sel.json" <<'PY' >"$T/msg" 2>&1 && ok "--tags ran only tagged scenarios" || bad "--tags" "$(cat "$T/msg")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"]
assert s and all("quit" in x["tags"] for x in s), [x["id"] for x in s]
PY
expect_rc "--level should" 0 "$BIN" run scenarios/ --level should --report json:"$T/sel.json"
json "$T/sel.json" <<'PY' >"$T/msg" 2>&1 && ok "--level ran only should scenarios" || bad "--level" "$(cat "$T/msg")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"]
assert s and all(x["level"] == "should" for x in s)
PY
# (a recipient the server refuses now ends the run at the probe: exit 3,
# tests/e2e_probe.sh)
expect_rc "--var changes what is sent (recipient the server refuses)" 3 "$BIN" run \
	scenarios/rfc5321/addresses/postmaster.yaml scenarios/rfc5321/addresses/null-sender.yaml --var recipient=someone@elsewhere.invalid
grep -q 'refuses recipient someone@elsewhere.invalid' "$T/err" && ok "--var reaches the probe" || bad "--var recipient in the probe" "$(cat "$T/err")"
printf 'vars:\n  recipient: someone@elsewhere.invalid\n' >"$T/profile.yaml"
expect_rc "a profile sets variables" 3 "$BIN" run scenarios/rfc5321/addresses/null-sender.yaml --profile "$T/profile.yaml"
grep -q 'refuses recipient someone@elsewhere.invalid' "$T/err" && ok "the profile reaches the probe" || bad "profile recipient in the probe" "$(cat "$T/err")"
printf 'vars: [1]\n' >"$T/badprofile.yaml"
expect_rc "a malformed profile" 2 "$BIN" run --profile "$T/badprofile.yaml"
grep -q 'badprofile.yaml:1:7: error' "$T/err" && ok "profile error names file:line:col" || bad "profile error" "$(cat "$T/err")"
printf 'id: needs-var\ntitle: t\nlevel: must\nrefs: [TM-01]\nrequires: {vars: [site_user]}\nsteps:\n  - send: "NOOP ${site_user}"\n  - expect: 250\n' >"$T/needs.yaml"
expect_rc "a missing required variable skips" 0 "$BIN" run "$T/needs.yaml" --report json:"$T/skip.json"
grep -q '"skip"' "$T/skip.json" && ok "skipped with its reason" || bad "skip" "$(cat "$T/skip.json")"
expect_rc "the same scenario with the variable set" 0 "$BIN" run "$T/needs.yaml" --var site_user=alice
printf 'id: needs-auth\ntitle: t\nlevel: must\nrefs: [AU-10]\nrequires: {vars: [auth_user, auth_password]}\nsteps:\n  - send: "NOOP ${auth_plain}"\n  - expect: {code: 250}\n' >"$T/auth.yaml"
"$BIN" run "$T/auth.yaml" -v >"$T/out" 2>&1
grep -q 'C: NOOP AGhhcm5lc3MAaGFybmVzcy1zZWNyZXQ=' "$T/out" && ok "builtin: auth_plain derived from the built-in account" || bad "auth_plain" "$(cat "$T/out")"
"$BIN" run "$T/auth.yaml" --target "exec:$BIN serve --stdio" --report json:"$T/skip.json" >"$T/out" 2>&1
grep -q '"skip"' "$T/skip.json" && ok "other targets: no credentials unless a profile gives them (skip)" || bad "credentials leak to other targets" "$(cat "$T/out")"
"$BIN" run "$T/auth.yaml" --target "exec:$BIN serve --stdio" --var auth_user=u --var auth_password=p -v >"$T/out" 2>&1
grep -q 'C: NOOP AHUAcA==' "$T/out" && ok "auth_plain derived from --var" || bad "auth_plain from --var" "$(cat "$T/out")"
printf 'id: prefer\ntitle: t\nlevel: may\nrefs: [CM-07]\nsteps:\n  - send: "NOOP"\n  - expect: {code: [250, 5xx], prefer: 501}\n' >"$T/prefer.yaml"
expect_rc "prefer: an allowed deviation passes" 0 "$BIN" run "$T/prefer.yaml" --report json:"$T/w.json"
json "$T/w.json" <<'PY' >"$T/msg" 2>&1 && ok "prefer: the deviation is a warning in the report" || bad "prefer warning" "$(cat "$T/msg")"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["scenarios"][0]
assert s["status"] == "pass" and r["summary"]["warned"] == 1, r["summary"]
assert s["warnings"] == ["step 2 (line 7): got 250, accepted, but the RFC prefers 501"], s["warnings"]
PY
grep -q 'warning: step 2 (line 7): got 250' "$T/out" && ok "prefer: warning on the terminal" || bad "prefer: terminal warning" "$(cat "$T/out")"
printf 'id: stop\ntitle: t\nlevel: may\nrefs: [TLS-03]\nsteps:\n  - send: "NOOP"\n  - expect: {code: [250, 500], stop_if: 250}\n  - send: "NOOP"\n  - expect: 999\n' | sed 's/999/500/' >"$T/stop.yaml"
expect_rc "stop_if: the reply ends the scenario, the rest does not apply" 0 "$BIN" run "$T/stop.yaml" -v
grep -q 'the rest of the steps do not apply (stop_if)' "$T/out" && ok "stop_if: noted in the transcript" || bad "stop_if note" "$(cat "$T/out")"

# ---- the suite's size, levels and refs ------------------------------------
expect_rc "list" 0 "$BIN" list
n_list=$(sed -n 's/^\([0-9]*\) scenarios (.*/\1/p' "$T/out")
[ "${n_list:-0}" -ge "${MIN_SCENARIOS:-150}" ] && ok "list: $n_list scenarios (at least ${MIN_SCENARIOS:-150}), with levels and refs" \
	|| bad "list: ${n_list:-?} scenarios, wanted at least ${MIN_SCENARIOS:-150}" "$(tail -n 2 "$T/out")"
python3 - "$T/out" <<'PY' >"$T/msg" 2>&1 && ok "every scenario cites an RFC section and a catalogue id" || bad "refs" "$(cat "$T/msg")"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
bad = []
for i, l in enumerate(lines):
    m = re.match(r"^\s+\[(.*)\]$", l)
    if not m:
        continue
    refs = [r.strip() for r in m.group(1).split(",")]
    if not any(r.startswith("RFC ") for r in refs) or not any(re.fullmatch(r"[A-Z0-9]*[A-Z][A-Z0-9]*-\d+", r) for r in refs):
        bad.append(lines[i - 1].split()[0])
assert not bad, bad
PY

# ---- coverage of the catalogue --------------------------------------------
expect_rc "list --coverage" 0 "$BIN" list --coverage
covered=$(sed -n 's/^covered: *\([0-9]*\) ids$/\1/p' "$T/out")
[ "${covered:-0}" -ge "${MIN_COVERAGE:-120}" ] && ok "coverage: $covered catalogue ids have scenarios (at least ${MIN_COVERAGE:-120})" \
	|| bad "coverage: ${covered:-?} ids, wanted at least ${MIN_COVERAGE:-120}" "$(tail -n 3 "$T/out")"
grep -q '^PL-04 .*NOT COVERED: the delivery oracle can see it' "$T/out" && ok "coverage: uncovered ids show their reason" || bad "coverage reasons" "$(grep '^PL-04' "$T/out")"
mkdir -p "$T/typo"
printf 'id: typo\ntitle: t\nlevel: must\nrefs: [TM-99]\nsteps:\n  - send: NOOP\n  - expect: 250\n' >"$T/typo/typo.yaml"
expect_rc "list --coverage: a ref to an id not in the catalogue" 2 "$BIN" list --coverage "$T/typo"
grep -q 'cites TM-99, which is not in docs/catalogue.md' "$T/err" && ok "coverage names the unknown id" || bad "unknown id message" "$(cat "$T/err")"
expect_rc "list --coverage: a missing catalogue" 2 "$BIN" list --coverage --catalogue "$T/none.md"

# ---- transports ------------------------------------------------------------
expect_rc "exec: target (serve --stdio)" 0 "$BIN" run scenarios/ --target "exec:$BIN serve --stdio" -j 2
expect_rc "exec: target with a fault" 1 "$BIN" run scenarios/rfc5321/session/ --target "exec:$BIN serve --stdio --faults close-on-invalid"
expect_rc "exec: a program that does not exist" 3 "$BIN" run scenarios/ --target "exec:/nonexistent/smtpd -bs"
if start_server 127.0.0.1; then
	expect_rc "smtp://127.0.0.1 against serve" 0 "$BIN" run scenarios/ --target "smtp://127.0.0.1:$PORT" -j 8
	expect_rc "smtp://localhost (host name)" 0 "$BIN" run scenarios/rfc5321/session/ --target "smtp://localhost:$PORT"
	stop_server
fi
if start_server '[::1]'; then
	expect_rc "smtp://[::1] (IPv6)" 0 "$BIN" run scenarios/rfc5321/session/ --target "smtp://[::1]:$PORT"
	stop_server
fi
if start_server 127.0.0.1 --faults lf-dot-lf; then
	expect_rc "smtp:// against serve --faults lf-dot-lf" 1 "$BIN" run scenarios/rfc5321/data/ --target "smtp://127.0.0.1:$PORT"
	stop_server
fi

# ---- TLS (tests/e2e_tls.sh) ------------------------------------------------
. tests/e2e_tls.sh

# ---- the probe checks the profile; AUTH required (tests/e2e_probe.sh) -----
. tests/e2e_probe.sh

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
