# Sourced by tests/e2e.sh (BIN, T, ok, bad, expect_rc, json, SERVER_PIDS).
# The probe checks the profile before the suite (sender and recipient
# accepted, else exit 3 with one message naming the variable); policy
# variables have no default; a target that requires AUTH (530 to MAIL) is
# authenticated by the opening when credentials are given, and its MAIL
# scenarios are skipped, said once, when not.  tests/auth-server.py plays the
# submission server (the reference server has no such policy).

# ---- a refused recipient or sender ends the run at the probe -------------
expect_rc "probe: a recipient the target refuses" 3 "$BIN" run scenarios/ \
	--var recipient=nobody@relay.invalid
if [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q 'refuses recipient nobody@relay.invalid: 550 5.7.1 .*set --var recipient=' "$T/err" \
	&& [ ! -s "$T/out" ]; then
	ok "probe: one message naming recipient, the reply and what to set"
else
	bad "probe: the refused recipient's message" "$(cat "$T/err" "$T/out")"
fi
expect_rc "probe: a sender the target refuses" 3 "$BIN" run scenarios/ --var 'sender=no-domain'
grep -q 'refuses sender no-domain: 501 .*set --var sender=' "$T/err" && ok "probe: the refused sender's message" \
	|| bad "probe: the refused sender's message" "$(cat "$T/err")"
# An interop profile's recipient (user@interop.test) is not the builtin's.
expect_rc "probe: a profile whose recipient the target refuses" 3 "$BIN" run scenarios/rfc5321/session/ \
	--profile harness/targets/postfix.profile.yaml
grep -q 'refuses recipient user@interop.test' "$T/err" && ok "probe: the profile's recipient named" \
	|| bad "probe: the profile's recipient" "$(cat "$T/err")"
expect_rc "probe: an accepted recipient (--var)" 0 "$BIN" run scenarios/rfc5321/transaction/complete-transaction.yaml \
	--var recipient=someone@example.com

# ---- policy variables: no defaults; the builtin and profiles state them --
POLICY="scenarios/rfc5321/transaction/relay-refused.yaml scenarios/rfc5321/transaction/data-after-rejected-rcpt.yaml"
# shellcheck disable=SC2086
expect_rc "policy: builtin states its own role and refused address" 0 "$BIN" run $POLICY --report json:"$T/p.json"
json "$T/p.json" <<'PY' >"$T/msg" 2>&1 && ok "policy: the builtin runs the policy scenarios" || bad "policy on builtin" "$(cat "$T/msg")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"]
assert len(s) == 2 and all(x["status"] == "pass" for x in s), [(x["id"], x["status"]) for x in s]
PY
# The same server as exec: (not builtin): nothing declared, nothing assumed.
# shellcheck disable=SC2086
expect_rc "policy: no default for rejected_recipient or role_mx" 0 "$BIN" run $POLICY \
	--target "exec:$BIN serve --stdio" --report json:"$T/p.json"
json "$T/p.json" <<'PY' >"$T/msg" 2>&1 && ok "policy: undeclared policy scenarios skip" || bad "policy skips" "$(cat "$T/msg")"
import json, sys
s = {x["id"]: x for x in json.load(open(sys.argv[1]))["scenarios"]}
assert all(x["status"] == "skip" for x in s.values()), [(k, x["status"]) for k, x in s.items()]
assert "role_mx" in s["relay-refused"]["reason"], s["relay-refused"]["reason"]
assert "rejected_recipient" in s["data-after-rejected-rcpt"]["reason"]
PY
printf 'vars:\n  role_mx: yes\n  rejected_recipient: nobody@relay.invalid\n' >"$T/mx.yaml"
# shellcheck disable=SC2086
expect_rc "policy: a profile declaring role_mx runs them" 0 "$BIN" run $POLICY \
	--target "exec:$BIN serve --stdio" --profile "$T/mx.yaml" --report json:"$T/p.json"
grep -q '"status": "skip"' "$T/p.json" && bad "policy: skipped despite the profile" "$(cat "$T/p.json")" || ok "policy: none skipped with the profile"
expect_rc "policy: an open relay declared an MX fails relay-refused" 1 "$BIN" run \
	scenarios/rfc5321/transaction/relay-refused.yaml --target builtin:open-relay

# ---- a target that requires AUTH (530 to MAIL) ---------------------------
# start_auth_server [CERT KEY]: sets APORT.
start_auth_server() {
	log="$T/auth.$$.$(date +%s%N).log"
	python3 tests/auth-server.py harness harness-secret "$@" >"$log" 2>&1 &
	SERVER_PIDS="$SERVER_PIDS $!"
	APORT=""
	i=0
	while [ $i -lt 100 ] && [ -z "$APORT" ]; do
		APORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$log")
		[ -z "$APORT" ] && sleep 0.05
		i=$((i + 1))
	done
	[ -n "$APORT" ] || { bad "tests/auth-server.py did not start" "$(cat "$log")"; return 1; }
}
AUTHSEL="scenarios/rfc5321/transaction/complete-transaction.yaml scenarios/rfc5321/ehlo/helo-transaction.yaml
	scenarios/rfc5321/commands/noop-with-parameter.yaml scenarios/extensions/auth/auth-plain-challenge-success.yaml"
