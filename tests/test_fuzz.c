/*
 * test_fuzz.c - CUnit tests of the fuzzer's pure parts: the framing model
 * (fz_frame.c), the verdict (fz_oracle.c), whether the target takes
 * sessions at all (fz_reach.c), shrinking (fz_min.c), whose
 * a launched server's death was (fz_attrib.c), the
 * mutations (fz_mutate.c), findings written as scenarios the loader
 * reads back byte for byte (fz_sess.c), and raw client bytes cut into acts
 * and joined again (fz_raw.c, the AFL++ mutator's view).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "builtin.h"
#include "fz_afl.h"
#include "fz_attrib.h"
#include "fz_campaign.h"
#include "fz_drive.h"
#include "fz_frame.h"
#include "fz_launch.h"
#include "fz_min.h"
#include "fz_mutate.h"
#include "fz_oracle.h"
#include "fz_raw.h"
#include "fz_replay.h"
#include "fz_reach.h"
#include "fz_report.h"
#include "fz_sess.h"
#include "loader.h"
#include "loop.h"
#include "rules.h"
#include "testutil.h"
#include "util.h"

static void
send_str(struct fz_frame *f, const char *s)
{
	fz_frame_client(f, s, strlen(s));
}

/* split: set by the bare CR, LF or NUL of command bytes (not message
 * data) and by an over-long command line, once for each: the unfinished
 * line looked at again as it grows does not set it again once settled. */
static void
test_frame_split(void)
{
	struct fz_frame f;
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "NOOP\r\n");
	CU_ASSERT_FALSE(fz_frame_split(&f));
	fz_frame_reply(&f, 250, NULL);
	send_str(&f, "HELO x\n");      /* no CRLF yet: a line unfinished */
	CU_ASSERT(fz_frame_split(&f));
	fz_frame_settled(&f);
	send_str(&f, "y");
	CU_ASSERT_FALSE(fz_frame_split(&f));
	send_str(&f, "\nz\r\n");           /* a new bare LF, and the line's end */
	CU_ASSERT(fz_frame_split(&f) && fz_frame_owed(&f) == 1);
	fz_frame_settled(&f);
	fz_frame_reply(&f, 250, NULL);
	send_str(&f, "EHLO x\r\n");
	fz_frame_caps(&f, 1, 0);
	fz_frame_reply(&f, 250, NULL);
	CU_ASSERT_FALSE(fz_frame_split(&f));
	char line[700];
	memset(line, 'a', sizeof(line));
	memcpy(line, "NOOP ", 5);
	memcpy(line + sizeof(line) - 2, "\r\n", 2);
	fz_frame_client(&f, line, sizeof(line));
	CU_ASSERT(fz_frame_split(&f));       /* over 512: answered in pieces maybe */
	fz_frame_settled(&f);
	fz_frame_reply(&f, 500, NULL);
	send_str(&f, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
	fz_frame_reply(&f, 250, NULL);
	fz_frame_reply(&f, 250, NULL);
	fz_frame_reply(&f, 354, NULL);
	send_str(&f, "a\n.\nb\r\n");         /* message data: no command split */
	CU_ASSERT_FALSE(fz_frame_split(&f));
	fz_frame_free(&f);
}

static void
test_frame_lockstep(void)
{
	struct fz_frame f;
	fz_frame_init(&f);
	CU_ASSERT(fz_frame_owed(&f) == 1); /* the greeting */
	enum fz_verb v;
	CU_ASSERT(fz_frame_reply(&f, 220, &v) == FZ_MATCH_OK && v == FZ_V_GREETING);
	send_str(&f, "EHLO x\r\n");
	CU_ASSERT(fz_frame_owed(&f) == 1);
	fz_frame_caps(&f, 1, 1);
	CU_ASSERT(fz_frame_reply(&f, 250, &v) == FZ_MATCH_OK && v == FZ_V_EHLO);
	send_str(&f, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
	CU_ASSERT(fz_frame_owed(&f) == 3);
	CU_ASSERT(fz_frame_dirty(&f) == NULL);
	CU_ASSERT(fz_frame_reply(&f, 250, &v) == FZ_MATCH_OK && v == FZ_V_MAIL);
	CU_ASSERT(fz_frame_reply(&f, 250, &v) == FZ_MATCH_OK && v == FZ_V_RCPT);
	CU_ASSERT(fz_frame_reply(&f, 354, &v) == FZ_MATCH_OK && v == FZ_V_DATA);
	/* A bare LF dot LF is data; only CRLF.CRLF ends it (RFC 5321 4.1.1.4). */
	send_str(&f, "a\n.\nMAIL FROM:<x@y>\r\n");
	CU_ASSERT(fz_frame_owed(&f) == 0);
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_DATA);
	send_str(&f, ".\r\n");
	CU_ASSERT(fz_frame_owed(&f) == 1);
	CU_ASSERT(fz_frame_reply(&f, 250, &v) == FZ_MATCH_OK && v == FZ_V_BODY);
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_EXTRA);
	send_str(&f, "QUIT\r\n");
	CU_ASSERT(fz_frame_reply(&f, 221, &v) == FZ_MATCH_OK && v == FZ_V_QUIT && fz_frame_last_bare(&f));
	CU_ASSERT(fz_frame_closed(&f));
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_CLOSED);
	fz_frame_free(&f);
}

static void
test_frame_split_and_refused_data(void)
{
	struct fz_frame f;
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	/* A command line in pieces owes nothing until its CRLF. */
	send_str(&f, "NO");
	CU_ASSERT(fz_frame_owed(&f) == 0);
	send_str(&f, "OP\r");
	CU_ASSERT(fz_frame_owed(&f) == 0);
	send_str(&f, "\n");
	CU_ASSERT(fz_frame_owed(&f) == 1);
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_OK);
	/* DATA refused: what follows is commands again. */
	send_str(&f, "DATA\r\n");
	CU_ASSERT(fz_frame_reply(&f, 503, NULL) == FZ_MATCH_OK);
	CU_ASSERT(!fz_frame_closed(&f) && !fz_frame_in_data(&f));
	/* A reply to a command line still arriving past 512 octets is early. */
	char big[700];
	memset(big, 'x', sizeof(big));
	fz_frame_client(&f, big, sizeof(big));
	CU_ASSERT(fz_frame_reply(&f, 500, NULL) == FZ_MATCH_EARLY);
	/* that line is over-long, and a further reply to a piece of it is
	 * early too, not extra: a server may answer it in pieces */
	CU_ASSERT(fz_frame_overlong(&f));
	fz_frame_client(&f, big, sizeof(big));
	CU_ASSERT(fz_frame_reply(&f, 500, NULL) == FZ_MATCH_EARLY);
	send_str(&f, "yy\r\nNOOP\r\n");
	CU_ASSERT(fz_frame_owed(&f) == 1);
	/* 421 may come at any time and owes the close. */
	CU_ASSERT(fz_frame_reply(&f, 421, NULL) == FZ_MATCH_OK && fz_frame_closed(&f));
	fz_frame_free(&f);
}

/* DT-02 is named for smuggling only when a line of message data held a
 * bare CR or LF, not for one in a command or in bytes never sent. */
static void
test_frame_bare_data(void)
{
	struct fz_frame f;
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "NOOP\nNOOP\r\n"); /* a bare LF in a command: not data */
	fz_frame_reply(&f, 250, NULL);
	send_str(&f, "DATA\r\n");
	fz_frame_reply(&f, 354, NULL);
	send_str(&f, "Subject: x\r\n\r\n.\0junk\r\n");
	CU_ASSERT(!fz_frame_bare_data(&f));
	send_str(&f, "a\n.\nb");
	CU_ASSERT(fz_frame_bare_data(&f));
	fz_frame_free(&f);
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "DATA\r\n");
	fz_frame_reply(&f, 354, NULL);
	send_str(&f, "x\r.\r\n");
	CU_ASSERT(fz_frame_bare_data(&f));
	fz_frame_free(&f);
}

static void
test_frame_bdat_and_duties(void)
{
	struct fz_frame f;
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "EHLO x\r\n");
	fz_frame_caps(&f, 0, 1);
	fz_frame_reply(&f, 250, NULL);
	/* The chunk is exactly its size, CRLFs and all; a lie waits. */
	send_str(&f, "BDAT 5\r\nab\r\n");
	CU_ASSERT(fz_frame_owed(&f) == 0);
	send_str(&f, "c");
	CU_ASSERT(fz_frame_owed(&f) == 1);
	CU_ASSERT(fz_frame_dirty(&f) == NULL);
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_OK);
	/* A size of 1*DIGIT: leading zeros past 18 digits are still a size. */
	send_str(&f, "BDAT 00000000000000000000002\r\nab");
	CU_ASSERT(fz_frame_owed(&f) == 1 && fz_frame_dirty(&f) == NULL);
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_OK);
	send_str(&f, "BDAT 0\r\n");
	CU_ASSERT(fz_frame_owed(&f) == 1 && fz_frame_dirty(&f) == NULL);
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_OK);
	send_str(&f, "BDAT 1\r\nc");
	CU_ASSERT(fz_frame_owed(&f) == 1);
	/* Sending before the reply without PIPELINING breaks a duty. */
	send_str(&f, "NOOP\r\n");
	CU_ASSERT(fz_frame_dirty(&f) != NULL);
	fz_frame_free(&f);

	fz_frame_init(&f);
	send_str(&f, "EHLO x\r\n");
	CU_ASSERT(fz_frame_dirty(&f) != NULL); /* before the greeting */
	fz_frame_free(&f);

	/* RFC 5321 4.5.3.1.4: 512 octets a command line, more for MAIL and
	 * RCPT with their extensions' parameters */
	char line[3100];
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	memcpy(line + 508, "\r\n", 3); /* 510 + CRLF = 512: within */
	send_str(&f, line);
	CU_ASSERT(!fz_frame_overlong(&f));
	fz_frame_reply(&f, 250, NULL);
	memset(line, 'x', sizeof(line));
	memcpy(line, "MAIL FROM:<a@b> ", 16);
	memcpy(line + 1500, "\r\n", 3);
	send_str(&f, line);
	CU_ASSERT(!fz_frame_overlong(&f));
	fz_frame_reply(&f, 250, NULL);
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	memcpy(line + 511, "\r\n", 3); /* 513 */
	send_str(&f, line);
	CU_ASSERT(fz_frame_overlong(&f));
	CU_ASSERT(fz_frame_dirty(&f) == NULL); /* a narrow breach: closes still tell */
	fz_frame_free(&f);

	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "BDAT 3\r\n"); /* no EHLO, no CHUNKING */
	CU_ASSERT(fz_frame_dirty(&f) != NULL);
	fz_frame_free(&f);

	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "NOOP\nRSET\r\n"); /* a bare LF in a command */
	CU_ASSERT(fz_frame_dirty(&f) != NULL);
	CU_ASSERT(fz_frame_owed(&f) == 1);
	fz_frame_free(&f);

	/* Several commands in one write without PIPELINING, or past DATA. */
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "NOOP\r\nRSET\r\n");
	CU_ASSERT(fz_frame_dirty(&f) != NULL);
	fz_frame_free(&f);
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	fz_frame_caps(&f, 1, 1);
	send_str(&f, "DATA\r\nSubject: x\r\n.\r\n");
	CU_ASSERT(fz_frame_dirty(&f) != NULL);
	fz_frame_free(&f);
	/* A tab in a command line; a BDAT after BDAT LAST. */
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "QUIT\t\r\n");
	CU_ASSERT(fz_frame_dirty(&f) != NULL);
	fz_frame_free(&f);
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	fz_frame_caps(&f, 0, 1);
	send_str(&f, "BDAT 2 LAST\r\nab");
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_OK && fz_frame_dirty(&f) == NULL);
	send_str(&f, "BDAT 1\r\nc");
	CU_ASSERT(fz_frame_dirty(&f) != NULL);
	fz_frame_free(&f);

	/* STARTTLS: what was pipelined behind it is forgotten at 220. */
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "STARTTLS\r\n");
	CU_ASSERT(fz_frame_reply(&f, 220, NULL) == FZ_MATCH_OK && fz_frame_tls_due(&f));
	fz_frame_free(&f);
}

/* A frame past the greeting and an EHLO (PIPELINING as given). */
static void
frame_ready(struct fz_frame *f, int pipelining)
{
	fz_frame_init(f);
	fz_frame_reply(f, 220, NULL);
	send_str(f, "EHLO x\r\n");
	fz_frame_caps(f, pipelining, 1);
	fz_frame_reply(f, 250, NULL);
}

/* A whole command with the start of another behind it in one write is
 * pipelining: without PIPELINING, or past NOOP, a breach.  Not so an AUTH
 * response line or a text line of data, however long: the server owes one
 * reply to each (the suite's auth-line-too-long, text-line-too-long). */
