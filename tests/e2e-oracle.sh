#!/bin/sh
# e2e-oracle.sh - the delivery oracle from the command line.  Usage:
# e2e-oracle.sh BINARY
#
# --oracle is checked (bad specs exit 2); the delivery scenarios pass on
# the builtin target, whose server delivers to its own oracle, and fail on
# its delivery and smuggling faults with the delivered messages in the
# transcript; without an oracle they are skipped, naming the option; the
# sink (--oracle sink:) sees what a server sends it: here the harness
# itself sends to its own sink, a "relay" that adds nothing, so the
# scenarios about the body pass and the one that wants a Received: line
# fails, and the final-delivery one is skipped.  (The LMTP sink is the
# reference server's LMTP mode, tests/test_server_deliver.c.)
set -u
BIN=${1:?usage: e2e-oracle.sh path/to/smtp-harness}
T=$(mktemp -d "${TMPDIR:-/tmp}/smtph-oracle.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
. "$(dirname "$0")/lib.sh"

# run DESCRIPTION WANTED_RC GREP_FOR args...: the run's exit status and a
# line of its output (stdout and stderr).
run() {
	desc=$1 want=$2 text=$3
	shift 3
	timeout 120 "$BIN" "$@" >"$T/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then bad "$desc: exit $rc, wanted $want" "$(tail -n 30 "$T/out")"; return; fi
	if [ -n "$text" ] && ! grep -qF -- "$text" "$T/out"; then bad "$desc: no '$text' in the output" "$(tail -n 30 "$T/out")"; return; fi
	ok "$desc"
}

DLV="scenarios/rfc5321/delivery scenarios/security/smuggling-delivered scenarios/extensions/8bitmime/8bitmime-delivered.yaml"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run "--oracle with an unknown kind" 2 "unknown oracle 'imap:x'" run --oracle imap:x $DLV
run "--oracle off loopback" 2 "loopback only" run --target smtp://127.0.0.1:1 --oracle sink:192.0.2.1:25 $DLV
run "--oracle on a builtin target" 2 "builtin targets have their own delivery oracle" run --oracle sink:127.0.0.1:2526 $DLV
run "--oracle maildir: that is not one" 2 "" run --target smtp://127.0.0.1:1 --oracle "maildir:$T/none" $DLV

# builtin: every delivery scenario passes
run "builtin: the delivery scenarios pass" 0 "18 (18 pass" run $DLV --oracle-wait 2
# ... and each delivery fault is caught at its own step, the messages shown
for f in dots-kept:delivery-relay-body-unchanged eight-bit-stripped:8bitmime-delivered \
    no-received:delivery-received-trace local-part-folded:delivery-local-part-case \
    controls-stripped:delivery-relay-body-unchanged extra-blank-line:delivery-relay-body-unchanged \
    aborted-delivered:delivery-drop-cancels-pending completed-lost:delivery-drop-cancels-pending \
    no-return-path:delivery-return-path lf-dot-lf:smuggling-delivered-lf-dot-lf \
    any-newline-data:smuggling-delivered-cr-dot-cr nul-stripped:smuggling-delivered-nul-before-dot; do
	fault=${f%%:*} id=${f#*:}
	run "builtin:$fault fails $id" 1 "FAIL  $id" run $DLV --target "builtin:$fault" --oracle-wait 1
	grep -q "delivery oracle (builtin)" "$T/out" || bad "builtin:$fault: no oracle note in the transcript"
done
grep -q "delivered #" "$T/out" && ok "the transcript lists the delivered messages" ||
    bad "no 'delivered #' line in a failing transcript" "$(tail -n 20 "$T/out")"

# no oracle: skipped, naming the option (against a server that is the
# builtin's own, reached as a plain smtp:// target)
"$BIN" serve --listen 127.0.0.1:0 2>"$T/serve.log" &
spid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$T/serve.log")
	[ -n "$port" ] && break
	sleep 0.2
done
run "no oracle: the delivery scenarios are skipped" 0 "needs a delivery oracle: give --oracle sink:HOST:PORT" \
    run $DLV --target "smtp://127.0.0.1:$port" --var oracle_recipient=user@example.com \
    --var oracle_domain=example.com -v
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

# the sink: the harness sends to its own sink, which keeps what it gets
sp=$(free_port)
run "sink: messages sent to it are seen, body and case intact" 0 "2 pass" \
    run scenarios/rfc5321/delivery/relay-body-unchanged.yaml scenarios/rfc5321/delivery/local-part-case.yaml \
    --target "smtp://127.0.0.1:$sp" --oracle "sink:127.0.0.1:$sp" \
    --var oracle_recipient=probe@sink.test --var oracle_domain=sink.test --oracle-settle 0.2
sp=$(free_port)
run "sink: a hop that adds no Received: line fails DT-05" 1 "FAIL  delivery-received-trace" \
    run scenarios/rfc5321/delivery/received-trace.yaml scenarios/rfc5321/delivery/return-path.yaml \
    --target "smtp://127.0.0.1:$sp" --oracle "sink:127.0.0.1:$sp" \
    --var oracle_recipient=probe@sink.test --oracle-settle 0.2 -v
grep -q "needs the final delivery's oracle" "$T/out" && ok "sink: the final-delivery scenario is skipped" ||
    bad "sink: delivery-return-path not skipped" "$(grep -A2 return-path "$T/out" | head)"
echo "e2e-oracle: $failures failure(s)"
[ "$failures" -eq 0 ]
