#!/usr/bin/env python3
"""The interop matrix: scenarios x servers, from the per-server JSON reports.

Usage: matrix.py DIR TARGET...
Reads DIR/TARGET.json (schema smtp-harness/report/1) for each target that
ran, or DIR/TARGET.status ("unavailable: why") for one that could not, and
DIR/TARGET.rc (the harness's exit status).  Writes DIR/matrix.html (one
self-contained page: no fetches, every string escaped) and DIR/matrix.md
(the per-server summary, for the README), and prints the summary.

Both lead with each server's conformance: its deviations by level (MUST,
SHOULD: the rule's "level" in the report), new (FAIL: not in the baseline)
and known (XFAIL: in the baseline), and by catalogue area (the scenario's
"area").  An expected failure is still a deviation and counts; a pass, a
skip, an error and an XPASS do not.  The page then shows a grid of
colours, area by area and server by server, one square per scenario
linking to its transcript in that server's report (TARGET.html#s-ID, the
anchor report_html.c writes); the deviations by requirement, by RFC and
by area; and the whole matrix, every cell linking to its transcript too.
The per-requirement counts are the report's summary.deviations; the
section, the quote and the scenarios come from each result's "rule".
"""
import html
import json
import os
import re
import sys

STATUSES = ["pass", "fail", "skip", "error", "xfail", "xpass"]
SHORT = {"pass": "PASS", "fail": "FAIL", "skip": "skip", "error": "ERR",
         "xfail": "xfail", "xpass": "XPASS"}
# Worst first: how the squares of a grid cell are ordered.
SEVERITY = ["fail", "error", "xfail", "xpass", "pass", "skip"]
MEANING = {"pass": "pass", "fail": "new deviation (fail)", "skip": "skipped",
           "error": "error", "xfail": "known deviation (xfail, baseline)",
           "xpass": "unexpected pass (xpass)"}
LEVELS = ["must", "should"]


def anchor(sid):
    """The scenario's anchor in its server's report (report_html.c)."""
    return "s-" + re.sub(r"[^A-Za-z0-9._-]", "_", sid)


def area_key(sc):
    """(number, id, title) of a scenario's catalogue area; (1000, "", ...)
    for none, so it sorts last."""
    a = sc.get("area") or {}
    if not a.get("id"):
        return (1000, "", "(no catalogue area)")
    return (a.get("number", 999), a["id"], a.get("title", a["id"]))


def rule_level(sc):
    r = sc.get("rule") or {}
    lv = r.get("level") or sc.get("level")
    return lv if lv in LEVELS else "must"


def rfc_of(ref):
    """"RFC 5321" of "RFC 5321 4.1.1.4"."""
    return " ".join(str(ref or "?").split()[:2])


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
                                      "quote": r.get("quote"), "scenarios": [],
                                      "level": rule_level(sc), "new": 0, "known": 0})
        d["count"] += 1
        d["new" if sc["status"] == "fail" else "known"] += 1
        d["scenarios"].append((sc["id"], sc["status"]))
    summ = (report.get("summary") or {}).get("deviations")
    if isinstance(summ, dict):
        for rid, n in summ.items():
            devs.setdefault(rid, {"count": 0, "ref": None, "quote": None, "scenarios": [],
                                  "level": "must", "new": 0, "known": 0})["count"] = n
    return devs


def all_rules(servers):
    """Every catalogue id some server deviates from, sorted, with the
    section and quote of its first occurrence."""
    rules = {}
    for s in servers:
        if s["report"] is None:
            continue
        for rid, d in s["devs"].items():
            cur = rules.setdefault(rid, {"ref": d["ref"], "quote": d["quote"], "level": d["level"]})
            if not cur["ref"] and d["ref"]:
                cur.update(ref=d["ref"], quote=d["quote"], level=d["level"])
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


def by_level(srv):
    """{level: (requirements, scenarios)} and (new, known) of one server."""
    lv = {l: [0, 0] for l in LEVELS}
    new = known = 0
    for d in srv["devs"].values():
        x = lv[d["level"] if d["level"] in LEVELS else "must"]
        x[0] += 1
        x[1] += d["count"]
        new += d["new"]
        known += d["known"]
    return lv, new, known


