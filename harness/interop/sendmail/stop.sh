#!/bin/sh
# Stop the Sendmail daemon started by start.sh, by the pid on the first line
# of its pid file.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
io_stop_pid "$IO/run/sendmail/sendmail.pid"
