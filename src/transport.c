/* transport.c - target URL parsing, TCP connect and exec spawn. */
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static void
free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

void
tp_free(struct tp_target *t)
{
	free(t->url);
	free(t->host);
	free(t->port);
	free_argv(t->argv);
	free(t->faults);
	if (t->ai)
		freeaddrinfo(t->ai);
	memset(t, 0, sizeof(*t));
}

/* Split a command line on blanks, honouring '...', "..." and backslash. */
static const char *
split_words(const char *s, char ***argv_out)
{
	char **argv = NULL;
	size_t n = 0;
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char *w = xmalloc(strlen(p) + 1);
		size_t k = 0;
		char q = 0;
		for (; *p; p++) {
			if (q) {
				if (*p == q)
					q = 0;
				else if (*p == '\\' && q == '"' && p[1])
					w[k++] = *++p;
				else
					w[k++] = *p;
			} else if (*p == '\'' || *p == '"')
				q = *p;
			else if (*p == '\\' && p[1])
				w[k++] = *++p;
			else if (*p == ' ' || *p == '\t')
				break;
			else
				w[k++] = *p;
		}
		w[k] = '\0';
		if (q) {
			free(w);
			free_argv(argv ? (argv[n] = NULL, argv) : NULL);
			return "unterminated quote in exec: command";
		}
		argv = xrealloc(argv, (n + 2) * sizeof(*argv));
		argv[n++] = w;
		argv[n] = NULL;
	}
	if (n == 0)
		return "exec: needs a command";
	*argv_out = argv;
	return NULL;
}

const char *
tp_parse(const char *url, struct tp_target *t, char *errbuf, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->url = xstrdup(url);
	if (strcmp(url, "builtin") == 0 || strncmp(url, "builtin:", 8) == 0) {
		t->kind = TP_BUILTIN;
		t->faults = xstrdup(url[7] ? url + 8 : "");
		return NULL;
	}
	if (strcmp(url, "builtins") == 0 || strncmp(url, "builtins:", 9) == 0) {
		t->kind = TP_BUILTIN;
		t->tls = 1;
		t->faults = xstrdup(url[8] ? url + 9 : "");
		return NULL;
	}
	if (strncmp(url, "exec:", 5) == 0) {
		t->kind = TP_EXEC;
		const char *why = split_words(url + 5, &t->argv);
		if (why) {
			snprintf(errbuf, errlen, "bad target '%s': %s", url, why);
			return errbuf;
		}
		return NULL;
	}
	if (strncmp(url, "smtps://", 8) == 0)
		t->tls = 1;
	else if (strncmp(url, "smtp://", 7) != 0) {
		snprintf(errbuf, errlen, "bad target '%s': expected smtp://HOST:PORT, smtps://HOST:PORT, "
		    "exec:COMMAND or builtin[:FAULTS]", url);
		return errbuf;
	}
	const char *h = url + (t->tls ? 8 : 7), *colon;
	size_t hlen;
	if (*h == '[') {
		const char *end = strchr(h, ']');
		if (!end) {
			snprintf(errbuf, errlen, "bad target '%s': missing ']' after an IPv6 address", url);
			return errbuf;
		}
		hlen = (size_t)(end - h - 1);
		t->host = xstrndup(h + 1, hlen);
		colon = end + 1;
		if (*colon && *colon != ':')
			colon = NULL;
	} else {
		colon = strrchr(h, ':');
		hlen = colon ? (size_t)(colon - h) : strlen(h);
		t->host = xstrndup(h, hlen);
	}
	if (!t->host[0]) {
		snprintf(errbuf, errlen, "bad target '%s': no host", url);
		return errbuf;
	}
	if (colon == NULL && *h == '[') {
		snprintf(errbuf, errlen, "bad target '%s': junk after ']'", url);
		return errbuf;
	}
	/* RFC 8314 7.3: submissions on 465 is where implicit TLS lives. */
	const char *port = colon && *colon == ':' ? colon + 1 : t->tls ? "465" : "25";
	if (strchr(port, '/'))
		port = xstrndup(port, (size_t)(strchr(port, '/') - port)), t->port = (char *)port;
	else
		t->port = xstrdup(port);
	char *end = NULL;
	long pv = strtol(t->port, &end, 10);
	if (!t->port[0] || *end || pv < 1 || pv > 65535) {
		snprintf(errbuf, errlen, "bad target '%s': port must be 1-65535", url);
		return errbuf;
	}
	t->kind = TP_SMTP;
	return NULL;
}

int
tp_resolve(struct tp_target *t, char *errbuf, size_t errlen)
{
	struct addrinfo hints = { 0 };
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(t->host, t->port, &hints, &t->ai);
	if (rc != 0) {
		snprintf(errbuf, errlen, "cannot resolve %s: %s", t->host, gai_strerror(rc));
		t->ai = NULL;
		return -1;
	}
	return 0;
}

