#!/bin/sh
# Start OpenSMTPD (unpacked by install.sh into build/interop/pkg/opensmtpd)
# in the foreground (-d) on 127.0.0.1:2603 with its own configuration (-f).
# Its spool, chroot and control-socket paths are compiled in, so its mount
# namespace binds private folders from build/interop/run/opensmtpd over
# /var/spool/smtpd, /var/lib/opensmtpd/empty and /run (the socket), and the
# package's helpers over /usr/libexec/opensmtpd (empty mount points are made
# on the host): nothing of it lands outside build/.  interop.test (and its own name, for
# postmaster) are its only domains; accepted
# mail goes to an mda that discards it, but sink.test's (any local part):
# relayed at once, plain SMTP, to the harness's delivery oracle on
# 127.0.0.1:2526 (--oracle sink:127.0.0.1:2526; a static relay host, no MX
# lookup; smtp+notls: no STARTTLS even when offered, as this build's TLS
# fails).  Every other domain stays a refused relay.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
SRV=opensmtpd
PORT=2603
RUN=$IO/run/$SRV
SMTPD=$IO/pkg/opensmtpd/usr/sbin/smtpd

if [ ! -x "$SMTPD" ]; then
	io_unavailable $SRV "$SMTPD is missing (harness/interop/install.sh unpacks it)"
	exit 0
fi
ns_setup
if io_alive "$RUN/smtpd.pid" && ns_listening $PORT; then
	echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
	io_available $SRV
	exit 0
fi
io_cert
mkdir -p "$RUN/spool" "$RUN/empty" "$RUN/run" /var/spool/smtpd /var/lib/opensmtpd/empty \
    /usr/libexec/opensmtpd
chmod 711 "$RUN/spool"
chmod 755 "$RUN/empty"
# smtpd insists that its key is readable by root only.  (Debian's 6.8.0p2
# fails every TLS handshake on OpenSSL 3, RSA or ECDSA key alike: "EVP lib"
# in its privilege-separated signing; the baseline says so.)
cp "$IO/tls/cert.pem" "$RUN/cert.pem"
cp "$IO/tls/key.pem" "$RUN/key.pem"
chmod 600 "$RUN/key.pem"
cat > "$RUN/smtpd.conf" <<CF
pki $IO_HOST cert "$RUN/cert.pem"
pki $IO_HOST key "$RUN/key.pem"
table domains { "interop.test", "$IO_HOST" }
table vusers { "@" = "opensmtpd" }
listen on 127.0.0.1 port $PORT tls pki $IO_HOST hostname $IO_HOST
action "oracle" relay host "smtp+notls://127.0.0.1:2526"
action "discard" mda "/bin/sh -c 'cat >/dev/null'" virtual <vusers>
match from any for domain "sink.test" action "oracle"
match from any for domain <domains> action "discard"
match from any for local action "discard"
CF
chmod 644 "$RUN/smtpd.conf"
if ! out=$("$SMTPD" -n -f "$RUN/smtpd.conf" 2>&1); then
	io_unavailable $SRV "configuration refused: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	exit 0
fi
IO_BINDS="$RUN/spool:/var/spool/smtpd $RUN/empty:/var/lib/opensmtpd/empty $RUN/run:/run $IO/pkg/opensmtpd/usr/libexec/opensmtpd:/usr/libexec/opensmtpd" \
    ns_spawn "$RUN/smtpd.pid" "$RUN/smtpd.log" "$SMTPD" -d -f "$RUN/smtpd.conf"
if ! ns_wait_port $PORT 30; then
	io_unavailable $SRV "not listening on 127.0.0.1:$PORT after 30 s: $(tail -n 3 "$RUN/smtpd.log" | tr '\n' ' ')"
	io_stop_pid "$RUN/smtpd.pid"
	exit 0
fi
echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
io_available $SRV
io_log "$SRV listening on 127.0.0.1:$PORT (pid $(cat "$RUN/smtpd.pid"))"
