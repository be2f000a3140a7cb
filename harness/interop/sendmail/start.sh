#!/bin/sh
# Start Sendmail 8.17 (unpacked by install.sh into build/interop/pkg/sendmail)
# as a daemon on 127.0.0.1:2604 with its own sendmail.cf (-C), built with m4
# from the package's sendmail-cf, queue and pid under
# build/interop/run/sendmail.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
. "$IO_ROOT/harness/interop/sendmail/config.sh"
SRV=sendmail
PORT=2604
RUN=$IO/run/$SRV
PKG=$IO/pkg/sendmail
SM=$PKG/usr/libexec/sendmail/sendmail

if [ ! -x "$SM" ]; then
	io_unavailable $SRV "$SM is missing (harness/interop/install.sh unpacks it)"
	exit 0
fi
if ! command -v m4 >/dev/null; then
	io_unavailable $SRV "m4 is not installed (needed to build sendmail.cf)"
	exit 0
fi
ns_setup
if io_alive "$RUN/sendmail.pid" && ns_listening $PORT; then
	echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
	io_available $SRV
	exit 0
fi
io_cert
mkdir -p "$RUN"
sendmail_config
if ! ns_run "$SM" -C "$RUN/sendmail.cf" -bd >"$RUN/start.log" 2>&1; then
	io_unavailable $SRV "sendmail -bd failed: $(tail -n 2 "$RUN/start.log" | tr '\n' ' ')"
	exit 0
fi
if ! ns_wait_port $PORT 60; then
	io_unavailable $SRV "not listening on 127.0.0.1:$PORT after 60 s: $(tail -n 2 "$RUN/start.log" | tr '\n' ' ')"
	exit 0
fi
echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
io_available $SRV
io_log "$SRV listening on 127.0.0.1:$PORT (pid $(head -n 1 "$RUN/sendmail.pid"))"
