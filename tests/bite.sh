#!/bin/sh
# bite.sh - prove that every scenario bites and every fault is caught.
#
# Usage: bite.sh BINARY [PATH...]        (PATH defaults to scenarios/)
#
# Runs the suite against the fault-free reference server (every scenario
# must pass) and then against each fault of `serve --list-faults` (each must
# fail at least one scenario).  Every scenario must be failed by at least one
# fault that is not GLOBAL.  Prints one "ok"/"FAIL" line per check, then the
# mapping: "scenario ID: FAULT ..." and "fault NAME: ID ...".  Also writes the
# mapping to $BITES (default build/bites.txt), one "ID FAULT" pair per line.
# Exit status 0 only if every check held.
set -u
BIN=${1:?usage: bite.sh path/to/smtp-harness [PATH...]}
shift
[ $# -eq 0 ] && set -- scenarios/
BITES=${BITES:-build/bites.txt}
JOBS=${BITE_JOBS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/smtph-bite.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# Faults that break the session for every scenario (the teardown's QUIT, the
# reply format, service withdrawn) prove little on their own.
GLOBAL="quit-250 quit-no-close bare-lf-replies tired-421 421-no-close greeting-421 silent mixed-code-multiline
	slow-greeting endless-line binary-reply reset-after-greeting endless-multiline random-bytes close-on-connect"
# Not faults at all but legal behaviour, for load tests: every scenario must
# still pass (a slow greeting is allowed, RFC 5321 4.5.3.2.1).
BENIGN="delayed-greeting"
# Deviations the catalogue marks lenient (the RFCs forbid them, real servers
# do them): every scenario passes, and at least one reports the deviation as
# a warning.
LENIENT="bare-lf-commands bare-cr-commands"
# Faults the probe already refuses: the target is unusable (exit 3).
UNREACHABLE="greeting-421 silent slow-greeting reset-after-greeting random-bytes close-on-connect"

failures=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { failures=$((failures + 1)); printf 'FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -n 30; }

ids() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(x["id"] for x in r["scenarios"] if x["status"] in sys.argv[2].split(",")))' "$@"; }

"$BIN" run "$@" -j 16 --report json:"$T/clean.json" >"$T/clean.txt" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "every scenario passes on the fault-free server"; else bad "clean run: exit $rc" "$(grep -A3 'FAIL\|ERROR' "$T/clean.txt" | head -n 30)"; fi
all=$(ids "$T/clean.json" pass,fail,error,skip,xfail,xpass)
notpass=$(ids "$T/clean.json" fail,error,skip,xfail,xpass)
[ -z "$notpass" ] || bad "not passing on the clean server: $notpass"

"$BIN" serve --list-faults >"$T/faults" 2>&1 || bad "serve --list-faults" "$(cat "$T/faults")"
cut -d' ' -f1 "$T/faults" >"$T/names"

# One run per fault, $JOBS at a time; each writes $T/f.FAULT.{json,txt,rc}.
export BIN T
xargs -P "$JOBS" -I{} sh -c '"$BIN" run "$@" --target "builtin:{}" --timeout 1 -j 16 \
	--report json:"$T/f.{}.json" >"$T/f.{}.txt" 2>&1; echo $? >"$T/f.{}.rc"' sh "$@" <"$T/names"

: >"$T/bites"
for f in $(cat "$T/names"); do
	rc=$(cat "$T/f.$f.rc" 2>/dev/null || echo none)
	case " $LENIENT " in
	*" $f "*)
		warned=$(python3 -c 'import json,sys; print(" ".join(x["id"] for x in json.load(open(sys.argv[1]))["scenarios"] if x["warnings"]))' "$T/f.$f.json" 2>/dev/null)
		if [ "$rc" = 0 ] && [ -n "$warned" ]; then ok "lenient $f passes, reported as a warning by: $warned"; else bad "lenient $f: exit $rc, warnings from: ${warned:-none}" "$(grep -A3 FAIL "$T/f.$f.txt" | head -n 12)"; fi
		continue ;;
	esac
	case " $BENIGN " in
	*" $f "*)
		if [ "$rc" = 0 ]; then ok "$f is legal behaviour: every scenario passes"; else bad "$f is legal, yet exit $rc" "$(grep -A3 FAIL "$T/f.$f.txt" | head -n 12)"; fi
		continue ;;
	esac
	case " $UNREACHABLE " in
	*" $f "*)
		if [ "$rc" = 3 ]; then ok "fault $f: target unusable (exit 3)"; else bad "fault $f: exit $rc, wanted 3" "$(tail -n 5 "$T/f.$f.txt")"; fi
		continue ;;
	esac
	failed=$(ids "$T/f.$f.json" fail,error 2>/dev/null)
	if [ "$rc" = 1 ] && [ -n "$failed" ]; then
		ok "fault $f is caught by $(echo $failed | wc -w) scenarios"
		for id in $failed; do printf '%s %s\n' "$id" "$f" >>"$T/bites"; done
	else
		bad "fault $f: exit $rc and no scenario failed" "$(tail -n 5 "$T/f.$f.txt")"
	fi
done

mkdir -p "$(dirname "$BITES")"
sort "$T/bites" >"$BITES"
for id in $all; do
	specific=""
	for f in $(awk -v id="$id" '$1 == id { print $2 }' "$BITES"); do
		case " $GLOBAL " in *" $f "*) ;; *) specific="$specific $f" ;; esac
	done
	if [ -n "$specific" ]; then ok "scenario $id bites on:$specific"; else bad "scenario $id is failed by no specific fault"; fi
done

n_s=$(echo $all | wc -w)
n_f=$(wc -l <"$T/names")
echo "bite: $n_s scenarios, $n_f faults, $failures problems (mapping in $BITES)"
[ "$failures" -eq 0 ]
