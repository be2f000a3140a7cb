#!/usr/bin/env python3
"""The interop matrix: scenarios x servers, from the per-server JSON reports.

Usage: matrix.py DIR TARGET...
Reads DIR/TARGET.json (schema smtp-harness/report/1) for each target that
ran, or DIR/TARGET.status ("unavailable: why") for one that could not, and
DIR/TARGET.rc (the harness's exit status).  Writes DIR/matrix.html (one
self-contained page: no fetches, every string escaped) and DIR/matrix.md
(the per-server summary, for the README), and prints the summary.

Both also give, per server, its deviations by requirement: how many
failures the run charged to each catalogue id, with the rule's section and
quote.  An expected failure (xfail: a baselined deviation) is still a
deviation and counts; a pass, a skip, an error and an XPASS do not.  The
counts are the report's summary.deviations; the section, the quote and
the scenarios come from each result's "rule".
"""
import html
import json
import os
import sys

STATUSES = ["pass", "fail", "skip", "error", "xfail", "xpass"]
SHORT = {"pass": "PASS", "fail": "FAIL", "skip": "skip", "error": "ERR",
         "xfail": "xfail", "xpass": "XPASS"}


def esc(s):
    """Escape for HTML text and attributes; the reports are ASCII already,
    anything else is replaced rather than trusted."""
    s = "" if s is None else str(s)
    s = "".join(c if 0x20 <= ord(c) < 0x7f or c == "\n" else "\ufffd" for c in s)
    return html.escape(s, quote=True).replace("\ufffd", "&#xfffd;")


def load(d, targets):
    servers = []
    for t in targets:
        srv = {"name": t, "report": None, "status": None, "rc": None}
        jp = os.path.join(d, t + ".json")
        sp = os.path.join(d, t + ".status")
        rp = os.path.join(d, t + ".rc")
        if os.path.exists(rp):
            with open(rp, encoding="ascii", errors="replace") as f:
                srv["rc"] = f.read().strip()
        if os.path.exists(jp):
            with open(jp, encoding="ascii") as f:
                srv["report"] = json.load(f)
        elif os.path.exists(sp):
            with open(sp, encoding="ascii", errors="replace") as f:
                srv["status"] = f.read().strip()
        else:
            srv["status"] = "no report (the run did not finish; rc %s)" % srv["rc"]
        srv["devs"] = deviations(srv["report"]) if srv["report"] else {}
        servers.append(srv)
    return servers


COUNTED = ("fail", "xfail")


def one_line(s):
    """A quote on one line, printable ASCII."""
    s = " ".join(("" if s is None else str(s)).split())
    return "".join(c if 0x20 <= ord(c) < 0x7f else "?" for c in s)


def deviations(report):
    """{id: {"count", "ref", "quote", "scenarios": [(scenario, status)]}}
    for one report.  The count is summary.deviations' where the report has
    it (the harness's own count), else the results'."""
    devs = {}
    for sc in report.get("scenarios", []):
        r = sc.get("rule") or {}
        if sc.get("status") not in COUNTED or not r.get("id"):
            continue
        d = devs.setdefault(r["id"], {"count": 0, "ref": r.get("ref"),
                                      "quote": r.get("quote"), "scenarios": []})
        d["count"] += 1
        d["scenarios"].append((sc["id"], sc["status"]))
    summ = (report.get("summary") or {}).get("deviations")
    if isinstance(summ, dict):
        for rid, n in summ.items():
            devs.setdefault(rid, {"count": 0, "ref": None, "quote": None,
                                  "scenarios": []})["count"] = n
    return devs


def all_rules(servers):
    """Every catalogue id some server deviates from, sorted, with the
    section and quote of its first occurrence."""
    rules = {}
    for s in servers:
        if s["report"] is None:
            continue
        for rid, d in s["devs"].items():
            cur = rules.setdefault(rid, {"ref": d["ref"], "quote": d["quote"]})
            if not cur["ref"] and d["ref"]:
                cur.update(ref=d["ref"], quote=d["quote"])
    return [(rid, rules[rid]) for rid in sorted(rules)]


def summary_rows(servers):
    rows = []
    for s in servers:
        r = s["report"]
        if r is None:
            rows.append((s["name"], None, s["status"]))
            continue
        rows.append((s["name"], r["summary"], None))
    return rows


