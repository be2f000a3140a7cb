#!/usr/bin/env python3
"""The CI templates of docs/ci/, parsed and run here (tests/ci-templates.sh).

Each template must be valid YAML of the right shape: the GitHub Actions
workflow has its triggers, one job, a checkout, the install, server, run
and stop steps, a JUnit publishing step and an artifact upload that run
always(); the GitLab job has before_script, script and artifacts kept
`when: always` with the JUnit report.  Every shell command in them passes
`bash -n`.

Then the commands are run as the CI service would run them, in a temporary
"user repository" holding tests/ci/smtp.profile.yaml and
tests/ci/smtp.baseline.yaml under the templates' names (ci/...):

- GitHub: each `run:` step in order with `bash --noprofile --norc -eo
  pipefail`, the workflow and job env, $GITHUB_PATH and $GITHUB_ENV honoured;
  after a failed step only `if: always()` steps run; a `uses:` step is
  checked, not run: its report or artifact paths must exist.
- GitLab: before_script then script in one `bash -eo pipefail`, as the
  runner concatenates them; the artifact paths must exist.

smtp-harness is built by the templates' own install commands, from a git
snapshot of this working tree (SMTP_HARNESS_GIT=file://...), once per
template: later runs reuse the installed tool (GitHub: the step is skipped,
$GITHUB_PATH kept; GitLab: the environment before_script exported).  On
this machine `sudo` runs the command as it is (we are root) and `apt-get`
checks that the packages asked for are installed instead of fetching them.
"Your server" (SMTP_SERVER_CMD) is `smtp-harness serve` on a free loopback
port, with faults:

  lf-dot-lf              the baseline's known deviations: the job passes
  lf-dot-lf,rset-arg-ok  one new deviation: the run step exits 1, the job
                         fails, the reports are still published
  (none)                 the known deviations are gone (XPASS): exit 0,
                         the JUnit report shows them as XPASS failures

Prints ok/not ok lines; exits 1 on any failure.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

try:
    import yaml
except ImportError:
    print("not ok ci-templates: python3-yaml is missing (sh harness/install-deps.sh)")
    sys.exit(1)

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
fails = 0


def check(ok, what):
    global fails
    print(("ok   " if ok else "not ok ") + "ci-templates: " + what, flush=True)
    fails += 0 if ok else 1
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listening(port):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def gone(port, seconds=5.0):
    """The stop step's kill is a SIGTERM: the server closes its listener
    as it shuts down, a moment later.  True once nothing listens."""
    end = time.time() + seconds
    while listening(port):
        if time.time() > end:
            return False
        time.sleep(0.05)
    return True


def snapshot(tmp):
    """A git repository of this working tree (tracked and untracked files,
    not what .gitignore excludes), branch main: what the templates clone."""
    src = os.path.join(tmp, "smtp-harness-src")
    os.makedirs(src)
    p = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=TOP,
                       capture_output=True)
    if p.returncode == 0:
        files = p.stdout.split(b"\0")
    else:  # not a git checkout (a tarball): everything but the build outputs
        files = []
        for d, dirs, fs in os.walk(TOP):
            dirs[:] = [x for x in dirs if not (d == TOP and x in ("build", ".git", "reports"))]
            files += [os.fsencode(os.path.relpath(os.path.join(d, f), TOP)) for f in fs]
    for f in files:
        if not f:
            continue
        p = os.fsdecode(f)
        if not os.path.lexists(os.path.join(TOP, p)):
            continue
        os.makedirs(os.path.join(src, os.path.dirname(p)), exist_ok=True)
        shutil.copy2(os.path.join(TOP, p), os.path.join(src, p), follow_symlinks=False)
    git = ["git", "-c", "user.name=ci-templates", "-c", "user.email=ci@templates.invalid"]
    subprocess.run(git + ["init", "-q", "-b", "main"], cwd=src, check=True)
    subprocess.run(git + ["add", "-A"], cwd=src, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "snapshot"], cwd=src, check=True)
    return "file://" + src


def shims(tmp):
    """sudo and apt-get as this test's stand-ins (see the docstring)."""
    d = os.path.join(tmp, "shims")
    os.makedirs(d)
    with open(os.path.join(d, "sudo"), "w") as f:
        f.write('#!/bin/sh\n# root already: run the command as it is\nexec "$@"\n')
    with open(os.path.join(d, "apt-get"), "w") as f:
        f.write("""#!/bin/sh
# apt-get update: nothing; apt-get install: every package must be installed
case "$1" in update) exit 0 ;; install) shift ;; *) echo "apt-get shim: $*" >&2; exit 2 ;; esac
for p in "$@"; do
	case "$p" in -*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		{ echo "apt-get shim: $p is not installed here" >&2; exit 100; }
done
""")
    for n in ("sudo", "apt-get"):
        os.chmod(os.path.join(d, n), 0o755)
    return d


