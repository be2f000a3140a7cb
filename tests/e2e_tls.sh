# e2e_tls.sh - end-to-end tests of TLS: STARTTLS and smtps:// against
# `serve`, handshake failures, a server that drops or stalls mid-handshake,
# --tls-verify against the self-signed reference server, and what the
# reports show.  Sourced by tests/e2e.sh (uses its BIN, T, ok, bad,
# expect_rc, json, start_server and stop_server); every run is bounded by
# --timeout and --run-timeout.

# An implicit-TLS reference server on a free port; sets PORT and SERVER_PID.
start_tls_server() {
	SERVE_LOG="$T/serve-tls.$$.$(date +%s%N).log"
	: >"$SERVE_LOG"
	"$BIN" serve --tls-listen 127.0.0.1:0 "$@" 2>"$SERVE_LOG" &
	SERVER_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SERVER_PID"
	PORT=""
	i=0
	while [ $i -lt 100 ] && [ -z "$PORT" ]; do
		PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\) (implicit TLS).*/\1/p' "$SERVE_LOG")
		[ -z "$PORT" ] && sleep 0.05
		i=$((i + 1))
	done
	[ -n "$PORT" ] || { bad "TLS server did not start" "$(cat "$SERVE_LOG")"; return 1; }
}

TLSRUN="--timeout 2 --run-timeout 60"

# ---- STARTTLS against serve, and the JSON report's "tls" ------------------
if start_server 127.0.0.1; then
	# What a profile for the reference server would say.
	"$BIN" run scenarios/extensions/starttls --target "smtp://127.0.0.1:$PORT" $TLSRUN \
		--var tls_required_client=secure.client.example --var role_mx=yes \
		--var auth_tls_only_client=secure.client.example \
		--report json:"$T/tls.json" >"$T/out" 2>&1
	rc=$?
	json "$T/tls.json" <<'PY' >"$T/msg" 2>&1 && [ $rc -eq 0 ] && ok "STARTTLS scenarios against serve; JSON shows certificate and cipher" || bad "STARTTLS against serve (exit $rc)" "$(cat "$T/msg" "$T/out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["summary"]["total"] >= 8 and r["summary"]["pass"] == r["summary"]["total"], r["summary"]
for s in r["scenarios"]:
    t = s.get("tls")
    if s["id"] in ("tls-starttls-no-parameters", "tls-public-mx-plaintext"):
        assert "tls" in s and t is None, s["id"]
        assert t is None, s["id"]
        continue
    assert t, s["id"]
    assert t["protocol"].startswith("TLSv1."), t
    assert t["cipher"] and t["cipher"] != "none", t
    assert "CN=mx.harness.test" in t["subject"] and t["issuer"] == t["subject"], t
    assert t["not_before"] < t["not_after"] and t["not_after"].endswith("Z"), t
    assert len(t["sha256"]) == 64 and t["verified"] is False and "self-signed" in t["verify"], t
    assert any(e["dir"] == "*" and e["data"].startswith("TLS TLSv1.") for e in s["transcript"]), s["id"]
PY
	"$BIN" run scenarios/extensions/starttls/no-starttls-after-tls.yaml --target "smtp://127.0.0.1:$PORT" $TLSRUN -v >"$T/out" 2>&1
	grep -q '^    tls: TLSv1\.[23] .*subject CN=mx.harness.test' "$T/out" && ok "text report -v shows the TLS session" || bad "text -v tls line" "$(head -n 5 "$T/out")"
	expect_rc "smtps:// against a plain server: unusable" 3 "$BIN" run scenarios/rfc5321/session --target "smtps://127.0.0.1:$PORT" $TLSRUN
	grep -q 'TLS handshake failed' "$T/err" && ok "smtps:// to plaintext names the handshake failure" || bad "smtps:// to plain reason" "$(cat "$T/err")"
	stop_server
fi