static void
test_frame_more_duties(void)
{
	static char line[300000];
	struct fz_frame f;
	frame_ready(&f, 1);
	send_str(&f, "AUTH PLAIN\r\n");
	fz_frame_reply(&f, 334, NULL);
	memset(line, 'A', 262144);
	memcpy(line + 262144, "\r\n", 3);
	send_str(&f, line);
	CU_ASSERT(!fz_frame_overlong(&f) && fz_frame_owed(&f) == 1);
	fz_frame_reply(&f, 500, NULL);
	send_str(&f, "MAIL FROM:<a@b>\r\n");
	fz_frame_reply(&f, 250, NULL);
	send_str(&f, "RCPT TO:<c@d>\r\n");
	fz_frame_reply(&f, 250, NULL);
	send_str(&f, "DATA\r\n");
	fz_frame_reply(&f, 354, NULL);
	send_str(&f, line);
	send_str(&f, ".\r\n");
	CU_ASSERT(!fz_frame_overlong(&f) && fz_frame_owed(&f) == 1 && fz_frame_dirty(&f) == NULL);
	fz_frame_free(&f);
	frame_ready(&f, 0);
	send_str(&f, "HELP\r\n\x7f");
	CU_ASSERT(fz_frame_dirty(&f) != NULL && strstr(fz_frame_dirty(&f), "without PIPELINING"));
	fz_frame_free(&f);
	frame_ready(&f, 1);
	send_str(&f, "NOOP\r\nRS");
	CU_ASSERT(fz_frame_dirty(&f) != NULL && strstr(fz_frame_dirty(&f), "end a group"));
	fz_frame_free(&f);
	frame_ready(&f, 1);
	send_str(&f, "RSET\r\nMAIL FR");
	send_str(&f, "OM:<a@b>\r\n");
	CU_ASSERT(fz_frame_dirty(&f) == NULL && fz_frame_owed(&f) == 2);
	fz_frame_free(&f);
	frame_ready(&f, 0);
	send_str(&f, "NO"); /* a line in pieces, nothing owed: no pipelining */
	send_str(&f, "OP\r\n");
	CU_ASSERT(fz_frame_dirty(&f) == NULL && fz_frame_owed(&f) == 1);
	fz_frame_free(&f);
}

/* A lax server may read STARTTLS in a command line with a bare CR, LF or
 * NUL (Exim ends the line at a bare LF and strips trailing blanks, CR
 * included; the bare-cr-commands mode ends it at the CR): its 220 starts
 * TLS, whether the model cut the line into a unit or not, and what came
 * behind is plaintext it throws away (RFC 3207 4.2).  So does a 220 owed
 * to a line that ends in STARTTLS where the model read another verb. */
static void
test_frame_lax_starttls(void)
{
	static const struct {
		const char *sent;  /* after the greeting */
		int owed;          /* units cut */
		int first;         /* the code of the first reply, 0 if none */
		int tls;           /* a 220 then starts TLS */
		int dirty;         /* the client broke a duty first */
	} cases[] = {
		{ "STARTTLS\r   \r\n", 1, 0, 1, 1 },
		{ "STARTTLS\r   \n", 0, 0, 1, 1 },           /* Exim: no CRLF yet */
		{ "STARTTLS\r   \nNOOP\r\n", 1, 0, 1, 1 },
		{ "starttls \r\n\r\n", 1, 0, 1, 1 },    /* a line pipelined behind it */
		{ "STARTTLS\t\r\r\n", 1, 0, 1, 1 },
		{ "  STARTTLS\n", 0, 0, 1, 1 },
		{ "NOOP\rSTARTTLS\r\n", 1, 250, 1, 1 },      /* the 220 comes unowed */
		{ "NOOP\nSTARTTLS", 0, 250, 1, 1 },
		{ "STARTTLS x\n", 0, 0, 1, 1 },
		/* STARTTLS ending a line the model read otherwise: a server
		 * that split the bytes apart may have read it there. */
		{ "XSTARTTLS\r\n", 1, 0, 1, 0 },
		{ "BDAT 3\r\nbbbSTARTTLS\r\n", 2, 503, 1, 1 }, /* no CHUNKING: read apart */
		/* No STARTTLS: the 220 is an ordinary (or an extra) reply. */
		{ "STARTTLSX\r\n\n", 1, 0, 0, 1 },
		{ "NOOP\r\n", 1, 0, 0, 0 },
		{ "NOOP\r   \r\n", 1, 0, 0, 1 },
		{ "NOOP\r\n", 1, 250, 0, 0 },
		{ "STARTTLS\r", 0, 0, 0, 1 },                 /* a CR that may start a CRLF */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fz_frame f;
		fz_frame_init(&f);
		fz_frame_reply(&f, 220, NULL);
		send_str(&f, cases[i].sent);
		CU_ASSERT(fz_frame_owed(&f) == (size_t)cases[i].owed);
		if (cases[i].first) /* the lax server's reply to what came first */
			fz_frame_reply(&f, cases[i].first, NULL);
		enum fz_match m = fz_frame_reply(&f, 220, NULL);
		CU_ASSERT(fz_frame_tls_due(&f) == cases[i].tls);
		if (cases[i].tls) {
			CU_ASSERT(m == FZ_MATCH_OK && fz_frame_owed(&f) == 0);
			CU_ASSERT((fz_frame_dirty(&f) != NULL) == cases[i].dirty);
			/* After the handshake, the state before it is forgotten. */
			fz_frame_tls_done(&f);
			send_str(&f, "NOOP\r\n");
			CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_OK && !fz_frame_tls_due(&f) &&
			    fz_frame_owed(&f) == 0);
		}
		fz_frame_free(&f);
	}
	/* Bytes before the greeting: its 220 is the greeting, not TLS. */
	struct fz_frame f;
	fz_frame_init(&f);
	send_str(&f, "STARTTLS\r \r\n");
	CU_ASSERT(fz_frame_reply(&f, 220, NULL) == FZ_MATCH_OK && !fz_frame_tls_due(&f));
	fz_frame_free(&f);
}

/* A scenario written by the fuzzer, loaded back: its step 1 is a send_raw
 * whose bytes are raw again.  d is to be freed by the caller. */
static struct scn *
load_back(const char *name, const char *buf, size_t len, const char *raw, size_t rawlen,
    struct load_diag *d)
{
	load_diag_init(d);
	struct scn *sc = load_scenario_mem(name, buf, len, d);
	if (!sc)
		fprintf(stderr, "%s\n---\n%s\n", d->text.data, buf);
	CU_ASSERT_FATAL(sc != NULL);
	CU_ASSERT(sc->steps[1].kind == SCN_STEP_SEND_RAW);
	struct fz_sess back;
	struct vars_scope scope = { .scn = sc };
	CU_ASSERT(fz_sess_from_scn(sc, &scope, &back) == 0);
	CU_ASSERT_FATAL(back.n >= 1);
	CU_ASSERT(back.acts[0].len == rawlen && memcmp(back.acts[0].b, raw, rawlen) == 0);
	fz_sess_free(&back);
	return sc;
}

/* AFL++ files as scenarios: the replies a healthy server owes for the
 * bytes, by the framing model, and where the session ends. */
static void
test_afl_plan(void)
{
	static const struct {
		const char *b;
		size_t owed;
		enum fz_afl_end end;
	} cases[] = {
		{ "", 0, FZ_AFL_OPEN },
		{ "NOOP", 0, FZ_AFL_OPEN },                 /* no CRLF: nothing owed */
		{ "EHLO x\r\nQUIT\r\n", 2, FZ_AFL_CLOSED },
		{ "EHLO x\r\nQUIT\r\nNOOP\r\n", 2, FZ_AFL_CLOSED },
		/* A message: its data owes one reply, at its end. */
		{ "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\r\nNOOP\r\n.\r\nNOOP\r\n", 5, FZ_AFL_OPEN },
		/* DATA with no transaction, or no recipient: 503, the "data" is commands. */
		{ "DATA\r\nx\r\n.\r\n", 3, FZ_AFL_OPEN },
		{ "MAIL FROM:<a@b>\r\nDATA\r\nx\r\n", 3, FZ_AFL_OPEN },
		{ "MAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\r\n", 4, FZ_AFL_OPEN },
		{ "RCPT TO:<c@d>\r\nDATA\r\nx\r\n", 3, FZ_AFL_OPEN },
		/* A BDAT chunk is exactly its size (CHUNKING assumed offered). */
		{ "EHLO x\r\nBDAT 5 LAST\r\nQUIT\r\n", 2, FZ_AFL_OPEN },
		{ "BDAT 3\r\nabcNOOP\r\n", 2, FZ_AFL_OPEN },
		/* AUTH: the challenges of the mechanism, then commands again. */
		{ "AUTH PLAIN AGEAYg==\r\nDATA\r\n", 2, FZ_AFL_OPEN },
		{ "AUTH PLAIN\r\nAGEAYg==\r\nAUTH PLAIN x\r\n", 3, FZ_AFL_OPEN },
		{ "AUTH LOGIN\r\nDATA\r\nQUIT\r\nNOOP\r\n", 4, FZ_AFL_OPEN },
		{ "AUTH LOGIN eA==\r\nQUIT\r\nQUIT\r\n", 3, FZ_AFL_CLOSED },
		{ "AUTH CRAM-MD5\r\nQUIT\r\nQUIT\r\n", 3, FZ_AFL_CLOSED },
		{ "AUTH XYZ\r\nQUIT\r\n", 2, FZ_AFL_CLOSED },
		/* STARTTLS: 220, then TLS. */
		{ "EHLO x\r\nSTARTTLS\r\nNOOP\r\n", 2, FZ_AFL_TLS },
		/* A strict server refuses a line with a bare CR: no TLS. */
		{ "STARTTLS\r \nNOOP\r\n", 1, FZ_AFL_OPEN },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fz_afl_plan p;
		fz_afl_plan(cases[i].b, strlen(cases[i].b), &p);
		CU_ASSERT(p.owed == cases[i].owed);
		CU_ASSERT(p.end == cases[i].end);
	}
	/* The scenario: greeting, the bytes, the owed replies, the drain; the
	 * loader reads it and gives the bytes back. */
	static const char bytes[] = "EHLO x\r\nNOOP\r\nFOO\0\r\n";
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *comment[] = { "from a test", NULL };
	CU_ASSERT(fz_afl_write_yaml(f, bytes, sizeof(bytes) - 1, "afl-test", "a test", comment) == 0);
	fclose(f);
	CU_ASSERT(strstr(text, "# from a test\n") != NULL);
	CU_ASSERT(strstr(text, "  - expect: 220\n  - send_raw: 'EHLO x\\r\\nNOOP\\r\\nFOO\\0\\r\\n'\n"
	    "  - expect: xxx\n    rule: RF-01\n  - expect: xxx\n    rule: RF-01\n"
	    "  - expect: xxx\n    rule: RF-01\n  - drain: true\n") != NULL);
	struct load_diag d;
	struct scn *sc = load_back("afl.yaml", text, len, bytes, sizeof(bytes) - 1, &d);
	CU_ASSERT(sc->n_steps == 6); /* expect, send_raw, 3 expect, drain */
	scn_free(sc);
	load_diag_free(&d);
	free(text);
}

/* Where the real end of message data is, and whether the data before it
 * holds a line a lax server may take for an end or a command. */
static void
test_frame_data_end(void)
{
#define C(d, e, o) { d, sizeof(d) - 1, e, o }
	static const struct { const char *data; size_t len, end; int odd; } cases[] = {
		C("a\r\nb\r\n.\r\n", 6, 0),
		C(".\r\n", 0, 0),
		C("a\r\n", 3, 0),                /* no end: n */
		C("a\n.\nb\r\n.\r\n", 7, 1),   /* bare LF */
		C("a\r\n..b\r\n.\r\n", 8, 1),  /* a line starting with a dot */
		C("a\r\nRSET\r\n.\r\n", 9, 1), /* a command verb */
		C("a\r\n\0.\r\n.\r\n", 7, 1),  /* NUL */
		C("a\r\n .\r\n.\r\n", 7, 1),   /* a dot after a blank */
		C("a\r\nb.\r\n.\r\n", 7, 0),
	};
#undef C
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fz_frame f;
		fz_frame_init(&f);
		fz_frame_reply(&f, 220, NULL);
		send_str(&f, "DATA\r\n");
		fz_frame_reply(&f, 354, NULL);
		CU_ASSERT(fz_frame_in_data(&f));
		int odd = -1;
		CU_ASSERT(fz_frame_data_end(&f, cases[i].data, cases[i].len, &odd) == cases[i].end);
		CU_ASSERT(odd == cases[i].odd);
		fz_frame_free(&f);
	}
	/* Earlier data counts: an odd line sent before, a clean end now. */
	struct fz_frame f;
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	send_str(&f, "DATA\r\n");
	fz_frame_reply(&f, 354, NULL);
	send_str(&f, "x\n.\ny\r\n");
	int odd = 0;
	CU_ASSERT(fz_frame_data_end(&f, ".\r\n", 3, &odd) == 0 && odd == 1);
	/* A reply now answers data octets. */
	CU_ASSERT(fz_frame_reply(&f, 250, NULL) == FZ_MATCH_DATA);
	/* Outside message data there is no end to find. */
	fz_frame_free(&f);
	fz_frame_init(&f);
	CU_ASSERT(fz_frame_data_end(&f, ".\r\n", 3, &odd) == 3 && odd == 0);
	fz_frame_free(&f);
}

static struct fz_obs
obs_of(enum fz_end end, const int *codes, size_t n)
{
	static struct fz_got got[16];
	struct fz_obs o = { .end = end, .got = got, .n_codes = n, .acts_sent = 2 };
	for (size_t i = 0; i < n; i++)
		got[i] = (struct fz_got){ codes[i], FZ_V_OTHER, i };
	return o;
}

/* The dedup key tells findings apart by their reply codes, but a `tls`
 * finding's codes before its 220 do not make it another: one a fault. */
static void
test_oracle_key(void)
{
	static const int a[] = { 220, 250, 220 }, b[] = { 220, 500, 220 };
	const int *codes[] = { a, b };
	uint64_t tls_key[2], close_key[2];
	for (size_t i = 0; i < 2; i++) {
		struct fz_obs o = obs_of(FZ_END_TLS, codes[i], 3);
		o.starttls_hs = 1;
		memcpy(o.tls_first, "*** this", FZ_TLS_FIRST);
		o.tls_first_n = FZ_TLS_FIRST;
		struct fz_verdict v = fz_oracle_judge(&o);
		CU_ASSERT(v.oracle == FZ_OR_TLS);
		tls_key[i] = fz_oracle_key(&o, &v);
		o = obs_of(FZ_END_CLOSED, codes[i], 3);
		v = fz_oracle_judge(&o);
		CU_ASSERT(v.oracle == FZ_OR_CLOSE);
		close_key[i] = fz_oracle_key(&o, &v);
	}
	CU_ASSERT(tls_key[0] == tls_key[1]);
	CU_ASSERT(close_key[0] != close_key[1]);
	CU_ASSERT(tls_key[0] != close_key[0]);
	/* A close during the handshake: one key whatever came before, and
	 * not the key of a close at the same reply outside it. */
	uint64_t hs_key[2];
	for (size_t i = 0; i < 2; i++) {
		struct fz_obs o = obs_of(FZ_END_TLS, codes[i], 3);
		o.starttls_hs = o.tls_closed = 1;
		struct fz_verdict v = fz_oracle_judge(&o);
		CU_ASSERT(v.oracle == FZ_OR_CLOSE && v.last == FZ_LAST_TLS);
		hs_key[i] = fz_oracle_key(&o, &v);
	}
	CU_ASSERT(hs_key[0] == hs_key[1]);
	CU_ASSERT(hs_key[0] != close_key[0] && hs_key[0] != close_key[1]);
}

