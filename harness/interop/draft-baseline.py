#!/usr/bin/env python3
"""Draft baseline entries from a JSON report, for a person to check.

Usage: draft-baseline.py REPORT.json [ID...]
Prints one YAML entry (docs/scenarios.md "Baselines") for each scenario
that failed, ended in error or was an expected failure (or only for the ids
given): its id; a reason that starts with the rule the failure is charged
to, as the report's "rule" gives it (catalogue id, RFC section, the verbatim
quote), then "TODO" and the harness's account of what the server did; and
as transcript the lines around the failing step as the reports print them:
the last command line sent before the server's deviating answer and the
server lines after it.  It leaves out what changes from run to run (time
stamps, queue ids in "queued as ..." replies, dates).

A draft is not a baseline: read the transcript and the quoted rule (the
RFC text if in doubt), decide whether the server really breaks it (a
scenario that asks too much, a policy choice or a lab problem is fixed
where it lies, never baselined), replace the TODO with what the server does,
and keep only lines that show the deviation.
"""
import json
import re
import sys

VOLATILE = [
    (re.compile(r"(queued as|id=|Ok: queued as) \S+"), r"\1"),
    (re.compile(r"\b\d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d.*$"), ""),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d.*$"), ""),
    (re.compile(r"\([0-9A-F]{6,}\)"), ""),
]


def lines_of(events):
    """The transcript as the reports lay it out, without time stamps: a
    list of (event index, line)."""
    out = []
    for i, e in enumerate(events):
        d = e["data"]
        if e["dir"] == "*":
            out.append((i, "*  " + d))
            continue
        # Split after each \n of the printable form (a real LF is "\n").
        for p in re.split(r"(?<=\\n)", d):
            if not p:
                continue
            if p.endswith("\\r\\n"):
                p = p[:-4]
            # The reports cut a line at 256 bytes; keep well inside that.
            out.append((i, "%s: %s" % (e["dir"], p[:120])))
    return out


def stable(line):
    for rx, rep in VOLATILE:
        line = rx.sub(rep, line)
    return line.rstrip()


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def draft_reason(sc):
    """CM-09, RFC 5321 2.4: "quote". TODO what the server did (harness:
    its reason).  Without a rule in the report (an error, an old report):
    say so, the entry needs one."""
    what = "TODO what the server did (harness: %s)" % (sc.get("reason") or "no reason")
    r = sc.get("rule")
    if not r or not r.get("id"):
        return "TODO no rule in the report: name the catalogue id, section and quote. " + what
    q = " ".join((r.get("quote") or "").split())
    return '%s, %s: "%s" %s' % (r["id"], r.get("ref") or "TODO section", q, what)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="ascii") as f:
        rep = json.load(f)
    want = set(sys.argv[2:])
    for sc in rep["scenarios"]:
        if want and sc["id"] not in want:
            continue
        if not want and sc["status"] not in ("fail", "error", "xfail"):
            continue
        ls = [(i, l) for i, l in lines_of(sc["transcript"]) if not l.startswith("*")]
        # The last event the harness sent, and what the server said after.
        # (the last one the server answered: a command sent after its last
        # word may or may not have left before the close was seen).
        last_s = max((i for i, l in ls if l.startswith("S:")), default=-1)
        last_c = max((i for i, l in ls if l.startswith("C:") and i < last_s), default=None)
        if last_c is None:
            pick = [l for _, l in ls[-3:]]
        else:
            first = min(k for k, (i, _) in enumerate(ls) if i == last_c)
            pick = [l for _, l in ls[first:]]
            nc = sum(1 for l in pick if l.startswith("C:"))
            pick = pick[:nc + 3]
        # A client line after the server's last word may or may not have
        # been sent before a close was seen: timing, not the deviation.
        while pick and pick[-1].startswith("C:") and any(l.startswith("S:") for l in pick):
            pick.pop()
        pick = [stable(l) for l in pick]
        pick = [l for l in pick if l not in ("C:", "S:")]
        print("- id: %s" % sc["id"])
        print("  reason: >-")
        print("    %s" % draft_reason(sc))
        print("  transcript:")
        for l in pick:
            print("    - %s" % quote(l))
    return 0


if __name__ == "__main__":
    sys.exit(main())
