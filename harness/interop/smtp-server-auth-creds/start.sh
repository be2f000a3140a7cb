#!/bin/sh
# The server of smtp-server-auth (smtp-server with its defaults), its own
# instance on 127.0.0.1:2610, for the profile that gives the account.
IO_TARGET=smtp-server-auth-creds IO_PORT=2610 exec sh "$(dirname "$0")/../smtp-server-auth/start.sh"