/* After a 220 to STARTTLS (tls_first: what came next): bytes that are no
 * TLS break TX-10; a close without an alert, after nothing or after TLS
 * records, TM-03, unless two error replies came first (RFC 5321 7.8); the
 * server's TLS failing on its own (an alert, no close) is no finding, nor
 * the handshake of implicit TLS. */
static void
test_oracle_tls(void)
{
	static const int codes[] = { 220, 250, 220 };
	struct fz_obs o = obs_of(FZ_END_TLS, codes, 3);
	o.starttls_hs = 1;
	o.tls_closed = 1;
	struct fz_verdict v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_CLOSE && strcmp(v.rule_id, "TM-03") == 0);
	CU_ASSERT(v.last == FZ_LAST_TLS && v.n_codes == 3 && v.owed == 0);
	memcpy(o.tls_first, "\x16\x03\x03\x00\x7a", 5);
	o.tls_first_n = 5;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_CLOSE);
	o.n_errors = 2;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.n_errors = 0;
	o.tls_narrowed = 1; /* --tls-max: the server's TLS may have refused it */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.tls_narrowed = 0;
	o.tls_closed = 0; /* the TLS failed: an alert or a broken record */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	memcpy(o.tls_first, "250 2.0.", 8);
	o.tls_first_n = 8;
	v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_TLS && strcmp(v.rule_id, "TX-10") == 0);
	o.tls_closed = 1;
	o.tls_narrowed = 1;
	o.n_errors = 2; /* plaintext is no close: errors before excuse nothing */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_TLS);
	o.starttls_hs = 0; /* smtps://: no 220 promised TLS */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
}

static void
test_oracle(void)
{
	static const int codes[] = { 220, 250, 500 };
	struct fz_obs o = obs_of(FZ_END_CLOSED, codes, 3);
	o.n_errors = 1;
	struct fz_verdict v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_CLOSE && strcmp(v.rule_id, "TM-03") == 0);
	CU_ASSERT(v.n_codes == 3 && v.last == FZ_LAST_SILENCE);
	o.n_errors = 2; /* RFC 5321 7.8: a defence */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o = obs_of(FZ_END_EXTRA, codes, 3);
	v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_EXTRA && v.n_codes == 2 && v.last == FZ_LAST_SILENCE);
	o.dirty = "a duty";
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.exit_signal = 11;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_CRASH);
	/* After an over-long command line a server may answer in pieces: no
	 * count-based verdict (Exim answers every 16 KiB), but a close tells */
	o = obs_of(FZ_END_EXTRA, codes, 3);
	o.overlong = 1;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o = obs_of(FZ_END_LATE, codes, 3);
	o.overlong = 1;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o = obs_of(FZ_END_DONE, codes, 3);
	o.overlong = 1;
	o.quit_code = 500;
	o.quit_index = 2;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o = obs_of(FZ_END_CLOSED, codes, 3);
	o.overlong = 1;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_CLOSE);
	o = obs_of(FZ_END_DATA, codes, 3);
	o.bare_newline_data = 1;
	v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_SMUGGLE && strcmp(v.rule_id, "DT-02") == 0);
	/* The quote is rules.c's entry, not a copy of it. */
	CU_ASSERT(rules_session("DT-02") != NULL && v.rule_quote == rules_session("DT-02")->quote);
	CU_ASSERT(v.last == FZ_LAST_IN_DATA);
	/* inside a BDAT chunk the finding sends no end of data after it: the
	 * rest of the chunk is unknown, and a fixed server would wait for it */
	o.in_chunk = 1;
	o.bare_newline_data = 0;
	v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_SMUGGLE && v.last == FZ_LAST_IN_CHUNK &&
	    strcmp(v.rule_id, "RF-01") == 0);
	o.in_chunk = 0;
	/* a cut session (Ctrl-C, the campaign's end) gives no verdict */
	o = obs_of(FZ_END_CUT, codes, 3);
	o.owed = 1;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.exit_signal = 11;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_CRASH);
	o = obs_of(FZ_END_MALFORMED, codes, 2);
	o.dirty = "a duty";
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_MALFORMED);
	o = obs_of(FZ_END_DONE, codes, 3);
	o.quit_code = 503;
	o.quit_index = 2;
	snprintf(o.detail, sizeof(o.detail), "the server closed the connection (0 replies owed)");
	v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_QUIT && v.n_codes == 2 && v.last == FZ_LAST_221);
	/* The finding names the reply that broke the rule, not the close
	 * after it; a close with QUIT unanswered keeps the close's words. */
	char seen[256];
	CU_ASSERT_STRING_EQUAL(fz_oracle_seen(&o, &v, seen, sizeof(seen)), "QUIT answered 503, not 221");
	o.quit_code = 0;
	o.end = FZ_END_CLOSED;
	o.owed = 1;
	snprintf(o.detail, sizeof(o.detail), "the server closed the connection (1 replies owed)");
	v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_CLOSE);
	CU_ASSERT_STRING_EQUAL(fz_oracle_seen(&o, &v, seen, sizeof(seen)),
	    "the server closed the connection (1 replies owed)");
	o = obs_of(FZ_END_TIMEOUT, codes, 3);
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_HANG);
	o = obs_of(FZ_END_DONE, codes, 3);
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	for (int k = 0; k < FZ_OR_COUNT; k++)
		CU_ASSERT(strcmp(fz_oracle_name((enum fz_oracle)k), "?") != 0);
}

/* What the server sent first after its 220 to STARTTLS, told apart as
 * `run` does when the handshake fails (step_starttls.c, server_tls_failed):
 * a TLS alert or handshake record is the server's own TLS failing (no
 * verdict); anything else breaks the 220's meaning (TX-10). */
static void
test_oracle_tls_first(void)
{
	static const struct {
		const char *b;
		size_t n;
		enum fz_tls_first want;
	} cases[] = {
		{ "", 0, FZ_TLS_NOTHING },
		{ "\x15\x03\x03\x00\x02\x02\x46", 7, FZ_TLS_RECORD }, /* alert: protocol version */
		{ "\x16\x03\x03\x00\x7a", 5, FZ_TLS_RECORD },            /* ServerHello's record */
		{ "\x16", 1, FZ_TLS_RECORD },                              /* one byte decides */
		{ "*** this is not TLS ***\r\n", 25, FZ_TLS_OTHER },
		{ "221 bye\r\n", 9, FZ_TLS_OTHER },
		{ "\x17\x03\x03", 3, FZ_TLS_OTHER }, /* application data: no handshake first */
		{ "\x14\x03\x03", 3, FZ_TLS_OTHER }, /* change_cipher_spec first */
		{ "\0", 1, FZ_TLS_OTHER },
		{ "\x80\x2e\x01", 3, FZ_TLS_OTHER }, /* an SSL 2 record */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT(fz_oracle_tls_first((const unsigned char *)cases[i].b, cases[i].n) ==
		    cases[i].want);
	/* The verdict: only a failed handshake after a 220 to STARTTLS whose
	 * first bytes were not TLS, charged to TX-10 at the starttls step. */
	static const int codes[] = { 220, 250, 220 };
	struct fz_obs o = obs_of(FZ_END_TLS, codes, 3);
	o.starttls_hs = 1;
	memcpy(o.tls_first, "*** this", 8);
	o.tls_first_n = 8;
	struct fz_verdict v = fz_oracle_judge(&o);
	CU_ASSERT(v.oracle == FZ_OR_TLS && strcmp(v.rule_id, "TX-10") == 0);
	CU_ASSERT(v.rule_quote == rules_session("TX-10")->quote);
	CU_ASSERT(v.last == FZ_LAST_TLS && v.n_codes == 3 && v.upto == 2 && v.owed == 0);
	CU_ASSERT_STRING_EQUAL(fz_oracle_name(v.oracle), "tls");
	o.tls_first[0] = 0x15; /* the server's alert: its TLS failed */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.tls_first[0] = 0x16;
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.tls_first_n = 0; /* nothing before the close */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.tls_first[0] = '*';
	o.tls_first_n = 8;
	o.starttls_hs = 0; /* smtps://: `run` judges no first handshake */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
	o.starttls_hs = 1;
	o.dirty = "a duty"; /* the model cannot vouch for the 220 */
	CU_ASSERT(fz_oracle_judge(&o).oracle == FZ_OR_NONE);
}

/* What sh makes of a word: printf '%s|' WORD, run by /bin/sh. */
static char *
shell_reads(const char *word)
{
	struct buf cmd, out;
	buf_init(&cmd);
	buf_init(&out);
	buf_printf(&cmd, "printf '%%s|' %s", word);
	FILE *p = popen(cmd.data, "r");
	char tmp[512];
	size_t n;
	while (p && (n = fread(tmp, 1, sizeof(tmp), p)) > 0)
		buf_append(&out, tmp, n);
	if (!p || pclose(p) != 0)
		buf_puts(&out, "(sh failed)");
	buf_free(&cmd);
	return buf_steal(&out, NULL);
}

/* Every word comes back from sh as it was, in one line of printable
 * ASCII, bare when nothing in it is special to the shell. */
static void
test_shell_word(void)
{
	static const struct {
		const char *in, *word;
	} cases[] = {
		{ "builtin:reply-over-512", "builtin:reply-over-512" },
		{ "auth_user=harness", "auth_user=harness" },
		{ "/tmp/out dir/findings/close-1.yaml", "'/tmp/out dir/findings/close-1.yaml'" },
		{ "", "''" },
		{ "exec:/bin/x serve --stdio", "'exec:/bin/x serve --stdio'" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME `id` $(id) \\ \"*\" ~ ; & |", "'$HOME `id` $(id) \\ \"*\" ~ ; & |'" },
		{ "100%", "100%" },
		{ "a\tb'%s\\", "\"$(printf 'a\\011b\\047%%s\\\\')\"" },
		{ "caf\xc3\xa9\nx", "\"$(printf 'caf\\303\\251\\012x')\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		buf_init(&b);
		fz_shell_word(&b, cases[i].in);
		CU_ASSERT_STRING_EQUAL(b.data, cases[i].word);
		char *back = shell_reads(b.data), *want = xmalloc(strlen(cases[i].in) + 2);
		sprintf(want, "%s|", cases[i].in);
		CU_ASSERT_STRING_EQUAL(back, want);
		free(back);
		free(want);
		buf_free(&b);
	}
}

/* The replay command carries every option that changes run's verdict:
 * the profile by name and only the --var given beside it. */
static void
test_replay_cmd(void)
{
	struct tp_target t = { .url = "exec:/bin/srv -x" };
	struct scn_var vars[] = { { "sender", "a@b.example" }, { "auth_password", "it's" } };
	struct tls_opts tls = { .verify = 1, .min_version = tls_version_parse("1.2"),
		.servername = "mx.example" };
	struct fz_opts o = { .target = &t, .vars = vars, .n_vars = 2, .profile = "my.profile.yaml",
		.n_profile_vars = 1, .timeout = 0.5, .max_reply_line = 512, .max_reply_lines = 40,
		.tls = &tls };
	struct buf b;
	buf_init(&b);
	fz_replay_cmd(&b, &o, "out/findings/quit-1.yaml");
	CU_ASSERT_STRING_EQUAL(b.data, "smtp-harness run --target 'exec:/bin/srv -x' "
	    "--profile my.profile.yaml --var 'auth_password=it'\\''s' --timeout 0.5 "
	    "--max-reply-line 512 --max-reply-lines 40 --tls-verify --tls-servername mx.example "
	    "--tls-min 1.2 out/findings/quit-1.yaml");
	/* No profile, defaults: the target and the wait; FILE for summary.md. */
	struct tp_target bi = { .url = "builtin:reply-over-512" };
	o = (struct fz_opts){ .target = &bi, .vars = vars, .n_vars = 1, .timeout = 5 };
	buf_reset(&b);
	fz_replay_cmd(&b, &o, NULL);
	CU_ASSERT_STRING_EQUAL(b.data,
	    "smtp-harness run --target builtin:reply-over-512 --var sender=a@b.example --timeout 5 FILE");
	buf_free(&b);
}

/* The oracle "kept" while act "BAD" stays: shrinking ends at that act. */
static void
test_min(void)
{
	struct fz_sess s;
	fz_sess_init(&s, "seed");
	fz_sess_add(&s, "EHLO x\r\n", 8, 0);
	static const char act[] = "NOOP\r\nBAD xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nRSET\r\n";
	fz_sess_add(&s, act, sizeof(act) - 1, 0);
	fz_sess_add(&s, "QUIT\r\n", 6, 0);
	struct fz_min m;
	fz_min_init(&m, &s);
	struct fz_sess c;
	unsigned runs = 0;
	while (fz_min_next(&m, &c) && runs++ < 100) {
		int keeps = 0;
		for (size_t i = 0; i < c.n; i++)
			if (memmem(c.acts[i].b, c.acts[i].len, "BAD xxxx", 8))
				keeps = 1;
		if (keeps)
			fz_min_keep(&m, &c);
		fz_sess_free(&c);
	}
	CU_ASSERT(runs < 100);
	CU_ASSERT_FATAL(m.best.n == 1);
	CU_ASSERT(m.best.acts[0].len < 20 && strncmp(m.best.acts[0].b, "BAD xxxx", 8) == 0);
	fz_min_free(&m);
	fz_sess_free(&s);

	/* "A" is needed only while "B" is there (as a lying BDAT needs what
	 * it eats): B, dropped after A was tried, lets a second pass drop A. */
	fz_sess_init(&s, "seed");
	fz_sess_add(&s, "B\r\n", 3, 0);
	fz_sess_add(&s, "A\r\n", 3, 0);
	fz_sess_add(&s, "CRASH\r\n", 7, 0);
	fz_min_init(&m, &s);
	runs = 0;
	while (fz_min_next(&m, &c) && runs++ < 100) {
		int has_a = 0, has_b = 0, has_crash = 0;
		for (size_t i = 0; i < c.n; i++) {
			has_a |= c.acts[i].b[0] == 'A';
			has_b |= c.acts[i].b[0] == 'B';
			has_crash |= c.acts[i].b[0] == 'C';
		}
		if (has_crash && (has_a || !has_b))
			fz_min_keep(&m, &c);
		fz_sess_free(&c);
	}
	CU_ASSERT(runs < 100);
	CU_ASSERT_FATAL(m.best.n == 1);
	CU_ASSERT(m.best.acts[0].b[0] == 'C');
	fz_min_free(&m);
	fz_sess_free(&s);
}

/* A candidate whose one act names it, so the order can be read back. */
static void
attrib_add_as(struct fz_attrib *a, const char *name, int64_t ms, uint64_t seq, int answered)
{
	struct fz_sess s;
	fz_sess_init(&s, "seed");
	fz_sess_add(&s, name, strlen(name), 0);
	fz_attrib_add(a, &s, ms, seq, answered);
	fz_sess_free(&s);
}

/* An answered one (the order by last act alone). */
static void
attrib_add(struct fz_attrib *a, const char *name, int64_t ms, uint64_t seq)
{
	attrib_add_as(a, name, ms, seq, 1);
}

static const char *
attrib_name(const struct fz_attrib *a, long i)
{
	return i >= 0 && (size_t)i < a->n ? a->cand[i].sess.acts[0].b : "(none)";
}

/* Whether the target can be fuzzed at all: how each session began, and
 * the verdict once enough sessions, none taken, have ended. */
static void
test_reach(void)
{
	static const int greet421[] = { 421 }, greet220[] = { 220, 250 }, greet554[] = { 554 };
	struct fz_obs o = obs_of(FZ_END_DONE, greet421, 1);
	o.got[0].verb = FZ_V_GREETING;
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_REFUSED);
	o.end = FZ_END_NOCLOSE; /* a 421 greeting and no close: refused all the same */
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_REFUSED);
	o = obs_of(FZ_END_DONE, greet220, 2);
	o.got[0].verb = FZ_V_GREETING;
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_TAKEN);
	o = obs_of(FZ_END_DONE, greet554, 1);
	o.got[0].verb = FZ_V_GREETING;
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_TAKEN);
	o = obs_of(FZ_END_DONE, greet220, 2); /* a 421 later in the session */
	o.got[0].verb = FZ_V_GREETING;
	o.got[1].code = 421;
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_TAKEN);
	o = obs_of(FZ_END_ERROR, NULL, 0);
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_NONE);
	/* cut before any reply (still connecting): neither taken nor not */
	o = obs_of(FZ_END_CUT, NULL, 0);
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_UNKNOWN);
	o = obs_of(FZ_END_CUT, greet220, 2);
	CU_ASSERT(fz_reach_of(&o) == FZ_REACH_TAKEN);

	static const struct {
		uint64_t taken, none, refused;
		int final;
		const char *want; /* NULL, or a part of the reason */
		int early;        /* within FZ_REFUSED_MS of the start */
	} t[] = {
		{ 0, 0, 0, 0, NULL, 0 }, { 0, 0, 0, 1, NULL, 0 }, /* nothing ended: nothing to say */
		{ 0, FZ_UNREACHED_AFTER - 1, 0, 0, NULL, 0 },
		{ 0, FZ_UNREACHED_AFTER, 0, 0, "cannot be reached: connect: refused", 0 },
		{ 0, 1, 0, 1, "cannot be reached", 0 }, /* the campaign ended first */
		{ 0, 0, FZ_REFUSED_AFTER - 1, 0, NULL, 0 }, /* load, maybe: go on */
		{ 0, 0, FZ_REFUSED_AFTER, 0, "refuses every session: all 32 were greeted with 421", 0 },
		{ 0, 0, 2, 1, "refuses every session: all 2", 0 },
		{ 0, FZ_UNREACHED_AFTER, 1, 0, NULL, 0 }, /* a 421: wait for more */
		{ 0, 2, FZ_REFUSED_AFTER - 2, 0, "takes no session: 30 were greeted with 421", 0 },
		{ 1, 100, 0, 0, NULL, 0 }, { 1, 0, 1000, 1, NULL, 0 }, /* one taken: usable for good */
		{ 0, 0, FZ_REFUSED_AFTER, 0, NULL, 1 }, /* refusals within the first second */
		{ 0, FZ_UNREACHED_AFTER, 0, 0, "cannot be reached", 1 }, /* no wait for these */
	};
	/* all cut before a reply (Ctrl-C while connecting): not fuzzed */
	struct fz_stats cut = { .cut = 4 };
	char cwhy[512];
	CU_ASSERT(fz_reach_verdict(&cut, 0, cwhy, sizeof(cwhy)) == NULL);
	CU_ASSERT(fz_reach_verdict(&cut, 1, cwhy, sizeof(cwhy)) == cwhy &&
	    strstr(cwhy, "no session reached the target") != NULL);
	cut.sessions = 1;
	CU_ASSERT(fz_reach_verdict(&cut, 1, cwhy, sizeof(cwhy)) == NULL);
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		struct fz_stats st = { .sessions = t[i].taken, .unreachable = t[i].none,
		    .refused = t[i].refused, .last_error = "connect: refused",
		    .elapsed = t[i].early ? 0.5 : 2 };
		char why[512] = "x";
		const char *r = fz_reach_verdict(&st, t[i].final, why, sizeof(why));
		int ok = t[i].want ? r == why && strstr(why, t[i].want) != NULL :
		    r == NULL && why[0] == '\0';
		CU_ASSERT(ok);
	}
	/* A target fuzzed, then no connection: gone only after both many
	 * sessions in a row and a while (a restart or a moment's load is not) */
	char why[512];
	CU_ASSERT(fz_reach_gone(FZ_GONE_AFTER - 1, FZ_GONE_MS, "refused", why, sizeof(why)) == NULL);
	CU_ASSERT(fz_reach_gone(1000000, FZ_GONE_MS - 1, "refused", why, sizeof(why)) == NULL);
	CU_ASSERT(fz_reach_gone(FZ_GONE_AFTER, FZ_GONE_MS, "connect: refused", why, sizeof(why)) ==
	    why);
	CU_ASSERT(strstr(why, "stopped taking sessions: the last 256 found no connection") != NULL);
	CU_ASSERT(strstr(why, "(connect: refused)") != NULL);
}

