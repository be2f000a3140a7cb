#!/bin/sh
# completion.sh - the shell completions, checked.
#   - bash: harness/completion/smtp-harness.bash sourced in bash -c, the
#     function called with COMP_LINE/COMP_POINT and COMP_WORDS/COMP_CWORD as
#     bash sets them (cut at ':' and '='), for the subcommands, options,
#     fault names, report formats and paths (fuzz: --seeds and --out, no
#     PATH argument); and with COMP_WORDS alone;
#   - both bash and zsh name every option of harness/options.c's table for
#     each subcommand that takes it (zsh: in that subcommand's CMD_opts
#     array); zsh -n when zsh is there.
# Usage: completion.sh BINARY; prints "ok ..." lines, exit 1 on a failure.
set -eu
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.."
BASHC=harness/completion/smtp-harness.bash
ZSHC=harness/completion/_smtp-harness
fail() { echo "FAIL completion: $*" >&2; exit 1; }

# complete LINE [WORDS...]: the candidates for LINE (cursor at its end),
# one a line, sorted.  WORDS are COMP_WORDS as bash cuts them; none: no
# COMP_LINE, COMP_WORDS the words of LINE.
complete_line() {
	line=$1
	shift
	bash -c '
		. "$1"
		line=$2; bin=$3; shift 3
		if [ $# -gt 0 ]; then
			COMP_LINE="$bin ${line#* }" COMP_POINT=${#COMP_LINE}
			COMP_WORDS=("$bin" "$@")
		else
			read -ra COMP_WORDS <<<"$line"; COMP_WORDS[0]=$bin
			[[ $line == *" " ]] && COMP_WORDS+=("")
		fi
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_smtp_harness
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' \
		sh "$BASHC" "$line" "$BIN" "$@"
}

expect_eq() { # what got want
	[ "$2" = "$3" ] || fail "$1: got [$(echo "$2" | tr '\n' ' ')], want [$(echo "$3" | tr '\n' ' ')]"
}

got=$(complete_line "smtp-harness " "")
expect_eq "subcommands" "$got" "$(printf '%s\n' --help --version fuzz lint list run serve)"
cmds=$(sed -n 's/^[[:space:]]*{ OPT_[A-Z]*, "\([a-z]*\)", [01] },$/\1/p' harness/options.c | LC_ALL=C sort)
[ "$(echo "$cmds" | wc -l)" -ge 5 ] || fail "could not read the subcommands of harness/options.c"
expect_eq "subcommands of harness/options.c (bash)" "$(echo "$got" | grep -v '^-')" "$cmds"
for c in $cmds; do
	grep -q "[( ]$c\\\\:\"" $ZSHC || fail "zsh: $ZSHC does not offer the subcommand $c"
	grep -q "^ *$c) _arguments" $ZSHC || fail "zsh: $ZSHC completes nothing after $c"
done
got=$(complete_line "smtp-harness f" f)
expect_eq "f" "$got" "fuzz"
got=$(complete_line "smtp-harness run --rep" run --rep)
expect_eq "run --rep" "$got" "$(printf '%s\n' --repeat --report)"
got=$(complete_line "smtp-harness run --repo")
expect_eq "run --repo" "$got" "--report"
got=$(complete_line "smtp-harness serve --f" serve --f)
expect_eq "serve --f" "$got" "--faults"
got=$(complete_line "smtp-harness lint --")
expect_eq "lint --" "$got" ""
got=$(complete_line "smtp-harness fuzz --se" fuzz --se)
expect_eq "fuzz --se" "$got" "$(printf '%s\n' --seed --seeds)"
got=$(complete_line "smtp-harness fuzz --max-" fuzz --max-)
expect_eq "fuzz --max-" "$got" "$(printf '%s\n' --max-findings --max-reply-line --max-reply-lines --max-sessions)"

faults=$("$BIN" serve --list-faults | awk '$1 ~ /^clo/ { print $1 }' | LC_ALL=C sort)
[ -n "$faults" ] || fail "no fault starts with clo"
got=$(complete_line "smtp-harness run --target builtin:clo" run --target builtin : clo)
expect_eq "--target builtin:clo (bash's words)" "$got" "$faults"
got=$(complete_line "smtp-harness run --target builtin:clo")
expect_eq "--target builtin:clo (COMP_WORDS alone)" "$got" "$(echo "$faults" | sed 's/^/builtin:/')"
got=$(complete_line "smtp-harness run --target builtins:lf-dot-lf,quit-" run --target builtins : lf-dot-lf,quit-)
want=$("$BIN" serve --list-faults | awk '$1 ~ /^quit-/ { print "lf-dot-lf," $1 }' | LC_ALL=C sort)
expect_eq "--target builtins:F,quit-" "$got" "$want"
got=$(complete_line "smtp-harness serve --faults tls-handshake-" serve --faults tls-handshake-)
expect_eq "serve --faults" "$got" "$(printf '%s\n' tls-handshake-drop tls-handshake-garbage)"
got=$(complete_line "smtp-harness run --target sm" run --target sm)
expect_eq "--target sm" "$got" "$(printf '%s\n' smtp:// smtps://)"
got=$(complete_line "smtp-harness fuzz --target builtin:clo" fuzz --target builtin : clo)
expect_eq "fuzz --target builtin:clo" "$got" "$faults"
got=$(complete_line "smtp-harness fuzz -j 4 --target=sm" fuzz -j 4 --target = sm)
expect_eq "fuzz --target=sm" "$got" "$(printf '%s\n' smtp:// smtps://)"
echo "ok completion: bash completes subcommands, options, fault names after builtin: and in lists"

got=$(complete_line "smtp-harness run --report j" run --report j)
expect_eq "--report j" "$got" "$(printf '%s\n' json: junit:)"
got=$(complete_line "smtp-harness run --report=js" run --report = js)
expect_eq "--report=js" "$got" "json:"
got=$(complete_line "smtp-harness run --report html:READ" run --report html : READ)
expect_eq "--report html:READ" "$got" "README.md"
formats=$("$BIN" --help | sed -n 's/^FORMAT: \([a-z, ]*\);.*/\1/p' | tr -d ,)
[ -n "$formats" ] || fail "no FORMAT line in --help"
grep -q "^_smtp_harness_formats='$formats'\$" $BASHC || fail "$BASHC formats differ from --help's: $formats"
got=$(complete_line "smtp-harness run --level must,s" run --level must,s)
expect_eq "--level must,s" "$got" "must,should"
got=$(complete_line "smtp-harness run scenarios/rfc5321/da" run scenarios/rfc5321/da)
expect_eq "run PATH" "$got" "scenarios/rfc5321/data"
got=$(complete_line "smtp-harness lint scenarios/rfc5321/data/lf-dot-lf-n" lint scenarios/rfc5321/data/lf-dot-lf-n)
expect_eq "lint PATH" "$got" "scenarios/rfc5321/data/lf-dot-lf-not-end-of-data.yaml"
got=$(complete_line "smtp-harness fuzz --seeds scenarios/rfc5321/da" fuzz --seeds scenarios/rfc5321/da)
expect_eq "fuzz --seeds PATH" "$got" "scenarios/rfc5321/data"
got=$(complete_line "smtp-harness fuzz --seeds=scenarios/rfc5321/data/lf-dot-lf-n" fuzz --seeds = scenarios/rfc5321/data/lf-dot-lf-n)
expect_eq "fuzz --seeds=FILE" "$got" "scenarios/rfc5321/data/lf-dot-lf-not-end-of-data.yaml"
got=$(complete_line "smtp-harness fuzz --out scenarios/rfc5321/d" fuzz --out scenarios/rfc5321/d)
want=$(cd scenarios/rfc5321 && for d in d*/; do [ -d "$d" ] && echo "scenarios/rfc5321/${d%/}"; done | LC_ALL=C sort)
expect_eq "fuzz --out DIR" "$got" "$want"
got=$(complete_line "smtp-harness fuzz scenarios/rfc5321/da" fuzz scenarios/rfc5321/da)
expect_eq "fuzz PATH (none taken)" "$got" ""
echo "ok completion: bash completes report formats (those of --help), files after FORMAT:, levels, scenario paths, fuzz --seeds and --out"

# Every option of the table, for each subcommand that takes it.
sed -n '/^static const struct opt_row opt_table/,/^};/p' harness/options.c |
	sed -n 's/^[[:space:]]*{ "\(--[a-z-]*\)",[[:space:]]*\("-[a-z]"\|NULL\),[[:space:]]*\([A-Z |]*\),.*/\1 \2 \3/p' |
	while read -r long short cmds; do
		short=$(echo "$short" | tr -d '"')
		for c in $(echo "$cmds" | tr -d '|' | tr 'A-Z' 'a-z'); do
			for o in $long $short; do
				[ "$o" = NULL ] && continue
				got=$(complete_line "smtp-harness $c $o" "$c" "$o")
				echo "$got" | grep -qx -- "$o" || fail "bash: $c lacks option $o (harness/options.c)"
				sed -n "/^  ${c}_opts=(\$/,/^  )\$/p" $ZSHC | grep -Eq -- "['{,*)]$o[]=+[,}]" ||
					fail "zsh: $ZSHC lacks option $o of $c (harness/options.c)"
			done
		done
		echo "$long"
	done >"${TMPDIR:-/tmp}/completion-opts.$$"
n=$(wc -l <"${TMPDIR:-/tmp}/completion-opts.$$")
rm -f "${TMPDIR:-/tmp}/completion-opts.$$"
[ "$n" -gt 20 ] || fail "read only $n options from harness/options.c"
if command -v zsh >/dev/null 2>&1; then
	zsh -n $ZSHC || fail "zsh -n $ZSHC"
	zchk="zsh -n"
else
	zchk="zsh not installed: not parsed"
fi
echo "ok completion: bash and zsh name the $n options of harness/options.c per subcommand ($zchk)"
