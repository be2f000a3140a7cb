#!/bin/sh
# Stop the smtp-server started by start.sh, by pid.  Idempotent.
IO_TARGET=smtp-server-auth-creds exec sh "$(dirname "$0")/../smtp-server-auth/stop.sh"
