#!/bin/sh
# The isolation test of `make interop`: no server started by the interop
# scripts can send a packet beyond loopback, DNS included.  Checked from
# the kernel's side, without sending anything:
#   1. the namespace smtph-interop has one interface, lo, and every route
#      in every table goes through lo: a packet to any other address has
#      nowhere to go (the connect fails with "network unreachable");
#   2. every running server process (each pid file under
#      build/interop/run) is in that network namespace, and sees
#      /etc/resolv.conf naming 127.0.0.1 only, and /etc/hosts naming the
#      machine;
#   3. every listening socket in the namespace is bound to 127.0.0.1 (or
#      ::1), and none of the servers' ports listens outside it.
# Prints one "ok"/"not ok" line per check; exits 1 if any failed.
IO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$IO_ROOT/harness/interop/lib.sh"
set +e
fails=0
ok() { echo "ok   isolation: $*"; }
bad() { echo "not ok isolation: $*"; fails=$((fails + 1)); }

if [ ! -e "$IO_NSFILE" ]; then
	bad "namespace $IO_NS does not exist"
	exit 1
fi
links=$(ip netns exec "$IO_NS" ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
if [ "$links" = "lo " ]; then
	ok "namespace $IO_NS has only the interface lo"
else
	bad "namespace $IO_NS has interfaces: $links"
fi
routes=$( { ip netns exec "$IO_NS" ip -4 route show table all;
	ip netns exec "$IO_NS" ip -6 route show table all; } 2>/dev/null)
if [ -n "$routes" ] && ! echo "$routes" | grep -v ' dev lo ' | grep -q .; then
	ok "every route of $IO_NS goes through lo ($(echo "$routes" | wc -l) routes)"
else
	bad "routes not through lo: $(echo "$routes" | grep -v ' dev lo ' | tr '\n' ';')"
fi
if echo "$routes" | grep -q '^default'; then
	bad "a default route exists in $IO_NS"
fi

n=0
seen=" "
for pf in $(find "$IO/run" -name '*.pid' 2>/dev/null | sort); do
	pid=$(head -n 1 "$pf" | tr -dc 0-9)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
	case $seen in *" $pid "*) continue ;; esac
	seen="$seen$pid "
	n=$((n + 1))
	name=${pf#"$IO/run/"}
	name=${name%%/*}
	where=$(ip netns identify "$pid" 2>/dev/null)
	if [ "$where" = "$IO_NS" ]; then
		ok "$name (pid $pid) runs in $IO_NS"
	else
		bad "$name (pid $pid) runs in network namespace '${where:-the host}'"
	fi
	rc=$(nsenter --target "$pid" --mount cat /etc/resolv.conf 2>/dev/null | grep '^nameserver' | tr '\n' ' ')
	if [ "$rc" = "nameserver 127.0.0.1 " ]; then
		ok "$name (pid $pid) resolves through 127.0.0.1 only"
	else
		bad "$name (pid $pid) resolv.conf: $rc"
	fi
	if nsenter --target "$pid" --mount grep -q "$IO_HOST" /etc/hosts 2>/dev/null; then
		ok "$name (pid $pid) finds its own name in /etc/hosts"
	else
		bad "$name (pid $pid) has no $IO_HOST in /etc/hosts"
	fi
done
[ "$n" -gt 0 ] || echo "#    isolation: no server process is running (none could start?)"

wild=$(ip netns exec "$IO_NS" ss -Hltn | awk '{print $4}' | grep -v -E '^(127\.0\.0\.1|\[::1\]|\[::ffff:127\.0\.0\.1\]):' | tr '\n' ' ')
if [ -z "$wild" ]; then
	ok "every listening socket in $IO_NS is on loopback"
else
	bad "sockets listening beyond 127.0.0.1: $wild"
fi
outside=$(ss -Hltn | awk '{print $4}' | grep -E ':(260[1-9]|2610)$' | tr '\n' ' ')
if [ -z "$outside" ]; then
	ok "no interop port (2601-2610) listens outside $IO_NS"
else
	bad "interop ports listening in the host namespace: $outside"
fi
[ "$fails" -eq 0 ]