# ---- smtps:// against serve --tls-listen ---------------------------------
if start_tls_server; then
	"$BIN" run scenarios/rfc5321/session scenarios/extensions/starttls --target "smtps://127.0.0.1:$PORT" $TLSRUN \
		--report json:"$T/tls.json" >"$T/out" 2>&1
	rc=$?
	json "$T/tls.json" <<'PY' >"$T/msg" 2>&1 && [ $rc -eq 0 ] && ok "smtps:// against serve --tls-listen: pass, STARTTLS scenarios skipped, tls in JSON" || bad "smtps:// (exit $rc)" "$(cat "$T/msg" "$T/out")"
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["scenarios"]:
    if s["id"].startswith("tls-"):
        assert s["status"] == "skip" and "STARTTLS" in s["reason"], s
    else:
        assert s["status"] == "pass", s
        assert s["tls"]["cipher"] and "CN=mx.harness.test" in s["tls"]["subject"], s
PY
	expect_rc "--tls-verify against the self-signed smtps:// server" 3 "$BIN" run scenarios/rfc5321/session --target "smtps://127.0.0.1:$PORT" --tls-verify $TLSRUN
	grep -q 'certificate verify failed: self-signed certificate' "$T/err" && ok "--tls-verify says why" || bad "--tls-verify reason" "$(cat "$T/err")"
	expect_rc "--tls-max 1.2 over smtps://" 0 "$BIN" run scenarios/rfc5321/session/quit-221-close.yaml --target "smtps://127.0.0.1:$PORT" --tls-max 1.2 --report json:"$T/v.json" $TLSRUN
	grep -q '"protocol": "TLSv1.2"' "$T/v.json" && ok "--tls-max 1.2 negotiates TLSv1.2" || bad "--tls-max" "$(grep -o '"tls": {[^}]*}' "$T/v.json")"
	stop_server
fi

