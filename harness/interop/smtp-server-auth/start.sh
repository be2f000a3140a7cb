#!/bin/sh
# Start Node's smtp-server (npm, in build/interop/npm) with its defaults
# (server.js beside this script: AUTH required, only inside TLS) on
# 127.0.0.1:2609.  Also started by smtp-server-auth-creds/start.sh with
# IO_TARGET=smtp-server-auth-creds IO_PORT=2610: the same server, another profile.
# Idempotent.
IO_ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
SRV=${IO_TARGET:-smtp-server-auth}
PORT=${IO_PORT:-2609}
RUN=$IO/run/$SRV

if ! command -v node >/dev/null || [ ! -d "$IO/npm/node_modules/smtp-server" ]; then
	io_unavailable $SRV "node or the npm package smtp-server is missing (harness/interop/install.sh installs it)"
	exit 0
fi
ns_setup
if io_alive "$RUN/server.pid" && ns_listening $PORT; then
	echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
	io_available $SRV
	exit 0
fi
io_cert
mkdir -p "$RUN"
NODE_PATH=$IO/npm/node_modules ns_spawn "$RUN/server.pid" "$RUN/server.log" \
    node "$IO_ROOT/harness/interop/smtp-server-auth/server.js" $PORT "$IO/tls/cert.pem" "$IO/tls/key.pem"
if ! ns_wait_port $PORT 30; then
	io_unavailable $SRV "not listening on 127.0.0.1:$PORT after 30 s: $(tail -n 3 "$RUN/server.log" | tr '\n' ' ')"
	io_stop_pid "$RUN/server.pid"
	exit 0
fi
echo "smtp://127.0.0.1:$PORT" > "$RUN/target"
io_available $SRV
io_log "$SRV listening on 127.0.0.1:$PORT (pid $(cat "$RUN/server.pid"))"
