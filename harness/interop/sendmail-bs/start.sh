#!/bin/sh
# Sendmail 8.17 as `sendmail -bs` (SMTP on standard input and output, one
# process per session, run by the harness: an exec: target), with the same
# sendmail.cf as the daemon but its own queue under
# build/interop/run/sendmail-bs.  Nothing stays running.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
. "$IO_ROOT/harness/interop/sendmail/config.sh"
SRV=sendmail-bs
PORT=2614 # unused by -bs, but the configuration names one
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
io_cert
mkdir -p "$RUN"
sendmail_config
echo "exec:$SM -C $RUN/sendmail.cf -bs" > "$RUN/target"
io_available $SRV
