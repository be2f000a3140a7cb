#!/bin/sh
# Start Postfix (the one MTA installed for real, by install.sh, with
# "No configuration") on 127.0.0.1:2601 with its own configuration
# directory and queue under build/interop/run/postfix.  Every domain but
# interop.test and sink.test is refused (reject_unauth_destination, no
# permit_mynetworks), and every accepted message goes to the discard
# transport, but sink.test's: relayed at once, plain SMTP, to the harness's
# delivery oracle on 127.0.0.1:2526 (--oracle sink:127.0.0.1:2526; a static
# route, no MX lookup, no TLS; a failed attempt is retried after 10 s).
# Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
SRV=postfix
PORT=2601
RUN=$IO/run/$SRV
PIDF=$RUN/queue/pid/master.pid

if [ ! -x /usr/sbin/postfix ] || [ ! -x /usr/lib/postfix/sbin/master ]; then
	io_unavailable $SRV "/usr/sbin/postfix is not installed (harness/interop/install.sh installs it)"
	exit 0
fi
ns_setup
if io_alive "$PIDF" && ns_listening $PORT; then
	echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
	io_available $SRV
	exit 0
fi
io_cert
mkdir -p "$RUN/etc" "$RUN/queue" "$RUN/data"
cat > "$RUN/etc/main.cf" <<CF
compatibility_level = 3.6
config_directory = $RUN/etc
queue_directory = $RUN/queue
data_directory = $RUN/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $RUN/postfix.log
maillog_file_prefixes = $RUN
myhostname = $IO_HOST
mydomain = interop.test
myorigin = interop.test
mydestination = interop.test, localhost
local_recipient_maps =
local_transport = discard:
default_transport = discard:
relay_transport = discard:
# sink.test (any local part): relayed to the delivery oracle, nothing else.
relay_domains = sink.test
transport_maps = inline:{ sink.test=smtp:[127.0.0.1]:2526 }
smtp_tls_security_level = none
minimal_backoff_time = 10s
maximal_backoff_time = 20s
queue_run_delay = 10s
mynetworks = 127.0.0.1/32
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination
biff = no
smtpd_banner = \$myhostname ESMTP Postfix (interop)
smtpd_tls_cert_file = $IO/tls/cert.pem
smtpd_tls_key_file = $IO/tls/key.pem
smtpd_tls_security_level = may
alias_maps =
alias_database =
CF
cat > "$RUN/etc/master.cf" <<CF
127.0.0.1:$PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
chown root "$RUN/queue"
chown postfix "$RUN/data"
if ! ns_run /usr/sbin/postfix -c "$RUN/etc" start >"$RUN/start.log" 2>&1; then
	io_unavailable $SRV "postfix start failed: $(tail -n 2 "$RUN/start.log" | tr '\n' ' ')"
	exit 0
fi
if ! ns_wait_port $PORT 30; then
	io_unavailable $SRV "not listening on 127.0.0.1:$PORT after 30 s: $(tail -n 2 "$RUN/postfix.log" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
io_available $SRV
io_log "$SRV listening on 127.0.0.1:$PORT (pid $(cat "$PIDF" | tr -dc 0-9))"
