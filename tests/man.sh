#!/bin/sh
# man.sh - the man pages stay clean and true.
#   - mandoc -Tlint finds nothing in either page (but the other page not
#     being installed yet), and man -l renders both;
#   - every subcommand and every option of harness/options.c's table is in
#     smtp-harness.1, with the four exit statuses of run and of fuzz;
#   - every key the loader accepts (src/loader.c's key tables) is in
#     smtp-harness-scenarios.5;
#   - given the binary, the example scenario of smtp-harness-scenarios.5
#     lints and passes against builtin, and each subcommand's synopsis in
#     --help names every option the table gives that subcommand.
# Usage: man.sh [BINARY]; prints "ok ..." lines, exit 1 on the first failure.
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-}
M1=docs/man/smtp-harness.1
M5=docs/man/smtp-harness-scenarios.5
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL man: $*" >&2; exit 1; }

for m in $M1 $M5; do
	mandoc -Tlint "$m" 2>&1 | grep -v 'referenced manual not found: Xr smtp-harness' >"$TMP/lint" || true
	[ ! -s "$TMP/lint" ] || { cat "$TMP/lint" >&2; fail "mandoc -Tlint $m"; }
	MANWIDTH=80 man -l "$m" >"$TMP/out" 2>"$TMP/err" || fail "man -l $m: $(cat "$TMP/err")"
	[ -s "$TMP/out" ] && [ ! -s "$TMP/err" ] || fail "man -l $m rendered nothing or warned"
done
echo "ok man: mandoc -Tlint clean, man -l renders ($M1, $M5)"

# The option table: rows '{ "--name", "-x" or NULL, ...'.
sed -n '/^static const struct opt_row opt_table/,/^};/p' harness/options.c |
	sed -n 's/^[[:space:]]*{ "\(--[a-z-]*\)",[[:space:]]*\("-[a-z]"\|NULL\).*/\1 \2/p' >"$TMP/opts"
[ "$(wc -l <"$TMP/opts")" -gt 20 ] || fail "could not read the option table of harness/options.c"
n=0
while read -r long short; do
	grep -q "Fl ${long#-}\( \|\$\)" $M1 || fail "$M1 lacks option $long (harness/options.c)"
	if [ "$short" != NULL ]; then
		s=$(echo "$short" | tr -d '"-')
		grep -q "Fl $s\( \|\$\)" $M1 || fail "$M1 lacks option -$s (harness/options.c)"
	fi
	n=$((n + 1))
done <"$TMP/opts"
for c in run lint list serve fuzz; do
	grep -q "^\.Cm $c" $M1 || fail "$M1 lacks the subcommand $c"
done
# EXIT STATUS: '.Cm run :' and '.Cm fuzz :', each followed by a list .It 0 to .It 3.
for c in run fuzz; do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh/p' $M1 |
		sed -n "/^\.Cm $c :\$/,/^\.El/p" >"$TMP/exit"
	for x in 0 1 2 3; do
		grep -q "^\.It $x\$" "$TMP/exit" || fail "$M1 lacks exit status $x of $c"
	done
done
echo "ok man: $M1 names the $n options of harness/options.c, 5 subcommands, exit statuses 0-3 of run and fuzz"

# The loader's key tables: 'static const char *const NAME[] = { "k", ... NULL };'
# (the grammar's in loader.c, requires' in loader_lint.c).
awk '/static const char \*const [a-z_]*\[\] = \{/ { p = 1 } p { print } /\};/ { p = 0 }' src/loader.c src/loader_lint.c |
	grep -o '"[a-z_][a-z_]*"' | tr -d '"' | sort -u >"$TMP/keys"
[ "$(wc -l <"$TMP/keys")" -gt 20 ] || fail "could not read the key tables of src/loader.c and src/loader_lint.c"
while read -r k; do
	grep -Eq "(Ic|Cm) $k( |\$)|\\{$k:" $M5 || fail "$M5 lacks the key '$k' (src/loader.c, src/loader_lint.c)"
done <"$TMP/keys"
echo "ok man: $M5 names the $(wc -l <"$TMP/keys") keys and values of src/loader.c and src/loader_lint.c"

if [ -n "$BIN" ]; then
	mandoc -Tascii $M5 | col -bx | sed -n '/^EXAMPLES/,/^SEE ALSO/p' |
		awk '/^ +id:/ { p = 1 } p && /^ *$/ { exit } p' | sed 's/^       //' >"$TMP/example.yaml"
	"$BIN" lint "$TMP/example.yaml" >/dev/null || fail "the example of $M5 does not lint"
	"$BIN" run "$TMP/example.yaml" >"$TMP/run" || { cat "$TMP/run" >&2; fail "the example of $M5 does not pass against builtin"; }
	echo "ok man: the example scenario of $M5 lints and passes against builtin"
fi
if [ -n "$BIN" ]; then
	# --help's synopsis lines, each with its subcommand first (the word
	# after "smtp-harness", kept over the continuation lines).
	"$BIN" --help | awk '/^$/ { exit }
		match($0, /smtp-harness [a-z]+/) { c = substr($0, RSTART + 13, RLENGTH - 13) }
		{ print c, $0 }' >"$TMP/help"
	sed -n '/^static const struct opt_row opt_table/,/^};/p' harness/options.c |
		sed -n 's/^[[:space:]]*{ "\(--[a-z-]*\)",[[:space:]]*\("-[a-z]"\|NULL\),[[:space:]]*\([A-Z |]*\),.*/\1 \2 \3/p' |
		tr -d '"' >"$TMP/optcmds"
	[ "$(wc -l <"$TMP/optcmds")" -gt 20 ] || fail "could not read the option table of harness/options.c"
	while read -r long short cmds; do
		names=$long
		[ "$short" = NULL ] || names="$long|$short"
		for c in $(echo "$cmds" | tr -d '|' | tr 'A-Z' 'a-z'); do
			grep "^$c " "$TMP/help" | grep -Eq -- "[[ ]($names)([] =]|\$)" ||
				fail "--help: the synopsis of $c lacks $long (harness/options.c)"
		done
	done <"$TMP/optcmds"
	echo "ok man: --help's synopsis of each subcommand names its options of harness/options.c"
fi