static void
test_attrib_needed(void)
{
	static const struct { unsigned jobs; int alone; size_t n_cand; int want; } t[] = {
		{ 1, 0, 1, 0 }, /* -j 1, one candidate: the charge is sure */
		{ 1, 0, 2, 1 }, /* -j 1, the session before still waiting too */
		{ 4, 0, 0, 0 }, /* nothing written: an idle death */
		{ 4, 1, 1, 0 }, /* a shrinking try or a replay ran alone */
		{ 4, 0, 1, 1 }, { 2, 0, 5, 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		CU_ASSERT(fz_attrib_needed(t[i].jobs, t[i].alone, t[i].n_cand) == t[i].want);
	CU_ASSERT(fz_attrib_later(5, 1, 4, 9));
	CU_ASSERT(!fz_attrib_later(5, 1, 5, 2));
	CU_ASSERT(fz_attrib_later(5, 3, 5, 2));
	CU_ASSERT(!fz_attrib_later(5, 3, 5, 3));
	/* The wait for a death: the whole FZ_PARK_MS but for a shrinking
	 * try, 50 ms plus twice the longest lag seen, never more. */
	CU_ASSERT(fz_attrib_park_ms(0, 0) == FZ_PARK_MS);
	CU_ASSERT(fz_attrib_park_ms(0, 10) == FZ_PARK_MS);
	CU_ASSERT(fz_attrib_park_ms(1, 0) == FZ_PARK_TRY_MS);
	CU_ASSERT(fz_attrib_park_ms(1, -40) == FZ_PARK_TRY_MS);
	CU_ASSERT(fz_attrib_park_ms(1, 20) == FZ_PARK_TRY_MS + 40);
	CU_ASSERT(fz_attrib_park_ms(1, 124) == FZ_PARK_TRY_MS + 248);
	CU_ASSERT(fz_attrib_park_ms(1, 125) == FZ_PARK_MS);
	CU_ASSERT(fz_attrib_park_ms(1, (int64_t)1 << 40) == FZ_PARK_MS);
}

/* Most recent last act first (the later start on a tie); the first replay
 * that kills the server ends it. */
static void
test_attrib_order(void)
{
	struct fz_attrib a;
	fz_attrib_init(&a, 5, 1000);
	attrib_add(&a, "a", 10, 1);
	attrib_add(&a, "b", 30, 2);
	attrib_add(&a, "d", 30, 4);
	attrib_add(&a, "c", 20, 3);
	fz_attrib_order(&a);
	CU_ASSERT(a.n == 4 && a.sessions == 5);
	CU_ASSERT(!fz_attrib_reproduced(&a));
	CU_ASSERT_STRING_EQUAL(attrib_name(&a, fz_attrib_next(&a, 1000)), "d");
	fz_attrib_result(&a, 0);
	CU_ASSERT_STRING_EQUAL(attrib_name(&a, fz_attrib_next(&a, 1001)), "b");
	fz_attrib_result(&a, 1);
	CU_ASSERT(fz_attrib_reproduced(&a));
	CU_ASSERT(a.culprit == 1 && a.tried == 2);
	CU_ASSERT(fz_attrib_next(&a, 1002) == -1);
	fz_attrib_free(&a);

	/* A lagging server: the sessions it had not answered in full come
	 * first, however long ago they wrote, each group the most recent
	 * first. */
	fz_attrib_init(&a, 5, 1000);
	attrib_add_as(&a, "done-new", 90, 5, 1);
	attrib_add_as(&a, "owed-old", 10, 1, 0);
	attrib_add_as(&a, "done-old", 20, 2, 1);
	attrib_add_as(&a, "owed-new", 50, 3, 0);
	fz_attrib_order(&a);
	const char *want[] = { "owed-new", "owed-old", "done-new", "done-old" };
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_STRING_EQUAL(attrib_name(&a, fz_attrib_next(&a, 1000)), want[i]);
		fz_attrib_result(&a, 0);
	}
	fz_attrib_free(&a);
}

/* None kills it: each is tried once, then done, not reproduced; the
 * replays are bounded by count and by time. */
/* A plain --launch command is split into words and run without a shell;
 * anything sh would read otherwise goes through sh -c. */
static void
test_launch_argv(void)
{
	char **a = fz_launch_argv("  /usr/sbin/srv --faults=deep-crash\t-p 2600 ");
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_STRING_EQUAL(a[0], "/usr/sbin/srv");
	CU_ASSERT_STRING_EQUAL(a[1], "--faults=deep-crash");
	CU_ASSERT_STRING_EQUAL(a[2], "-p");
	CU_ASSERT_STRING_EQUAL(a[3], "2600");
	CU_ASSERT(a[4] == NULL);
	free(a);
	static const char *const shell[] = { "", "   ", "VAR=1 srv", "exec srv", "srv; rm x",
		"srv 'a b'", "srv \"a\"", "srv $HOME", "srv > log", "srv *", "cd /x && srv",
		"srv &", "srv | tee", "srv ~/x", "srv # note", "srv\nsrv", "srv `x`", "ulimit -c 0",
		NULL };
	for (size_t i = 0; shell[i]; i++) {
		a = fz_launch_argv(shell[i]);
		CU_ASSERT(a == NULL);
		free(a);
	}
}

/* The first child of this process, from /proc, and its name; 0 if none. */
static pid_t
first_child(char *comm, size_t len)
{
	char path[64], buf[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	FILE *f = fopen(path, "r");
	long pid = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = pid ? fopen(path, "r") : NULL;
	if (!f || !fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(comm, len, "%s", buf);
	return (pid_t)pid;
}

/* A free loopback port, as the kernel picks one (0 if none). */
static int
free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int port = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &al) == 0 ? ntohs(a.sin_port) : 0;
	if (fd >= 0)
		close(fd);
	return port;
}

/* So the launched process is the server itself, whose death shows at
 * once: no shell in between (dash stays the parent of a -c command). */
static void
test_launch_direct(void)
{
	char dir[] = "/tmp/smtph-launch-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	char script[128], cmd[192], url[64], comm[64], err[256];
	snprintf(script, sizeof(script), "%s/srv", dir);
	FILE *f = fopen(script, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("#!/usr/bin/python3\nimport socket, sys, time\ns = socket.socket()\n"
	    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
	    "s.bind(('127.0.0.1', int(sys.argv[1])))\ns.listen(4)\ntime.sleep(30)\n", f);
	fclose(f);
	CU_ASSERT_FATAL(chmod(script, 0700) == 0);
	int port = free_port();
	CU_ASSERT_FATAL(port > 0);
	snprintf(cmd, sizeof(cmd), "%s %d", script, port);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	struct tp_target t;
	CU_ASSERT_FATAL(tp_parse(url, &t, err, sizeof(err)) == NULL);
	CU_ASSERT_FATAL(tp_resolve(&t, err, sizeof(err)) == 0);
	struct fz_launch *l = fz_launch_new(cmd, &t, NULL);
	CU_ASSERT_FATAL(fz_launch_start(l, err, sizeof(err)) == 0);
	pid_t child = first_child(comm, sizeof(comm));
	CU_ASSERT(child > 0);
	CU_ASSERT_STRING_EQUAL(comm, "srv"); /* not "sh" */
	/* Its death by a signal is seen as that signal, at once (SIGKILL:
	 * no core file). */
	if (child > 0)
		kill(child, SIGKILL);
	struct fz_death d;
	CU_ASSERT(fz_launch_check(l, 2000, &d) == 1);
	CU_ASSERT(d.signal == SIGKILL);
	free(d.stderr_text);
	fz_launch_free(l);
	tp_free(&t);
	unlink(script);
	rmdir(dir);
}

static void
test_attrib_bounds(void)
{
	struct fz_attrib a;
	fz_attrib_init(&a, 3, 0);
	attrib_add(&a, "x", 1, 1);
	attrib_add(&a, "y", 2, 2);
	attrib_add(&a, "z", 3, 3);
	fz_attrib_order(&a);
	const char *want[] = { "z", "y", "x" };
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_STRING_EQUAL(attrib_name(&a, fz_attrib_next(&a, 5)), want[i]);
		fz_attrib_result(&a, 0);
	}
	CU_ASSERT(fz_attrib_next(&a, 5) == -1);
	CU_ASSERT(!fz_attrib_reproduced(&a));
	fz_attrib_free(&a);

	fz_attrib_init(&a, FZ_ATTRIB_RUNS + 8, 0);
	for (uint64_t i = 0; i < FZ_ATTRIB_RUNS + 8; i++)
		attrib_add(&a, "n", (int64_t)i, i);
	fz_attrib_order(&a);
	size_t runs = 0;
	while (fz_attrib_next(&a, 5) >= 0) {
		fz_attrib_result(&a, 0);
		runs++;
	}
	CU_ASSERT(runs == FZ_ATTRIB_RUNS);
	fz_attrib_free(&a);

	fz_attrib_init(&a, 2, 0);
	attrib_add(&a, "t", 1, 1);
	attrib_add(&a, "u", 2, 2);
	CU_ASSERT(fz_attrib_next(&a, FZ_ATTRIB_SECONDS * 1000 - 1) == 0);
	fz_attrib_result(&a, 0);
	CU_ASSERT(fz_attrib_next(&a, FZ_ATTRIB_SECONDS * 1000) == -1); /* time is up */
	CU_ASSERT(!fz_attrib_reproduced(&a) && a.tried == 1);
	a.until = 0; /* the caller ends it at once (a stop) */
	CU_ASSERT(fz_attrib_next(&a, 0) == -1);
	fz_attrib_free(&a);
}

static size_t
count_of(const char *b, size_t n, char c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += b[i] == c;
	return k;
}

static void
test_mutate(void)
{
	struct fz_sess s;
	fz_sess_init(&s, "seed");
	fz_sess_add(&s, "EHLO x\r\n", 8, 0);
	fz_sess_add(&s, "MAIL FROM:<a@b>\r\n", 17, 0);
	fz_sess_add(&s, "QUIT\r\n", 6, 0);
	const struct fz_sess *others[] = { &s };
	struct fz_words w = { "s@x", "r@y", "c.example", NULL };
	struct fz_rng r;
	fz_rng_seed(&r, 42);
	/* Each operator changes a session somewhere in a few tries. */
	for (size_t i = 0; i < fz_mutators(); i++) {
		int changed = 0;
		for (int t = 0; t < 50 && !changed; t++) {
			struct fz_sess m;
			fz_sess_copy(&m, &s);
			changed = fz_mutate_one(&r, i, &m, others, 1, &w);
			CU_ASSERT(m.n <= FZ_MAX_ACTS);
			fz_sess_free(&m);
		}
		if (!changed)
			fprintf(stderr, "mutator %s never applied\n", fz_mutator_name(i));
		CU_ASSERT(changed);
	}
	/* "word" takes its words from the other seeds: BODY=8BITMIME, which
	 * only the other seed has, lands in this one's lines. */
	struct fz_sess o8;
	fz_sess_init(&o8, "other");
	fz_sess_add(&o8, "MAIL FROM:<a@b> BODY=8BITMIME\r\n", 31, 0);
	const struct fz_sess *from8[] = { &o8 };
	size_t wi = 0;
	while (wi < fz_mutators() && strcmp(fz_mutator_name(wi), "word") != 0)
		wi++;
	/* Words only: a CR or LF is never copied, nor replaced. */
	int took = 0;
	for (int t = 0; t < 200; t++) {
		struct fz_sess m;
		fz_sess_copy(&m, &s);
		if (fz_mutate_one(&r, wi, &m, from8, 1, &w))
			for (size_t i = 0; i < m.n; i++) {
				took |= memmem(m.acts[i].b, m.acts[i].len, "BODY=8BITMIME", 13) != NULL;
				CU_ASSERT(count_of(m.acts[i].b, m.acts[i].len, '\r') ==
				    count_of(s.acts[i].b, s.acts[i].len, '\r'));
				CU_ASSERT(count_of(m.acts[i].b, m.acts[i].len, '\n') ==
				    count_of(s.acts[i].b, s.acts[i].len, '\n'));
			}
		fz_sess_free(&m);
	}
	CU_ASSERT(took);
	fz_sess_free(&o8);
	/* Stacked mutations stay within the limits. */
	for (int t = 0; t < 2000; t++) {
		struct fz_sess m;
		fz_sess_copy(&m, &s);
		for (int k = 0; k < 8; k++)
			fz_mutate(&r, &m, others, 1, &w);
		CU_ASSERT(m.n <= FZ_MAX_ACTS);
		for (size_t i = 0; i < m.n; i++)
			CU_ASSERT(m.acts[i].len <= FZ_MAX_ACT);
		fz_sess_free(&m);
	}
	fz_sess_free(&s);
}

/* A mutant's finding file stays under the loader's limit: its steps by
 * fz_sess_yaml_bound(), the rest in the slack. */
_Static_assert(FZ_MAX_SESS_YAML + FZ_FINDING_SLACK <= LOAD_MAX_FILE,
    "a finding of FZ_MAX_SESS_YAML fits LOAD_MAX_FILE");

/* The worst bytes for YAML (\x80 is 4 characters, CR and LF 2) and a
 * reply owed for every LF, up to the bound a mutant may reach: the file
 * written is no larger than the bound says, and loads from disk. */
static void
test_yaml_largest_loads(void)
{
	struct fz_sess s;
	fz_sess_init(&s, "seed");
	struct buf act;
	buf_init(&act);
	size_t units = FZ_MAX_SESS_YAML / 48 + 1; /* 48 a unit at least: too many */
	for (size_t i = 0; i < units; i++)
		buf_append(&act, "\x80\r\n", 3);
	fz_sess_add(&s, act.data, act.len, 0);
	while (fz_sess_yaml_bound(&s) > FZ_MAX_SESS_YAML) {
		units--;
		s.acts[0].len -= 3;
	}
	CU_ASSERT(units > 1000);
	CU_ASSERT(fz_sess_yaml_fits(&s, FZ_MAX_SESS_YAML));
	/* fits() as the bound says, with its shortcut (a cap the bytes cannot
	 * reach whatever they are) or without */
	struct fz_sess q;
	fz_sess_init(&q, "seed");
	fz_sess_add(&q, "QUIT\r\n", 6, 0);
	size_t qb = fz_sess_yaml_bound(&q);
	CU_ASSERT(fz_sess_yaml_fits(&q, qb) && !fz_sess_yaml_fits(&q, qb - 1));
	CU_ASSERT(fz_sess_yaml_fits(&q, 100 * qb));
	fz_sess_free(&q);
	/* a line of 256 KiB: filler fits by its widest bytes and its one LF
	 * (the middle test); \x80 (4 characters each) is over the cap */
	struct fz_sess w;
	fz_sess_init(&w, "seed");
	char *line = xmalloc(256 * 1024);
	memset(line, 'x', 256 * 1024 - 2);
	memcpy(line + 256 * 1024 - 2, "\r\n", 2);
	fz_sess_add(&w, line, 256 * 1024, 0);
	CU_ASSERT(fz_sess_yaml_fits(&w, FZ_MAX_SESS_YAML));
	memset(w.acts[0].b, 0x80, 256 * 1024 - 2);
	CU_ASSERT_FALSE(fz_sess_yaml_fits(&w, FZ_MAX_SESS_YAML));
	CU_ASSERT(fz_sess_yaml_fits(&w, fz_sess_yaml_bound(&w)));
	free(line);
	fz_sess_free(&w);
	s.acts[0].len += 3;
	CU_ASSERT_FALSE(fz_sess_yaml_fits(&s, FZ_MAX_SESS_YAML));
	s.acts[0].len -= 3;
	buf_free(&act);
	char path[] = "/tmp/smtph-largest-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	FILE *f = fdopen(fd, "w");
	struct fz_got got[] = { { 220, FZ_V_GREETING, 0 } };
	const char *comment[] = { "the largest finding", NULL };
	fz_sess_write_yaml(f, &s, &(struct fz_seen){ got, 1, NULL }, s.n, "fuzz-big", "t", comment,
	    &(struct fz_ending){ "RF-01", "RFC 5321 4.2", "Every command MUST generate exactly "
	    "one reply.", units, FZ_LAST_SILENCE, NULL });
	fclose(f);
	struct stat st;
	CU_ASSERT(stat(path, &st) == 0);
	CU_ASSERT((size_t)st.st_size > FZ_MAX_SESS_YAML / 2);
	CU_ASSERT((size_t)st.st_size <= fz_sess_yaml_bound(&s) + 4096);
	struct load_diag d;
	load_diag_init(&d);
	struct scn *sc = load_scenario_file(path, &d);
	if (!sc)
		fprintf(stderr, "%s\n", d.text.data);
	CU_ASSERT_FATAL(sc != NULL);
	CU_ASSERT(sc->n_steps == 2 + units + 1); /* greeting, act, owed replies, silence */
	scn_free(sc);
	load_diag_free(&d);
	unlink(path);
	fz_sess_free(&s);
}

/* summary.md's table holds a finding whose detail quotes a reply with a
 * '|' in it (and a seed name with one): each cell stays one cell; and
 * summary.json says why fuzzing stopped early and how many seeds were
 * left out. */
/* The whole of a small file, or NULL. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *b = xmalloc(65536);
	size_t n = fread(b, 1, 65535, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static void
test_report_summary_cells(void)
{
	char dir[] = "/tmp/smtph-summary-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	struct tp_target t;
	char err[256];
	CU_ASSERT_FATAL(tp_parse("smtp://127.0.0.1:2525", &t, err, sizeof(err)) == NULL);
	struct fz_opts o = { .target = &t, .jobs = 1, .timeout = 5, .out_dir = dir };
	struct fz_report r;
	fz_report_init(&r);
	r.items = xmalloc(sizeof(*r.items));
	memset(r.items, 0, sizeof(*r.items));
	r.n = 1;
	r.items[0].oracle = FZ_OR_MALFORMED;
	r.items[0].file = xstrdup("/x/findings/malformed-1.yaml");
	r.items[0].detail = xstrdup("reply 500 a|b");
	r.items[0].rule_id = "RF-01";
	r.items[0].origin = xstrdup("seed|x");
	struct fz_stats st = { .sessions = 10, .elapsed = 1, .findings = 1, .seeds_skipped = 2 };
	snprintf(st.gone, sizeof(st.gone), "the target stopped taking sessions");
	snprintf(st.seed_skipped, sizeof(st.seed_skipped), "a.yaml: variable v is not set");
	CU_ASSERT(fz_report_summary(&r, &o, &st, 3, err, sizeof(err)) == 0);
	char path[300];
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	char *md = slurp(path);
	CU_ASSERT_FATAL(md != NULL);
	CU_ASSERT(strstr(md, "| malformed | RF-01 | reply 500 a\\|b | [malformed-1.yaml]") != NULL);
	CU_ASSERT(strstr(md, "| seed\\|x |") != NULL);
	CU_ASSERT(strstr(md, "**Stopped early**: the target stopped taking sessions") != NULL);
	free(md);
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	char *js = slurp(path);
	CU_ASSERT_FATAL(js != NULL);
	CU_ASSERT(strstr(js, "\"stopped_early\":\"the target stopped taking sessions\"") != NULL);
	CU_ASSERT(strstr(js, "\"seeds_skipped\":2,") != NULL);
	free(js);
	unlink(path);
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	unlink(path);
	rmdir(dir);
	fz_report_free(&r);
	tp_free(&t);
}

/* A finding written as a scenario loads back with the same bytes. */
static void
test_yaml_round_trip(void)
{
	static const char raw[] = "MAIL FROM:<'$x\\\"\x01\xff>\r\n\0.\n";
	struct fz_sess s;
	fz_sess_init(&s, "seed");
	fz_sess_add(&s, raw, sizeof(raw) - 1, 0);
	fz_sess_add(&s, "QUIT\r\n", 6, 0);
	struct fz_got got[] = { { 220, FZ_V_GREETING, 0 }, { 501, FZ_V_MAIL, 1 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *comment[] = { "a comment", NULL };
	fz_sess_write_yaml(f, &s, &(struct fz_seen){ got, 2, NULL }, 2, "fuzz-x",
	    "a 'title'", comment, &(struct fz_ending){ "RF-01", "RFC 5321 4.2", "Every command "
	    "MUST generate exactly one reply.", 1, FZ_LAST_NONE, NULL });
	fclose(f);
	struct load_diag d;
	struct scn *sc = load_back("finding.yaml", buf, len, raw, sizeof(raw) - 1, &d);
	CU_ASSERT(sc->n_steps == 5); /* expect, send_raw, expect, send_raw, expect */
	CU_ASSERT(sc->steps[4].rule && strcmp(sc->steps[4].rule->id, "RF-01") == 0);
	CU_ASSERT(sc->level == SCN_MUST);
	scn_free(sc);
	load_diag_free(&d);
	free(buf);
	/* a SHOULD rule (RF-05) makes a `should` scenario, which loads */
	buf = NULL;
	f = open_memstream(&buf, &len);
	fz_sess_write_yaml(f, &s, &(struct fz_seen){ got, 2, NULL }, 2, "fuzz-y", "t", NULL,
	    &(struct fz_ending){ "RF-05", "RFC 5321 4.5.3.1", "Objects larger than these sizes "
	    "SHOULD be avoided when possible.", 1, FZ_LAST_NONE, "unreproduced" });
	fclose(f);
	load_diag_init(&d);
	sc = load_scenario_mem("finding-should.yaml", buf, len, &d);
	if (!sc)
		fprintf(stderr, "%s\n---\n%s\n", d.text.data, buf);
	CU_ASSERT_FATAL(sc != NULL);
	CU_ASSERT(sc->level == SCN_SHOULD);
	/* a lead no replay alone reproduced carries a tag of its own */
	CU_ASSERT(sc->n_tags == 2 && strcmp(sc->tags[1], "unreproduced") == 0);
	scn_free(sc);
	load_diag_free(&d);
	free(buf);
	/* a reply to message data: the real end of the data follows, but not
	 * inside a BDAT chunk, whose rest a fixed server would wait for */
	for (int chunk = 0; chunk < 2; chunk++) {
		buf = NULL;
		f = open_memstream(&buf, &len);
		fz_sess_write_yaml(f, &s, &(struct fz_seen){ got, 2, NULL }, 2, "fuzz-d", "t", NULL,
		    &(struct fz_ending){ "RF-01", "RFC 5321 4.2", "Every command MUST generate "
		    "exactly one reply.", 0, chunk ? FZ_LAST_IN_CHUNK : FZ_LAST_IN_DATA, NULL });
		fclose(f);
		CU_ASSERT((strstr(buf, "expect_open: 1\n    rule: RF-01") != NULL));
		CU_ASSERT((strstr(buf, "send_raw: '\\r\\n.\\r\\n'") != NULL) == !chunk);
		free(buf);
	}
	fz_sess_free(&s);
}

/* A `tls` finding ends with its STARTTLS as a starttls step naming the
 * rule, so `run` judges the handshake (FAIL, not SKIP); the 220 is that
 * step's reply, not a step of its own. */
static void
test_yaml_tls_ending(void)
{
	struct fz_sess s;
	fz_sess_init(&s, "seed");
	fz_sess_add(&s, "EHLO x\r\n", 8, 0);
	fz_sess_add(&s, "STARTTLS\r\n", 10, 0);
	fz_sess_add(&s, "QUIT\r\n", 6, 0);
	struct fz_got got[] = { { 220, FZ_V_GREETING, 0 }, { 250, FZ_V_EHLO, 1 },
		{ 220, FZ_V_STARTTLS, 2 } };
	int tls_act[] = { 0, 0, 0 };
	const struct rules_rule *r = rules_session("TX-10");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fz_sess_write_yaml(f, &s, &(struct fz_seen){ got, 3, tls_act }, 2, "fuzz-tls-x", "t", NULL,
	    &(struct fz_ending){ r->id, r->ref, r->quote, 0, FZ_LAST_TLS, NULL });
	fclose(f);
	struct load_diag d;
	load_diag_init(&d);
	struct scn *sc = load_scenario_mem("finding-tls.yaml", buf, len, &d);
	if (!sc)
		fprintf(stderr, "%s\n---\n%s\n", d.text.data, buf);
	CU_ASSERT_FATAL(sc != NULL);
	CU_ASSERT_FATAL(sc->n_steps == 4); /* expect, send_raw, expect, starttls */
	const struct scn_step *st = &sc->steps[3];
	CU_ASSERT(st->kind == SCN_STEP_STARTTLS && st->text == NULL);
	CU_ASSERT(st->rule && strcmp(st->rule->id, "TX-10") == 0);
	CU_ASSERT(sc->level == SCN_MUST);
	scn_free(sc);
	load_diag_free(&d);
	free(buf);
	fz_sess_free(&s);
}

/* Raw client bytes: the acts they are cut into ("|" between acts), and
 * joined again they are the input, read from right before a guard page. */
static void
test_raw_cut(void)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen */
		const char *acts;
		size_t alen; /* 0: strlen */
	} cases[] = {
		{ "", 0, "", 0 },
		{ "EHLO", 0, "EHLO", 0 },
		{ "EHLO x\r\nQUIT\r\n", 0, "EHLO x\r\n|QUIT\r\n", 0 },
		{ "EHLO x\nNOOP\rNOOP\r\n", 0, "EHLO x\n|NOOP\rNOOP\r\n", 0 },
		/* a message is one act, up to its "." line */
		{ "DATA\r\na\r\n..b\r\n.\r\nQUIT\r\n", 0, "DATA\r\n|a\r\n..b\r\n.\r\n|QUIT\r\n", 0 },
		{ "data\r\n.\r\nQUIT", 0, "data\r\n|.\r\n|QUIT", 0 },
		{ "DATA\r\nno end\r\n.x\r\n", 0, "DATA\r\n|no end\r\n.x\r\n", 0 },
		{ "DATAX\r\na\r\n", 0, "DATAX\r\n|a\r\n", 0 },
		/* a BDAT chunk stays with its command, even holding line ends */
		{ "BDAT 4 LAST\r\na\r\nb\r\nQUIT\r\n", 0, "BDAT 4 LAST\r\na\r\nb|\r\n|QUIT\r\n", 0 },
		{ "bdat 0\r\nQUIT\r\n", 0, "bdat 0\r\n|QUIT\r\n", 0 },
		{ "BDAT 99999999999999999999999\r\nab", 0, "BDAT 99999999999999999999999\r\nab", 0 },
		{ "BDAT x\r\nab\r\n", 0, "BDAT x\r\n|ab\r\n", 0 },
		{ "\0\0\r\n\0", 5, "\0\0\r\n|\0", 6 },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t len = cases[c].len ? cases[c].len : strlen(cases[c].in);
		struct tu_guard g;
		char *in = tu_guarded(&g, cases[c].in, len);
		struct fz_sess s;
		fz_raw_to_sess(in, len, &s);
		struct buf cut, back;
		buf_init(&cut);
		buf_init(&back);
		for (size_t i = 0; i < s.n; i++) {
			if (i)
				buf_puts(&cut, "|");
			buf_append(&cut, s.acts[i].b, s.acts[i].len);
		}
		const char *want = cases[c].acts;
		size_t wlen = cases[c].alen ? cases[c].alen : strlen(want);
		if (cut.len != wlen || memcmp(cut.data ? cut.data : "", want, wlen) != 0)
			fprintf(stderr, "case %zu: cut as '%s'\n", c, cut.data ? cut.data : "");
		CU_ASSERT(cut.len == wlen && memcmp(cut.data ? cut.data : "", want, wlen) == 0);
		CU_ASSERT(fz_raw_to_bytes(&s, &back, (size_t)-1) == len);
		CU_ASSERT(back.len == len && memcmp(back.data ? back.data : "", cases[c].in, len) == 0);
		/* within max: the first bytes */
		buf_reset(&back);
		CU_ASSERT(fz_raw_to_bytes(&s, &back, len / 2) == len / 2);
		CU_ASSERT(memcmp(back.data ? back.data : "", cases[c].in, len / 2) == 0);
		buf_free(&cut);
		buf_free(&back);
		fz_sess_free(&s);
		tu_unguard(&g);
	}
}

/* Past FZ_MAX_ACTS lines the last act holds the rest: nothing is lost. */
static void
test_raw_many_lines(void)
{
	struct buf in, back;
	buf_init(&in);
	buf_init(&back);
	for (int i = 0; i < 3 * FZ_MAX_ACTS; i++)
		buf_printf(&in, "NOOP %d\r\n", i);
	struct fz_sess s;
	fz_raw_to_sess(in.data, in.len, &s);
	CU_ASSERT(s.n == FZ_MAX_ACTS);
	CU_ASSERT(strcmp(s.acts[0].b, "NOOP 0\r\n") == 0);
	CU_ASSERT(fz_raw_to_bytes(&s, &back, in.len + 10) == in.len);
	CU_ASSERT(back.len == in.len && memcmp(back.data, in.data, in.len) == 0);
	fz_sess_free(&s);
	buf_free(&in);
	buf_free(&back);
}

/* The words the mutations use come from the session itself. */
static void
test_raw_words(void)
{
	static const char in[] = "EHLO x\r\nAUTH PLAIN AGEAYg==\r\nMAIL FROM: <s@x.example> SIZE=1\r\n"
	    "RCPT TO:<>\r\nrcpt to:<r@y.example>\r\n";
	struct fz_sess s;
	fz_raw_to_sess(in, sizeof(in) - 1, &s);
	char w[16];
	CU_ASSERT(fz_raw_word(&s, 0, w, sizeof(w)) && strcmp(w, "s@x.example") == 0);
	CU_ASSERT(fz_raw_word(&s, 1, w, sizeof(w)) && strcmp(w, "r@y.example") == 0);
	CU_ASSERT(fz_raw_word(&s, 2, w, sizeof(w)) && strcmp(w, "AGEAYg==") == 0);
	CU_ASSERT(fz_raw_word(&s, 0, w, 4) && strcmp(w, "s@x") == 0);
	CU_ASSERT(!fz_raw_word(&s, 3, w, sizeof(w)));
	fz_sess_free(&s);
	fz_raw_to_sess("MAIL FROM:<a\0b>\r\n", 17, &s);
	CU_ASSERT(!fz_raw_word(&s, 0, w, sizeof(w)));
	CU_ASSERT(!fz_raw_word(&s, 1, w, sizeof(w)));
	fz_sess_free(&s);
}

/* ---- the driver against live servers ------------------------------------ */

static void
drive_done(void *arg, struct fz_obs *obs)
{
	*(struct fz_obs **)arg = obs;
}

/* The reply times the driver's timed waits follow (NULL: the fixed ones). */
static struct fz_pace *drive_pace;
/* The client's TLS for STARTTLS (NULL: a 220 to STARTTLS cannot be tried). */
static struct tls_ctx *drive_tls;

/* The drives that follow may make STARTTLS handshakes (no trust store:
 * nothing reads the verification; resume: tls_opts.resume), until
 * drive_tls_off(). */
static void
drive_tls_on(unsigned resume)
{
	struct tls_opts to = { .no_store = 1, .resume = resume };
	char err[256];
	drive_tls = tls_client_ctx_new(&to, err, sizeof(err));
	CU_ASSERT_FATAL(drive_tls != NULL);
}

static void
drive_tls_off(void)
{
	tls_ctx_free(drive_tls);
	drive_tls = NULL;
}

/* Run s against target t (TP_SMTP resolved) on loop; the observation. */
static struct fz_obs *
drive_on(struct loop *loop, const struct tp_target *t, struct fz_sess *s, double timeout)
{
	struct fz_env env = { .loop = loop, .target = t, .timeout = timeout, .pace = drive_pace,
		.tls_ctx = drive_tls };
	struct fz_obs *obs = NULL;
	fz_drive_start(&env, s, drive_done, &obs);
	while (!obs)
		loop_run_once(loop, 100);
	return obs;
}

/* Run s against the reference server with these faults. */
static struct fz_obs *
drive_builtin(const char *url, struct fz_sess *s, double timeout)
{
	struct loop *loop = loop_new();
	struct tp_target t, tcp;
	char err[256];
	CU_ASSERT_FATAL(tp_parse(url, &t, err, sizeof(err)) == NULL);
	struct bi_server *bi = bi_start(loop, &t, &tcp, err, sizeof(err));
	CU_ASSERT_FATAL(bi != NULL);
	struct fz_obs *obs = drive_on(loop, &tcp, s, timeout);
	bi_stop(bi);
	tp_free(&tcp);
	tp_free(&t);
	loop_free(loop);
	return obs;
}

static void
sess_of(struct fz_sess *s, const char *const *acts)
{
	fz_sess_init(s, "test");
	for (size_t i = 0; acts[i]; i++)
		fz_sess_add(s, acts[i], strlen(acts[i]), 0);
}

/* Run acts against an exec: target (5 s timeout); the observation. */
static struct fz_obs *
drive_exec(const char *url, const char *const *acts)
{
	struct loop *loop = loop_new();
	struct tp_target t;
	char err[256];
	CU_ASSERT_FATAL(tp_parse(url, &t, err, sizeof(err)) == NULL);
	struct fz_sess s;
	sess_of(&s, acts);
	struct fz_obs *o = drive_on(loop, &t, &s, 5);
	fz_sess_free(&s);
	tp_free(&t);
	loop_free(loop);
	return o;
}

/* A reply trickled one byte a second (slow-greeting) runs out of time like
 * a silent server: the deadline is per reply, not per byte. */
static void
test_drive_trickle(void)
{
	static const char *const acts[] = { "QUIT\r\n", NULL };
	struct fz_sess s;
	sess_of(&s, acts);
	struct fz_obs *o = drive_builtin("builtin:slow-greeting", &s, 1.5);
	CU_ASSERT(o->end == FZ_END_TIMEOUT);
	CU_ASSERT(o->seconds < 4);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_HANG);
	fz_obs_free(o);
	fz_sess_free(&s);
}

