# lib.sh - the check lines of the end-to-end shell tests (sourced, POSIX
# sh, by e2e.sh, e2e-oracle.sh, bite.sh and bad-files.sh).
#   ok DESCRIPTION            a check that passed: "ok   DESCRIPTION"
#   bad DESCRIPTION [DETAIL]  one that failed: "FAIL DESCRIPTION", then at
#                             most BAD_LINES (default 30) lines of DETAIL,
#                             indented
# $checks counts both, $failures the failed ones.
failures=0
checks=0
ok() { checks=$((checks + 1)); printf 'ok   %s\n' "$1"; }
bad() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	printf 'FAIL %s\n' "$1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -n "${BAD_LINES:-30}"
}
