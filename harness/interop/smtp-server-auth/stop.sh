#!/bin/sh
# Stop the smtp-server started by start.sh, by pid.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
io_stop_pid "$IO/run/${IO_TARGET:-smtp-server-auth}/server.pid"