/* A server slow to read a long command (what came, every 0.4 s, virtual
 * clock; its receive buffer held at 1 MiB at most (net.core.rmem_max caps
 * it), so that the kernel, which may grow one to 32 MiB, cannot take the
 * 32 MiB command in one or two rounds)
 * but quick to answer it: the wait for the reply starts once the command
 * has drained, so no hang is seen although draining takes seconds. */
struct slow_reader {
	struct loop *loop;
	int lfd, fd;
	int answered, saw_crlf;
	char last;
};

static void
slow_read(struct loop *loop, void *arg)
{
	struct slow_reader *r = arg;
	static char tmp[65536];
	ssize_t n;
	while ((n = read(r->fd, tmp, sizeof(tmp))) > 0) {
		if ((r->last == '\r' && tmp[0] == '\n') || memmem(tmp, (size_t)n, "\r\n", 2))
			r->saw_crlf = 1;
		r->last = tmp[n - 1];
	}
	if (r->saw_crlf && !r->answered) {
		r->answered = 1;
		CU_ASSERT(write(r->fd, "500 too long\r\n", 14) == 14);
	}
	if (n != 0 && !r->answered)
		loop_timer(loop, util_now_ms() + 400, slow_read, r);
}

static void
slow_accept(struct loop *loop, int fd, int revents, void *arg)
{
	(void)revents;
	struct slow_reader *r = arg;
	r->fd = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
	CU_ASSERT_FATAL(r->fd >= 0);
	loop_unwatch(loop, fd);
	CU_ASSERT(write(r->fd, "220 x\r\n", 7) == 7);
	loop_timer(loop, util_now_ms() + 400, slow_read, r);
}

