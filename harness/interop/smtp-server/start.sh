#!/bin/sh
# Start Node's smtp-server (npm, in build/interop/npm) with server.js beside
# this script on 127.0.0.1:2606.  Idempotent.  Other targets run another
# configuration of it through this script: IO_TARGET, IO_PORT and IO_JS
# (smtp-server-auth/start.sh).
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
SRV=${IO_TARGET:-smtp-server}
PORT=${IO_PORT:-2606}
JS=${IO_JS:-$IO_ROOT/harness/interop/smtp-server/server.js}
RUN=$IO/run/$SRV

if ! command -v node >/dev/null || [ ! -d "$IO/npm/node_modules/smtp-server" ]; then
	io_unavailable $SRV "node or the npm package smtp-server is missing (harness/interop/install.sh installs it)"
	exit 0
fi
ns_setup
io_up $SRV $PORT "$RUN" && exit 0
io_cert
mkdir -p "$RUN"
NODE_PATH=$IO/npm/node_modules ns_spawn "$RUN/server.pid" "$RUN/server.log" \
    node "$JS" $PORT "$IO/tls/cert.pem" "$IO/tls/key.pem"
io_started $SRV $PORT "$RUN" || exit 0
