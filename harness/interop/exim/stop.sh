#!/bin/sh
# Stop the Exim daemon started by start.sh, by its pid file.  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
io_stop_pid "$IO/run/exim/exim.pid"
