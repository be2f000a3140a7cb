#!/bin/sh
# html.sh - the HTML report and the interop matrix, as a reader sees them in
# headless Chromium, without the real servers of make interop: three
# "servers" are the reference server with different faults, each run with
# tests/ci/'s profile and baseline (its known deviations: lf-dot-lf):
#   clean     builtin                                  no deviation (4 XPASS)
#   smuggler  builtin:lf-dot-lf                        known deviations only
#   sloppy    builtin:lf-dot-lf,rset-arg-ok,no-enhanced-codes,reply-over-512
#                                                      new MUST and SHOULD ones too
# Each writes NAME.json and NAME.html into BUILD/html/; matrix.py builds the
# matrix of the three; tests/html_render.py opens every page in Chromium and
# checks what it renders (docstring there); the screenshots are kept in
# BUILD/html/screenshots/.  Chromium is installed (apt-get, as root) when
# missing; where it cannot be, the test fails: a page nobody looked at is
# not a pass.  Usage: BUILD=build html.sh BIN.  Exit 1 on a failure.
set -u
cd "$(dirname "$0")/.."
BIN=${1:?usage: html.sh BIN}
OUT=${BUILD:-build}/html
rm -rf "$OUT"
mkdir -p "$OUT"
fail=0
if ! command -v chromium >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		echo "html: installing chromium" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium \
			>"$OUT/apt.log" 2>&1 || { tail -n 5 "$OUT/apt.log" >&2; }
	fi
	command -v chromium >/dev/null || { echo "FAIL html: chromium is not installed and cannot be (apt-get install chromium, as root)"; exit 1; }
fi
run() {
	name=$1 target=$2 want=$3
	"$BIN" run --target "$target" --profile tests/ci/smtp.profile.yaml \
		--baseline tests/ci/smtp.baseline.yaml -j 2 \
		--report "json:$OUT/$name.json" --report "html:$OUT/$name.html" >"$OUT/$name.log" 2>&1
	rc=$?
	echo $rc >"$OUT/$name.rc"
	if [ $rc -eq "$want" ]; then
		echo "ok   html: $name ($target): exit $rc"
	else
		echo "not ok html: $name ($target): exit $rc, wanted $want"
		fail=1
	fi
}
run clean builtin 0
run smuggler builtin:lf-dot-lf 0
run sloppy builtin:lf-dot-lf,rset-arg-ok,no-enhanced-codes,reply-over-512 1
/usr/bin/python3 harness/interop/matrix.py "$OUT" clean smuggler sloppy >"$OUT/matrix.log" 2>&1 ||
	{ cat "$OUT/matrix.log"; fail=1; }
/usr/bin/python3 tests/html_render.py "$OUT/screenshots" "$OUT/matrix.html" \
	"$OUT/clean.html" "$OUT/smuggler.html" "$OUT/sloppy.html" || fail=1
[ $fail -eq 0 ] && echo "html: ok; screenshots in $OUT/screenshots/"
exit $fail
