#!/bin/sh
# afl2yaml.sh - AFL++'s crash and hang files (raw client byte streams, as a
# stdin SMTP server read them) as scenarios `smtp-harness run` replays.
#
#   fuzz/afl2yaml.sh OUTDIR FILE|DIR...
#
# A wrapper of `smtp-harness fuzz --afl-to-yaml --out OUTDIR FILE|DIR...`
# ($SMTPH names the binary; docs/fuzzing.md).  A DIR is an AFL++ output
# folder (every */crashes/* and */hangs/* below it), or a folder of files.
# Each FILE becomes OUTDIR/afl-KIND-HASH.yaml: opening none, the greeting,
# the file's bytes in one send_raw step, then one `expect: xxx` per reply
# the framing model (src/fz_frame.c) says a healthy server owes for them
# (no server is run), then a drain.  A server that dies, hangs or closes on
# the bytes fails the scenario (RF-01); one that answers them passes.
# Replay:
#
#   smtp-harness run --target "exec:/usr/sbin/exim4 -bs" OUTDIR
#
# -c CMD (the healthy server that used to count the replies) is accepted
# for old scripts and ignored.
set -eu

usage() {
	echo "usage: afl2yaml.sh OUTDIR FILE|DIR..." >&2
	exit 2
}

while getopts c: o; do
	case $o in
	c) echo "afl2yaml.sh: -c is not needed any more: the framing model counts the replies" >&2 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
out=$1
shift
exec "${SMTPH:-smtp-harness}" fuzz --afl-to-yaml --out "$out" "$@"