def base_env(tmp, shimdir):
    env = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TERM", "USER", "LOGNAME")}
    env["PATH"] = shimdir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env["HOME"] = os.path.join(tmp, "home")
    env["TMPDIR"] = os.path.join(tmp, "tmpdir")
    env["CI"] = "true"
    os.makedirs(env["HOME"], exist_ok=True)
    os.makedirs(env["TMPDIR"], exist_ok=True)
    return env


def workspace(tmp, name):
    """The user's repository: the test's profile and baseline where the
    templates look for them."""
    ws = os.path.join(tmp, "ws-" + name)
    os.makedirs(os.path.join(ws, "ci"))
    shutil.copy(os.path.join(TOP, "tests/ci/smtp.profile.yaml"), os.path.join(ws, "ci/smtp.profile.yaml"))
    shutil.copy(os.path.join(TOP, "tests/ci/smtp.baseline.yaml"), os.path.join(ws, "ci/smtp.baseline.yaml"))
    return ws


def run_shell(script, env, cwd, log, groups):
    """Run a script as CI runs it; its process group is recorded so that
    what it left running (the server) can be ended as the runner would."""
    with open(log, "ab") as out:
        p = subprocess.Popen(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                             cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        groups.append(p.pid)
        try:
            return p.wait(timeout=900)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            return 124


def end_groups(groups):
    for g in groups:
        try:
            os.killpg(g, signal.SIGTERM)
        except ProcessLookupError:
            pass


def junit(path):
    """(tests, failures, errors, {deviation id: n}, [failure types])."""
    root = ET.parse(path).getroot()
    ts = root.find("testsuite") if root.tag == "testsuites" else root
    devs = {p.get("name")[len("deviation:"):]: int(p.get("value"))
            for p in ts.iter("property") if p.get("name", "").startswith("deviation:")}
    types = [f.get("type") for f in ts.iter("failure")]
    return int(ts.get("tests")), int(ts.get("failures")), int(ts.get("errors")), devs, types


def syntax_ok(script, what):
    p = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True)
    return check(p.returncode == 0, "%s: bash -n %s" % (what, p.stderr.strip()))


SCENARIOS = [
    ("known", "lf-dot-lf", 0, "the baseline's deviations only: the job passes"),
    ("new", "lf-dot-lf,rset-arg-ok", 1, "a new deviation: the run exits 1, the job fails"),
    ("fixed", "", 0, "the known deviations gone (XPASS): exit 0, reported"),
]


def check_reports(what, ws, reports, want_rc, rc, faults, name):
    jx = os.path.join(ws, reports, "junit.xml")
    hx = os.path.join(ws, reports, "report.html")
    if not check(os.path.isfile(jx) and os.path.isfile(hx),
                 "%s %s: junit.xml and report.html written" % (what, name)):
        return
    tests, failures, errors, devs, types = junit(jx)
    want_tests = sum(1 for _r, _d, fs in os.walk(os.path.join(TOP, "scenarios")) for f in fs if f.endswith(".yaml"))
    check(tests == want_tests, "%s %s: JUnit has %d testcases (%d scenarios)" % (what, name, tests, want_tests))
    page = open(hx, encoding="ascii").read()
    if name == "known":
        check(failures == 0 and errors == 0 and devs.get("DT-02") == 4,
              "%s known: JUnit 0 failures, deviation:DT-02 = 4 (known deviations shown) (%d, %d, %s)"
              % (what, failures, errors, devs))
        check("DT-02" in page, "%s known: the HTML report names DT-02" % what)
    elif name == "new":
        check(failures >= 1 and "FAIL" in types and devs.get("DT-02") == 4 and len(devs) >= 2,
              "%s new: JUnit holds the new FAIL and the known DT-02 (%d failures, %s)" % (what, failures, devs))
    else:
        check(failures == 4 and types.count("XPASS") == 4,
              "%s fixed: JUnit has the 4 XPASS as failures (%d, %s)" % (what, failures, types))


