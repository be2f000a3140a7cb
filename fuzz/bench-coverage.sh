#!/bin/sh
# bench-coverage.sh - does coverage feedback find the reference server's deep
# faults faster than the state feedback alone?  For each deep fault (deep-crash:
# abort() on RSET after AUTH and an accepted BDAT chunk; deep-hang: no reply
# to VRFY after a message to two recipients), N campaigns with coverage
# (`exec:` the AFL++-instrumented `serve --stdio`, its map in shared memory)
# and N with --no-coverage (the same binary, the reply-code states only),
# seeds 1..N, one campaign at a time, each bounded by SECONDS and ended by
# its first finding (not shrunk).  Prints each campaign, then per fault and
# mode the median sessions and seconds to the finding (read from
# summary.json's found_after_*; a campaign that found nothing counts as its
# whole length, and the median is marked ">"), and the ratio without/with.
# Usage: bench-coverage.sh FUZZER INSTRUMENTED-SERVER [N [SECONDS [FAULTS]]]
# Exit 0 when every campaign ran (whatever it measured), 1 otherwise.
set -eu
FUZZER=$1
SERVER=$2
N=${3:-5}
SECS=${4:-300}
FAULTS=${5:-deep-crash deep-hang}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# A value of summary.json (flat enough for sed).
field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1" | head -1; }

echo "bench-fuzz-coverage: $N seeds x 2 modes, at most $SECS s each; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-11s %-9s %5s %9s %8s %s\n' fault mode seed sessions seconds found
for fault in $FAULTS; do
	: >"$TMP/$fault-cov" && : >"$TMP/$fault-nocov"
	for seed in $(seq 1 "$N"); do
		for mode in cov nocov; do
			out="$TMP/out-$fault-$mode-$seed"
			opt=
			[ $mode = nocov ] && opt=--no-coverage
			rc=0
			"$FUZZER" fuzz --target "exec:$SERVER serve --stdio --faults $fault" $opt \
			    --duration "$SECS" --max-findings 1 --no-minimize --seed "$seed" --timeout 1 \
			    --var auth_user=harness --var auth_password=harness-secret \
			    --out "$out" 2>"$out.err" || rc=$?
			[ $rc -le 1 ] && [ -f "$out/summary.json" ] || {
				tail -3 "$out.err" >&2
				echo "bench-fuzz-coverage: $fault $mode seed $seed: fuzz exit $rc" >&2
				exit 1
			}
			if [ $rc -eq 1 ]; then
				s=$(field "$out/summary.json" found_after_sessions)
				t=$(field "$out/summary.json" found_after_seconds)
				found=yes
			else
				s=$(field "$out/summary.json" sessions)
				t=$(field "$out/summary.json" seconds)
				found=no
			fi
			echo "$seed $s $t $found" >>"$TMP/$fault-$mode"
			printf '%-11s %-9s %5s %9s %8s %s\n' "$fault" "$mode" "$seed" "$s" "$t" "$found"
			rm -rf "$out"
		done
	done
done
echo
printf '%-11s %-9s %16s %15s %s\n' fault mode "median sessions" "median seconds" found
for fault in $FAULTS; do
	# Two files (cov, nocov) of "seed sessions seconds yes|no" lines.
	awk -v f="$fault" -v n="$N" 'FNR == 1 { k++ }
	    { s[k, FNR] = $2; t[k, FNR] = $3; m[k] = FNR; if ($4 == "yes") y[k]++; else cut[k] = ">" }
	    function med(a, k,   i, j, x, z, c) { c = m[k]
	        for (i = 1; i <= c; i++) x[i] = a[k, i]
	        for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] < x[i]) { z = x[i]; x[i] = x[j]; x[j] = z }
	        return c % 2 ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2 }
	    END { split("cov nocov", name)
	        for (k = 1; k <= 2; k++)
	            printf "%-11s %-9s %16s %15s %d/%d\n", f, name[k], cut[k] med(s, k),
	                cut[k] sprintf("%.1f", med(t, k)), y[k], n
	        if (med(s, 1) > 0 && med(t, 1) > 0)
	            printf "%-11s ratio without/with coverage: sessions %.2f, seconds %.2f\n", f,
	                med(s, 2) / med(s, 1), med(t, 2) / med(t, 1) }' "$TMP/$fault-cov" "$TMP/$fault-nocov"
done
echo "bench-fuzz-coverage: load after $(cut -d' ' -f1-3 /proc/loadavg)"