static void
test_drive_deadline_after_drain(void)
{
	util_clock_virtual(1);
	struct loop *loop = loop_new();
	struct slow_reader r = { .loop = loop, .fd = -1 };
	r.lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int rcvbuf = 1 << 20;
	CU_ASSERT_FATAL(setsockopt(r.lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == 0);
	CU_ASSERT_FATAL(bind(r.lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(listen(r.lfd, 1) == 0);
	getsockname(r.lfd, (struct sockaddr *)&a, &al);
	loop_watch(loop, r.lfd, POLLIN, slow_accept, &r);
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", ntohs(a.sin_port));
	struct tp_target t;
	char err[256];
	CU_ASSERT_FATAL(tp_parse(url, &t, err, sizeof(err)) == NULL);
	CU_ASSERT_FATAL(tp_resolve(&t, err, sizeof(err)) == 0);
	size_t len = 32u << 20;
	char *cmd = xmalloc(len);
	memcpy(cmd, "NOOP ", 5);
	memset(cmd + 5, 'x', len - 7);
	memcpy(cmd + len - 2, "\r\n", 2);
	struct fz_sess s;
	fz_sess_init(&s, "test");
	fz_sess_add(&s, cmd, len > FZ_MAX_ACT ? FZ_MAX_ACT : len, 0);
	/* One act holds at most FZ_MAX_ACT: the rest follow, pipelined. */
	for (size_t at = FZ_MAX_ACT; at < len; at += FZ_MAX_ACT)
		fz_sess_add(&s, cmd + at, len - at > FZ_MAX_ACT ? FZ_MAX_ACT : len - at, 1);
	struct fz_obs *o = drive_on(loop, &t, &s, 1.0);
	CU_ASSERT(o->end == FZ_END_DONE);
	CU_ASSERT(o->seconds > 1.2); /* draining took longer than the timeout */
	CU_ASSERT(o->n_codes == 2 && o->got[1].code == 500);
	fz_obs_free(o);
	fz_sess_free(&s);
	free(cmd);
	tp_free(&t);
	if (r.fd >= 0)
		close(r.fd);
	close(r.lfd);
	loop_free(loop);
	util_clock_virtual(0);
}

/* A campaign's Ctrl-C or end cuts the sessions still running, whatever
 * they wait for (a silent server, --timeout 30 s): each ends at once as
 * FZ_END_CUT, no verdict, and leaves the set. */
static void
test_drive_cut_all(void)
{
	struct loop *loop = loop_new();
	struct tp_target t, tcp;
	char err[256];
	CU_ASSERT_FATAL(tp_parse("builtin:silent", &t, err, sizeof(err)) == NULL);
	struct bi_server *bi = bi_start(loop, &t, &tcp, err, sizeof(err));
	CU_ASSERT_FATAL(bi != NULL);
	static const char *const acts[] = { "EHLO x\r\n", "QUIT\r\n", NULL };
	struct fz_sess s1, s2;
	sess_of(&s1, acts);
	sess_of(&s2, acts);
	struct fz_drive_set set = { NULL };
	struct fz_env env = { .loop = loop, .set = &set, .target = &tcp, .timeout = 30 };
	struct fz_obs *o1 = NULL, *o2 = NULL;
	fz_drive_start(&env, &s1, drive_done, &o1);
	fz_drive_start(&env, &s2, drive_done, &o2);
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 20);
	CU_ASSERT(!o1 && !o2 && set.first != NULL);
	int64_t t0 = util_now_ms();
	fz_drive_cut_all(&set, "cut by the test");
	while ((!o1 || !o2) && util_now_ms() - t0 < 10000)
		loop_run_once(loop, 100);
	CU_ASSERT_FATAL(o1 && o2);
	CU_ASSERT(util_now_ms() - t0 < 2000);
	CU_ASSERT(o1->end == FZ_END_CUT && o2->end == FZ_END_CUT);
	CU_ASSERT(strcmp(o1->detail, "cut by the test") == 0);
	CU_ASSERT(fz_oracle_judge(o1).oracle == FZ_OR_NONE);
	CU_ASSERT(set.first == NULL);
	fz_obs_free(o1);
	fz_obs_free(o2);
	fz_sess_free(&s1);
	fz_sess_free(&s2);
	bi_stop(bi);
	tp_free(&tcp);
	tp_free(&t);
	loop_free(loop);
}

/* The first resolved address refuses the connection: the next one is tried
 * (localhost: ::1, then 127.0.0.1). */
static void
test_drive_next_address(void)
{
	struct loop *loop = loop_new();
	struct tp_target b, tcp;
	char err[256];
	CU_ASSERT_FATAL(tp_parse("builtin", &b, err, sizeof(err)) == NULL);
	struct bi_server *bi = bi_start(loop, &b, &tcp, err, sizeof(err));
	CU_ASSERT_FATAL(bi != NULL);
	/* A port nothing listens on: bound, then closed. */
	int s0 = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	CU_ASSERT_FATAL(bind(s0, (struct sockaddr *)&a, sizeof(a)) == 0);
	getsockname(s0, (struct sockaddr *)&a, &al);
	close(s0);
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", ntohs(a.sin_port));
	struct tp_target t;
	CU_ASSERT_FATAL(tp_parse(url, &t, err, sizeof(err)) == NULL);
	CU_ASSERT_FATAL(tp_resolve(&t, err, sizeof(err)) == 0);
	/* Then the server's address (glibc's freeaddrinfo frees a chain). */
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *second;
	CU_ASSERT_FATAL(getaddrinfo("127.0.0.1", tcp.port, &hints, &second) == 0);
	struct addrinfo *last = t.ai;
	while (last->ai_next)
		last = last->ai_next;
	last->ai_next = second;
	static const char *const acts[] = { "QUIT\r\n", NULL };
	struct fz_sess s;
	sess_of(&s, acts);
	struct fz_obs *o = drive_on(loop, &t, &s, 2);
	CU_ASSERT(o->end == FZ_END_DONE);
	CU_ASSERT(o->n_codes == 2 && o->got[0].code == 220 && o->got[1].code == 221);
	fz_obs_free(o);
	/* With no address left, the failure is the last one's. */
	last->ai_next = NULL;
	o = drive_on(loop, &t, &s, 2);
	CU_ASSERT(o->end == FZ_END_ERROR && strstr(o->detail, "refused") != NULL);
	fz_obs_free(o);
	freeaddrinfo(second);
	fz_sess_free(&s);
	tp_free(&t);
	bi_stop(bi);
	tp_free(&tcp);
	tp_free(&b);
	loop_free(loop);
}

/* A smuggled end of data answered by a lax server (lf-dot-lf): the reply
 * comes while the real end is held back, so it is smuggling (DT-02), not an
 * extra reply after the real end; the act is cut where the end was held. */
static void
test_drive_smuggling(void)
{
	static const char *const acts[] = { "EHLO x\r\n", "MAIL FROM:<a@example.com>\r\n",
		"RCPT TO:<postmaster>\r\n", "DATA\r\n",
		"Subject: x\r\n\r\nfirst\n.\nMAIL FROM:<a@example.com>\r\nRCPT TO:<postmaster>\r\n"
		"DATA\r\nSubject: s\r\n\r\nsecond\r\n.\r\n", "QUIT\r\n", NULL };
	struct fz_sess s;
	sess_of(&s, acts);
	struct fz_obs *o = drive_builtin("builtin:lf-dot-lf", &s, 2);
	CU_ASSERT(o->end == FZ_END_DATA);
	struct fz_verdict v = fz_oracle_judge(o);
	CU_ASSERT(v.oracle == FZ_OR_SMUGGLE && strcmp(v.rule_id, "DT-02") == 0);
	CU_ASSERT(s.n == 7 && s.acts[5].len == 3 && memcmp(s.acts[5].b, ".\r\n", 3) == 0);
	fz_obs_free(o);
	fz_sess_free(&s);
	/* The clean server: the held end follows, the message is accepted. */
	sess_of(&s, acts);
	o = drive_builtin("builtin", &s, 2);
	CU_ASSERT(o->end == FZ_END_DONE && fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
	fz_sess_free(&s);
}

/* The waits follow the server's reply times (RFC 6298's estimator): the
 * ceiling until enough replies were timed, then SRTT + 4 RTTVAR between
 * the floor and the ceiling; a slow reply raises it at once. */
static void
test_pace(void)
{
	struct fz_pace p;
	fz_pace_init(&p);
	CU_ASSERT(fz_pace_wait_ms(NULL, 2, 50) == 50);
	for (int i = 0; i < FZ_PACE_MIN_SAMPLES - 1; i++)
		fz_pace_sample(&p, 300);
	CU_ASSERT(fz_pace_wait_ms(&p, 2, 50) == 50);
	fz_pace_sample(&p, 300);
	CU_ASSERT(p.srtt_us == 300);
	CU_ASSERT(fz_pace_wait_ms(&p, 2, 50) == 2);   /* 300 us + 4 x ~0: the floor */
	fz_pace_sample(&p, 20000);                    /* one slow reply */
	int64_t w = fz_pace_wait_ms(&p, 2, 50);
	CU_ASSERT(w > 20 && w <= 50);
	for (int i = 0; i < 10; i++)
		fz_pace_sample(&p, 200000);
	CU_ASSERT(fz_pace_wait_ms(&p, 2, 50) == 50);  /* never past the ceiling */
	fz_pace_sample(&p, -5);                       /* a clock step is no negative time */
	CU_ASSERT(p.srtt_us > 0);
}

/* With the hold as short as a fast server's reply times make it (the
 * floor), the lax server's early reply still comes inside it: smuggling;
 * and the clean server is not charged. */
static void
test_drive_smuggling_paced(void)
{
	static const char *const acts[] = { "EHLO x\r\n", "MAIL FROM:<a@example.com>\r\n",
		"RCPT TO:<postmaster>\r\n", "DATA\r\n",
		"Subject: x\r\n\r\nfirst\n.\nRSET\r\nsecond\r\n.\r\n", "QUIT\r\n", NULL };
	struct fz_pace p;
	fz_pace_init(&p);
	for (int i = 0; i < FZ_PACE_MIN_SAMPLES; i++)
		fz_pace_sample(&p, 100);
	CU_ASSERT(fz_pace_wait_ms(&p, 2, 50) == 2);
	drive_pace = &p;
	struct fz_sess s;
	sess_of(&s, acts);
	struct fz_obs *o = drive_builtin("builtin:lf-dot-lf", &s, 2);
	CU_ASSERT(o->end == FZ_END_DATA);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_SMUGGLE);
	fz_obs_free(o);
	fz_sess_free(&s);
	sess_of(&s, acts);
	o = drive_builtin("builtin", &s, 2);
	CU_ASSERT(o->end == FZ_END_DONE && fz_oracle_judge(o).oracle == FZ_OR_NONE);
	CU_ASSERT(p.samples > FZ_PACE_MIN_SAMPLES); /* the driver timed the replies */
	fz_obs_free(o);
	fz_sess_free(&s);
	drive_pace = NULL;
}

/* A server that ends a command line at a bare LF and strips the blanks and
 * the CR before it (Exim) takes "STARTTLS\r   \n" for STARTTLS: 220, then
 * TLS, whose alert is no reply.  The session ends there, no finding (it
 * was a false `malformed` on Exim). */
static void
test_drive_lax_starttls(void)
{
	static const char *const acts[] = { "STARTTLS\r   \n", "NOOP\r\n", "QUIT\r\n", NULL };
	struct fz_obs *o = drive_exec("exec:sh -c 'printf \"220 x\\\\r\\\\n\"; read l; "
	    "printf \"220 go ahead\\\\r\\\\n\"; read l; printf \"\\\\025\\\\003\\\\003\\\\001\\\\002\\\\002\\\\106\"; "
	    "sleep 1'", acts);
	CU_ASSERT(o->end == FZ_END_DONE);
	CU_ASSERT(o->n_codes == 2 && o->got[1].code == 220);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
}

/* Sessions with STARTTLS against one reference server, with a client
 * context that resumes: the first handshake is full, the next resume the
 * server's ticket, and the observation counts both; a context that does
 * not resume (the campaign's for shrinking tries) makes full ones. */
static void
test_drive_resume(void)
{
	static const char *const acts[] = { "EHLO x\r\n", "STARTTLS\r\n", "EHLO x\r\n",
		"QUIT\r\n", NULL };
	struct loop *loop = loop_new();
	struct tp_target t, tcp;
	char err[256];
	CU_ASSERT_FATAL(tp_parse("builtin", &t, err, sizeof(err)) == NULL);
	struct bi_server *bi = bi_start(loop, &t, &tcp, err, sizeof(err));
	CU_ASSERT_FATAL(bi != NULL);
	for (unsigned resume = 0; resume <= 1; resume++) {
		drive_tls_on(resume);
		for (int k = 0; k < 3; k++) {
			struct fz_sess s;
			sess_of(&s, acts);
			struct fz_obs *o = drive_on(loop, &tcp, &s, 2);
			CU_ASSERT(o->end == FZ_END_DONE && o->tls_act[1] == 1);
			CU_ASSERT(o->tls_made == 1);
			CU_ASSERT(o->tls_resumed == (resume && k > 0));
			CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
			fz_obs_free(o);
			fz_sess_free(&s);
		}
		drive_tls_off();
	}
	bi_stop(bi);
	tp_free(&tcp);
	tp_free(&t);
	loop_free(loop);
}

/* A server that ends a command line at a bare LF (the shell's read, as
 * aiosmtpd and Exim) answers "NOOP\nNOOP\r\n" twice, the second reply
 * 5 ms later.  The next act waits the hold after the reply the model
 * owes, so that reply comes first and ends the session as an extra reply
 * of act 1 (no finding: the client broke a duty).  Before, the next act
 * went at once and the late reply was taken for its own, and a finding
 * written after it failed on replay before that act, unasked (RF-01). */
static void
test_drive_settle_after_bare_lf(void)
{
	static const char *const acts[] = { "NOOP\nNOOP\r\n", "NOOP\r\n", "QUIT\r\n", NULL };
	struct fz_obs *o = drive_exec("exec:sh -c 'printf \"220 x\\\\r\\\\n\"; read l; "
	    "printf \"250 a\\\\r\\\\n\"; read l; sleep 0.005; printf \"250 b\\\\r\\\\n\"; read l; "
	    "printf \"250 c\\\\r\\\\n\"; read l; printf \"221 bye\\\\r\\\\n\"'", acts);
	CU_ASSERT(o->end == FZ_END_EXTRA);
	CU_ASSERT(o->acts_sent == 1);
	CU_ASSERT(o->n_codes == 3 && o->got[2].code == 250 && o->got[2].act == 1);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
	/* Written clean, the same acts wait for nothing. */
	static const char *const clean[] = { "NOOP\r\n", "NOOP\r\n", "QUIT\r\n", NULL };
	o = drive_exec("exec:sh -c 'printf \"220 x\\\\r\\\\n\"; read l; printf \"250 a\\\\r\\\\n\"; "
	    "read l; printf \"250 b\\\\r\\\\n\"; read l; printf \"221 bye\\\\r\\\\n\"'", clean);
	CU_ASSERT(o->end == FZ_END_DONE && o->n_codes == 4);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
}

/* A handshake that fails after a 220 to STARTTLS: the first bytes the
 * server sent after the 220 are kept, and those that are no TLS record
 * make a `tls` finding (tls-handshake-garbage: "*** this is not TLS";
 * tls-220-plaintext: a 250 behind the 220, then a good handshake; a "221"
 * right behind the 220, read with it, from a stand-in that lives on); a
 * close during the handshake without an alert (tls-handshake-drop: half a
 * flight; a stand-in that closes after its 220) a `close`; the server's
 * alert none. */
static void
test_drive_tls_first(void)
{
	static const char *const acts[] = { "EHLO x\r\n", "STARTTLS\r\n", "QUIT\r\n", NULL };
	char err[256];
	drive_tls_on(0);
	struct fz_sess s;
	sess_of(&s, acts);
	struct fz_obs *o = drive_builtin("builtin:tls-handshake-garbage", &s, 2);
	CU_ASSERT(o->end == FZ_END_TLS && o->starttls_hs == 1);
	CU_ASSERT(o->tls_first_n == FZ_TLS_FIRST && memcmp(o->tls_first, "*** this", 8) == 0);
	CU_ASSERT(strstr(o->detail, "the server sent \"*** this\"...") != NULL);
	struct fz_verdict v = fz_oracle_judge(o);
	CU_ASSERT(v.oracle == FZ_OR_TLS && v.upto == 2 && v.n_codes == 3);
	fz_obs_free(o);
	o = drive_builtin("builtin:tls-handshake-drop", &s, 2);
	CU_ASSERT(o->end == FZ_END_TLS && o->starttls_hs == 1 && o->tls_closed == 1);
	CU_ASSERT(o->tls_first_n > 0 && o->tls_first[0] == 0x16);
	v = fz_oracle_judge(o);
	CU_ASSERT(v.oracle == FZ_OR_CLOSE && v.last == FZ_LAST_TLS && v.upto == 2);
	fz_obs_free(o);
	o = drive_builtin("builtin:tls-220-plaintext", &s, 2);
	CU_ASSERT(o->end == FZ_END_TLS && o->starttls_hs == 1 && o->tls_closed == 0);
	CU_ASSERT(o->tls_first_n == FZ_TLS_FIRST && memcmp(o->tls_first, "250 2.0.", 8) == 0);
	CU_ASSERT(strstr(o->detail, "no TLS handshake") != NULL);
	v = fz_oracle_judge(o);
	CU_ASSERT(v.oracle == FZ_OR_TLS && v.upto == 2 && v.n_codes == 3);
	fz_obs_free(o);
	o = drive_builtin("builtin", &s, 2); /* the handshake made, QUIT inside TLS */
	CU_ASSERT(o->end == FZ_END_DONE && o->starttls_hs == 0 && o->tls_act[1] == 1);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
	fz_sess_free(&s);
	static const char *const alone[] = { "STARTTLS\r\n", NULL };
	o = drive_exec("exec:sh -c 'printf \"220 x\\\\r\\\\n\"; read l; "
	    "printf \"220 go ahead\\\\r\\\\n221 bye\\\\r\\\\n\"; sleep 1'", alone);
	CU_ASSERT(o->end == FZ_END_TLS && o->n_codes == 2);
	CU_ASSERT(o->tls_first_n == FZ_TLS_FIRST && memcmp(o->tls_first, "221 bye\r", 8) == 0);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_TLS);
	fz_obs_free(o);
	o = drive_exec("exec:sh -c 'printf \"220 x\\\\r\\\\n\"; read l; printf \"220 go\\\\r\\\\n\"; "
	    "sleep 0.2; printf \"\\\\025\\\\003\\\\003\\\\000\\\\002\\\\002\\\\106\"; sleep 1'", alone);
	CU_ASSERT(o->end == FZ_END_TLS && o->tls_first_n == 7 && o->tls_first[0] == 0x15);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
	o = drive_exec("exec:sh -c 'printf \"220 x\\\\r\\\\n\"; read l; printf \"220 go\\\\r\\\\n\"'", alone);
	CU_ASSERT(o->end == FZ_END_TLS && o->tls_closed == 1 && o->tls_first_n == 0);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_CLOSE);
	fz_obs_free(o);
	/* STARTTLS pipelined behind MAIL (PIPELINING offered), 250 220 and
	 * the close: the session ends at the 220, no finding (a scenario
	 * could not tell the two replies apart). */
	struct fz_sess p;
	fz_sess_init(&p, "test");
	static const char *const piped[] = { "EHLO x\r\n", "MAIL FROM:<a@b.example>\r\n",
		"STARTTLS\r\n" };
	for (int i = 0; i < 3; i++)
		fz_sess_add(&p, piped[i], strlen(piped[i]), i == 2);
	struct loop *loop = loop_new();
	struct tp_target t;
	CU_ASSERT_FATAL(tp_parse("exec:sh -c 'printf \"220 x\\\\r\\\\n\"; read l; "
	    "printf \"250-x\\\\r\\\\n250 PIPELINING\\\\r\\\\n\"; read l; read l; "
	    "printf \"250 ok\\\\r\\\\n220 go\\\\r\\\\n\"'", &t, err, sizeof(err)) == NULL);
	o = drive_on(loop, &t, &p, 5);
	CU_ASSERT(o->end == FZ_END_DONE && o->n_codes == 4 && o->got[3].code == 220);
	CU_ASSERT(o->dirty == NULL); /* a legal pipeline: judged */
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
	fz_sess_free(&p);
	tp_free(&t);
	loop_free(loop);
	drive_tls_off();
}

