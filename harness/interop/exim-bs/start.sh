#!/bin/sh
# Exim 4 as `exim4 -bs` (SMTP on standard input and output, one process
# per session, run by the harness itself: an exec: target), with the same
# configuration as the daemon but its own spool under
# build/interop/run/exim-bs.  Nothing stays running.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
. "$IO_ROOT/harness/interop/exim/config.sh"
SRV=exim-bs
PORT=2612 # unused by -bs, but the configuration names one
RUN=$IO/run/$SRV
EXIM=$IO/pkg/exim/usr/sbin/exim4

if [ ! -x "$EXIM" ]; then
	io_unavailable $SRV "$EXIM is missing (harness/interop/install.sh unpacks it)"
	exit 0
fi
ns_setup
io_cert
exim_config
echo "exec:$EXIM -C $RUN/exim.conf -bs" > "$RUN/target"
io_available $SRV
