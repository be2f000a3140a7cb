# lib.sh - shared by the interop start/stop scripts (sourced, POSIX sh).
#
# Every server runs inside one private network namespace, "smtph-interop"
# (a file under /run/netns made by `ip netns add`), that holds nothing but
# the loopback interface and no route: no server can send a single packet,
# DNS included, beyond 127.0.0.1, whatever its configuration says.  Each
# daemon also gets a private mount namespace (unshare --mount) in which
# /etc/resolv.conf names 127.0.0.1 (nothing listens there: lookups fail at
# once instead of stalling, as Sendmail and Exim would) and /etc/hosts names
# this machine, so a daemon that looks up its own name finds it.  The
# harness runs in the same namespaces (ns_run), so exec: targets do too.
#
# Layout (all under build/, git-ignored):
#   build/interop/pkg/NAME   packages unpacked with dpkg -x (install.sh)
#   build/interop/npm        the npm packages (install.sh)
#   build/interop/run/SRV    one server's configuration, queue, log, pid
#   build/interop/ns         resolv.conf and hosts for the namespace
#   build/interop/tls        the STARTTLS test certificate, made at run time
#   build/interop/status/SRV "unavailable: why" when a server cannot run

set -eu

: "${IO_ROOT:?set IO_ROOT to the project root before sourcing lib.sh}"
IO=${IO_DIR:-$IO_ROOT/build/interop}
# INTEROP_NS names another namespace (e.g. for a run beside another
# worktree's: run.sh ends every process left in its namespace).
IO_NS=${INTEROP_NS:-smtph-interop}
IO_NSFILE=/run/netns/$IO_NS
IO_HOST=mx.interop.test

io_log() { echo "interop: $*" >&2; }

# Create the namespace once (idempotent) and bring its loopback up.
ns_setup() {
	mkdir -p "$IO/ns" "$IO/status"
	if [ ! -e "$IO_NSFILE" ]; then
		ip netns add "$IO_NS"
	fi
	ip netns exec "$IO_NS" ip link set lo up
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$IO/ns/resolv.conf"
	h=$(hostname)
	printf '127.0.0.1\tlocalhost %s %s\n::1\tlocalhost ip6-localhost\n' \
	    "$IO_HOST" "$h" > "$IO/ns/hosts"
}

# Run a command inside the namespace with the private resolv.conf and hosts,
# and the extra bind mounts listed in IO_BINDS ("SRC:DST SRC:DST", for
# daemons with compiled-in paths).  The mount namespace lives as long as a
# process in it does, so a daemon that forks into the background keeps it.
# Every step execs the next, so the command keeps the pid of the caller.
NS_SCRIPT='
io=$1; shift
mount --bind "$io/ns/resolv.conf" /etc/resolv.conf || exit 120
mount --bind "$io/ns/hosts" /etc/hosts || exit 120
for b in $IO_BINDS; do
	mount --bind "${b%%:*}" "${b#*:}" || exit 120
done
exec "$@"'
ns_run() {
	nsenter --net="$IO_NSFILE" unshare --mount --propagation private \
	    sh -c "$NS_SCRIPT" ns_run "$IO" "$@"
}

# ns_run in the background, detached from the caller's session: the pid of
# the command itself goes to file $1, its output to file $2.
ns_spawn() {
	pidf=$1
	logf=$2
	shift 2
	(exec setsid nsenter --net="$IO_NSFILE" unshare --mount \
	    --propagation private sh -c "$NS_SCRIPT" ns_run "$IO" "$@" \
	    </dev/null >"$logf" 2>&1) &
	echo $! > "$pidf"
}

