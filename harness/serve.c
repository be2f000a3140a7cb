/*
 * serve.c - the reference server on its own: on TCP (plain and/or implicit
 * TLS) until SIGINT/SIGTERM, or one session on stdin/stdout (--stdio, what
 * an exec: target runs), or the list of its faults.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "loop.h"
#include "options.h"
#include "server.h"
#include "util.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Listen on HOST:PORT (plain or implicit TLS) and say where on stderr.
 * Returns the port, -1 with errbuf, or -2 for a malformed HOST:PORT. */
static int
serve_listen(struct srv *srv, const char *hostport, int tls, const char *faults, char *errbuf, size_t errlen)
{
	const char *colon = strrchr(hostport, ':');
	if (!colon || colon == hostport || !colon[1]) {
		snprintf(errbuf, errlen, "%s needs HOST:PORT, not '%s'", tls ? "--tls-listen" : "--listen", hostport);
		return -2;
	}
	char *host = xstrndup(hostport, (size_t)(colon - hostport));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	int port = (tls ? srv_listen_tls : srv_listen)(srv, host, colon + 1, errbuf, errlen);
	free(host);
	if (port >= 0)
		fprintf(stderr, "smtp-harness: reference server listening on %.*s:%d%s%s%s\n",
		    (int)(colon - hostport), hostport, port, tls ? " (implicit TLS)" : "",
		    *faults ? " with faults " : "", faults);
	return port;
}

#ifdef __AFL_HAVE_MANUAL_CONTROL
/* Built with afl-clang-fast (make fuzz-afl-server) and run by afl-fuzz:
 * the fork server starts once srv_new() has made the TLS context, and in
 * persistent mode one process serves up to AFL_LOOP_SESSIONS test cases,
 * each a session on copies of stdin and stdout (afl-fuzz rewrites the file
 * behind stdin and rewinds it before each).  Outside afl-fuzz the loop runs
 * once, as serve_stdio().  See docs/fuzzing.md. */
#define AFL_LOOP_SESSIONS 10000

static int
serve_stdio_afl(struct loop *loop, struct srv *srv, int tls)
{
	char err[256];
	__AFL_INIT();
	while (!stop_requested && __AFL_LOOP(AFL_LOOP_SESSIONS)) {
		int in = dup(0), out = dup(1);
		if (in < 0 || out < 0)
			snprintf(err, sizeof(err), "dup: %s", strerror(errno));
		if (in < 0 || out < 0
		    || (tls ? srv_attach_tls : srv_attach)(srv, in, out, err, sizeof(err)) != 0) {
			fprintf(stderr, "smtp-harness: %s\n", err);
			return EXIT_FAILED;
		}
		while (!stop_requested && srv_active_sessions(srv) > 0)
			loop_run_once(loop, 200);
	}
	return EXIT_PASS;
}
#endif

/* One session on stdin/stdout, until it ends or a signal comes. */
static int
serve_stdio(struct loop *loop, struct srv *srv, int tls)
{
#ifdef __AFL_HAVE_MANUAL_CONTROL
	return serve_stdio_afl(loop, srv, tls);
#endif
	char err[256];
	if ((tls ? srv_attach_tls : srv_attach)(srv, 0, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtp-harness: %s\n", err);
		return EXIT_FAILED;
	}
	while (!stop_requested && srv_active_sessions(srv) > 0)
		loop_run_once(loop, 200);
	return EXIT_PASS;
}

/* Listen until a signal comes, then give sessions a second to end. */
static int
serve_tcp(struct loop *loop, struct srv *srv, const struct opt_values *v)
{
	char err[256];
	/* --tls-listen alone means only implicit TLS; both, both. */
	int port = 0;
	if (v->listen_given || !v->tls_listen)
		port = serve_listen(srv, v->listen, 0, v->faults, err, sizeof(err));
	if (port >= 0 && v->tls_listen)
		port = serve_listen(srv, v->tls_listen, 1, v->faults, err, sizeof(err));
	if (port == -2)
		return cmd_usage_error("%s", err);
	if (port < 0) {
		fprintf(stderr, "smtp-harness: %s\n", err);
		return EXIT_FAILED;
	}
	while (!stop_requested)
		loop_run_once(loop, 200);
	srv_shutdown(srv);
	int64_t until = util_now_ms() + 1000;
	while (srv_active_sessions(srv) > 0 && util_now_ms() < until)
		loop_run_once(loop, 50);
	return EXIT_PASS;
}

int
cmd_serve(int argc, char **argv)
{
	struct opt_values v = { .listen = "127.0.0.1:2525", .faults = "" };
	int rc = opt_parse(OPT_SERVE, argc, argv, &v);
	opt_values_free(&v); /* what serve reads points into argv */
	if (rc == 1) {
		for (size_t k = 0; k < srv_fault_count(); k++)
			printf("%-24s %s\n", srv_fault_name(k), srv_fault_desc(k));
		return EXIT_PASS;
	}
	if (rc != 0)
		return rc;
	char err[256];
	struct loop *loop = loop_new();
	struct srv *srv = srv_new(loop, v.faults, err, sizeof(err));
	if (!srv) {
		loop_free(loop);
		return cmd_usage_error("%s", err);
	}
	srv_set_crash_abort(srv, 1);
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = v.stdio ? serve_stdio(loop, srv, v.stdio_tls) : serve_tcp(loop, srv, &v);
	srv_free(srv);
	loop_free(loop);
	return rc;
}
