#!/bin/sh
# Stop the OpenSMTPD started by start.sh (its parent process, by pid; the
# privilege-separated children exit with it).  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
io_stop_pid "$IO/run/opensmtpd/smtpd.pid"
