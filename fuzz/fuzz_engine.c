/*
 * fuzz_engine.c - the engine (src/engine.h) against a scripted server:
 * every session's bytes come from the input instead of a real server.
 *
 * Linked with -Wl,--wrap=tp_spawn,--wrap=loop_run_once: the engine runs an
 * `exec:` target, and each session's tp_spawn() lands in
 * __wrap_tp_spawn() below, which hands back one end of a socketpair and
 * keeps the other as a scripted server.  The engine's loop_run_once()
 * lands in __wrap_loop_run_once(), which first lets every scripted server
 * read what the engine sent and answer, then runs the real loop.  One
 * thread, no child process, no change to engine.c, transport.c or loop.c.
 *
 * The script is cut into turns: a turn ends with a line (LF-terminated)
 * whose fourth byte is not '-', i.e. the last line of a reply, or with the
 * script.  The first turn (the greeting) is sent at connect; each command
 * line the engine sends releases the next turn, except that after a turn
 * starting "354" the lines up to a line "." are message data.  When the
 * script is used up the server shuts its side (the engine sees the close).
 * A malformed script still splits somewhere, so the fuzzer steers the
 * timing of replies with the bytes themselves.
 *
 * Input: SCENARIO-YAML "\n#SERVER\n" SERVER-BYTES, or only SERVER-BYTES,
 * which then run against the built-in scenario below (a whole
 * transaction, with a capture and a text check).  The probe session and
 * the scenario's session each get the whole script.  Waits and timeouts
 * are clamped so one input takes milliseconds.
 *
 * Checks: eng_run() returns, the result is one of the documented
 * statuses, a failure says why in one line, a pass has no reason.
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
#include "loop.h"
#include "result.h"
#include "tls.h"
#include "util.h"
#include "vars.h"

#define SEP "\n#SERVER\n"
#define MAX_SESSIONS 16

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
    "  - expect: {code: [250, 251], capture: {who: {regex: '([0-9]+[.][0-9]+)'}}}\n"
    "  - expect: 250\n"
    "  - send: \"DATA\"\n"
    "  - expect: 354\n"
    "  - data: \"Subject: x\\n\\n.hello\\n\"\n"
    "  - expect: {code: 250, text: 'queued', single_line: true}\n"
    "  - send: \"QUIT\"\n"
    "  - expect: 221\n"
    "  - expect_close: true\n";

static const char *script;
static size_t script_len;

/* One scripted server: its end of the socketpair and where it stands. */
struct fake {
	int fd;
	size_t pos;     /* next byte of the script to send */
	int data;       /* inside message data (after a 354 turn) */
	int shut;       /* the script is used up and our side shut */
	int gone;       /* the engine closed its end */
	char first, last; /* of the current client line */
	size_t linelen;
};

static struct fake fakes[MAX_SESSIONS];
static size_t n_fakes;

int __wrap_tp_spawn(const struct tp_target *t, pid_t *pid, char *errbuf, size_t errlen);
int __real_loop_run_once(struct loop *loop, int max_wait_ms);
int __wrap_loop_run_once(struct loop *loop, int max_wait_ms);

/* Send the next turn of the script, or shut our side when there is none. */
static void
send_turn(struct fake *f)
{
	size_t end = f->pos;

	if (f->shut)
		return;
	if (f->pos == script_len) {
		shutdown(f->fd, SHUT_WR);
		f->shut = 1;
		return;
	}
	while (end < script_len) {
		const char *lf = memchr(script + end, '\n', script_len - end);
		size_t line = end;
		end = lf ? (size_t)(lf - script) + 1 : script_len;
		if (end - line < 4 || script[line + 3] != '-')
			break;
	}
	f->data = end - f->pos >= 3 && memcmp(script + f->pos, "354", 3) == 0;
	/* The socket's buffer holds far more than an input: no short write. */
	if (write(f->fd, script + f->pos, end - f->pos) < 0)
		f->shut = 1;
	f->pos = end;
	if (f->pos == script_len && !f->shut) {
		shutdown(f->fd, SHUT_WR);
		f->shut = 1;
	}
}

/* Read what the engine sent; each complete command line (or the end of
 * message data) releases one turn.  As in RFC 5321 2.3.8 and the
 * reference server, only CRLF ends a line, and only CRLF "." CRLF ends
 * message data. */
