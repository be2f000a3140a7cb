#!/bin/sh
# include-rules.sh - the include rules of docs/architecture.md, checked.
# Each rule: FILES (a shell pattern) may not include any of HEADERS.
# Prints every breach as "FILE: includes HEADER (RULE)"; exit 1 if any.
set -u
cd "$(dirname "$0")/.."
bad=0
rule() {
	name=$1 files=$2 headers=$3
	for f in $files; do
		[ -f "$f" ] || continue
		for h in $headers; do
			if grep -q "^#include \"$h\"" "$f"; then
				echo "$f: includes $h ($name)"
				bad=1
			fi
		done
	done
}
# FILES may include no project header but ALLOWED (system headers are free).
only() {
	name=$1 files=$2 allowed=$3
	for f in $files; do
		[ -f "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			case " $allowed " in *" $h "*) ;; *)
				echo "$f: includes $h ($name)"
				bad=1 ;;
			esac
		done
	done
}
ENGINE_H="engine.h session.h expect.h"
SERVER_H="server.h server_int.h server_faults.h server_hostile.h"
LOADER_H="loader.h loader_int.h"
REPORT_H="report.h report_util.h report_writers.h baseline.h"
HARNESS_H="harness.h options.h suite.h datadir.h"

rule "the library never includes the front end" "src/*.c src/*.h" "$HARNESS_H"
rule "protocol parsers stand alone" "src/reply.c src/ehlo.c src/syntax.c src/template.c src/sasl.c src/abnf.h src/reply.h src/ehlo.h src/syntax.h" \
	"$ENGINE_H $SERVER_H $LOADER_H $REPORT_H result.h transport.h tls.h loop.h"
rule "the model includes nothing of the parts that use it" "src/scenario.c src/scenario.h src/result.c src/result.h" \
	"$ENGINE_H $SERVER_H $LOADER_H $REPORT_H"
rule "the engine knows the server only through builtin.c" "src/engine.c src/session.c src/program.c src/step*.c src/expect.c src/delivered.c src/vars.c src/session.h src/engine.h" \
	"$SERVER_H $LOADER_H $REPORT_H"
rule "the verdict is pure" "src/expect.c src/expect.h" "session.h loop.h transport.h tls.h engine.h"
rule "the delivery verdict is pure" "src/delivered.c src/delivered.h" "session.h loop.h transport.h tls.h engine.h"
rule "the oracle knows the server only through oracle_srv.h" "src/oracle.c src/oracle.h src/oracle_mailbox.c" "$ENGINE_H $SERVER_H $LOADER_H $REPORT_H"
rule "the fail-fast decisions are pure" "src/failfast.c src/failfast.h" "session.h loop.h transport.h tls.h engine.h result.h"
rule "the reference server knows nothing of the client side" "src/server*.c src/server*.h src/builtin.h" \
	"$ENGINE_H $LOADER_H $REPORT_H"
rule "reports read results, not the engine or the server" "src/report*.c src/report*.h src/baseline.c src/baseline.h" \
	"$ENGINE_H $SERVER_H"
rule "the fuzzer's model and verdict are pure" "src/fz_frame.c src/fz_frame.h src/fz_oracle.c src/fz_oracle.h src/fz_raw.c src/fz_raw.h src/fz_attrib.c src/fz_attrib.h src/fz_reach.c src/fz_reach.h" "loop.h transport.h tls.h session.h engine.h"
rule "whose death it was is decided apart from the replays" "src/fz_attrib.c src/fz_attrib.h" "fz_launch.h fz_drive.h fz_campaign.h"
only "the mailbox parsers are pure" "src/mailbox.c src/mailbox.h" "mailbox.h buf.h util.h"
rule "the loader builds the model, nothing else" "src/loader*.c src/loader*.h src/vars.c" "$ENGINE_H $SERVER_H $REPORT_H"
# Private headers stay with their files.
for f in src/*.c src/*.h harness/*.c harness/*.h; do
	case "$f" in src/server*) ;; *) rule "server_int.h is private to server*.c" "$f" "server_int.h" ;; esac
	case "$f" in src/loader*) ;; *) rule "loader_int.h is private to loader*.c" "$f" "loader_int.h" ;; esac
	case "$f" in src/step*) ;; *) rule "step_int.h is private to step*.c" "$f" "step_int.h" ;; esac
	case "$f" in src/fz_campaign.c|src/fz_camp_*) ;; *) rule "fz_camp_int.h is private to the campaign" "$f" "fz_camp_int.h" ;; esac
	case "$f" in src/engine.c|src/session.c|src/program.c|src/step*.c|src/step_int.h|src/session.h) ;; *) rule "session.h is private to the engine" "$f" "session.h" ;; esac
	case "$f" in src/report*) ;; *) rule "report_writers.h is private to the reports" "$f" "report_writers.h" ;; esac
done
[ $bad -eq 0 ] && echo "include rules: ok"
exit $bad