CREDS="--var auth_user=harness --var auth_password=harness-secret"
if start_auth_server; then
	# shellcheck disable=SC2086
	expect_rc "auth: no credentials, MAIL scenarios skip" 0 "$BIN" run $AUTHSEL \
		--target "smtp://127.0.0.1:$APORT" --report json:"$T/a.json"
	[ "$(grep -c 'the target requires AUTH: set auth_user and auth_password' "$T/err")" -eq 1 ] \
		&& ok "auth: the run says so once" || bad "auth: the note" "$(cat "$T/err")"
	json "$T/a.json" <<'PY' >"$T/msg" 2>&1 && ok "auth: MAIL scenarios skip with the reason, others run" || bad "auth skips" "$(cat "$T/msg")"
import json, sys
s = {x["id"]: x for x in json.load(open(sys.argv[1]))["scenarios"]}
for i in ("complete-transaction", "helo-transaction"):
    assert s[i]["status"] == "skip", (i, s[i]["status"])
    assert s[i]["reason"] == "the target requires AUTH: set auth_user and auth_password", s[i]["reason"]
assert s["noop-with-parameter"]["status"] == "pass", s["noop-with-parameter"]
PY
	expect_rc "auth: empty credentials are none" 0 "$BIN" run scenarios/rfc5321/transaction/complete-transaction.yaml \
		--target "smtp://127.0.0.1:$APORT" --var auth_user= --var auth_password=
	grep -q 'set auth_user and auth_password' "$T/err" && ok "auth: empty credentials, the note" || bad "auth: empty credentials" "$(cat "$T/err")"
	# shellcheck disable=SC2086
	expect_rc "auth: with credentials the opening authenticates" 0 "$BIN" run $AUTHSEL $CREDS \
		--target "smtp://127.0.0.1:$APORT" --report json:"$T/a.json"
	json "$T/a.json" <<'PY' >"$T/msg" 2>&1 && ok "auth: AUTH PLAIN in the opening, the transaction passes" || bad "auth opening" "$(cat "$T/msg")"
import json, sys
s = {x["id"]: x for x in json.load(open(sys.argv[1]))["scenarios"]}
ct = s["complete-transaction"]
assert ct["status"] == "pass", ct
lines = [t["data"] for t in ct["transcript"] if t["dir"] != "*"]
assert any(l.startswith("AUTH PLAIN ") for l in lines) and any(l.startswith("235") for l in lines), lines
assert s["auth-plain-challenge-success"]["status"] == "pass", s["auth-plain-challenge-success"]
h = s["helo-transaction"]
assert h["status"] == "skip" and "opening (helo)" in h["reason"], h
PY
	expect_rc "auth: refused credentials end the run at the probe" 3 "$BIN" run \
		scenarios/rfc5321/transaction/complete-transaction.yaml --target "smtp://127.0.0.1:$APORT" \
		--var auth_user=harness --var auth_password=wrong
	grep -q 'refuses the credentials of auth_user harness (AUTH PLAIN): 535 .*set --var auth_user=' "$T/err" \
		&& ok "auth: the refused credentials' message" || bad "auth: refused credentials" "$(cat "$T/err")"
fi
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
		-keyout "$T/auth-key.pem" -out "$T/auth-cert.pem" >/dev/null 2>&1 &&
	start_auth_server "$T/auth-cert.pem" "$T/auth-key.pem"; then
	# shellcheck disable=SC2086
	expect_rc "auth: AUTH only inside TLS (538): STARTTLS first" 0 "$BIN" run \
		scenarios/rfc5321/transaction/complete-transaction.yaml $CREDS \
		--target "smtp://127.0.0.1:$APORT" --report json:"$T/a.json"
	json "$T/a.json" <<'PY' >"$T/msg" 2>&1 && ok "auth: STARTTLS, EHLO, AUTH in the opening" || bad "auth over TLS" "$(cat "$T/msg")"
import json, sys
ct = json.load(open(sys.argv[1]))["scenarios"][0]
assert ct["status"] == "pass", ct
lines = [t["data"] for t in ct["transcript"] if t["dir"] != "*"]
tls = lines.index("STARTTLS\\r\\n")
auth = [k for k, l in enumerate(lines) if l.startswith("AUTH PLAIN ")]
assert auth and tls < auth[0] and lines[auth[0] + 1].startswith("235"), lines
PY
fi

# The benign mode auth-required without credentials: the whole suite ends
# without a FAIL, the MAIL scenarios skip with the reason, said once.
expect_rc "auth-required, no credentials: the suite passes or skips" 0 "$BIN" run scenarios/ \
	--target builtin:auth-required --var auth_user= --var auth_password= -j 8 --report json:"$T/ar.json"
[ "$(grep -c 'the target requires AUTH: set auth_user and auth_password' "$T/err")" -eq 1 ] \
	&& ok "auth-required, no credentials: said once" || bad "auth-required note" "$(cat "$T/err")"
json "$T/ar.json" <<'PY' >"$T/msg" 2>&1 && ok "auth-required, no credentials: MAIL scenarios skip, the role scenario runs" || bad "auth-required skips" "$(cat "$T/msg")"
import json, sys
s = {x["id"]: x for x in json.load(open(sys.argv[1]))["scenarios"]}
assert s["complete-transaction"]["status"] == "skip", s["complete-transaction"]
assert "requires AUTH" in s["complete-transaction"]["reason"], s["complete-transaction"]["reason"]
assert s["submission-mail-needs-auth"]["status"] == "pass", s["submission-mail-needs-auth"]
assert all(x["status"] in ("pass", "skip") for x in s.values())
PY
