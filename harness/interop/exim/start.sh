#!/bin/sh
# Start Exim 4 (unpacked by install.sh into build/interop/pkg/exim, not
# installed) as a daemon on 127.0.0.1:2602 with its own configuration file
# (-C) and spool under build/interop/run/exim.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
. "$IO_ROOT/harness/interop/exim/config.sh"
SRV=exim
PORT=2602
RUN=$IO/run/$SRV
EXIM=$IO/pkg/exim/usr/sbin/exim4

if [ ! -x "$EXIM" ]; then
	io_unavailable $SRV "$EXIM is missing (harness/interop/install.sh unpacks it)"
	exit 0
fi
ns_setup
if io_alive "$RUN/exim.pid" && ns_listening $PORT; then
	echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
	io_available $SRV
	exit 0
fi
io_cert
exim_config
# -bd: listen; -q15m would start queue runs, not needed: nothing is queued.
if ! ns_run "$EXIM" -C "$RUN/exim.conf" -bd >"$RUN/start.log" 2>&1; then
	io_unavailable $SRV "exim -bd failed: $(tail -n 2 "$RUN/start.log" | tr '\n' ' ')"
	exit 0
fi
if ! ns_wait_port $PORT 30; then
	io_unavailable $SRV "not listening on 127.0.0.1:$PORT after 30 s: $(tail -n 2 "$RUN/log/paniclog" "$RUN/log/mainlog" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
io_available $SRV
io_log "$SRV listening on 127.0.0.1:$PORT (pid $(tr -dc 0-9 < "$RUN/exim.pid"))"
