#!/usr/bin/env python3
"""harness/interop/matrix.py under hostile input: two fake per-server JSON
reports whose ids, reasons and warnings hold markup, quotes, "]]>" and
control characters, and one server that could not run.  The page must parse
as XML, hold exactly the one <script> the generator writes, show every
hostile string as text, and the Markdown summary must list all servers.
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


def report(statuses):
    sc = []
    for i, st in enumerate(statuses):
        sc.append({"id": "s%d%s" % (i, EVIL if i == 0 else ""), "title": EVIL, "level": "must",
                   "refs": ["RFC 5321 " + EVIL], "tags": [], "status": st,
                   "reason": EVIL if st != "pass" else None, "warnings": [EVIL] if i == 1 else []})
    summ = {k: statuses.count(k) for k in ["pass", "fail", "skip", "error", "xfail", "xpass"]}
    summ["total"] = len(statuses)
    summ["warned"] = 1
    return {"schema": "smtp-harness/report/1", "summary": summ, "scenarios": sc}


with tempfile.TemporaryDirectory() as d:
    json.dump(report(["pass", "fail", "xfail"]), open(os.path.join(d, "a.json"), "w"))
    open(os.path.join(d, "a.rc"), "w").write("1\n")
    json.dump(report(["xpass", "skip", "error"]), open(os.path.join(d, "b.json"), "w"))
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
sys.exit(1 if fails else 0)
