# bash completion for smtp-harness(1).  Installed by `make install` as
# PREFIX/share/bash-completion/completions/smtp-harness (loaded on demand
# by bash-completion); or source it.  It completes the subcommands, each
# one's options (harness/options.c's table: tests/completion.sh keeps the
# two equal), scenario paths (folders and *.yaml, also after fuzz --seeds),
# folders after fuzz --out, the faults of --target builtin: and serve
# --faults (from `smtp-harness serve --list-faults`), report formats, TLS
# versions and levels.

_smtp_harness_opts_run='--target --profile --var --tags --skip-tags --level -j --jobs
	--timeout --run-timeout --scenario-timeout --max-reply-line --max-reply-lines
	--max-transcript --repeat --report --baseline --tls-verify --tls-ca
	--tls-servername --tls-cert --tls-key --tls-min --tls-max --oracle --oracle-wait
	--oracle-settle -v --verbose'
_smtp_harness_opts_lint=''
_smtp_harness_opts_list='--tags --coverage --catalogue --gaps'
_smtp_harness_opts_serve='--listen --tls-listen --faults --stdio --tls --list-faults'
_smtp_harness_opts_fuzz='--target --seeds --tags --skip-tags --profile --var -j --jobs
	--timeout --duration --max-sessions --max-findings --out --seed --no-minimize --no-coverage --launch --afl-to-yaml
	--max-reply-line --max-reply-lines --tls-verify --tls-ca --tls-servername
	--tls-cert --tls-key --tls-min --tls-max'
_smtp_harness_formats='text json junit tap html'

# The fault names, first column of --list-faults of the binary being
# completed ($1), else of the one on PATH.
_smtp_harness_faults()
{
	local bin=$1
	command -v -- "$bin" >/dev/null 2>&1 || bin=smtp-harness
	"$bin" serve --list-faults 2>/dev/null | while read -r name _; do
		printf '%s\n' "$name"
	done
}

# The words up to the cursor as typed.  bash cuts COMP_WORDS at ':' and
# '=' (COMP_WORDBREAKS), which URLs and --report values hold; COMP_LINE
# keeps them whole.  Sets the caller's words array.
_smtp_harness_words()
{
	if [[ -n ${COMP_LINE-} ]]; then
		local line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
		read -ra words <<<"$line"
		[[ -z $line || $line == *[[:space:]] ]] && words+=('')
	else
		words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
	fi
}

# COMPREPLY from candidates (one a line) for the whole word cur.  Within
# bash (COMP_LINE set) readline replaces only what follows the word's last
# ':' or '=' when COMP_WORDBREAKS holds them, so that much goes.
_smtp_harness_reply()
{
	local cur=$1 cands=$2 strip= c
	if [[ -n ${COMP_LINE-} ]]; then
		local breaks=${COMP_WORDBREAKS//[^:=]/}
		[[ -n $breaks ]] && strip=${cur%"${cur##*[$breaks]}"}
	fi
	COMPREPLY=()
	while IFS= read -r c; do
		[[ -n $c ]] && COMPREPLY+=("${c#"$strip"}")
	done <<<"$cands"
}

# Candidates for the items of a comma list (levels, faults) in value,
# each with value's text up to its last comma (and the given head).
_smtp_harness_csv()
{
	local head=$1 value=$2 items=$3 done_=
	[[ $value == *,* ]] && done_=${value%,*},
	compgen -P "$head$done_" -W "$items" -- "${value##*,}"
}

# The value of option opt, typed so far as value; head is what precedes
# it in the word ("--report=" or "").
_smtp_harness_value()
{
	local bin=$1 opt=$2 value=$3 head=$4
	case $opt in
	--target)
		if [[ $value == builtin:* || $value == builtins:* ]]; then
			_smtp_harness_csv "$head${value%%:*}:" "${value#*:}" "$(_smtp_harness_faults "$bin")"
		else
			compgen -P "$head" -W 'builtin builtin: builtins builtins: smtp:// smtps:// exec:' -- "$value"
		fi ;;
	--faults) _smtp_harness_csv "$head" "$value" "$(_smtp_harness_faults "$bin")" ;;
	--report)
		if [[ $value == *:* ]]; then
			compgen -P "$head${value%%:*}:" -f -- "${value#*:}"
		else
			compgen -P "$head" -S : -W "$_smtp_harness_formats" -- "$value"
		fi ;;
	--level) _smtp_harness_csv "$head" "$value" 'must should may' ;;
	--tls-min | --tls-max) compgen -P "$head" -W '1.0 1.1 1.2 1.3' -- "$value" ;;
	--profile | --baseline | --tls-ca | --tls-cert | --tls-key | --catalogue | --gaps)
		compgen -P "$head" -f -- "$value" ;;
	--seeds) compgen -P "$head" -d -- "$value"; compgen -P "$head" -f -X '!*.yaml' -- "$value" ;;
	--out) compgen -P "$head" -d -- "$value" ;;
	--launch) compgen -P "$head" -c -- "$value" ;;
	esac
}

# Does option opt of a subcommand take a value?
_smtp_harness_takes_value()
{
	case $1 in
	--tls-verify | -v | --verbose | --coverage | --stdio | --tls | --list-faults | --no-minimize | --no-coverage)
		return 1 ;;
	-*) return 0 ;;
	esac
	return 1
}

_smtp_harness()
{
	local words cur prev cmd
	_smtp_harness_words
	local n=${#words[@]}
	cur=${words[n-1]} prev=
	((n > 1)) && prev=${words[n-2]}
	cmd=${words[1]-}
	if ((n <= 2)); then
		_smtp_harness_reply "$cur" "$(compgen -W 'run lint list serve fuzz --help --version' -- "$cur")"
		return
	fi
	case $cmd in
	run | lint | list | serve | fuzz) ;;
	*) return ;;
	esac
	local optsvar=_smtp_harness_opts_$cmd
	if [[ $cur == --*=* ]]; then
		compopt -o nospace 2>/dev/null
		_smtp_harness_reply "$cur" "$(_smtp_harness_value "${words[0]}" "${cur%%=*}" "${cur#*=}" "${cur%%=*}=")"
	elif [[ $prev == -* ]] && _smtp_harness_takes_value "$prev"; then
		compopt -o nospace 2>/dev/null
		_smtp_harness_reply "$cur" "$(_smtp_harness_value "${words[0]}" "$prev" "$cur" "")"
	elif [[ $cur == -* ]]; then
		_smtp_harness_reply "$cur" "$(compgen -W "${!optsvar}" -- "$cur")"
	elif [[ $cmd != serve && $cmd != fuzz ]]; then
		compopt -o filenames 2>/dev/null
		_smtp_harness_reply "$cur" "$(compgen -d -- "$cur"; compgen -f -X '!*.yaml' -- "$cur")"
	fi
}

complete -F _smtp_harness smtp-harness
