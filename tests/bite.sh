#!/bin/sh
# bite.sh - prove that every scenario bites, every fault is caught and every
# benign mode of the reference server passes.
#
# Usage: bite.sh [--modes] BINARY [PATH...]     (PATH defaults to scenarios/)
#
# The entries of `serve --list-faults` are of three kinds, told apart by the
# mark that starts their description (src/server_faults.c):
#   "(benign) "   a liberty the RFCs allow: every scenario must pass or skip
#                 (exit 0; warnings allowed);
#   "(lenient) "  a deviation the catalogue only warns about: exit 0 and at
#                 least one scenario reports it as a warning;
#   "(deep) "     a fault no scenario reaches, for `smtp-harness fuzz` to
#                 find (tests/fuzz-live.sh): the suite passes (exit 0);
#   no mark       a fault: it must be caught (a scenario FAILs, or the
#                 probe finds the target unusable, exit 3).
#
# A BITE is a FAIL at one of the scenario's own steps: the JSON result's
# "phase" is "steps" (without that key: "step" > 0 and a step line, i.e.
# not the opening and not the teardown), and when the result has a "rule"
# key it is not null (the failure names the requirement broken).  A fault
# is GLOBAL when it bites more than a fifth of the scenarios: such a fault
# breaks the session for everyone and proves little about one scenario.
# Every scenario needs a bite from a fault that is not global.
#
# Every `prefer:`, `expect_extra:` (and a sentinel's `extra:`) and `stop_if:`
# branch of the suite must be
# taken by at least one benign or lenient mode.  Taken means: for prefer and
# expect_extra, a warning of the result names the step ("step N ..."); for
# stop_if, the transcript holds the engine's note "... (stop_if)" (a
# scenario has at most one stop_if step).  A `skip_if:` branch (a legal
# decline the scenario cannot test past) is taken by any run, a fault's
# too, whose result is SKIP "step N ... (skip_if)" (not checked by --modes).
#
# --modes: only the clean run and the benign/lenient modes (`make modes`).
# Prints one "ok"/"FAIL" line per check, then a summary line.  Writes the
# own-step bites to $BITES (default build/bites.txt), "ID FAULT [global]" a
# line.  Exit status 0 only if every check held.
set -u
MODES_ONLY=0
[ "${1:-}" = "--modes" ] && { MODES_ONLY=1; shift; }
BIN=${1:?usage: bite.sh [--modes] path/to/smtp-harness [PATH...]}
shift
[ $# -eq 0 ] && set -- scenarios/
BITES=${BITES:-build/bites.txt}
JOBS=${BITE_JOBS:-3}
# Reply deadline of the fault runs: 1 s; the sanitizer build sets more
# (ASan + UBSan, 3 runs of 16 sessions at once on 2 cores miss 1 s).
BITE_TIMEOUT=${BITE_TIMEOUT:-1}
T=$(mktemp -d "${TMPDIR:-/tmp}/smtph-bite.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

. "$(dirname "$0")/lib.sh"

"$BIN" run "$@" -j 16 --report json:"$T/clean.json" >"$T/clean.txt" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "every scenario passes on the fault-free server"; else bad "clean run: exit $rc" "$(grep -A3 'FAIL\|ERROR' "$T/clean.txt" | head -n 30)"; fi

"$BIN" serve --list-faults >"$T/faults" 2>&1 || bad "serve --list-faults" "$(cat "$T/faults")"
: >"$T/names"
while read -r name desc; do
	case $desc in
	"(benign) "*) echo "$name benign" ;;
	"(lenient) "*) echo "$name lenient" ;;
	"(deep) "*) echo "$name deep" ;;
	*) [ "$MODES_ONLY" = 1 ] || echo "$name fault" ;;
	esac
done <"$T/faults" >"$T/kinds"
cut -d' ' -f1 "$T/kinds" >"$T/names"

# One run per entry, $JOBS at a time; each writes $T/f.NAME.{json,txt,rc}.
export BIN T BITE_TIMEOUT
xargs -P "$JOBS" -I{} sh -c '"$BIN" run "$@" --target "builtin:{}" --timeout "$BITE_TIMEOUT" -j 16 \
	--report json:"$T/f.{}.json" >"$T/f.{}.txt" 2>&1; echo $? >"$T/f.{}.rc"' sh "$@" <"$T/names"

# The verdicts, in one pass over the JSON reports.
mkdir -p "$(dirname "$BITES")"
python3 - "$T" "$BITES" "$MODES_ONLY" "$@" <<'PY' >"$T/verdicts"
import glob, json, os, re, sys

T, BITES, MODES_ONLY = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
paths = sys.argv[4:]

def load(name):
    try:
        return json.load(open(os.path.join(T, "f.%s.json" % name)))["scenarios"]
    except Exception:
        return None

def rc_of(name):
    try:
        return open(os.path.join(T, "f.%s.rc" % name)).read().strip()
    except Exception:
        return "none"

def own_step_fail(x):
    if x["status"] != "fail":
        return False
    if "rule" in x and x["rule"] is None:
        return False
    if "phase" in x:
        return x["phase"] == "steps"
    return (x.get("step") or 0) > 0 and x.get("step_line") is not None

def ok(msg):
    print("ok   " + msg)

problems = 0
def bad(msg, detail=""):
    global problems
    problems += 1
    print("FAIL " + msg)
    for l in detail.splitlines()[:12]:
        print("     " + l)

def tail(name, n=8):
    try:
        return "".join(open(os.path.join(T, "f.%s.txt" % name)).readlines()[-n:])
    except Exception:
        return ""

