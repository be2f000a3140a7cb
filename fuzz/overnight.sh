#!/bin/sh
# overnight.sh - fuzz every target for a long time, then tidy up and report.
#
# usage: make fuzz-overnight HOURS=8     (or MINUTES=90; HOURS may be 0.5)
#    or: HOURS=8 sh fuzz/overnight.sh build/fuzz/libfuzzer fuzz_reply ...
#
# JOBS=N   cores to use (default: all, nproc); the targets run side by side
#          under libFuzzer's -fork mode, N/targets workers each (at least 1),
#          carrying on past crashes, timeouts and OOMs.
# OUT=DIR  where everything goes (default reports/overnight-DATE).
#
# Progress: every 60 s one line per target (execs, coverage, corpus,
# crashes) on stdout and in OUT/progress.txt.
# At the end: each corpus is merged and minimized (-merge=1 into
# OUT/corpus-min/TARGET), every finding is replayed and deduplicated by the
# top frames of its stack (our own code only), each unique one shrunk
# (-minimize_crash=1) into OUT/unique/TARGET/, and OUT/summary.md written:
# per target execs, exec/s, coverage, corpus size, unique findings with
# reproducer paths.  The seeds in corpus/ are not changed: copy
# OUT/corpus-min/TARGET/* there to keep what was found.
set -eu
cd "$(dirname "$0")/.."
. fuzz/lfopts.sh

bindir=$1
shift
targets="$*"
ntargets=$#
if [ -n "${MINUTES:-}" ]; then
	secs=$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')
elif [ -n "${HOURS:-}" ]; then
	secs=$(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 }')
else
	echo "overnight.sh: set HOURS=N or MINUTES=N" >&2
	exit 2