# ---- handshake failures: FAIL with the reason, never a hang --------------
for f in tls-handshake-garbage:'TLS handshake failed' tls-220-plaintext:'TLS handshake failed' \
    tls-handshake-drop:'closed the connection during the TLS handshake'; do
	fault=${f%%:*} want=${f#*:}
	start=$(date +%s)
	"$BIN" run scenarios/extensions/starttls/starttls-220-handshake.yaml --target "builtin:$fault" $TLSRUN \
		--report json:"$T/hs.json" >"$T/out" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	if [ $rc -eq 1 ] && grep -q "$want" "$T/hs.json" && [ "$took" -le 5 ]; then ok "$fault: FAIL, '$want' (${took}s)"; else bad "$fault: exit $rc after ${took}s" "$(cat "$T/out")"; fi
done
# A close during a handshake whose versions the user limited is no verdict
# (a server that refuses them may close without its alert); bytes that are
# no TLS still FAIL.
"$BIN" run scenarios/extensions/starttls/starttls-220-handshake.yaml --target builtin:tls-handshake-drop \
	--tls-max 1.2 $TLSRUN >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'versions limited by --tls-min/--tls-max); no verdict' "$T/out" \
	&& ok "a close on limited TLS versions: SKIP" || bad "close with --tls-max: exit $rc" "$(cat "$T/out")"
expect_rc "garbage after the 220 with --tls-max 1.2" 1 "$BIN" run scenarios/extensions/starttls/starttls-220-handshake.yaml \
	--target builtin:tls-handshake-garbage --tls-max 1.2 $TLSRUN
# Bytes that are no TLS at all after the 220 break its meaning whatever was
# asked of the certificate: FAIL (TX-10), not the ERROR of a failed verify.
"$BIN" run scenarios/extensions/starttls/starttls-220-handshake.yaml --target builtin:tls-handshake-garbage \
	--tls-verify $TLSRUN --report json:"$T/gv.json" >/dev/null 2>&1
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"][0]; assert s["status"] == "fail" and "TX-10" in json.dumps(s), s' "$T/gv.json" \
	&& ok "garbage after the 220 with --tls-verify: FAIL TX-10, not ERROR" || bad "garbage with --tls-verify" "$(cat "$T/gv.json")"
expect_rc "--tls-verify on a starttls step against builtin" 1 "$BIN" run scenarios/extensions/starttls/no-starttls-after-tls.yaml --tls-verify $TLSRUN
grep -q 'certificate verify failed: self-signed certificate' "$T/out" && ok "starttls with --tls-verify: the reason" || bad "starttls verify reason" "$(cat "$T/out")"

# A server that answers 220 and then says nothing: the per-wait deadline.
cat >"$T/stall.py" <<'PY'
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
end = time.time() + 20
s.settimeout(1)
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.settimeout(5)
    c.sendall(b"220 stall.test ESMTP\r\n")
    f = c.makefile("rb")
    try:
        for line in f:
            v = line[:4].upper()
            if v == b"EHLO":
                c.sendall(b"250-stall.test\r\n250 STARTTLS\r\n")
            elif v == b"STAR":
                c.sendall(b"220 go ahead\r\n")
                time.sleep(4)
                break
            elif v == b"QUIT":
                c.sendall(b"221 bye\r\n")
                break
            else:
                c.sendall(b"250 ok\r\n")
    except OSError:
        pass
    c.close()
PY
python3 "$T/stall.py" >"$T/stall.port" 2>/dev/null &
STALL_PID=$!
SERVER_PIDS="$SERVER_PIDS $STALL_PID"
i=0
while [ $i -lt 50 ] && ! [ -s "$T/stall.port" ]; do sleep 0.1; i=$((i + 1)); done
SPORT=$(head -n 1 "$T/stall.port")
start=$(date +%s)
"$BIN" run scenarios/extensions/starttls/starttls-220-handshake.yaml --target "smtp://127.0.0.1:$SPORT" \
	--timeout 1 --run-timeout 30 --report json:"$T/st.json" >"$T/out" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -eq 1 ] && grep -q 'TLS handshake did not complete within 1.0 s' "$T/st.json" && [ "$took" -le 4 ]; then
	ok "a server silent mid-handshake: FAIL at the deadline (${took}s)"
else
	bad "stalled handshake: exit $rc after ${took}s" "$(cat "$T/out")"
fi
kill "$STALL_PID" 2>/dev/null

# ---- exec: STARTTLS over the socketpair; builtins ---------------------------
expect_rc "STARTTLS over exec: (serve --stdio)" 0 "$BIN" run scenarios/extensions/starttls --target "exec:$BIN serve --stdio" $TLSRUN
expect_rc "builtins (implicit TLS) runs the suite" 0 "$BIN" run scenarios/ --target builtins -j 8 $TLSRUN

# ---- usage errors --------------------------------------------------------
expect_rc "--tls-min with a bad version" 2 "$BIN" run scenarios/rfc5321/session --tls-min 2.0
expect_rc "--tls-ca that cannot be read" 2 "$BIN" run scenarios/rfc5321/session --tls-ca "$T/none.pem"
grep -q -- "CA file $T/none.pem" "$T/err" && ok "--tls-ca error names the file" || bad "--tls-ca message" "$(cat "$T/err")"
expect_rc "--tls-cert without --tls-key" 2 "$BIN" run scenarios/rfc5321/session --tls-cert Makefile
grep -q -- '--tls-cert and --tls-key go together' "$T/err" && ok "--tls-cert alone: the options named" || bad "--tls-cert message" "$(cat "$T/err")"
expect_rc "--tls-min above --tls-max" 2 "$BIN" run scenarios/rfc5321/session --tls-min 1.3 --tls-max 1.2
grep -q -- '--tls-min is above --tls-max' "$T/err" && ok "--tls-min above --tls-max: the options named" || bad "--tls-min message" "$(cat "$T/err")"
