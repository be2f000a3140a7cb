#!/usr/bin/env python3
"""Open HTML reports in headless Chromium and check what it renders.

Usage: html_render.py SHOTDIR PAGE...
A PAGE is REPORT.html with REPORT.json beside it (an smtp-harness report:
the script-filled "shown:" line must give the JSON summary's counts; the
verdict leads the page and names the new and known deviations; the grid
has one square per scenario, per status as the summary counts; every link
points to an element of the page; and opened at a known deviation's
anchor, the page opens that scenario's <details>), or DIR/matrix.html
(every server's cells per status must equal its JSON summary, every
scenario row must be shown, the summary gives each server's MUST and
SHOULD deviations as its report does, and the grid's squares of each
server count its statuses and link to anchors its report has).  Chromium runs with
--headless --no-sandbox --disable-gpu and every background fetch off; the
page's DOM after its scripts ran comes from --dump-dom, and a screenshot of
each page is saved as SHOTDIR/NAME.png.  Prints one ok/not ok line per
check; exits 1 if any failed, 77 if Chromium is not installed.
"""
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--disable-default-apps", "--disable-extensions",
         "--no-first-run", "--no-default-browser-check", "--mute-audio",
         "--metrics-recording-only", "--disable-domain-reliability",
         "--disable-breakpad", "--disable-features=Translate,MediaRouter,OptimizationHints"]
STATUSES = ["pass", "fail", "skip", "error", "xfail", "xpass"]
fails = 0


def check(ok, what):
    global fails
    print(("ok   " if ok else "not ok ") + "html: " + what)
    if not ok:
        fails += 1


def chromium(profile, *args):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    cmd = [exe] + FLAGS + ["--user-data-dir=" + profile] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       timeout=120, check=False)
    return p.returncode, p.stdout.decode("utf-8", "replace")


class Dom(HTMLParser):
    """Collects the text of #shown and the data-status of matrix cells."""

    def __init__(self):
        super().__init__()
        self.shown = ""
        self.in_shown = False
        self.cells = {}
        self.rows = 0
        self.hidden_rows = 0
        self.ids = set()
        self.hrefs = []
        self.squares = {}       # server ("" in a report) -> {status: n}
        self.sq_links = []      # (server, href)
        self.open_details = set()
        self.first = []         # ids of the first elements, in order
        self.cur_id = None
        self.texts = {}         # id -> text

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.in_shown = a.get("id") == "shown"
        if a.get("id"):
            self.ids.add(a["id"])
            self.first.append(a["id"])
            self.cur_id = a["id"]
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "a" and "sq" in (a.get("class") or "").split():
            st = a["class"].split()[1]
            srv = self.squares.setdefault(a.get("data-server", ""), {})
            srv[st] = srv.get(st, 0) + 1
            self.sq_links.append((a.get("data-server", ""), a.get("href")))
        if tag == "details" and "open" in a:
            self.open_details.add(a.get("id"))
        cls = (a.get("class") or "").split()
        if tag == "tr" and "scn" in cls:
            self.rows += 1
            if "display: none" in (a.get("style") or ""):
                self.hidden_rows += 1
        if tag == "td" and "cell" in cls and a.get("data-server"):
            srv = self.cells.setdefault(a["data-server"], {})
            srv[a["data-status"]] = srv.get(a["data-status"], 0) + 1

    def handle_data(self, data):
        if self.in_shown:
            self.shown += data
        if self.cur_id:
            self.texts[self.cur_id] = self.texts.get(self.cur_id, "") + data

    def handle_endtag(self, tag):
        self.in_shown = False
        if tag in ("td", "div"):
            self.cur_id = None