/* A server that sends close_notify after its 221 and waits for the
 * client's close (tls-close-wait, as asyncio does, 3 s): the close_notify
 * is its close, the session ends at once, no `no-close`. */
static void
test_drive_close_notify(void)
{
	static const char *const acts[] = { "EHLO x\r\n", "STARTTLS\r\n", "EHLO x\r\n",
		"QUIT\r\n", NULL };
	drive_tls_on(0);
	struct fz_sess s;
	sess_of(&s, acts);
	struct fz_obs *o = drive_builtin("builtin:tls-close-wait", &s, 2);
	CU_ASSERT(o->end == FZ_END_DONE && o->tls_act[1] == 1 && o->n_codes == 5);
	CU_ASSERT(o->seconds < 2);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_NONE);
	fz_obs_free(o);
	fz_sess_free(&s);
	drive_tls_off();
}

/* A sanitizer report after more stderr than the finding keeps (20 000
 * bytes of log first) is still seen, and its head is kept. */
static void
test_drive_late_sanitizer(void)
{
	static const char *const acts[] = { "QUIT\r\n", NULL };
	struct fz_obs *o = drive_exec("exec:sh -c 'head -c 20000 /dev/zero | tr \"\\\\0\" x >&2; "
	    "echo \"==1==ERROR: AddressSanitizer: heap-use-after-free\" >&2; printf \"220 x\\\\r\\\\n\"; "
	    "read l; printf \"221 bye\\\\r\\\\n\"'", acts);
	CU_ASSERT(o->end == FZ_END_DONE);
	CU_ASSERT(o->sanitizer == 1);
	CU_ASSERT(o->stderr_text && strstr(o->stderr_text, "heap-use-after-free") != NULL);
	CU_ASSERT(o->stderr_text && strlen(o->stderr_text) < 40000);
	CU_ASSERT(fz_oracle_judge(o).oracle == FZ_OR_SANITIZER);
	fz_obs_free(o);
}

