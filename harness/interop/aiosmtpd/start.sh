#!/bin/sh
# Start aiosmtpd (Debian's python3-aiosmtpd) with server.py beside this
# script on 127.0.0.1:2605.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
SRV=aiosmtpd
PORT=2605
RUN=$IO/run/$SRV

# Debian's python3 (the package's), not whatever python3 comes first in PATH.
PY=/usr/bin/python3
if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
	io_unavailable $SRV "python3-aiosmtpd is not installed (harness/interop/install.sh installs it)"
	exit 0
fi
ns_setup
if io_alive "$RUN/server.pid" && ns_listening $PORT; then
	echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
	io_available $SRV
	exit 0
fi
io_cert
mkdir -p "$RUN"
ns_spawn "$RUN/server.pid" "$RUN/server.log" $PY \
    "$IO_ROOT/harness/interop/aiosmtpd/server.py" $PORT "$IO/tls/cert.pem" "$IO/tls/key.pem"
if ! ns_wait_port $PORT 30; then
	io_unavailable $SRV "not listening on 127.0.0.1:$PORT after 30 s: $(tail -n 3 "$RUN/server.log" | tr '\n' ' ')"
	io_stop_pid "$RUN/server.pid"
	exit 0
fi
echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
io_available $SRV
io_log "$SRV listening on 127.0.0.1:$PORT (pid $(cat "$RUN/server.pid"))"
