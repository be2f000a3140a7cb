#!/usr/bin/env python3
"""harness/interop/matrix.py under hostile input: two fake per-server JSON
reports whose ids, reasons and warnings hold markup, quotes, "]]>" and
control characters, and one server that could not run.  The page must parse
as XML, hold exactly the one <script> the generator writes, show every
hostile string as text, and the Markdown summary must list all servers.
Deviations by requirement: a FAIL and an XFAIL (a baselined deviation) with
a rule count for its catalogue id, a pass, skip, error or XPASS does not;
both outputs give per server the count by id with the section and quote.
Prints ok/not ok lines; exits 1 on any failure."""
import json
import os
import subprocess
import sys
import tempfile
import xml.dom.minidom

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "harness", "interop", "matrix.py")
EVIL = "</td><script>alert(1)</script>\"'&amp;]]>\x1b[31m"
fails = 0


def check(ok, what):
    global fails
    print(("ok   " if ok else "not ok ") + "matrix: " + what)
    fails += 0 if ok else 1


RULES = {"TX-05": ("RFC 5321 4.1.1.4", "the receiver MUST send a failure reply " + EVIL),
         "CM-09": ("RFC 5321 2.4", "Receiving systems SHOULD reject such commands")}


def report(statuses, rules=None):
    """rules: the catalogue id each result is charged to (None: no rule)."""
    rules = rules or [None] * len(statuses)
    sc = []
    devs = {}
    for i, (st, rid) in enumerate(zip(statuses, rules)):
        rule = None
        if rid:
            rule = {"id": rid, "ref": RULES[rid][0], "quote": RULES[rid][1]}
            if st in ("fail", "xfail"):
                devs[rid] = devs.get(rid, 0) + 1
        sc.append({"id": "s%d%s" % (i, EVIL if i == 0 else ""), "title": EVIL, "level": "must",
                   "refs": ["RFC 5321 " + EVIL], "tags": [], "status": st,
                   "reason": EVIL if st != "pass" else None, "warnings": [EVIL] if i == 1 else [],
                   "rule": rule})
    summ = {k: statuses.count(k) for k in ["pass", "fail", "skip", "error", "xfail", "xpass"]}
    summ["total"] = len(statuses)
    summ["warned"] = 1
    summ["deviations"] = devs
    return {"schema": "smtp-harness/report/1", "summary": summ, "scenarios": sc}


with tempfile.TemporaryDirectory() as d:
    json.dump(report(["pass", "fail", "xfail", "xfail", "skip"],
                     [None, "TX-05", "TX-05", "CM-09", "CM-09"]), open(os.path.join(d, "a.json"), "w"))
    open(os.path.join(d, "a.rc"), "w").write("1\n")
    json.dump(report(["xpass", "skip", "error"], ["TX-05", None, "CM-09"]),
              open(os.path.join(d, "b.json"), "w"))
    open(os.path.join(d, "c.status"), "w").write("unavailable: " + EVIL + "\n")
    p = subprocess.run([sys.executable, GEN, d, "a", "b", "c"], capture_output=True, text=True)
    check(p.returncode == 0, "generator exit %d %s" % (p.returncode, p.stderr[-300:]))
    page = open(os.path.join(d, "matrix.html"), encoding="ascii").read()
    try:
        xml.dom.minidom.parseString(page.replace("<!DOCTYPE html>", "", 1))
        check(True, "the page is well-formed XML")
    except Exception as e:  # noqa: BLE001 - report any parse error
        check(False, "the page is not well-formed: %s" % e)
    check(page.count("<script") == 1, "exactly one <script> (%d)" % page.count("<script"))
    check("alert(1)</script>" not in page, "no hostile markup survives")
    check("&lt;/td&gt;&lt;script&gt;alert(1)" in page, "hostile strings shown as text")
    check(all(0x20 <= ord(c) < 0x7f or c == "\n" for c in page), "pure printable ASCII")
    md = open(os.path.join(d, "matrix.md"), encoding="ascii").read()
    check(md.count("\n| a |") + md.count("\n| b |") + md.count("\n| c |") == 3,
          "the summary lists a, b and the server that did not run")
    lines = md.splitlines()
    row = [l for l in lines if l.startswith("| a |")]
    check(row and row[0].rstrip().endswith("| 3 (2) |"),
          "a: 3 deviations on 2 requirements, xfail counted (%s)" % row)
    row = [l for l in lines if l.startswith("| b |")]
    check(row and row[0].rstrip().endswith("| 0 (0) |"),
          "b: an XPASS and an error are no deviation (%s)" % row)
    tx = [l for l in lines if l.startswith("| **TX-05** RFC 5321 4.1.1.4: \"the receiver MUST")]
    check(len(tx) == 1 and tx[0].replace(" ", "").endswith("|2||"),
          "TX-05 row: section, quote, a=2, b none (%s)" % tx)
    cm = [l for l in lines if l.startswith("| **CM-09** RFC 5321 2.4: \"Receiving systems SHOULD")]
    check(len(cm) == 1 and cm[0].replace(" ", "").endswith("|1||"),
          "CM-09 row: the xfail counts, the skip does not (%s)" % cm)
    check(all(tx) and "\x1b" not in md and "|" not in tx[0].split('"')[1]
          and "<script" not in md and "&lt;/td&gt;&lt;script&gt;" in tx[0],
          "a quote in the Markdown stays on one line, printable, no '|', no markup")
    check(any(l.startswith("- **a**: CM-09 1 (s3); TX-05 2 (s1") and "FAIL" in l for l in lines),
          "per-server list of a: ids, counts, scenarios, the unbaselined one marked FAIL")
    check(any(l == "- **b**: no deviation" for l in lines), "b: no deviation")
    dom = xml.dom.minidom.parseString(page.replace("<!DOCTYPE html>", "", 1))
    devrows = {tr.getAttribute("data-rule"): tr for tr in dom.getElementsByTagName("tr")
               if tr.getAttribute("class") == "dev"}
    check(sorted(devrows) == ["CM-09", "TX-05"], "HTML: one row per deviated id (%s)" % sorted(devrows))
    def counts(tr):
        return {td.getAttribute("data-dev-server"): td.firstChild.data
                for td in tr.getElementsByTagName("td") if td.getAttribute("data-dev-server")}
    check(counts(devrows["TX-05"]) == {"a": "2"} and counts(devrows["CM-09"]) == {"a": "1"},
          "HTML: per-server counts by id (%s, %s)" % (counts(devrows["TX-05"]), counts(devrows["CM-09"])))
    check("the receiver MUST send a failure reply &lt;/td&gt;&lt;script&gt;" in page,
          "HTML: the quote shown, escaped")
sys.exit(1 if fails else 0)
