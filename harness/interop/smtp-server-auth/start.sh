#!/bin/sh
# Start Node's smtp-server with its defaults (server.js beside this script:
# AUTH required, only inside TLS) on 127.0.0.1:2609, through
# smtp-server/start.sh.  smtp-server-auth-creds/start.sh runs it again as
# its own target (IO_TARGET, IO_PORT): the same server, another profile.
# Idempotent.
DIR=$(cd "$(dirname "$0")" && pwd)
IO_TARGET=${IO_TARGET:-smtp-server-auth} IO_PORT=${IO_PORT:-2609} IO_JS=$DIR/server.js \
    exec sh "$DIR/../smtp-server/start.sh"
