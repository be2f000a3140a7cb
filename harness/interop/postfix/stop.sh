#!/bin/sh
# Stop the Postfix started by start.sh: its master by pid (its children exit
# with it).  Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
io_stop_pid "$IO/run/postfix/queue/pid/master.pid"