def report_checks(d, name, rep, profile, url):
    """The reader's view of one report: verdict first, the grid, links."""
    sm = rep["summary"]
    check(d.first[:1] == ["verdict"], "%s: the verdict comes first (%s)" % (name, d.first[:3]))
    v = " ".join(d.texts.get("verdict", "").split())
    want = ("Fails: %d new deviation" % sm["fail"]) if sm["fail"] + sm["error"] else \
        ("Passes with %d known deviation" % sm["xfail"]) if sm["xfail"] else "Conforms"
    check(v.startswith(want) and ("%d known deviation" % sm["xfail"]) in v,
          "%s: the verdict says '%s...' and the known deviations (%s)" % (name, want, v[:120]))
    got = d.squares.get("", {})
    check(got == {k: sm[k] for k in STATUSES if sm[k]},
          "%s: grid squares per status %s = the report's summary" % (name, got))
    bad = [h for h in d.hrefs if not (h.startswith("#") and h[1:] in d.ids)]
    check(not bad and d.hrefs, "%s: all %d links point into the page (%s)" % (name, len(d.hrefs), bad[:3]))
    known = [sc for sc in rep["scenarios"] if sc["status"] == "xfail"]
    if known:
        sid = [h for _, h in d.sq_links if h.endswith(known[0]["id"])]
        check(bool(sid) and sid[0][1:] not in d.open_details,
              "%s: a known deviation starts closed" % name)
        if sid:
            rc, dom = chromium(profile, "--dump-dom", url + sid[0])
            d2 = Dom()
            d2.feed(dom)
            check(rc == 0 and sid[0][1:] in d2.open_details,
                  "%s: opened at %s, the page opens that scenario" % (name, sid[0]))


def matrix_checks(d, base):
    """The matrix's summary and grid against the per-server reports."""
    for srv, got in sorted(d.squares.items()):
        with open(os.path.join(base, srv + ".json"), encoding="ascii") as f:
            rep = json.load(f)
        sm = rep["summary"]
        check(got == {k: sm[k] for k in STATUSES if sm[k]},
              "matrix grid %s: squares per status %s = its report" % (srv, got))
        lv = {"must": [0, set()], "should": [0, set()]}
        for sc in rep["scenarios"]:
            r = sc.get("rule") or {}
            if sc["status"] in ("fail", "xfail") and r.get("id"):
                lv[r.get("level", "must")][0] += 1
                lv[r.get("level", "must")][1].add(r["id"])
        for l in ("must", "should"):
            want = "%d (%d)" % (lv[l][0], len(lv[l][1]))
            got = d.texts.get("%s-%s" % (l, srv), "").strip()
            check(got == want, "matrix summary %s: %s deviations %s (report: %s)" % (srv, l.upper(), got, want))
        with open(os.path.join(base, srv + ".html"), encoding="ascii") as f:
            r = Dom()
            r.feed(f.read())
        bad = [h for s, h in d.sq_links if s == srv and h.split("#", 1)[1] not in r.ids]
        check(not bad, "matrix grid %s: every square links to an anchor of %s.html (%s)" % (srv, srv, bad[:3]))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("# html: chromium is not installed (apt-get install chromium)")
        return 77
    shots = sys.argv[1]
    os.makedirs(shots, exist_ok=True)
    profile = os.path.abspath(os.path.join(shots, ".chromium-profile"))
    for page in sys.argv[2:]:
        page = os.path.abspath(page)
        name = os.path.splitext(os.path.basename(page))[0]
        url = "file://" + page
        rc, dom = chromium(profile, "--dump-dom", url)
        check(rc == 0 and "</html>" in dom, "%s: Chromium rendered it (exit %d, %d bytes of DOM)"
              % (name, rc, len(dom)))
        d = Dom()
        d.feed(dom)
        if os.path.basename(page) == "matrix.html":
            base = os.path.dirname(page)
            for srv, got in sorted(d.cells.items()):
                with open(os.path.join(base, srv + ".json"), encoding="ascii") as f:
                    want = json.load(f)["summary"]
                want = {k: want[k] for k in STATUSES if want[k]}
                check(got == want, "matrix column %s shows %s (report: %s)" % (srv, got, want))
            check(d.shown.strip() == "rows shown: %d" % d.rows and d.hidden_rows == 0,
                  "matrix script ran: '%s' for %d rows" % (d.shown.strip(), d.rows))
            matrix_checks(d, base)
        else:
            with open(os.path.splitext(page)[0] + ".json", encoding="ascii") as f:
                rep = json.load(f)
            sm = rep["summary"]
            want = "shown: %d" % sm["total"] + "".join(" %s=%d" % (k, sm[k]) for k in STATUSES)
            check(d.shown.strip() == want, "%s: rendered '%s', report says '%s'"
                  % (name, d.shown.strip(), want))
            report_checks(d, name, rep, profile, url)
        png = os.path.join(shots, name + ".png")
        if os.path.exists(png):
            os.unlink(png)
        rc, _ = chromium(profile, "--window-size=1280,1000", "--hide-scrollbars",
                         "--screenshot=" + png, url)
        check(rc == 0 and os.path.exists(png) and os.path.getsize(png) > 1000,
              "%s: screenshot %s" % (name, png))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