def github(tmp, env0, git_url):
    path = os.path.join(TOP, "docs/ci/github-actions.yml")
    try:
        wf = yaml.safe_load(open(path))
        check(True, "github-actions.yml is valid YAML")
    except yaml.YAMLError as e:
        check(False, "github-actions.yml: %s" % e)
        return
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    check(isinstance(on, dict) and "push" in on and "pull_request" in on, "github: on push and pull_request")
    jobs = wf.get("jobs") or {}
    check(len(jobs) == 1, "github: one job (%s)" % list(jobs))
    job = next(iter(jobs.values()))
    steps = job.get("steps") or []
    env = dict(wf.get("env") or {})
    env.update(job.get("env") or {})
    check(all(("run" in s) != ("uses" in s) for s in steps), "github: every step has run or uses")
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    check("actions/checkout" in uses, "github: checks out the repository")
    ju, up = uses.get("mikepenz/action-junit-report"), uses.get("actions/upload-artifact")
    check(ju is not None and "always()" in str(ju.get("if")), "github: JUnit published, if: always()")
    check(up is not None and "always()" in str(up.get("if")), "github: artifact uploaded, if: always()")
    ids = [s.get("id") for s in steps]
    check("install-smtp-harness" in ids, "github: an install-smtp-harness step")
    for s in steps:
        if "run" in s:
            syntax_ok(s["run"], "github step '%s'" % s.get("name"))
    run_step = [s for s in steps if "smtp-harness run" in s.get("run", "")]
    check(len(run_step) == 1 and "--baseline" in run_step[0]["run"] and "junit:" in run_step[0]["run"]
          and "html:" in run_step[0]["run"], "github: one run step with --baseline, junit and html reports")

    def expand(s, e):
        return re.sub(r"\$\{\{\s*env\.(\w+)\s*\}\}", lambda m: str(e.get(m.group(1), "")), str(s))

    ghpath = os.path.join(tmp, "github_path")
    open(ghpath, "w").close()
    installed = False
    for name, faults, want_rc, what in SCENARIOS:
        port = free_port()
        ws = workspace(tmp, "github-" + name)
        e = {k: str(v) for k, v in env.items()}
        e.update(SMTP_SERVER_CMD="smtp-harness serve --listen 127.0.0.1:%d%s" % (
                     port, " --faults " + faults if faults else ""),
                 SMTP_PORT=str(port), SMTP_TARGET="smtp://127.0.0.1:%d" % port,
                 SMTP_HARNESS_GIT=git_url)
        ghenv = os.path.join(tmp, "github_env-" + name)
        open(ghenv, "w").close()
        log = os.path.join(tmp, "github-%s.log" % name)
        groups, failed, outcome = [], False, {}
        for s in steps:
            sname = s.get("name") or s.get("uses")
            cond = str(s.get("if", ""))
            if failed and "always()" not in cond:
                outcome[sname] = "skipped"
                continue
            if "uses" in s:
                w = {k: expand(v, e) for k, v in (s.get("with") or {}).items()}
                if s["uses"].startswith("mikepenz/action-junit-report"):
                    ok = os.path.isfile(os.path.join(ws, w.get("report_paths", "")))
                elif s["uses"].startswith("actions/upload-artifact"):
                    paths = [p.strip() for p in w.get("path", "").splitlines() if p.strip()]
                    ok = paths and all(os.path.exists(os.path.join(ws, p)) for p in paths)
                else:
                    ok = True
                outcome[sname] = "found" if ok else "missing"
                continue
            if s.get("id") == "install-smtp-harness" and installed:
                outcome[sname] = "reused"
                continue
            se = dict(env0)
            extra = [l.strip() for l in open(ghpath) if l.strip()]
            se["PATH"] = ":".join(reversed(extra) if extra else []) + (":" if extra else "") + env0["PATH"]
            se.update(e)
            se.update({k: str(v) for k, v in (s.get("env") or {}).items()})
            for l in open(ghenv):
                if "=" in l:
                    k, v = l.rstrip("\n").split("=", 1)
                    se[k] = v
            se.update(GITHUB_PATH=ghpath, GITHUB_ENV=ghenv, GITHUB_WORKSPACE=ws,
                      RUNNER_TEMP=os.path.join(tmp, "runner-temp"))
            os.makedirs(se["RUNNER_TEMP"], exist_ok=True)
            with open(log, "a") as f:
                f.write("\n=== step: %s\n" % sname)
            rc = run_shell(s["run"], se, ws, log, groups)
            outcome[sname] = rc
            if s.get("id") == "install-smtp-harness" and rc == 0:
                installed = True
            if rc != 0:
                failed = True
        server_gone = gone(port)
        end_groups(groups)
        rc = outcome.get(run_step[0].get("name")) if run_step else None
        check(rc == want_rc, "github %s (%s): run step exit %s, wanted %d%s" % (
            name, what, rc, want_rc, "" if rc == want_rc else "; log " + tail(log)))
        check(failed == (want_rc != 0), "github %s: the job %s" % (name, "fails" if failed else "passes"))
        check(outcome.get(ju.get("name")) == "found" and outcome.get(up.get("name")) == "found",
              "github %s: the JUnit step and the artifact find their files (%s, %s)" % (
                  name, outcome.get(ju.get("name")), outcome.get(up.get("name"))))
        check(server_gone, "github %s: the stop step ended the server" % name)
        check_reports("github", ws, e["SMTP_REPORTS"], want_rc, rc, faults, name)
        if not installed:
            check(False, "github: the install step failed; log " + tail(log))
            return