int
main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("fuzz", NULL, NULL);
	CU_add_test(s, "frame: lock step, data, extra, close", test_frame_lockstep);
	CU_add_test(s, "frame: split, once for each bare byte or long line", test_frame_split);
	CU_add_test(s, "frame: split lines, refused DATA, early reply, 421",
	    test_frame_split_and_refused_data);
	CU_add_test(s, "frame: BDAT and client duties", test_frame_bdat_and_duties);
	CU_add_test(s, "frame: bare CR or LF in message data", test_frame_bare_data);
	CU_add_test(s, "report: summary cells and stops", test_report_summary_cells);
	CU_add_test(s, "frame: the real end of message data", test_frame_data_end);
	CU_add_test(s, "frame: STARTTLS read by a lax server", test_frame_lax_starttls);
	CU_add_test(s, "frame: a command cut short, long AUTH and data lines", test_frame_more_duties);
	CU_add_test(s, "AFL++ files: replies owed, scenario", test_afl_plan);
	CU_add_test(s, "oracle", test_oracle);
	CU_add_test(s, "oracle: the dedup key", test_oracle_key);
	CU_add_test(s, "oracle: after a 220 to STARTTLS", test_oracle_tls);
	CU_add_test(s, "oracle: TLS after the 220 to STARTTLS or not", test_oracle_tls_first);
	CU_add_test(s, "replay: words for a POSIX shell", test_shell_word);
	CU_add_test(s, "replay: the options that change run's verdict", test_replay_cmd);
	CU_add_test(s, "the target takes sessions or not", test_reach);
	CU_add_test(s, "shrinking", test_min);
	CU_add_test(s, "launched server's death: replay or not", test_attrib_needed);
	CU_add_test(s, "launched server's death: replay order", test_attrib_order);
	CU_add_test(s, "launched server's death: replay bounds", test_attrib_bounds);
	CU_add_test(s, "--launch: a plain command without a shell", test_launch_argv);
	CU_add_test(s, "--launch: the server is the launched process", test_launch_direct);
	CU_add_test(s, "mutations", test_mutate);
	CU_add_test(s, "finding scenario round trip", test_yaml_round_trip);
	CU_add_test(s, "a finding of the largest mutant loads", test_yaml_largest_loads);
	CU_add_test(s, "finding scenario: a starttls step naming the rule", test_yaml_tls_ending);
	CU_add_test(s, "raw bytes: cut into acts and joined", test_raw_cut);
	CU_add_test(s, "raw bytes: more lines than acts", test_raw_many_lines);
	CU_add_test(s, "raw bytes: the session's words", test_raw_words);
	CU_add_test(s, "drive: a trickled reply times out", test_drive_trickle);
	CU_add_test(s, "drive: the reply's wait starts when the write drained",
	    test_drive_deadline_after_drain);
	CU_add_test(s, "drive: the next resolved address", test_drive_next_address);
	CU_add_test(s, "drive: a campaign cuts its sessions (Ctrl-C, the end)", test_drive_cut_all);
	CU_add_test(s, "drive: a smuggled end of data is smuggling", test_drive_smuggling);
	CU_add_test(s, "pace: the timed waits follow the reply times", test_pace);
	CU_add_test(s, "drive: smuggling with the shortest hold", test_drive_smuggling_paced);
	CU_add_test(s, "drive: a sanitizer report past the kept stderr", test_drive_late_sanitizer);
	CU_add_test(s, "drive: a lax server's STARTTLS, then TLS", test_drive_lax_starttls);
	CU_add_test(s, "drive: a bare LF's late reply waited for", test_drive_settle_after_bare_lf);
	CU_add_test(s, "drive: STARTTLS resumes the server's ticket", test_drive_resume);
	CU_add_test(s, "drive: what came instead of TLS after a 220", test_drive_tls_first);
	CU_add_test(s, "drive: close_notify is the close", test_drive_close_notify);
	return tu_run();
}
