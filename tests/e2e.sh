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

failures=0
checks=0
ok() { checks=$((checks + 1)); printf 'ok   %s\n' "$1"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -n 40; }

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
	"$BIN" serve --listen "$host:0" "$@" 2>"$T/serve.log" &
	SERVER_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SERVER_PID"
	PORT=""
	i=0
	while [ $i -lt 100 ] && [ -z "$PORT" ]; do
		PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$T/serve.log")
		[ -z "$PORT" ] && sleep 0.05
		i=$((i + 1))
	done
	[ -n "$PORT" ] || { bad "server on $host did not start" "$(cat "$T/serve.log")"; return 1; }
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

# ---- every fault bites, every scenario is bitten -----------------------
# Faults that break the session for every scenario (the teardown's QUIT, the
# reply format, service withdrawn) prove little on their own; every scenario
# must also be failed by at least one fault outside this list.
GLOBAL="quit-250 quit-no-close bare-lf-replies tired-421 421-no-close greeting-421 silent mixed-code-multiline"
# Faults the probe already refuses: the target is unusable (exit 3).
UNREACHABLE="greeting-421 silent"
"$BIN" serve --list-faults >"$T/faults" 2>&1 || bad "serve --list-faults" "$(cat "$T/faults")"
n=$(wc -l <"$T/faults")
[ "$n" -ge 15 ] && ok "serve --list-faults lists $n faults" || bad "only $n faults listed"
: >"$T/bites"
for f in $(cut -d' ' -f1 "$T/faults"); do
	"$BIN" run scenarios/ --target "builtin:$f" --timeout 1 -j 8 --report json:"$T/f.json" >"$T/f.txt" 2>&1
	rc=$?
	case " $UNREACHABLE " in
	*" $f "*)
		if [ $rc -eq 3 ]; then ok "fault $f: target unusable (exit 3)"; else bad "fault $f: exit $rc, wanted 3" "$(tail -n 5 "$T/f.txt")"; fi
		continue ;;
	esac
	failed=$(json "$T/f.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(x["id"] for x in r["scenarios"] if x["status"] in ("fail", "error")))
PY
)
	if [ $rc -eq 1 ] && [ -n "$failed" ]; then
		ok "fault $f is caught by: $failed"
		for id in $failed; do printf '%s %s\n' "$id" "$f" >>"$T/bites"; done
	else
		bad "fault $f: exit $rc and no scenario failed" "$(tail -n 5 "$T/f.txt")"
	fi
done
for id in $(json "$T/clean.json" <<'PY'
import json, sys
print(" ".join(x["id"] for x in json.load(open(sys.argv[1]))["scenarios"]))
PY
); do
	specific=""
	for f in $(awk -v id="$id" '$1 == id { print $2 }' "$T/bites"); do
		case " $GLOBAL " in *" $f "*) ;; *) specific="$specific $f" ;; esac
	done
	if [ -n "$specific" ]; then ok "scenario $id bites on:$specific"; else bad "scenario $id is failed by no specific fault"; fi
done

# ---- 421 handling --------------------------------------------------------
"$BIN" run scenarios/rfc5321/transaction/complete-transaction.yaml --target builtin:tired-421 \
	--report json:"$T/t.json" >"$T/out" 2>&1
rc=$?
json "$T/t.json" <<'PY' >"$T/msg" 2>&1 && [ $rc -eq 1 ] && ok "421 mid-session then close: ERROR, server withdrew service" || bad "tired-421 (exit $rc)" "$(cat "$T/msg" "$T/out")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["status"] == "error", s["status"]
assert "withdrew service" in s["reason"], s["reason"]
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
expect_rc "--var changes what is sent (recipient the server refuses)" 1 "$BIN" run \
	scenarios/rfc5321/addresses/postmaster.yaml scenarios/rfc5321/addresses/null-sender.yaml --var recipient=someone@elsewhere.invalid
printf 'vars:\n  recipient: someone@elsewhere.invalid\n' >"$T/profile.yaml"
expect_rc "a profile sets variables" 1 "$BIN" run scenarios/rfc5321/addresses/null-sender.yaml --profile "$T/profile.yaml"
printf 'vars: [1]\n' >"$T/badprofile.yaml"
expect_rc "a malformed profile" 2 "$BIN" run --profile "$T/badprofile.yaml"
grep -q 'badprofile.yaml:1:7: error' "$T/err" && ok "profile error names file:line:col" || bad "profile error" "$(cat "$T/err")"
printf 'id: needs-var\ntitle: t\nlevel: must\nrefs: [TM-01]\nrequires: {vars: [auth_user]}\nsteps:\n  - send: "NOOP ${auth_user}"\n  - expect: 250\n' >"$T/needs.yaml"
expect_rc "a missing required variable skips" 0 "$BIN" run "$T/needs.yaml" --report json:"$T/skip.json"
grep -q '"skip"' "$T/skip.json" && ok "skipped with its reason" || bad "skip" "$(cat "$T/skip.json")"
expect_rc "the same scenario with the variable set" 0 "$BIN" run "$T/needs.yaml" --var auth_user=alice

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

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
