#!/bin/sh
# Start aiosmtpd (Debian's python3-aiosmtpd) as nobody configured it: its
# own command line with its stock Sink handler, which accepts every sender
# and every recipient and keeps nothing, on 127.0.0.1:2608; no TLS, no AUTH,
# no SMTPUTF8 (the defaults).  -n only keeps it from setuid to nobody.
# Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
SRV=aiosmtpd-sink
PORT=2608
RUN=$IO/run/$SRV

# Debian's python3 (the package's), not whatever python3 comes first in PATH.
PY=/usr/bin/python3
if ! $PY -c 'import aiosmtpd.handlers' 2>/dev/null; then
	io_unavailable $SRV "python3-aiosmtpd is not installed (harness/interop/install.sh installs it)"
	exit 0
fi
ns_setup
io_up $SRV $PORT "$RUN" && exit 0
mkdir -p "$RUN"
ns_spawn "$RUN/server.pid" "$RUN/server.log" $PY -m aiosmtpd -n \
    -c aiosmtpd.handlers.Sink -l 127.0.0.1:$PORT
io_started $SRV $PORT "$RUN" || exit 0
