#!/usr/bin/env python3
"""Open HTML reports in headless Chromium and check what it renders.

Usage: html_render.py SHOTDIR PAGE...
A PAGE is REPORT.html with REPORT.json beside it (an smtp-harness report:
the script-filled "shown:" line must give the JSON summary's counts), or
DIR/matrix.html (every server's cells per status must equal its JSON
summary, and every scenario row must be shown).  Chromium runs with
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

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.in_shown = a.get("id") == "shown"
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

    def handle_endtag(self, tag):
        self.in_shown = False


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
        else:
            with open(os.path.splitext(page)[0] + ".json", encoding="ascii") as f:
                sm = json.load(f)["summary"]
            want = "shown: %d" % sm["total"] + "".join(" %s=%d" % (k, sm[k]) for k in STATUSES)
            check(d.shown.strip() == want, "%s: rendered '%s', report says '%s'"
                  % (name, d.shown.strip(), want))
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
