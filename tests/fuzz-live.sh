#!/bin/sh
# fuzz-live.sh - `smtp-harness fuzz` against the reference server, checked:
#   - the clean server and every benign or lenient mode: no finding;
#   - each fault an oracle can see: found within a minute from the suite's
#     seeds, and its scenario fails on that fault (exit 1) and passes on the
#     clean server (exit 0), so the finding is the fault's;
#   - an exec: target (serve --stdio) is fuzzed the same way;
#   - usage errors exit 2, an unreachable target 3, summary.json is written.
# Usage: fuzz-live.sh BINARY [SMOKE_SECONDS]; exit 1 on the first failure.
set -eu
BIN=$1
SMOKE=${2:-20}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL fuzz-live: $*" >&2; exit 1; }

# The clean server for SMOKE seconds: no finding, many sessions.
rc=0
"$BIN" fuzz --target builtin --duration "$SMOKE" --seed 11 --out "$TMP/clean" 2>"$TMP/clean.err" || rc=$?
[ $rc -eq 0 ] || { cat "$TMP/clean.err" >&2; ls "$TMP/clean/findings" >&2; fail "clean builtin: exit $rc"; }
grep -q '"findings":\[\]' "$TMP/clean/summary.json" || fail "clean builtin: summary.json lists findings"
n=$(sed 's/.*"sessions":\([0-9]*\).*/\1/' "$TMP/clean/summary.json")
[ "$n" -gt 1000 ] || fail "clean builtin: only $n sessions in $SMOKE s"
echo "ok fuzz-live: clean builtin, $n sessions in $SMOKE s, no finding"

# Every benign or lenient mode: the fuzzer must not blame a legal server.
for m in $("$BIN" serve --list-faults | awk '/\((benign|lenient)\)/ { print $1 }'); do
	rc=0
	"$BIN" fuzz --target "builtin:$m" --max-sessions 800 --seed 12 --timeout 2 \
	    --out "$TMP/b-$m" 2>/dev/null || rc=$?
	[ $rc -eq 0 ] || fail "benign mode $m: exit $rc, $(ls "$TMP/b-$m/findings" | head -3)"
done
echo "ok fuzz-live: every benign and lenient mode, no finding"

# Faults an oracle sees: found, and the finding replays on them only.
found() { # TARGET-URL FAULT [ORACLE]
	url=$1 fault=$2 out="$TMP/f-$2"
	rc=0
	"$BIN" fuzz --target "$url" --duration 60 --max-findings 1 --seed 13 --timeout 1 \
	    --out "$out" 2>/dev/null || rc=$?
	[ $rc -eq 1 ] || fail "$fault: fuzz exit $rc, no finding within a minute"
	f=$(ls "$out"/findings/*.yaml | head -1)
	[ -n "$3" ] && case $(basename "$f") in "$3"-*) ;; *) fail "$fault: $(basename "$f"), not $3" ;; esac
	rc=0
	"$BIN" run --target "$url" --timeout 2 "$f" >"$out.run" 2>&1 || rc=$?
	[ $rc -eq 1 ] || { cat "$f" "$out.run" >&2; fail "$fault: the finding does not fail on replay (exit $rc)"; }
	rc=0
	"$BIN" run --target builtin --timeout 2 "$f" >"$out.clean" 2>&1 || rc=$?
	[ $rc -eq 0 ] || { cat "$f" "$out.clean" >&2; fail "$fault: the finding fails on the clean server too"; }
	echo "ok fuzz-live: $fault found ($(basename "$f")), replays"
}
found builtin:close-on-invalid close-on-invalid close
found builtin:unsolicited-reply unsolicited-reply extra-reply
found builtin:bare-lf-replies bare-lf-replies malformed
found builtin:mixed-code-multiline mixed-code-multiline malformed
found builtin:code-out-of-range code-out-of-range malformed
found builtin:lf-dot-lf lf-dot-lf ""
found builtin:any-newline-data any-newline-data ""
found builtin:data-answers-commands data-answers-commands ""
found builtin:quit-no-close quit-no-close no-close
found builtin:quit-needs-helo quit-needs-helo quit
found builtin:long-line-close long-line-close close
found builtin:bdat-error-no-discard bdat-error-no-discard ""
found builtin:greeting-extra-reply greeting-extra-reply extra-reply
found builtin:flood-421-talks-on flood-421-talks-on late-reply
found "exec:$BIN serve --stdio --faults close-on-invalid" exec-close-on-invalid close

# Usage and target errors.
rc=0; "$BIN" fuzz --duration abc 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "--duration abc: exit $rc, not 2"
rc=0; "$BIN" fuzz --nope 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "--nope: exit $rc, not 2"
rc=0; "$BIN" fuzz --target smtp://127.0.0.1:1 --duration 5 --out "$TMP/u" 2>"$TMP/u.err" || rc=$?
[ $rc -eq 3 ] || fail "unreachable target: exit $rc, not 3"
grep -q 'cannot be reached' "$TMP/u.err" || fail "unreachable target: no message"
echo "ok fuzz-live: usage errors exit 2, an unreachable target 3"