# Is something listening on 127.0.0.1:PORT inside the namespace?  Asks the
# kernel (ss), so no connection is made.
ns_listening() {
	nsenter --net="$IO_NSFILE" ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# Wait (at most $2 seconds, default 30) for the port to listen.
ns_wait_port() {
	n=0
	lim=$((${2:-30} * 5))
	while ! ns_listening "$1"; do
		n=$((n + 1))
		[ "$n" -ge "$lim" ] && return 1
		sleep 0.2
	done
	return 0
}

# The STARTTLS certificate: self-signed, made once per build tree at run
# time, never committed.
io_cert() {
	mkdir -p "$IO/tls"
	if [ ! -s "$IO/tls/cert.pem" ] || [ ! -s "$IO/tls/key.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
		    -subj "/CN=$IO_HOST" -keyout "$IO/tls/key.pem" \
		    -out "$IO/tls/cert.pem" >/dev/null 2>&1
		chmod 644 "$IO/tls/cert.pem" "$IO/tls/key.pem"
	fi
}

# Is the pid in file $1 alive?
io_alive() {
	[ -s "$1" ] && kill -0 "$(head -n 1 "$1" | tr -dc 0-9)" 2>/dev/null
}

# Stop the process whose pid is in file $1: TERM, up to 10 s, then KILL.
# Never by name.
io_stop_pid() {
	[ -s "$1" ] || return 0
	pid=$(head -n 1 "$1" | tr -dc 0-9)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		n=0
		while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 50 ]; do
			sleep 0.2
			n=$((n + 1))
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$1"
}

# After the stop scripts every process the servers started must be gone:
# io_end_left_over PREFIX [OK-LINE] lists each process left in the
# namespace under "PREFIX processes left in NS after the stop scripts:"
# and ends it by its pid (TERM), then returns 1; with none left it prints
# OK-LINE, if given, and returns 0 (also when there is no namespace).
io_end_left_over() {
	[ -e "$IO_NSFILE" ] || return 0
	left=$(ip netns pids "$IO_NS" 2>/dev/null | tr '\n' ' ')
	if [ -z "$left" ]; then
		[ -z "${2:-}" ] || echo "$2"
		return 0
	fi
	echo "$1 processes left in $IO_NS after the stop scripts:"
	for p in $left; do
		echo "    $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-100)"
	done
	for p in $left; do kill -TERM "$p" 2>/dev/null; done
	return 1
}

# Record that server $1 cannot run here, and why (with what install.sh
# recorded about it, if anything); start scripts exit 0 after it so
# `make interop` reports the server instead of dying.
io_unavailable() {
	mkdir -p "$IO/status"
	why=$2
	if [ -s "$IO/status/$1.install" ]; then
		why="$why; install.sh: $(cat "$IO/status/$1.install")"
	fi
	echo "unavailable: $why" > "$IO/status/$1"
	io_log "$1 unavailable: $why"
}

# What install.sh could not do for server $1 (kept for io_unavailable).
io_install_failed() {
	mkdir -p "$IO/status"
	echo "$2" > "$IO/status/$1.install"
	io_log "$1: $2"
}

io_available() {
	mkdir -p "$IO/status"
	echo "available" > "$IO/status/$1"
}

# A start script's two ends, for a daemon on 127.0.0.1:$2 whose pid file
# and log live in $3 ($IO/run/$1).
# io_up SRV PORT RUN: already running and listening?  Then the target is
# recorded and the script may exit 0.
io_up() {
	io_alive "$3/server.pid" && ns_listening "$2" || return 1
	echo "smtp://127.0.0.1:$2" > "$3/target"
	io_available "$1"
}

# io_started SRV PORT RUN [SECONDS]: after ns_spawn, wait for the port
# (default 30 s); record the target, or why the server is unavailable
# (and stop it, by pid).  0 if it listens.
io_started() {
	if ! ns_wait_port "$2" "${4:-30}"; then
		io_unavailable "$1" "not listening on 127.0.0.1:$2 after ${4:-30} s: $(tail -n 3 "$3/server.log" | tr '\n' ' ')"
		io_stop_pid "$3/server.pid"
		return 1
	fi
	echo "smtp://127.0.0.1:$2" > "$3/target"
	io_available "$1"
	io_log "$1 listening on 127.0.0.1:$2 (pid $(cat "$3/server.pid"))"
}