clean = json.load(open(os.path.join(T, "clean.json")))["scenarios"]
ids = [x["id"] for x in clean]
notpass = [x["id"] for x in clean if x["status"] != "pass"]
if notpass:
    bad("not passing on the clean server: " + " ".join(notpass))

kinds = [l.split() for l in open(os.path.join(T, "kinds")) if l.strip()]

# The branches of the suite: (scenario id, step number, kind).
import yaml
branches = {}
files = []
for p in paths:
    if os.path.isdir(p):
        files += glob.glob(os.path.join(p, "**", "*.yaml"), recursive=True)
    else:
        files.append(p)
for f in sorted(files):
    try:
        d = yaml.safe_load(open(f))
    except Exception:
        continue
    if not isinstance(d, dict) or "id" not in d:
        continue
    for i, s in enumerate(d.get("steps") or [], 1):
        if not isinstance(s, dict):
            continue
        if "expect_extra" in s or ("sentinel" in s and "extra" in s):
            branches[(d["id"], i, "expect_extra")] = []
        e = s.get("expect")
        if isinstance(e, dict):
            for k in ("prefer", "stop_if", "skip_if"):
                if k in e:
                    branches[(d["id"], i, k)] = []

def taken(mode, res, only_skip=False):
    for x in res:
        skipped = [int(m) for m in re.findall(r"^step (\d+) .*\(skip_if\)", x.get("reason") or "")] \
            if x["status"] == "skip" else []
        steps = {int(m) for w in x.get("warnings") or []
                 for m in re.findall(r"\bstep (\d+)", w)}
        stopped = any(e.get("dir") == "*" and "(stop_if)" in (e.get("data") or "")
                      for e in x.get("transcript") or [])
        for (sid, n, k), who in branches.items():
            if sid != x["id"]:
                continue
            if k == "skip_if" and n in skipped:
                who.append(mode)
            elif only_skip:
                continue
            elif (k in ("prefer", "expect_extra") and n in steps) or \
               (k == "stop_if" and stopped):
                who.append(mode)

bites = {i: [] for i in ids}
count = {}
for name, kind in kinds:
    res, rc = load(name), rc_of(name)
    if kind in ("benign", "lenient", "deep"):
        if res is None:
            bad("%s %s: no report (exit %s)" % (kind, name, rc), tail(name))
            continue
        taken(name, res)
        failed = [x["id"] + " (" + (x.get("reason") or "") + ")"
                  for x in res if x["status"] not in ("pass", "skip")]
        warned = [x["id"] for x in res if x.get("warnings")]
        skipped = [x["id"] for x in res if x["status"] == "skip"]
        if rc != "0" or failed:
            bad("benign mode %s: exit %s, not passed by %d: %s" %
                (name, rc, len(failed), " ".join(x.split()[0] for x in failed)),
                "\n".join(failed))
        elif kind == "lenient" and not warned:
            bad("lenient %s passes but no scenario reports it" % name)
        else:
            ok("%s mode %s: every scenario passes (%d warn, %d skip)" %
               (kind, name, len(warned), len(skipped)))
        continue
    if rc == "3":
        ok("fault %s: the probe finds the target unusable (exit 3)" % name)
        count[name] = 0
        continue
    if res is None:
        bad("fault %s: no report (exit %s)" % (name, rc), tail(name))
        continue
    taken(name, res, only_skip=True)  # a decline may come from a fault
    failed = [x for x in res if x["status"] in ("fail", "error")]
    own = [x["id"] for x in res if own_step_fail(x)]
    count[name] = len(own)
    for i in own:
        bites.setdefault(i, []).append(name)
    if rc == "1" and failed:
        ok("fault %s is caught by %d scenarios (%d at their own steps)" %
           (name, len(failed), len(own)))
    else:
        bad("fault %s: exit %s and no scenario failed" % (name, rc), tail(name))

limit = len(ids) / 5.0
glob_faults = sorted(f for f, n in count.items() if n > limit)
if not MODES_ONLY:
    print("info global faults (own-step bites in more than %d of %d scenarios): %s"
          % (int(limit), len(ids), " ".join(glob_faults) or "none"))
    with open(BITES, "w") as out:
        for i in sorted(bites):
            for f in sorted(bites[i]):
                out.write("%s %s%s\n" % (i, f, " global" if f in glob_faults else ""))
    for i in ids:
        specific = [f for f in bites.get(i, []) if f not in glob_faults]
        if specific:
            ok("scenario %s bites on: %s" % (i, " ".join(sorted(specific))))
        elif bites.get(i):
            bad("scenario %s bites only on global faults: %s" % (i, " ".join(bites[i])))
        else:
            bad("scenario %s is failed at its own steps by no fault" % i)

for (sid, n, k), who in sorted(branches.items()):
    if sid not in ids or (k == "skip_if" and MODES_ONLY):
        continue
    if who:
        ok("branch %s step %d %s taken by: %s" % (sid, n, k, " ".join(sorted(set(who)))))
    else:
        bad("branch %s step %d %s is taken by no benign mode" % (sid, n, k))
print("summary %d scenarios, %d entries, %d branches, %d problems" %
      (len(ids), len(kinds), len(branches), problems))
sys.exit(1 if problems else 0)
PY
prc=$?
cat "$T/verdicts"
[ $prc -eq 0 ] || [ $prc -eq 1 ] || bad "verdict script: exit $prc"
failures=$((failures + $(grep -c '^FAIL' "$T/verdicts")))
echo "bite: $failures problems (mapping in $BITES)"
[ "$failures" -eq 0 ]