def areas(servers):
    """[(key, title)] of every area some server ran a scenario of, in the
    catalogue's order, and {server: {area id: [scenario, ...]}}."""
    seen, per = {}, {}
    for s in servers:
        if s["report"] is None:
            continue
        m = per.setdefault(s["name"], {})
        for sc in s["report"]["scenarios"]:
            k = area_key(sc)
            seen[k[1]] = k
            m.setdefault(k[1], []).append(sc)
    return [(k[1], "%d. %s" % (k[0], k[2]) if k[1] else k[2])
            for k in sorted(seen.values())], per


def md_cell(s):
    """Text for a Markdown table cell: one line, no '|', and the RFC's
    <CRLF>, <LF>.<LF> ... as entities, so no renderer takes them for tags."""
    s = one_line(s).replace("|", "/")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# SMTP smuggling per end-of-data sequence: the reply-based scenario (did the
# server answer the fake end?) beside the delivered one (did a smuggled
# message arrive at the oracle's sink?).  Sequences the reply-based set has
# no scenario of its own for show "-" there.
SMUGGLING = [
    ("<LF>.<LF>", "smuggling-pipelined-transaction", "smuggling-delivered-lf-dot-lf"),
    ("<LF>.<CR>", "smuggling-lf-dot-cr", "smuggling-delivered-lf-dot-cr"),
    ("<CR>.<LF>", "smuggling-cr-dot-lf", "smuggling-delivered-cr-dot-lf"),
    ("<CR>.<CR>", "smuggling-cr-dot-cr", "smuggling-delivered-cr-dot-cr"),
    ("<LF>.<CR><LF>", "smuggling-lf-dot-cr-lf", "smuggling-delivered-lf-dot-crlf"),
    ("<CR>.<CR><LF>", "smuggling-cr-dot-cr-lf", "smuggling-delivered-cr-dot-crlf"),
    ("<CR><LF>.<LF>", "smuggling-cr-lf-dot-lf", "smuggling-delivered-crlf-dot-lf"),
    ("<CR><LF>.<CR>", "smuggling-cr-lf-dot-cr", "smuggling-delivered-crlf-dot-cr"),
    ("<CR><LF><NUL>.<CR><LF>", "smuggling-nul-before-dot", "smuggling-delivered-nul-before-dot"),
    ("<CR><LF>.<NUL><CR><LF>", None, "smuggling-delivered-nul-after-dot"),
    ("<CR><LF>.<CR><CR><LF>", None, "smuggling-delivered-crlf-dot-crcrlf"),
    ("<CR><CR><LF>.<CR><CR><LF>", None, "smuggling-delivered-crcrlf-dot-crcrlf"),
]

DELIVERED_NOTE = re.compile(r"delivery oracle \(([a-z]+)\): ([0-9]+) message")


def delivered_count(sc):
    """(oracle kind, messages seen) from a delivered step's transcript note."""
    for line in sc.get("transcript") or []:
        m = DELIVERED_NOTE.search(line.get("data", ""))
        if m:
            return m.group(1), int(m.group(2))
    return None, None


def smuggling_cell(s, reply_id, dlv_id):
    """(reply status, delivered status, messages) of one server and sequence."""
    by_id = {sc["id"]: sc for sc in s["report"]["scenarios"]}
    rep = by_id.get(reply_id, {}).get("status", "-") if reply_id else "-"
    dsc = by_id.get(dlv_id)
    if not dsc:
        return rep, "-", None
    return rep, dsc["status"], delivered_count(dsc)[1]


def smuggling_md(servers):
    """The markdown table: per sequence and server, reply verdict / delivered."""
    ran = [s for s in servers if s["report"] is not None]
    out = ["SMTP smuggling, replies beside deliveries: per end-of-data sequence (those of "
           "SEC Consult's SMTP-Smuggling-Tools and hannob's smtpsmug), the reply-based "
           "scenario's verdict / the delivered scenario's verdict and, where the delivery "
           "oracle looked, the messages it saw for the session (2 = the smuggled message "
           "was delivered; skip = no oracle for that server).", "",
           "| sequence | " + " | ".join(s["name"] for s in ran) + " |",
           "| --- | " + " | ".join("---" for _ in ran) + " |"]
    for label, rid, did in SMUGGLING:
        cells = []
        for s in ran:
            rep, dlv, n = smuggling_cell(s, rid, did)
            cells.append("%s / %s%s" % (rep, dlv, "" if n is None else " (%d)" % n))
        out.append("| `%s` | %s |" % (label, " | ".join(cells)))  # a code span: no tags
    return out


