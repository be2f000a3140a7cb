#!/usr/bin/env python3
"""The interop matrix: scenarios x servers, from the per-server JSON reports.

Usage: matrix.py DIR TARGET...
Reads DIR/TARGET.json (schema smtp-harness/report/1) for each target that
ran, or DIR/TARGET.status ("unavailable: why") for one that could not, and
DIR/TARGET.rc (the harness's exit status).  Writes DIR/matrix.html (one
self-contained page: no fetches, every string escaped) and DIR/matrix.md
(the per-server summary, for the README), and prints the summary.
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
        servers.append(srv)
    return servers


def summary_rows(servers):
    rows = []
    for s in servers:
        r = s["report"]
        if r is None:
            rows.append((s["name"], None, s["status"]))
            continue
        rows.append((s["name"], r["summary"], None))
    return rows


def write_md(path, servers):
    out = ["| server | passed | failed | skipped | expected failures | "
           "unexpected passes | errors | total |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, sm, why in summary_rows(servers):
        if sm is None:
            why = "".join(c if 0x20 <= ord(c) < 0x7f else "?" for c in why)
            out.append("| %s | %s | | | | | | |" % (name, why.replace("|", "/")))
        else:
            out.append("| %s | %d | %d | %d | %d | %d | %d | %d |" % (
                name, sm["pass"], sm["fail"], sm["skip"], sm["xfail"],
                sm["xpass"], sm["error"], sm["total"]))
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
         + "".join("<th>%s</th>" % k for k in STATUSES) + "<th>total</th><th>exit</th></tr>"]
    for s in servers:
        r = s["report"]
        if r is None:
            h.append('<tr class="unavail" data-server="%s"><td>%s</td><td colspan="%d">%s</td></tr>'
                     % (esc(s["name"]), esc(s["name"]), len(STATUSES) + 2, esc(s["status"])))
            continue
        sm = r["summary"]
        h.append('<tr data-server="%s"><td><a href="%s.html">%s</a></td>' % (
            esc(s["name"]), esc(s["name"]), esc(s["name"]))
            + "".join('<td class="num" id="sum-%s-%s">%d</td>' % (esc(s["name"]), k, sm[k])
                      for k in STATUSES)
            + '<td class="num">%d</td><td class="num">%s</td></tr>' % (sm["total"], esc(s["rc"])))
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
