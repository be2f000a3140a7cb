#!/bin/sh
# afl2yaml.sh - AFL++'s crash and hang files (raw client byte streams, as a
# stdin SMTP server read them) as scenarios `smtp-harness run` replays.
#
#   fuzz/afl2yaml.sh [-c 'HEALTHY SERVER CMD'] OUTDIR FILE|DIR...
#
# A DIR is an AFL++ output folder (every */crashes/* and */hangs/* below
# it), or a folder of files.  Each FILE becomes OUTDIR/afl-KIND-HASH.yaml:
# opening none, the greeting, the file's bytes in one send_raw step (the
# escapes of send_raw: \r \n \t \0 \xHH \\ \$, single-quoted), then one
# `expect: xxx` per reply a healthy server gives to those bytes, counted by
# running the file through `HEALTHY SERVER CMD` on stdin (default: the
# reference server, `smtp-harness serve --stdio`; $SMTPH names the binary).
# A server that dies, hangs or closes on the bytes fails the scenario (RF-01,
# TM-03); one that answers them all passes.  Replay:
#
#   smtp-harness run --target "exec:/usr/sbin/exim4 -bs" OUTDIR
#
# The reply count is the healthy server's: a target that frames the bytes
# otherwise (no CHUNKING, no AUTH, an error limit) can differ from it; edit
# the repeat then.  Bytes not ending in an answered QUIT leave the session
# open, and the engine's teardown QUIT then meets whatever state it is in.
set -eu

usage() {
	echo "usage: afl2yaml.sh [-c 'HEALTHY SERVER CMD'] OUTDIR FILE|DIR..." >&2
	exit 2
}

ref="${SMTPH:-smtp-harness} serve --stdio"
while getopts c: o; do
	case $o in
	c) ref=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
out=$1
shift
mkdir -p "$out"

# The bytes of $1 as a single-quoted YAML scalar with send_raw's escapes.
yaml_raw() {
	od -An -v -tu1 "$1" | tr -s ' \n' '\n\n' | awk '
	BEGIN { printf "\047" }
	NF == 0 { next }
	{
		c = $1 + 0
		if (c == 13) printf "\\r"
		else if (c == 10) printf "\\n"
		else if (c == 9) printf "\\t"
		else if (c == 0) printf "\\0"
		else if (c == 92) printf "\\\\"
		else if (c == 36) printf "\\$"
		else if (c == 39) printf "\047\047"
		else if (c >= 32 && c < 127) printf "%c", c
		else printf "\\x%02X", c
	}
	END { printf "\047" }'
}

# The replies (their final lines) a healthy server gives to the file.
count_replies() {
	timeout 10 sh -c "$ref" <"$1" 2>/dev/null | tr -d '\r' |
	    grep -c -E '^[0-9]{3}( |$)' || true
}

one() {
	f=$1
	case $f in */README.txt) return 0 ;; esac
	[ -f "$f" ] || return 0
	case $f in
	*/hangs/*) kind=hang ;;
	*/crashes/*) kind=crash ;;
	*) kind=input ;;
	esac
	hash=$(cksum <"$f" | awk '{ printf "%08x", $1 }')
	name=afl-$kind-$hash
	size=$(wc -c <"$f" | tr -d ' ')
	n=$(count_replies "$f")
	yaml=$out/$name.yaml
	{
		printf '# From AFL++: %s (%s bytes)\n' "$f" "$size"
		printf '# The bytes go in one write after the greeting, as afl-fuzz gave them on\n'
		printf '# stdin.  %s answered them with %s replies (the greeting\n' "$ref" "$n"
		printf '# included), which the steps expect with any code: a server that dies,\n'
		printf '# hangs or closes on them fails here (fuzz/afl2yaml.sh).\n'
		printf '# replay: smtp-harness run --target URL %s\n' "$yaml"
		printf 'id: %s\n' "$name"
		printf "title: 'AFL++ %s input %s: every reply comes, no close'\n" "$kind" "$hash"
		printf 'level: must\n'
		printf 'refs: [RFC 5321 4.2, RF-01]\n'
		printf 'tags: [fuzz, afl]\n'
		printf 'opening: none\n'
		printf 'rules:\n'
		printf '  - id: RF-01\n'
		printf '    ref: RFC 5321 4.2\n'
		printf "    quote: 'Every command MUST generate exactly one reply.'\n"
		printf 'steps:\n'
		printf '  - expect: 220\n'
		printf '  - send_raw: %s\n' "$(yaml_raw "$f")"
		if [ "$n" -gt 1 ]; then
			printf '  - expect: xxx\n'
			printf '    rule: RF-01\n'
			[ "$n" -gt 2 ] && printf '    repeat: %s\n' $((n - 1))
		fi
	} >"$yaml"
	echo "$yaml"
}

for a in "$@"; do
	if [ -d "$a" ]; then
		list=$(find "$a" -type f \( -path '*/crashes/*' -o -path '*/hangs/*' \) | LC_ALL=C sort)
		[ -n "$list" ] || list=$(find "$a" -maxdepth 1 -type f | LC_ALL=C sort)
		echo "$list" | while IFS= read -r f; do
			[ -z "$f" ] || one "$f"
		done
	else
		one "$a"
	fi
done