int
tp_connect(const struct tp_target *t, size_t idx, int *more, char *errbuf, size_t errlen)
{
	struct addrinfo *ai = t->ai;
	for (size_t i = 0; ai && i < idx; i++)
		ai = ai->ai_next;
	*more = ai && ai->ai_next != NULL;
	if (!ai) {
		snprintf(errbuf, errlen, "no address left to try for %s", t->host);
		return -1;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		snprintf(errbuf, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
		snprintf(errbuf, errlen, "connect to %s port %s: %s", t->host, t->port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
tp_connect_result(int fd, char *errbuf, size_t errlen)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err == ECONNRESET || err == EPIPE) {
		/* The handshake completed and the server reset it before we
		 * looked: say so, it is not a refused connection. */
		snprintf(errbuf, errlen, "the server reset the connection as soon as it was made (%s)",
		    strerror(err));
		return -1;
	}
	if (err) {
		snprintf(errbuf, errlen, "connect: %s", strerror(err));
		return -1;
	}
	return 0;
}

static int spawn(const struct tp_target *t, pid_t *pid, int errw, char *errbuf,
    size_t errlen);

int
tp_spawn(const struct tp_target *t, pid_t *pid, char *errbuf, size_t errlen)
{
	return tp_spawn_stderr(t, pid, NULL, errbuf, errlen);
}

int
tp_spawn_stderr(const struct tp_target *t, pid_t *pid, int *errfd, char *errbuf, size_t errlen)
{
	int ep[2] = { -1, -1 };
	if (errfd && pipe2(ep, O_CLOEXEC) != 0) {
		snprintf(errbuf, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	int fd = spawn(t, pid, ep[1], errbuf, errlen);
	if (ep[1] >= 0)
		close(ep[1]);
	if (fd < 0 && ep[0] >= 0)
		close(ep[0]);
	if (errfd) {
		*errfd = fd < 0 ? -1 : ep[0];
		if (*errfd >= 0)
			fcntl(*errfd, F_SETFL, fcntl(*errfd, F_GETFL) | O_NONBLOCK);
	}
	return fd;
}

/* The child's descriptors: stdin and stdout on our socket's other end,
 * stderr on errw (-1: keep ours). */
static int
child_files(posix_spawn_file_actions_t *fa, int end, int errw)
{
	if (posix_spawn_file_actions_init(fa) != 0)
		return -1;
	if (posix_spawn_file_actions_adddup2(fa, end, 0) ||
	    posix_spawn_file_actions_adddup2(fa, end, 1) ||
	    (errw >= 0 && posix_spawn_file_actions_adddup2(fa, errw, 2))) {
		posix_spawn_file_actions_destroy(fa);
		return -1;
	}
	return 0;
}

/* posix_spawnp with our file actions and attributes; on ENOEXEC (a script
 * without "#!"), through /bin/sh as execvp would.  0 or an errno. */
static int
spawn_argv(pid_t *p, char *const argv[], const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at)
{
	int e = posix_spawnp(p, argv[0], fa, at, argv, environ);
	if (e != ENOEXEC)
		return e;
	size_t n = 0;
	while (argv[n])
		n++;
	char **sh = xcalloc(3 + n + 1, sizeof(*sh));
	sh[0] = "sh";
	sh[1] = "-c";
	sh[2] = "exec \"$0\" \"$@\"";
	for (size_t i = 0; i < n; i++)
		sh[3 + i] = argv[i];
	e = posix_spawn(p, "/bin/sh", fa, at, sh, environ);
	free(sh);
	return e;
}

/* posix_spawn, not fork: the fuzzer spawns a process a session, and a fork
 * copies its page tables (hundreds of MB once the corpus is full) and makes
 * its next writes fault.  The child gets its own process group (so its
 * tree can be killed) and SIGPIPE back at its default; its stderr is errw,
 * else /dev/null unless SMTP_HARNESS_CHILD_STDERR keeps ours. */
static int
spawn(const struct tp_target *t, pid_t *pid, int errw, char *errbuf, size_t errlen)
{
	int sv[2];
	*pid = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(errbuf, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	int devnull = -1;
	if (errw < 0 && !getenv("SMTP_HARNESS_CHILD_STDERR"))
		errw = devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def;
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	int e = ENOMEM;
	if (child_files(&fa, sv[1], errw) != 0)
		goto fail;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto fail;
	}
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigdefault(&at, &def);
	pid_t p;
	e = spawn_argv(&p, t->argv, &fa, &at);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0)
		goto fail; /* glibc has collected a child whose exec failed */
	if (devnull >= 0)
		close(devnull);
	close(sv[1]);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	*pid = p;
	return sv[0];
fail:
	snprintf(errbuf, errlen, "cannot run '%s': %s", t->argv[0], strerror(e));
	if (devnull >= 0)
		close(devnull);
	close(sv[0]);
	close(sv[1]);
	return -1;
}

/* ---- child reaping ----------------------------------------------------- */

int
tp_crash_status(int status)
{
	if (!WIFSIGNALED(status))
		return 0;
	int sig = WTERMSIG(status);
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGILL ||
	    sig == SIGFPE || sig == SIGSYS || sig == SIGTRAP ? sig : 0;
}

int
tp_child_crash(pid_t pid, int *reaped)
{
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	*reaped = r == pid;
	return *reaped ? tp_crash_status(st) : 0;
}

#define REAP_GRACE_MS 1000

struct tp_reaper {
	struct { pid_t pid; int64_t kill_at; } *v;
	size_t n;
};

struct tp_reaper *
tp_reaper_new(void)
{
	return xcalloc(1, sizeof(struct tp_reaper));
}

void
tp_reaper_add(struct tp_reaper *r, pid_t pid)
{
	int st;
	if (waitpid(pid, &st, WNOHANG) == pid)
		return;
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n].pid = pid;
	r->v[r->n++].kill_at = util_now_ms() + REAP_GRACE_MS;
}

void
tp_reaper_poll(struct tp_reaper *r, int force)
{
	int64_t now = util_now_ms();
	for (size_t i = 0; i < r->n;) {
		int st;
		pid_t pid = r->v[i].pid;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			r->v[i] = r->v[--r->n];
			continue;
		}
		if (force || now >= r->v[i].kill_at) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			r->v[i] = r->v[--r->n];
			continue;
		}
		i++;
	}
}

void
tp_reaper_free(struct tp_reaper *r)
{
	if (!r)
		return;
	tp_reaper_poll(r, 1);
	free(r->v);
	free(r);
}
