#!/usr/bin/env python3
"""harness/interop/matrix.py under hostile input: two fake per-server JSON
reports whose ids, reasons and warnings hold markup, quotes, "]]>" and
control characters, and one server that could not run.  The page must parse
as XML, hold exactly the one <script> the generator writes, show every
hostile string as text, and the Markdown summary must list all servers.
Deviations: a FAIL (new) and an XFAIL (known: a baselined deviation) with
a rule count for its catalogue id, a pass, skip, error or XPASS does not;
both outputs lead with each server's deviations by level (the rule's
level), new and known, give them by catalogue area, and per server the
count by id with the section and quote.  The page's grid has one square
per scenario in its area's row, each linking to SERVER.html#s-ID, and
every matrix cell links there too.
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


RULES = {"TX-05": ("RFC 5321 4.1.1.4", "the receiver MUST send a failure reply " + EVIL, "must"),
         "CM-09": ("RFC 5321 2.4", "Receiving systems SHOULD reject such commands", "should")}
AREAS = {"TX-05": {"id": "TX", "number": 6, "title": "Mail transaction " + EVIL},
         "CM-09": {"id": "CM", "number": 5, "title": "Command syntax and robustness"}}


def report(statuses, rules=None):
    """rules: the catalogue id each result is charged to (None: no rule)."""
    rules = rules or [None] * len(statuses)
    sc = []
    devs = {}
    for i, (st, rid) in enumerate(zip(statuses, rules)):
        rule = None
        if rid:
            rule = {"id": rid, "ref": RULES[rid][0], "quote": RULES[rid][1], "level": RULES[rid][2]}
            if st in ("fail", "xfail"):
                devs[rid] = devs.get(rid, 0) + 1
        sc.append({"id": "s%d%s" % (i, EVIL if i == 0 else ""), "title": EVIL, "level": "must",
                   "refs": ["RFC 5321 " + EVIL], "tags": [], "status": st,
                   "reason": EVIL if st != "pass" else None, "warnings": [EVIL] if i == 1 else [],
                   "rule": rule, "area": AREAS.get(rid)})
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
    check(lines[0].startswith("| server | MUST deviations | SHOULD deviations | new | known"),
          "the summary leads with the deviations by level, new and known (%s)" % lines[0])
    row = [l for l in lines if l.startswith("| a |")]
    check(row and row[0].startswith("| a | 2 (1) | 1 (1) | 1 | 2 | 1 | 1 | 0 | 0 | 5 |"),
          "a: MUST 2 scenarios (1 requirement), SHOULD 1 (1), 1 new, 2 known (%s)" % row)
    row = [l for l in lines if l.startswith("| b |")]
    check(row and row[0].startswith("| b | 0 (0) | 0 (0) | 0 | 0 |"),
          "b: an XPASS and an error are no deviation (%s)" % row)
    ar = [l for l in lines if l.startswith("| Command syntax") or l.startswith("| 5. Command")]
    check(ar == ["| 5. Command syntax and robustness | 1 |  |"],
          "by area: CM counts a's xfail, not the skip (%s)" % ar)
    ar = [l for l in lines if l.startswith("| 6. Mail transaction")]
    check(len(ar) == 1 and ar[0].replace(" ", "").endswith("|2||") and "<script" not in ar[0],
          "by area: TX 2 for a, the title escaped (%s)" % ar)
    tx = [l for l in lines if l.startswith("| **TX-05** MUST RFC 5321 4.1.1.4: \"the receiver MUST")]
    check(len(tx) == 1 and tx[0].replace(" ", "").endswith("|2||"),
          "TX-05 row: level, section, quote, a=2, b none (%s)" % tx)
    cm = [l for l in lines if l.startswith("| **CM-09** SHOULD RFC 5321 2.4: \"Receiving systems SHOULD")]
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
    levels = {tr.getAttribute("data-rule"): tr.getAttribute("data-level") for tr in devrows.values()}
    check(levels == {"TX-05": "must", "CM-09": "should"}, "HTML: deviations grouped by level (%s)" % levels)
    tds = {td.getAttribute("id"): td.firstChild.data for td in dom.getElementsByTagName("td")
           if td.getAttribute("id") and td.firstChild is not None}
    check((tds.get("must-a"), tds.get("should-a"), tds.get("new-a"), tds.get("known-a")) == ("2 (1)", "1 (1)", "1", "2"),
          "HTML: the summary leads with a's MUST, SHOULD, new, known (%s)"
          % [tds.get(k) for k in ("must-a", "should-a", "new-a", "known-a")])
    grid = [tr for tr in dom.getElementsByTagName("tr") if tr.getAttribute("class") == "area"]
    sq = [(tr.getAttribute("data-area"), a.getAttribute("data-server"), a.getAttribute("class"), a.getAttribute("href"))
          for tr in grid for a in tr.getElementsByTagName("a")]
    check([g.getAttribute("data-area") for g in grid] == ["CM", "TX", ""],
          "HTML grid: the areas in catalogue order, the scenarios of none last (%s)"
          % [g.getAttribute("data-area") for g in grid])
    check(len(sq) == 8 and all(h.startswith(srv + ".html#s-") for _, srv, _, h in sq),
          "HTML grid: one square per scenario of a and b, each linking to SERVER.html#s-ID (%d)" % len(sq))
    check(("TX", "a", "sq fail", "a.html#s-s1") in sq and
          ("", "a", "sq pass", "a.html#s-s0__td__script_alert_1___script____amp______31m") in sq,
          "HTML grid: a's FAIL in the TX row, an id's unsafe characters made '_' in the anchor")
    links = [a.getAttribute("href") for td in dom.getElementsByTagName("td")
             if "cell" in td.getAttribute("class").split() for a in td.getElementsByTagName("a")]
    check(len(links) == 8 and "b.html#s-s2" in links, "HTML matrix: every cell links to its transcript")
    sm = [l for l in lines if l.startswith("| `<LF>.<LF>` |")]
    check(sm == ["| `<LF>.<LF>` | - / - | - / - |"], "smuggling: no scenario of it, '-' (%s)" % sm)

# Smuggling, replies beside deliveries: a server whose reply-based scenario
# fails and whose delivered one saw the smuggled message (2), and one where
# the oracle saw the outer message only.
with tempfile.TemporaryDirectory() as d:
    def smug(rep, dlv, n):
        r = report([rep, dlv])
        r["scenarios"][0]["id"] = "smuggling-pipelined-transaction"
        r["scenarios"][1]["id"] = "smuggling-delivered-lf-dot-lf"
        r["scenarios"][1]["transcript"] = [
            {"t": 0.1, "dir": "*", "data": "delivery oracle (sink): %d message(s) carry token x" % n}]
        return r
    json.dump(smug("fail", "fail", 2), open(os.path.join(d, "v.json"), "w"))
    json.dump(smug("pass", "pass", 1), open(os.path.join(d, "w.json"), "w"))
    p = subprocess.run([sys.executable, GEN, d, "v", "w"], capture_output=True, text=True)
    check(p.returncode == 0, "smuggling: generator exit %d %s" % (p.returncode, p.stderr[-300:]))
    md = open(os.path.join(d, "matrix.md"), encoding="ascii").read().splitlines()
    sm = [l for l in md if l.startswith("| `<LF>.<LF>` |")]
    check(sm == ["| `<LF>.<LF>` | fail / fail (2) | pass / pass (1) |"],
          "smuggling: reply verdict / delivered verdict (messages seen) (%s)" % sm)
    nul = [l for l in md if l.startswith("| `<CR><LF>.<NUL><CR><LF>` |")]
    check(nul == ["| `<CR><LF>.<NUL><CR><LF>` | - / - | - / - |"],
          "smuggling: a sequence without a reply-based scenario (%s)" % nul)
    page = open(os.path.join(d, "matrix.html"), encoding="ascii").read()
    check('id="smuggling"' in page and "fail / fail (2)" in page, "smuggling: the HTML table")
sys.exit(1 if fails else 0)
