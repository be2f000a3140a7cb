/*
 * fuzz_engine.c - the engine (src/engine.h) against a scripted server:
 * every session's bytes come from the input instead of a real server.
 *
 * Link with -Wl,--wrap=tp_spawn: the engine runs an `exec:` target, and
 * each session's tp_spawn() lands in __wrap_tp_spawn() below, which hands
 * back one end of a socketpair whose other end already holds the scripted
 * server bytes and is shut for writing (the "server" then says no more;
 * what the engine sends stays unread in the socket).  No child process and
 * no change to engine.c or transport.c.
 *
 * Input: SCENARIO-YAML "\n#SERVER\n" SERVER-BYTES, or only SERVER-BYTES,
 * which then run against the built-in scenario below (a whole
 * transaction, with a capture and a text check).  Both the probe session
 * and the scenario's session get the same server bytes.  Waits and
 * timeouts are clamped so one input takes milliseconds.
 *
 * Checks: eng_run() returns, the result is one of the documented
 * statuses, a failure says why, a pass has no reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "fuzz.h"
#include "loader.h"
#include "result.h"

#define SEP "\n#SERVER\n"

static const char builtin_scenario[] =
    "id: fuzz-transaction\n"
    "title: a whole transaction\n"
    "level: must\n"
    "refs: [RFC 5321 3.3]\n"
    "opening: ehlo\n"
    "steps:\n"
    "  - send: \"MAIL FROM:<${sender}> SIZE=100\"\n"
    "  - expect: {code: 250, enhanced: present}\n"
    "  - pipeline: [\"RCPT TO:<${recipient}>\", \"NOOP\"]\n"
    "  - expect: {code: [250, 251], capture: {who: {regex: '<([^>]*)>'}}}\n"
    "  - expect: 250\n"
    "  - send: \"DATA\"\n"
    "  - expect: 354\n"
    "  - data: \"Subject: x\\n\\n.hello\\n\"\n"
    "  - expect: {code: 250, text: 'queued', single_line: true}\n"
    "  - send: \"QUIT\"\n"
    "  - expect: 221\n"
    "  - expect_close: true\n";

static const char *server_bytes;
static size_t server_len;
static int open_fds[64];
static size_t n_open;

int __wrap_tp_spawn(const struct tp_target *t, pid_t *pid, char *errbuf, size_t errlen);

int
__wrap_tp_spawn(const struct tp_target *t, pid_t *pid, char *errbuf, size_t errlen)
{
	int sv[2];

	(void)t;
	*pid = 0; /* no child: the engine reaps only pids > 0 */
	if (n_open == sizeof(open_fds) / sizeof(open_fds[0])) {
		snprintf(errbuf, errlen, "fuzz: too many sessions");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(errbuf, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	/* Room for the whole script and for what the engine sends back. */
	int sz = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	size_t off = 0;
	while (off < server_len) {
		ssize_t w = write(sv[1], server_bytes + off, server_len - off);
		if (w <= 0)
			break; /* what did not fit is cut: a server that stops early */
		off += (size_t)w;
	}
	shutdown(sv[1], SHUT_WR);
	open_fds[n_open++] = sv[1];
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	return sv[0];
}

static void
clamp(struct scn *s)
{
	s->timeout = 0;
	for (size_t i = 0; i < s->n_steps; i++) {
		struct scn_step *st = &s->steps[i];
		if (st->repeat > 4)
			st->repeat = 4;
		if (st->seconds > 0.01)
			st->seconds = 0.01;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *yaml = builtin_scenario;
	size_t yaml_len = sizeof(builtin_scenario) - 1;
	const char *sep = memmem(in, size, SEP, sizeof(SEP) - 1);
	struct load_diag diag;
	static int once;

	if (!once) {
		signal(SIGPIPE, SIG_IGN);
		once = 1;
	}
	server_bytes = in;
	server_len = size;
	if (sep) {
		yaml = in;
		yaml_len = (size_t)(sep - in);
		server_bytes = sep + sizeof(SEP) - 1;
		server_len = size - yaml_len - (sizeof(SEP) - 1);
	}
	load_diag_init(&diag);
	struct scn *s = load_scenario_mem("fuzz.yaml", yaml, yaml_len, &diag);
	load_diag_free(&diag);
	if (!s)
		return 0;
	clamp(s);

	struct tp_target target;
	char err[256];
	FUZZ_CHECK(tp_parse("exec:fuzz-server", &target, err, sizeof(err)) == NULL, "%s", err);
	struct eng_opts o = {
		.target = &target,
		.jobs = 1,
		.timeout = 0.05,
		.scenario_timeout = 0.5,
		.vars = load_default_vars,
		.n_vars = load_n_default_vars,
	};
	struct res_result res;
	struct eng_probe probe;
	struct scn *const scns[1] = { s };
	memset(&res, 0, sizeof(res));
	enum eng_status rc = eng_run(&o, scns, 1, &res, &probe, err, sizeof(err));
	FUZZ_CHECK(rc == ENG_OK || rc == ENG_UNREACHABLE, "eng_run: %d", (int)rc);
	if (rc == ENG_OK) {
		FUZZ_CHECK(probe.greeting_code == 220, "ran after a %d greeting", probe.greeting_code);
		FUZZ_CHECK(res.status <= RES_XPASS, "status %d", (int)res.status);
		FUZZ_CHECK(res_status_name(res.status) != NULL, "no name");
		if (res.status == RES_PASS)
			FUZZ_CHECK(res.reason == NULL, "a pass with a reason: %s", res.reason);
		else
			FUZZ_CHECK(res.reason != NULL && strchr(res.reason, '\n') == NULL,
			    "a %s without a one-line reason", res_status_name(res.status));
		res_result_free(&res);
	}
	for (size_t i = 0; i < n_open; i++)
		close(open_fds[i]);
	n_open = 0;
	tp_free(&target);
	scn_free(s);
	return 0;
}
