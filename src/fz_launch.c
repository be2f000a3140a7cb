/*
 * fz_launch.c - the launched server of fz_launch.h.
 */
#include "fz_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fz_errlog.h"
#include "util.h"

struct fz_launch {
	char *cmd;
	const struct tp_target *t;
	const struct fz_cov *cov;
	pid_t pid;          /* 0: not running */
	int via_sh;         /* it runs as /bin/sh -c cmd */
	int errfd;
	struct fz_errlog log;
	unsigned starts;
};

struct fz_launch *
fz_launch_new(const char *cmd, const struct tp_target *t, const struct fz_cov *cov)
{
	struct fz_launch *l = xcalloc(1, sizeof(*l));
	l->cmd = xstrdup(cmd);
	l->t = t;
	l->cov = cov;
	l->errfd = -1;
	fz_errlog_init(&l->log);
	return l;
}

unsigned
fz_launch_starts(const struct fz_launch *l)
{
	return l->starts;
}

/* Blanks between words, as sh splits them. */
static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

char **
fz_launch_argv(const char *cmd)
{
	/* What sh would read otherwise: quoting, expansion, globs,
	 * redirection, lists, groups, comments, history and tilde. */
	static const char special[] = "|&;<>()$`\\\"'*?[]#~{}!\n\r";
	size_t len = strlen(cmd), at = 0;
	if (strpbrk(cmd, special))
		return NULL;
	while (at < len && blank(cmd[at]))
		at++;
	size_t first = at;
	while (at < len && !blank(cmd[at]))
		at++;
	if (first == at || memchr(cmd + first, '=', at - first))
		return NULL; /* nothing, or an assignment: VAR=x server */
	/* sh's own words (exec, cd, ulimit...) run in sh. */
	static const char *const builtin[] = { "exec", "cd", "ulimit", "umask", "eval", "set",
		"export", "unset", "trap", ".", "command", "exit", "if", "while", "until", "for",
		"case", "readonly", "wait", "alias", "local", "read", "type", "hash", NULL };
	for (size_t b = 0; builtin[b]; b++)
		if (strlen(builtin[b]) == at - first && memcmp(cmd + first, builtin[b], at - first) == 0)
			return NULL;
	size_t words = 0;
	for (size_t i = 0; i < len; i++)
		if (!blank(cmd[i]) && (i == 0 || blank(cmd[i - 1])))
			words++;
	char **argv = xmalloc((words + 1) * sizeof(*argv) + len + 1);
	char *w = memcpy((char *)(argv + words + 1), cmd, len + 1);
	size_t n = 0;
	for (char *save = NULL, *tok = strtok_r(w, " \t", &save); tok;
	    tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	return argv;
}

static void
nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* The next poll's nap: 1 ms, doubled up to 16.  A server that goes at
 * SIGTERM goes in a millisecond, and a small one starts in a few; each
 * shrinking try starts it afresh. */
static int
next_nap(int ms)
{
	return ms < 16 ? ms * 2 : ms;
}

static void
read_err(struct fz_launch *l)
{
	char tmp[4096];
	ssize_t n;
	while (l->errfd >= 0 && (n = read(l->errfd, tmp, sizeof(tmp))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: later */
		fz_errlog_take(&l->log, tmp, (size_t)n);
	}
	if (l->errfd >= 0) { /* EOF */
		close(l->errfd);
		l->errfd = -1;
	}
}

/* The process is gone (status): its group too, what it printed read. */
static void
collected(struct fz_launch *l, int status, struct fz_death *d)
{
	kill(-l->pid, SIGKILL); /* helpers it left would hold the port */
	l->pid = 0;
	/* Its stderr to the end, bounded: a helper may still hold the pipe. */
	for (int i = 0; i < 50 && l->errfd >= 0; i++) {
		read_err(l);
		if (l->errfd >= 0)
			nap(2);
	}
	if (l->errfd >= 0) {
		close(l->errfd);
		l->errfd = -1;
	}
	if (d) {
		memset(d, 0, sizeof(*d));
		d->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		d->status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
		/* A shell that did not exec the command reports its death by
		 * signal N as the status 128 + N (run directly, 134 is 134). */
		if (l->via_sh && !d->signal && d->status > 128 && d->status <= 128 + 64)
			d->signal = d->status - 128;
		d->sanitizer = l->log.sanitizer;
		d->stderr_text = fz_errlog_text(&l->log);
	}
}

void
fz_launch_stop(struct fz_launch *l)
{
	if (!l || l->pid <= 0)
		return;
	int st;
	kill(-l->pid, SIGTERM);
	for (int waited = 0, ms = 1; waited < FZ_LAUNCH_TERM_MS; waited += ms, ms = next_nap(ms)) {
		read_err(l);
		if (waitpid(l->pid, &st, WNOHANG) == l->pid) {
			collected(l, st, NULL);
			return;
		}
		nap(ms);
	}
	kill(-l->pid, SIGKILL);
	if (waitpid(l->pid, &st, 0) == l->pid)
		collected(l, st, NULL);
	l->pid = 0;
}

/* 1 if some address of the target accepts a connection now. */
static int
port_open(const struct fz_launch *l)
{
	for (const struct addrinfo *ai = l->t->ai; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		int ok = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
		close(fd);
		if (ok)
			return 1;
	}
	return 0;
}

int
fz_launch_start(struct fz_launch *l, char *errbuf, size_t errlen)
{
	fz_launch_stop(l);
	fz_errlog_free(&l->log);
	fz_errlog_init(&l->log);
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) != 0) {
		snprintf(errbuf, errlen, "--launch: pipe: %s", strerror(errno));
		return -1;
	}
	if (l->cov)
		fz_cov_env(l->cov, 0);
	char **argv = fz_launch_argv(l->cmd);
	pid_t p = fork();
	if (p == 0) {
		setpgid(0, 0);
		/* Should the fuzzer itself die, the server goes too (run
		 * directly, or by a shell that execs it: the flag survives
		 * execve, not fork). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGPIPE, SIG_DFL);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		dup2(ep[1], 2);
		if (argv) {
			execvp(argv[0], argv);
			int e = errno;
			dprintf(2, "smtp-harness: --launch: cannot run '%s': %s\n", argv[0],
			    strerror(e));
			_exit(e == ENOENT ? 127 : 126); /* as sh says it */
		}
		execl("/bin/sh", "sh", "-c", l->cmd, (char *)NULL);
		_exit(127);
	}
	l->via_sh = argv == NULL;
	free(argv);
	if (l->cov)
		fz_cov_env(l->cov, -1);
	close(ep[1]);
	if (p < 0) {
		close(ep[0]);
		snprintf(errbuf, errlen, "--launch: fork: %s", strerror(errno));
		return -1;
	}
	setpgid(p, p); /* also here: no race with the kill of its group */
	l->pid = p;
	l->errfd = ep[0];
	fcntl(l->errfd, F_SETFL, fcntl(l->errfd, F_GETFL) | O_NONBLOCK);
	l->starts++;
	int64_t until = util_now_ms() + FZ_LAUNCH_READY_MS;
	for (int ms = 1;; ms = next_nap(ms)) {
		read_err(l);
		int st;
		if (waitpid(p, &st, WNOHANG) == p) {
			struct fz_death d;
			collected(l, st, &d);
			snprintf(errbuf, errlen, "--launch: '%s' %s %d before %s:%s accepted a "
			    "connection%s%.200s", l->cmd, d.signal ? "died by signal" : "exited with status",
			    d.signal ? d.signal : d.status, l->t->host, l->t->port,
			    d.stderr_text ? "; stderr: " : "", d.stderr_text ? d.stderr_text : "");
			free(d.stderr_text);
			return -1;
		}
		if (port_open(l))
			return 0;
		if (util_now_ms() >= until) {
			fz_launch_stop(l);
			snprintf(errbuf, errlen, "--launch: %s:%s accepted no connection within %d s of "
			    "starting '%s'", l->t->host, l->t->port, FZ_LAUNCH_READY_MS / 1000, l->cmd);
			return -1;
		}
		nap(ms);
	}
}

int
fz_launch_check(struct fz_launch *l, int wait_ms, struct fz_death *d)
{
	if (l->pid <= 0)
		return -1;
	int64_t until = util_now_ms() + wait_ms;
	for (;;) {
		read_err(l);
		int st;
		if (waitpid(l->pid, &st, WNOHANG) == l->pid) {
			collected(l, st, d);
			return 1;
		}
		if (util_now_ms() >= until)
			return 0;
		nap(5);
	}
}

void
fz_launch_free(struct fz_launch *l)
{
	if (!l)
		return;
	fz_launch_stop(l);
	if (l->errfd >= 0)
		close(l->errfd);
	fz_errlog_free(&l->log);
	free(l->cmd);
	free(l);
}
