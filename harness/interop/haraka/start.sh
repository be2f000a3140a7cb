#!/bin/sh
# Start Haraka (npm, in build/interop/npm) in the foreground on
# 127.0.0.1:2607 with its own configuration folder
# build/interop/run/haraka/config: one process (no cluster), STARTTLS with
# the test certificate, auth/flat_file with one account (harness /
# harness-secret), rcpt_to.in_host_list accepting interop.test only,
# queue/discard dropping every message (YES_REALLY_DO_DISCARD).
# public_ip is set so Haraka does not ask a STUN server.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
SRV=haraka
PORT=2607
RUN=$IO/run/$SRV
HARAKA=$IO/npm/node_modules/Haraka/bin/haraka

if ! command -v node >/dev/null || [ ! -f "$HARAKA" ]; then
	io_unavailable $SRV "node or the npm package Haraka is missing (harness/interop/install.sh installs it)"
	exit 0
fi
ns_setup
io_up $SRV $PORT "$RUN" && exit 0
io_cert
# Haraka reads only the given folder: start from the package's defaults.
rm -rf "$RUN/config"
mkdir -p "$RUN"
cp -R "$IO/npm/node_modules/Haraka/config" "$RUN/config"
C=$RUN/config
printf 'listen=127.0.0.1:%s\npublic_ip=127.0.0.1\ndaemonize=false\n' $PORT > "$C/smtp.ini"
echo "$IO_HOST" > "$C/me"
echo "interop.test" > "$C/host_list"
printf 'tls\nauth/flat_file\nrcpt_to.in_host_list\nqueue/discard\n' > "$C/plugins"
# AUTH (advertised to private addresses such as 127.0.0.1 without TLS):
# one account, the profile's auth_user / auth_password.
printf '[core]\nmethods=PLAIN,LOGIN\n[users]\nharness=harness-secret\n' > "$C/auth_flat_file.ini"
printf 'key=tls_key.pem\ncert=tls_cert.pem\n' > "$C/tls.ini"
cp "$IO/tls/key.pem" "$C/tls_key.pem"
cp "$IO/tls/cert.pem" "$C/tls_cert.pem"
# Without dhparams.pem the tls plugin starts `openssl dhparam 2048` in the
# background at every start (minutes of CPU, outliving Haraka): make it
# once, quickly (DSA-style parameters).
if [ ! -s "$IO/tls/dhparams.pem" ]; then
	openssl dhparam -dsaparam -out "$IO/tls/dhparams.pem" 2048 >/dev/null 2>&1
fi
cp "$IO/tls/dhparams.pem" "$C/dhparams.pem"
printf '[main]\nlevel=warn\n' > "$C/log.ini"
YES_REALLY_DO_DISCARD=1 ns_spawn "$RUN/server.pid" "$RUN/server.log" \
    node "$HARAKA" -c "$RUN"
io_started $SRV $PORT "$RUN" 60 || exit 0
