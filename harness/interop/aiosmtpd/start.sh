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
io_up $SRV $PORT "$RUN" && exit 0
io_cert
mkdir -p "$RUN"
ns_spawn "$RUN/server.pid" "$RUN/server.log" $PY \
    "$IO_ROOT/harness/interop/aiosmtpd/server.py" $PORT "$IO/tls/cert.pem" "$IO/tls/key.pem"
io_started $SRV $PORT "$RUN" || exit 0