def md_cell(s):
    """Text for a Markdown table cell: one line, no '|', and the RFC's
    <CRLF>, <LF>.<LF> ... as entities, so no renderer takes them for tags."""
    s = one_line(s).replace("|", "/")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_md(path, servers):
    out = ["| server | passed | failed | skipped | expected failures | "
           "unexpected passes | errors | total | deviations (requirements) |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (name, sm, why), s in zip(summary_rows(servers), servers):
        if sm is None:
            out.append("| %s | %s | | | | | | | |" % (name, md_cell(why)))
        else:
            out.append("| %s | %d | %d | %d | %d | %d | %d | %d | %d (%d) |" % (
                name, sm["pass"], sm["fail"], sm["skip"], sm["xfail"],
                sm["xpass"], sm["error"], sm["total"],
                sum(d["count"] for d in s["devs"].values()), len(s["devs"])))
    ran = [s for s in servers if s["report"] is not None]
    rules = all_rules(servers)
    out.append("")
    out.append("Deviations by requirement: the number of scenarios each server "
               "fails (baselined or not) on each catalogue id, with the rule it breaks.")
    out.append("")
    out.append("| requirement | " + " | ".join(s["name"] for s in ran) + " |")
    out.append("| --- | " + " | ".join("---:" for _ in ran) + " |")
    for rid, r in rules:
        row = "| **%s** %s: \"%s\" | " % (md_cell(rid), md_cell(r["ref"] or "?"),
                                         md_cell(r["quote"] or "(no quote in the report)"))
        row += " | ".join(str(s["devs"][rid]["count"]) if rid in s["devs"] else ""
                          for s in ran) + " |"
        out.append(row)
    if not rules:
        out.append("| (none) | " + " | ".join("" for _ in ran) + " |")
    out.append("")
    for s in ran:
        if not s["devs"]:
            out.append("- **%s**: no deviation" % md_cell(s["name"]))
            continue
        out.append("- **%s**: %s" % (md_cell(s["name"]), "; ".join(
            "%s %s (%s)" % (md_cell(rid), d["count"], ", ".join(
                md_cell(sid) + ("" if st == "xfail" else " " + st.upper())
                for sid, st in d["scenarios"]))
            for rid, d in sorted(s["devs"].items()))))
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")
    return out


STYLE = """
body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.15em .4em;font-size:.85em}
th.srv{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
td.cell{text-align:center;font-family:monospace}
td.pass{background:#cfc}td.xfail{background:#e4f0d0}
td.fail{background:#f99;font-weight:bold}td.xpass{background:#fc8;font-weight:bold}
td.error{background:#e9c}td.skip{background:#ffd}td.none{background:#eee;color:#999}
td.num{text-align:right}
.unavail{color:#a00}
.filters{margin:1em 0;padding:.5em;background:#f4f4f4}
"""

# Hides rows whose cells all have an unticked status; writes the count of
# visible rows.  No '<' or '&' so the page stays well-formed XML too.
SCRIPT = """
(function(){
var rows=document.querySelectorAll('tr.scn');
function apply(){
 var st={};document.querySelectorAll('input.fs').forEach(function(c){st[c.value]=c.checked;});
 var n=0;
 rows.forEach(function(r){
  var ok=false;
  r.querySelectorAll('td.cell').forEach(function(c){if(st[c.getAttribute('data-status')]){ok=true;}});
  r.style.display=ok?'':'none';if(ok){n++;}
 });
 document.getElementById('shown').textContent='rows shown: '+n;
}
document.querySelectorAll('input.fs').forEach(function(e){e.addEventListener('change',apply);});
apply();
})();
"""


def write_html(path, servers):
    ran = [s for s in servers if s["report"] is not None]
    # Scenario order: as the first report that has it lists it.
    order, info = [], {}
    for s in ran:
        for sc in s["report"]["scenarios"]:
            if sc["id"] not in info:
                order.append(sc["id"])
                info[sc["id"]] = sc
    cells = {s["name"]: {sc["id"]: sc for sc in s["report"]["scenarios"]} for s in ran}
    h = ['<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
         '<head><meta charset="us-ascii"/><title>smtp-harness interop matrix</title>',
         '<style>' + STYLE + '</style></head><body>',
         '<h1>smtp-harness interop matrix</h1>',
         '<h2>Summary</h2><table id="summary"><tr><th>server</th>'
         + "".join("<th>%s</th>" % k for k in STATUSES)
         + "<th>total</th><th>exit</th><th>deviations</th></tr>"]
    for s in servers:
        r = s["report"]
        if r is None:
            h.append('<tr class="unavail" data-server="%s"><td>%s</td><td colspan="%d">%s</td></tr>'
                     % (esc(s["name"]), esc(s["name"]), len(STATUSES) + 3, esc(s["status"])))
            continue
        sm = r["summary"]
        h.append('<tr data-server="%s"><td><a href="%s.html">%s</a></td>' % (
            esc(s["name"]), esc(s["name"]), esc(s["name"]))
            + "".join('<td class="num" id="sum-%s-%s">%d</td>' % (esc(s["name"]), k, sm[k])
                      for k in STATUSES)
            + '<td class="num">%d</td><td class="num">%s</td>' % (sm["total"], esc(s["rc"]))
            + '<td class="num" id="dev-%s">%d</td></tr>' % (
                esc(s["name"]), sum(d["count"] for d in s["devs"].values())))
    h.append("</table>")
    h.append('<h2>Deviations by requirement</h2>'
             '<p>Per server, the failures charged to each catalogue id, baselined '
             '(xfail) or not: a baselined deviation is still a deviation. The '
             'tooltip names the scenarios.</p>')
    h.append('<table id="deviations"><tr><th>id</th><th>section</th><th>rule</th>'
             + "".join('<th class="srv">%s</th>' % esc(s["name"]) for s in ran) + "</tr>")
    rules = all_rules(servers)
    for rid, r in rules:
        h.append('<tr class="dev" data-rule="%s"><td><code>%s</code></td><td>%s</td>'
                 '<td><q>%s</q></td>' % (esc(rid), esc(rid), esc(r["ref"] or ""),
                                         esc(one_line(r["quote"]))))
        for s in ran:
            d = s["devs"].get(rid)
            if d is None:
                h.append('<td class="num none"></td>')
                continue
            tip = ", ".join("%s (%s)" % (sid, st) for sid, st in d["scenarios"])
            bad = any(st == "fail" for _, st in d["scenarios"])
            h.append('<td class="num %s" data-dev-server="%s" title="%s">%d</td>' % (
                "fail" if bad else "xfail", esc(s["name"]), esc(tip), d["count"]))
        h.append("</tr>")
    if not rules:
        h.append('<tr><td colspan="%d">no deviation</td></tr>' % (len(ran) + 3))
    h.append("</table>")
    h.append('<p>Each server ran the whole suite with its profile and baseline '
             '(<code>harness/targets/SERVER.*.yaml</code>); a cell links nowhere but '
             'its tooltip gives the reason; the per-server reports hold the transcripts.</p>')
    h.append('<div class="filters"><strong>show rows with</strong> '
             + "".join('<label><input type="checkbox" class="fs" value="%s" checked="checked"/> %s</label> '
                       % (k, k) for k in STATUSES)
             + '<span id="shown"></span></div>')
    h.append('<table id="matrix"><tr><th>scenario</th><th>level</th><th>refs</th>'
             + "".join('<th class="srv">%s</th>' % esc(s["name"]) for s in ran) + "</tr>")
    for sid in order:
        sc = info[sid]
        h.append('<tr class="scn" data-id="%s"><td><code>%s</code></td><td>%s</td><td>%s</td>' % (
            esc(sid), esc(sid), esc(sc["level"]), esc(", ".join(sc["refs"]))))
        for s in ran:
            c = cells[s["name"]].get(sid)
            if c is None:
                h.append('<td class="cell none" data-status="none">-</td>')
                continue
            tip = c["reason"] or ""
            rule = c.get("rule") or {}
            if c["status"] in COUNTED and rule.get("id"):
                tip = "%s %s: %s | %s" % (rule["id"], rule.get("ref") or "",
                                          one_line(rule.get("quote")), tip)
            if c["warnings"]:
                tip += (" | " if tip else "") + "; ".join(c["warnings"])
            h.append('<td class="cell %s" data-status="%s" data-server="%s" title="%s">%s%s</td>' % (
                c["status"], c["status"], esc(s["name"]), esc(tip), SHORT[c["status"]],
                "*" if c["warnings"] else ""))
        h.append("</tr>")
    h.append("</table><p>* a warning: a deviation the RFCs allow (see the server's report).</p>")
    h.append("<script>" + SCRIPT + "</script></body></html>\n")
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(h))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    d, targets = sys.argv[1], sys.argv[2:]
    servers = load(d, targets)
    write_html(os.path.join(d, "matrix.html"), servers)
    for line in write_md(os.path.join(d, "matrix.md"), servers):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
