#!/bin/sh
# exim -bs runs one process per session, started and reaped by the harness:
# nothing to stop.
exit 0