def gitlab(tmp, env0, git_url):
    path = os.path.join(TOP, "docs/ci/gitlab-ci.yml")
    try:
        doc = yaml.safe_load(open(path))
        check(True, "gitlab-ci.yml is valid YAML")
    except yaml.YAMLError as e:
        check(False, "gitlab-ci.yml: %s" % e)
        return
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    check(len(jobs) == 1, "gitlab: one job (%s)" % list(jobs))
    job = next(iter(jobs.values()))
    art = job.get("artifacts") or {}
    check(art.get("when") == "always", "gitlab: artifacts when: always")
    junit_path = (art.get("reports") or {}).get("junit")
    check(junit_path is not None, "gitlab: artifacts:reports:junit")
    check(all(isinstance(l, str) for l in job.get("before_script", []) + job["script"]),
          "gitlab: before_script and script are lists of strings")
    before = "\n".join(job.get("before_script", []))
    script = "\n".join(job["script"])
    syntax_ok(before, "gitlab before_script")
    syntax_ok(script, "gitlab script")
    check("smtp-harness run" in script and "--baseline" in script and "junit:" in script
          and "html:" in script, "gitlab: the run has --baseline, junit and html reports")
    var = {k: str(v) for k, v in (job.get("variables") or {}).items()}
    prefix = os.path.join(tmp, "gitlab-prefix")
    e = dict(env0)
    e.update(var)
    e.update(SMTP_HARNESS_GIT=git_url, SMTP_HARNESS_PREFIX=prefix, CI_PROJECT_DIR=os.path.join(tmp, "ws-gitlab-known"))
    ws0 = workspace(tmp, "gitlab-known")
    log = os.path.join(tmp, "gitlab-install.log")
    groups = []
    # before_script as the runner runs it, then what it exported.
    rc = run_shell(before + "\nenv -0 > \"$TMPDIR/gitlab-env\"", e, ws0, log, groups)
    if not check(rc == 0, "gitlab: before_script (apt-get, git clone, make install) exit %d%s" % (
            rc, "" if rc == 0 else "; log " + tail(log))):
        return
    exported = dict(kv.split("=", 1) for kv in open(os.path.join(e["TMPDIR"], "gitlab-env")).read().split("\0") if "=" in kv)
    check(exported.get("PATH", "").startswith(prefix + "/bin:"), "gitlab: before_script put the installed smtp-harness on PATH")
    for name, faults, want_rc, what in SCENARIOS:
        port = free_port()
        ws = ws0 if name == "known" else workspace(tmp, "gitlab-" + name)
        se = dict(exported)
        se.update(SMTP_SERVER_CMD="smtp-harness serve --listen 127.0.0.1:%d%s" % (
                      port, " --faults " + faults if faults else ""),
                  SMTP_PORT=str(port), SMTP_TARGET="smtp://127.0.0.1:%d" % port, CI_PROJECT_DIR=ws)
        log = os.path.join(tmp, "gitlab-%s.log" % name)
        groups = []
        rc = run_shell(script, se, ws, log, groups)
        end_groups(groups)  # the job's container ends with the job
        check(rc == want_rc, "gitlab %s (%s): job exit %d, wanted %d%s" % (
            name, what, rc, want_rc, "" if rc == want_rc else "; log " + tail(log)))
        missing = [p for p in [junit_path] + list(art.get("paths") or []) if not os.path.exists(os.path.join(ws, p))]
        check(not missing, "gitlab %s: the artifact paths exist (%s)" % (name, missing or "all"))
        check_reports("gitlab", ws, var["SMTP_REPORTS"], want_rc, rc, faults, name)


def tail(log, n=15):
    try:
        return "\n" + "".join(open(log, errors="replace").readlines()[-n:])
    except OSError:
        return "(no log)"


def main():
    with tempfile.TemporaryDirectory(prefix="ci-templates.") as tmp:
        git_url = snapshot(tmp)
        env0 = base_env(tmp, shims(tmp))
        t0 = time.time()
        github(tmp, env0, git_url)
        t1 = time.time()
        gitlab(tmp, env0, git_url)
        print("# ci-templates: github %.0f s, gitlab %.0f s" % (t1 - t0, time.time() - t1))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