fi
[ "$secs" -gt 0 ] || { echo "overnight.sh: the run must last at least a second" >&2; exit 2; }
jobs=${JOBS:-$(nproc)}
per=$((jobs / ntargets))
[ "$per" -ge 1 ] || per=1
out=${OUT:-reports/overnight-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out/logs"
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
echo "overnight: $targets for ${secs}s, $jobs core(s), $per worker(s) each, into $out"

pids=""
for t in $targets; do
	mkdir -p "$out/corpus/$t" "$out/crashes/$t"
	[ -d "corpus/$t" ] && cp -R "corpus/$t/." "$out/corpus/$t/"
	# shellcheck disable=SC2046
	"$bindir/$t" $(lf_opts "$t") -fork="$per" -ignore_crashes=1 \
	    -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$secs" \
	    -artifact_prefix="$out/crashes/$t/" "$out/corpus/$t" \
	    >"$out/logs/$t.log" 2>&1 &
	pids="$pids $!"
done

# The last stats line of a libFuzzer -fork log:
# "#RUNS: cov: C ft: F corp: N exec/s E oom/timeout/crash: a/b/c time: Ts ..."
last_stats() {
	grep -a '^#[0-9]*: cov:' "$out/logs/$1.log" 2>/dev/null | tail -n 1
}
progress() {
	for t in $targets; do
		printf '%s %-12s %s\n' "$(date -u +%H:%M:%S)" "$t" "$(last_stats "$t")"
	done | tee -a "$out/progress.txt"
}
alive() {
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done' INT TERM
while alive; do
	sleep 60 &
	wait $! || true
	progress
done
for p in $pids; do wait "$p" || true; done

# The top three frames in our own code, as "func<func<func", or the
# broken property's line for a FUZZ_CHECK.
signature() {
	"$bindir/$1" "$2" >"$out/logs/repro.txt" 2>&1 || true
	prop=$(grep -a -m1 'property broken' "$out/logs/repro.txt" | sed 's/: property broken.*//' || true)
	frames=$(grep -a -E '^ *#[0-9]+ 0x[0-9a-f]+ in ' "$out/logs/repro.txt" |
	    grep -E '/(src|fuzz)/' | awk '{ print $4 }' | head -n 3 | paste -sd'<' -)
	kind=$(grep -a -m1 -o -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer|LeakSanitizer): [a-z-]+( signal)?' \
	    "$out/logs/repro.txt" | cut -d' ' -f3- | tr ' ' '-' || true)
	[ -n "$kind" ] || kind=$(grep -a -m1 -o 'runtime error: .*' "$out/logs/repro.txt" | cut -c1-60 || true)
	echo "${kind:-unknown} ${prop:-$frames}"
}

summary="$out/summary.md"
{
	echo "# Fuzzing summary"
	echo
	echo "Started $started, ${secs} s per target, $jobs core(s) ($per libFuzzer -fork worker(s) per target)."
	echo "Binaries: \`$bindir\` (libFuzzer, ASan + UBSan).  Work folder: \`$out\`."
	echo
	echo "| target | execs | exec/s | coverage: fork / min. corpus | features | corpus files: before -> after merge | unique findings |"
	echo "| --- | ---: | ---: | ---: | ---: | --- | ---: |"
} >"$summary"
details=""
for t in $targets; do
	s=$(last_stats "$t")
	runs=$(echo "$s" | sed -n 's/^#\([0-9]*\):.*/\1/p')
	cov=$(echo "$s" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$s" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	el=$(echo "$s" | sed -n 's/.* time: \([0-9]*\)s.*/\1/p')
	eps=$(awk -v r="${runs:-0}" -v t="${el:-0}" 'BEGIN { printf "%d", (t > 0 ? r / t : 0) }')
	before=$(find "$out/corpus/$t" -type f | wc -l)
	mkdir -p "$out/corpus-min/$t"
	# shellcheck disable=SC2046
	"$bindir/$t" $(lf_opts "$t") -merge=1 "$out/corpus-min/$t" "$out/corpus/$t" \
	    >"$out/logs/$t.merge.log" 2>&1 || true
	after=$(find "$out/corpus-min/$t" -type f | wc -l)
	# Coverage of the minimized corpus, measured once more.
	mcov=$("$bindir/$t" -runs=0 "$out/corpus-min/$t" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' | tail -n 1)
	# Findings, deduplicated by signature.
	mkdir -p "$out/unique/$t"
	sigs=""
	nuniq=0
	for f in "$out"/crashes/"$t"/*; do
		[ -f "$f" ] || continue
		repro="$out/unique/$t/$(basename "$f")"
		case $(basename "$f") in
		oom-* | timeout-*)
			# Replaying these takes minutes (an OOM makes ASan print
			# a profile of every live allocation), and
			# -minimize_crash handles neither: one per target, as is.
			sig="${f##*/}"
			sig="${sig%%-*} (not replayed, not minimized)"
			case "$sigs" in *"|$sig|"*) continue ;; esac
			cp "$f" "$repro"
			;;
		*)
			sig=$(signature "$t" "$f")
			case "$sigs" in *"|$sig|"*) continue ;; esac
			"$bindir/$t" -minimize_crash=1 -max_total_time=120 \
			    -exact_artifact_path="$repro" "$f" >"$out/logs/$t.minimize.log" 2>&1 || true
			[ -f "$repro" ] || cp "$f" "$repro"
			;;
		esac
		sigs="$sigs|$sig|"
		nuniq=$((nuniq + 1))
		details="$details
- \`$t\`: $sig — reproducer \`$repro\` ($(wc -c <"$repro") bytes; replay: \`$bindir/$t $repro\`)"
	done
	echo "| $t | ${runs:-0} | $eps | ${cov:-?} / ${mcov:-?} | ${ft:-?} | $before -> $after | $nuniq |" >>"$summary"
done
{
	echo
	echo "## Unique findings"
	if [ -n "$details" ]; then
		echo "$details"
		echo
		echo "Keep each reproducer in fuzz/regressions/TARGET/ once fixed, so \`make test\` replays it."
	else
		echo
		echo "None."
	fi
	echo
	echo "Finished $(date -u '+%Y-%m-%d %H:%M:%S UTC').  Minimized corpora: \`$out/corpus-min/\`;"
	echo "logs: \`$out/logs/\`; progress: \`$out/progress.txt\`."
} >>"$summary"
case "$out" in
reports/*/*) ;;
reports/*) ln -sfn "${out#reports/}" reports/overnight-latest ;;
esac
cat "$summary"