static void
serve(struct fake *f)
{
	char buf[4096];
	ssize_t n = (ssize_t)sizeof(buf);

	/* Until a short read (the socket is empty) or the engine's close:
	 * every system call counts at thousands of inputs a second. */
	while (!f->gone && n == (ssize_t)sizeof(buf)) {
		n = read(f->fd, buf, sizeof(buf));
		f->gone = n == 0;
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			if (c != '\n' || f->linelen == 0 || f->last != '\r') {
				if (f->linelen++ == 0)
					f->first = c;
				f->last = c;
				continue;
			}
			int dot = f->linelen == 2 && f->first == '.';
			f->linelen = 0;
			if (!f->data || dot)
				send_turn(f);
		}
	}
}

int
__wrap_loop_run_once(struct loop *loop, int max_wait_ms)
{
	for (size_t i = 0; i < n_fakes; i++)
		serve(&fakes[i]);
	return __real_loop_run_once(loop, max_wait_ms);
}

int
__wrap_tp_spawn(const struct tp_target *t, pid_t *pid, char *errbuf, size_t errlen)
{
	int sv[2];

	(void)t;
	*pid = 0; /* no child: the engine reaps only pids > 0 */
	if (n_fakes == MAX_SESSIONS) {
		snprintf(errbuf, errlen, "fuzz: too many sessions");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0) {
		snprintf(errbuf, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	/* The default buffer (over 200 KB) holds a whole script (max_len
	 * 16384) at once, and serve() drains what the engine sends. */
	struct fake *f = &fakes[n_fakes++];
	memset(f, 0, sizeof(*f));
	f->fd = sv[1];
	send_turn(f); /* the greeting */
	return sv[0];
}

/* Loaded scenarios by their text, so that an input whose mutation touched
 * only the server's bytes (most of them: libyaml and the loader were half
 * the time of an input) skips the load.  The loader has its own target;
 * eng_run() does not change a scenario.  Direct-mapped by an FNV-1a hash;
 * a text that does not load is kept too (s == NULL). */
#define CACHE_SLOTS 64

struct cached {
	char *yaml;
	size_t len;
	struct scn *s;
};

static struct cached cache[CACHE_SLOTS];

static void clamp(struct scn *s);

static struct scn *
load_cached(const char *yaml, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)yaml[i]) * 1099511628211ULL;
	struct cached *c = &cache[h % CACHE_SLOTS];
	if (c->yaml && c->len == len && memcmp(c->yaml, yaml, len) == 0)
		return c->s;
	free(c->yaml);
	scn_free(c->s);
	struct load_diag diag;
	load_diag_init(&diag);
	c->s = load_scenario_mem("fuzz.yaml", yaml, len, &diag);
	load_diag_free(&diag);
	if (c->s)
		clamp(c->s);
	c->yaml = malloc(len ? len : 1);
	FUZZ_CHECK(c->yaml != NULL, "out of memory");
	memcpy(c->yaml, yaml, len);
	c->len = len;
	return c->s;
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
	static struct tls_ctx *tls;
	char err[256];

	if (!tls) {
		static const struct tls_opts no_verify;
		signal(SIGPIPE, SIG_IGN);
		tls = tls_client_ctx_new(&no_verify, err, sizeof(err));
		FUZZ_CHECK(tls != NULL, "tls_client_ctx_new: %s", err);
	}
	/* Every input from the same start: timers cost no wall time. */
	util_clock_virtual(1);
	script = in;
	script_len = size;
	if (sep) {
		yaml = in;
		yaml_len = (size_t)(sep - in);
		script = sep + sizeof(SEP) - 1;
		script_len = size - yaml_len - (sizeof(SEP) - 1);
	}
	struct scn *s = load_cached(yaml, yaml_len);
	if (!s)
		return 0;

	struct tp_target target;
	FUZZ_CHECK(tp_parse("exec:fuzz-server", &target, err, sizeof(err)) == NULL, "%s", err);
	struct eng_opts o = {
		.target = &target,
		.jobs = 1,
		.timeout = 0.02,
		.scenario_timeout = 0.5,
		.vars = vars_defaults,
		.n_vars = vars_n_defaults,
		.tls_ctx = tls,
	};
	struct res_result res;
	struct eng_probe probe;
	struct scn *const scns[1] = { s };
	memset(&res, 0, sizeof(res));
	enum eng_status rc = eng_run(&o, scns, 1, &res, &probe, err, sizeof(err));
	FUZZ_CHECK(rc == ENG_OK || rc == ENG_UNREACHABLE, "eng_run: %d", (int)rc);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_engine: %s: %s%s%s\n", s->id,
		    rc == ENG_OK ? res_status_name(res.status) : "UNREACHABLE",
		    rc == ENG_OK ? (res.reason ? ": " : "") : ": ",
		    rc == ENG_OK ? (res.reason ? res.reason : "") : err);
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
	for (size_t i = 0; i < n_fakes; i++)
		close(fakes[i].fd);
	n_fakes = 0;
	tp_free(&target);
	return 0;
}