def write_md(path, servers):
    out = ["| server | MUST deviations | SHOULD deviations | new | known (baseline) | "
           "passed | skipped | errors | unexpected passes | total |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (name, sm, why), s in zip(summary_rows(servers), servers):
        if sm is None:
            out.append("| %s | %s | | | | | | | | |" % (name, md_cell(why)))
        else:
            lv, new, known = by_level(s)
            out.append("| %s | %d (%d) | %d (%d) | %d | %d | %d | %d | %d | %d | %d |" % (
                name, lv["must"][1], lv["must"][0], lv["should"][1], lv["should"][0],
                new, known, sm["pass"], sm["skip"], sm["error"], sm["xpass"], sm["total"]))
    ran = [s for s in servers if s["report"] is not None]
    out.append("")
    out += smuggling_md(servers)
    out.append("")
    out.append("MUST and SHOULD deviations: the scenarios that fail (the requirements "
               "they break); new: not in the baseline; known: in it, a deviation all the same.")
    out.append("")
    alist, per = areas(servers)
    out.append("Deviations by catalogue area: the scenarios each server fails, baselined or not.")
    out.append("")
    out.append("| area | " + " | ".join(s["name"] for s in ran) + " |")
    out.append("| --- | " + " | ".join("---:" for _ in ran) + " |")
    for aid, title in alist:
        cnt = [sum(1 for sc in per[s["name"]].get(aid, []) if sc["status"] in COUNTED) for s in ran]
        if any(cnt):
            out.append("| %s | %s |" % (md_cell(title), " | ".join(str(n) if n else "" for n in cnt)))
    rules = all_rules(servers)
    out.append("")
    out.append("Deviations by requirement: the number of scenarios each server "
               "fails (baselined or not) on each catalogue id, with the rule it breaks.")
    out.append("")
    out.append("| requirement | " + " | ".join(s["name"] for s in ran) + " |")
    out.append("| --- | " + " | ".join("---:" for _ in ran) + " |")
    for rid, r in rules:
        row = "| **%s** %s %s: \"%s\" | " % (md_cell(rid), (r.get("level") or "must").upper(),
                                            md_cell(r["ref"] or "?"),
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
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5em;color:#222;line-height:1.4}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
h3{font-size:1.05em}
p.meta{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.15em .4em;font-size:.85em;vertical-align:top}
th{background:#f4f4f4;text-align:left}
th.srv{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;text-align:left}
td.cell{text-align:center;font-family:monospace}
td.cell a{color:inherit;text-decoration:none;display:block}
td.pass{background:#cfc}td.xfail{background:#f6ddb0}
td.fail{background:#f99;font-weight:bold}td.xpass{background:#bcd4f6;font-weight:bold}
td.error{background:#e0c4ec}td.skip{background:#f2f2f2;color:#777}td.none{background:#eee;color:#999}
td.num{text-align:right}
td.bad{background:#fdecec;color:#a11;font-weight:bold}td.warnc{background:#fdf3e1}td.good{background:#e9f6ec}
.unavail{color:#a00}
.filters{margin:1em 0;padding:.5em;background:#f4f4f4}
table.grid td{border:1px solid #eee;padding:.2em .3em}
table.grid td.sqs{width:92px}
table.grid td.area{white-space:nowrap}
a.sq,span.sq{display:inline-block;width:9px;height:9px;margin:1px;border-radius:1px;vertical-align:middle}
.sq.pass{background:#3a9a4a}.sq.fail{background:#d43c3c}.sq.xfail{background:#e8a33d}
.sq.error{background:#8e44ad}.sq.xpass{background:#3b7dd8}.sq.skip{background:#d6d6d6}
.legend{font-size:.85em;color:#444}.legend span.item{margin-right:1.2em}
.legend span.sq{width:12px;height:12px}
.tag{display:inline-block;font-size:.75em;padding:0 .4em;border-radius:3px;font-weight:bold}
.tag.must{background:#333;color:#fff}.tag.should{background:#777;color:#fff}
q{font-style:italic}
table.deviations td:first-child,table.deviations td:nth-child(2){white-space:nowrap}
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


def server_cell(s):
    """One server's headline: its deviations by level, new and known."""
    lv, new, known = by_level(s)
    cls = "bad" if new or s["report"]["summary"]["error"] else ("warnc" if known else "good")
    return cls, lv, new, known


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
         '<head><meta charset="us-ascii"/><title>SMTP conformance: interop matrix</title>',
         '<style>' + STYLE + '</style></head><body>',
         '<h1>SMTP conformance of %d servers</h1>' % len(servers),
         '<p class="meta">smtp-harness interop matrix: each server ran the whole suite '
         'with its profile and baseline (<code>harness/targets/SERVER.*.yaml</code>). '
         'A <em>deviation</em> is a scenario the server fails, charged to the one MUST or '
         'SHOULD it breaks: <em>new</em> when its baseline does not list it, <em>known</em> '
         'when it does (an expected failure is a deviation all the same).</p>',
         '<h2>Servers</h2><table id="summary"><tr><th>server</th>'
         '<th>MUST deviations<br/>scenarios (requirements)</th>'
         '<th>SHOULD deviations<br/>scenarios (requirements)</th><th>new</th><th>known</th>'
         + "".join("<th>%s</th>" % k for k in STATUSES)
         + "<th>total</th><th>exit</th></tr>"]
    for s in servers:
        r = s["report"]
        if r is None:
            h.append('<tr class="unavail" data-server="%s"><td>%s</td><td colspan="%d">%s</td></tr>'
                     % (esc(s["name"]), esc(s["name"]), len(STATUSES) + 6, esc(s["status"])))
            continue
        sm = r["summary"]
        cls, lv, new, known = server_cell(s)
        h.append('<tr data-server="%s"><td><a href="%s.html">%s</a></td>' % (
            esc(s["name"]), esc(s["name"]), esc(s["name"]))
            + '<td class="num %s" id="must-%s">%d (%d)</td>' % (
                cls if lv["must"][1] else "good", esc(s["name"]), lv["must"][1], lv["must"][0])
            + '<td class="num %s" id="should-%s">%d (%d)</td>' % (
                cls if lv["should"][1] else "good", esc(s["name"]), lv["should"][1], lv["should"][0])
            + '<td class="num%s" id="new-%s">%d</td>' % (" bad" if new else "", esc(s["name"]), new)
            + '<td class="num%s" id="known-%s">%d</td>' % (" warnc" if known else "", esc(s["name"]), known)
            + "".join('<td class="num" id="sum-%s-%s">%d</td>' % (esc(s["name"]), k, sm[k])
                      for k in STATUSES)
            + '<td class="num">%d</td><td class="num">%s</td></tr>' % (sm["total"], esc(s["rc"])))
    h.append("</table>")

    # SMTP smuggling: replies beside deliveries.
    h.append('<h2>SMTP smuggling: replies beside deliveries</h2><p class="legend">Per '
             'end-of-data sequence: the reply-based verdict / the delivered verdict, and the '
             'messages the delivery oracle saw for the session (2: the smuggled message was '
             'delivered).</p><table id="smuggling"><tr><th>sequence</th>'
             + "".join('<th>%s</th>' % esc(s["name"]) for s in ran) + "</tr>")
    for label, rid, did in SMUGGLING:
        row = '<tr><td><code>%s</code></td>' % esc(label)
        for s in ran:
            rep, dlv, n = smuggling_cell(s, rid, did)
            worst = "fail" if "fail" in (rep, dlv) else dlv if dlv != "-" else rep
            row += '<td class="cell %s">%s / %s%s</td>' % (
                esc(worst if worst in STATUSES else "none"), esc(rep), esc(dlv),
                "" if n is None else " (%d)" % n)
        h.append(row + "</tr>")
    h.append("</table>")

    # At a glance: area by area, server by server.
    alist, per = areas(servers)
    h.append('<h2>At a glance: the scenarios by catalogue area</h2><p class="legend">'
             + "".join('<span class="item"><span class="sq %s"></span> %s</span>' % (k, MEANING[k])
                       for k in SEVERITY)
             + '<br/>One square per scenario, the worst first; each links to its transcript '
             'in the server\'s report.</p>')
    h.append('<table class="grid" id="grid"><tr><th>area</th>'
             + "".join('<th class="srv">%s</th>' % esc(s["name"]) for s in ran) + "</tr>")
    for aid, title in alist:
        h.append('<tr class="area" data-area="%s"><td class="area">%s</td>' % (esc(aid), esc(title)))
        for s in ran:
            scs = per[s["name"]].get(aid, [])
            sq = []
            for st in SEVERITY:
                for sc in scs:
                    if sc["status"] != st:
                        continue
                    rule = sc.get("rule") or {}
                    tip = "%s %s: %s" % (sc["status"].upper(), sc["id"], sc.get("title") or "")
                    if st in COUNTED and rule.get("id"):
                        tip += " (%s %s)" % (rule["id"], rule_level(sc).upper())
                    sq.append('<a class="sq %s" data-server="%s" href="%s.html#%s" title="%s"></a>' % (
                        st, esc(s["name"]), esc(s["name"]), esc(anchor(sc["id"])), esc(tip)))
            h.append('<td class="sqs">%s</td>' % "".join(sq))
        h.append("</tr>")
    h.append("</table>")

    # Deviations: by level, then by RFC and by area.
    rules = all_rules(servers)
    h.append('<h2>Deviations by requirement</h2>'
             '<p>Per server, the scenarios charged to each catalogue id, new (red) or '
             'known (amber). The tooltip names the scenarios.</p>')
    for lvl in LEVELS:
        rl = [(rid, r) for rid, r in rules if (r.get("level") or "must") == lvl]
        if not rl:
            continue
        h.append('<h3 id="level-%s"><span class="tag %s">%s</span> %d requirements</h3>'
                 % (lvl, lvl, lvl.upper(), len(rl)))
        h.append('<table class="deviations" id="deviations-%s"><tr><th>id</th><th>section</th><th>rule</th>'
                 % lvl + "".join('<th class="srv">%s</th>' % esc(s["name"]) for s in ran) + "</tr>")
        for rid, r in rl:
            h.append('<tr class="dev" data-rule="%s" data-level="%s"><td><code>%s</code></td><td>%s</td>'
                     '<td><q>%s</q></td>' % (esc(rid), lvl, esc(rid), esc(r["ref"] or ""),
                                             esc(one_line(r["quote"]))))
            for s in ran:
                d = s["devs"].get(rid)
                if d is None:
                    h.append('<td class="num none"></td>')
                    continue
                tip = ", ".join("%s (%s)" % (sid, "new" if st == "fail" else "known")
                                for sid, st in d["scenarios"])
                h.append('<td class="num %s" data-dev-server="%s" title="%s">%d</td>' % (
                    "fail" if d["new"] else "xfail", esc(s["name"]), esc(tip), d["count"]))
            h.append("</tr>")
        h.append("</table>")
    if not rules:
        h.append('<p id="deviations">No deviation on any server.</p>')
    else:
        for what in ("rfc", "area"):
            keys = {}
            for rid, r in rules:
                if what == "rfc":
                    k = rfc_of(r["ref"])
                    keys.setdefault(k, (int(k.split()[1]) if k.split()[1:] and k.split()[1].isdigit() else 99999, k))
            if what == "area":
                keys = {aid: (i, title) for i, (aid, title) in enumerate(alist)}
            h.append('<h3>Deviations by %s</h3><table id="by-%s"><tr><th>%s</th>' % (
                "RFC" if what == "rfc" else "catalogue area", what, "RFC" if what == "rfc" else "area")
                + "".join('<th class="srv">%s</th>' % esc(s["name"]) for s in ran) + "</tr>")
            for k, (_, label) in sorted(keys.items(), key=lambda kv: kv[1]):
                row, any_dev = [], False
                for s in ran:
                    m = {"must": 0, "should": 0}
                    new = 0
                    for sc in s["report"]["scenarios"]:
                        if sc["status"] not in COUNTED or not (sc.get("rule") or {}).get("id"):
                            continue
                        key = rfc_of(sc["rule"].get("ref")) if what == "rfc" else area_key(sc)[1]
                        if key != k:
                            continue
                        m[rule_level(sc)] += 1
                        new += sc["status"] == "fail"
                    txt = " ".join("%s&#160;%d" % (l[0].upper(), m[l]) for l in LEVELS if m[l])
                    any_dev = any_dev or bool(txt)
                    row.append('<td class="num %s">%s</td>' % (
                        ("fail" if new else "xfail") if txt else "none", txt))
                if any_dev:
                    h.append("<tr><td>%s</td>%s</tr>" % (esc(label), "".join(row)))
            h.append("</table>")
        h.append("<p>M: MUST, S: SHOULD; the scenarios that fail, red where a new one is among them.</p>")

    h.append('<h2>Every scenario</h2><p>Each cell links to the transcript in the server\'s '
             'report; the tooltip gives the reason.</p>')
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
            h.append('<td class="cell %s" data-status="%s" data-server="%s" title="%s">'
                     '<a href="%s.html#%s">%s%s</a></td>' % (
                         c["status"], c["status"], esc(s["name"]), esc(tip), esc(s["name"]),
                         esc(anchor(sid)), SHORT[c["status"]], "*" if c["warnings"] else ""))
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
