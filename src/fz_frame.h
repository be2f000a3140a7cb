/*
 * fz_frame.h - the fuzzer's model of SMTP framing (RFC 5321 2.3.8, 4.1.1.4,
 * RFC 2920, RFC 3030, RFC 3207, RFC 4954): which replies the server owes
 * for the bytes the client sent, so that a reply nobody asked for, a reply
 * that never comes and a reply to message data can be told apart.
 *
 * The model is online and pure: the driver hands it every plaintext byte it
 * sends (fz_frame_client) and the code of every reply it receives
 * (fz_frame_reply); the model cuts the client bytes into units the way a
 * conforming server must (a command ends at CRLF, nothing else; after a 354
 * the message ends at CRLF.CRLF; a BDAT chunk is exactly its size), and
 * stops cutting after a command whose reply decides what the next bytes
 * are (DATA, AUTH and its responses, STARTTLS, EHLO, HELO, QUIT) until that
 * reply has come.  It also notes where the client itself broke a duty
 * (bare CR or LF in a command, pipelining not offered or past a command
 * that must end a group): such a session is not strict, and only the
 * oracles that hold whatever the client does apply to it (fz_oracle.h).
 */
#ifndef SMTPH_FZ_FRAME_H
#define SMTPH_FZ_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What a unit of client bytes is, for the state feedback and the model. */
enum fz_verb {
	FZ_V_GREETING, FZ_V_OTHER, FZ_V_HELO, FZ_V_EHLO, FZ_V_MAIL, FZ_V_RCPT,
	FZ_V_DATA, FZ_V_BODY, FZ_V_BDAT, FZ_V_RSET, FZ_V_NOOP, FZ_V_QUIT,
	FZ_V_VRFY, FZ_V_EXPN, FZ_V_HELP, FZ_V_AUTH, FZ_V_AUTH_RESP, FZ_V_STARTTLS,
	FZ_V_COUNT
};

enum fz_mode {
	FZ_M_CMD,    /* command lines */
	FZ_M_DATA,   /* message data after a 354, up to CRLF.CRLF */
	FZ_M_CHUNK,  /* the octets of a BDAT chunk */
	FZ_M_AUTH,   /* the next line answers a 334 */
	FZ_M_SKIP,   /* an over-long line answered early: discard to its CRLF */
	FZ_M_CLOSED, /* 221 to QUIT or a 421: the server closes, owes nothing */
};

/* What a reply was to the model. */
enum fz_match {
	FZ_MATCH_OK,        /* the reply to the oldest owed unit */
	FZ_MATCH_EARLY,     /* the reply to an over-long command still arriving */
	FZ_MATCH_EXTRA,     /* nothing was owed: more replies than commands */
	FZ_MATCH_DATA,      /* nothing was owed and the client was sending message
	                     * data: a reply to data octets (smuggling) */
	FZ_MATCH_CLOSED,    /* a reply after the 221 or the 421 */
};

struct fz_unit {
	uint8_t verb;   /* enum fz_verb */
	uint8_t bare;   /* the line is the verb alone ("QUIT") */
	uint8_t last;   /* a BDAT LAST chunk */
	uint8_t starttls; /* the line ends in "STARTTLS" where the model read
	                   * another verb: a 220 to it starts TLS */
	uint8_t challenges; /* AUTH: the 334 challenges its mechanism takes when
	                     * it succeeds (PLAIN 1, 0 with an initial response;
	                     * LOGIN 2, 1 with one; CRAM-MD5 1; others 0) */
};

/* The model's state: the caller allocates it, and reads it only through
 * the functions below (the fields are the model's own). */
struct fz_frame {
	struct buf in;        /* client bytes not yet cut into units */
	size_t off;           /* cut up to here */
	struct fz_unit *owed; /* units sent, reply not yet received, oldest first */
	size_t n_owed, head, cap_owed;
	enum fz_mode mode;
	int blocked;          /* the newest owed unit's reply decides what follows */
	int bol;              /* FZ_M_DATA: at the start of a line */
	uint64_t chunk_left;  /* FZ_M_CHUNK: octets still to come */
	int chunk_last;
	int chunking, pipelining; /* offered by the last EHLO 250 */
	int tls_now;          /* a 220 to STARTTLS has just come: hand shake now */
	const char *dirty;    /* NULL, or the first client duty the client broke */
	int overlong;         /* a command line over its limit was sent */
	int bare_data;        /* a line of message data held a bare CR or LF */
	size_t units;         /* units cut so far (the greeting counts) */
	int last_bare;        /* the unit the last reply answered was a bare verb */
	int after_last;       /* a BDAT LAST was accepted; no MAIL or RSET since */
	int odd;              /* FZ_M_DATA: this message's data so far holds a line a
	                       * lax server may take for its end or a command */
	int lax_tls;          /* command bytes with a bare CR, LF or NUL in which a lax
	                       * server may read STARTTLS were sent: a 220 (not the
	                       * greeting) then starts TLS */
	int split;            /* command bytes with a bare CR, LF or NUL, or an over-long
	                       * command line, were sent since fz_frame_settled(): a lax
	                       * server may read more commands in them than the model
	                       * cut, and answer those after the replies the model owes */
	size_t split_seen;    /* in.data[0..split_seen) was looked at for split (an
	                       * unfinished line is looked at again as it grows) */
};

/* A model of a new connection: the greeting is owed. */
void fz_frame_init(struct fz_frame *f);
void fz_frame_free(struct fz_frame *f);

/* The client sent b[0..n) (plaintext, after TLS when it is up). */
void fz_frame_client(struct fz_frame *f, const void *b, size_t n);

/* Replies owed now (complete units whose reply has not come). */
size_t fz_frame_owed(const struct fz_frame *f);

/* fz_frame.split, and its reset once the driver waited for such replies. */
int fz_frame_split(const struct fz_frame *f);
void fz_frame_settled(struct fz_frame *f);

/* A reply with this code came.  *verb (may be NULL) is the verb of the unit
 * it answers (FZ_V_OTHER for one that answers nothing). */
enum fz_match fz_frame_reply(struct fz_frame *f, int code, enum fz_verb *verb);

/* The EHLO reply's PIPELINING and CHUNKING (set by the driver from the
 * parsed 250, before the next client bytes). */
void fz_frame_caps(struct fz_frame *f, int pipelining, int chunking);

/* After a TLS handshake: the state before it is forgotten (RFC 3207 4.2). */
void fz_frame_tls_done(struct fz_frame *f);

/* The verb of the oldest owed unit (FZ_V_OTHER when none is owed). */
enum fz_verb fz_frame_next_verb(const struct fz_frame *f);
/* The oldest owed unit, or NULL when none is owed; valid until the next
 * call that changes f. */
const struct fz_unit *fz_frame_next(const struct fz_frame *f);

/* 1 after a 221 to QUIT or a 421: the server closes and owes nothing. */
int fz_frame_closed(const struct fz_frame *f);

/* The first duty the client broke (static text), or NULL: the session is
 * then not strict (fz_oracle.h). */
const char *fz_frame_dirty(const struct fz_frame *f);

/* 1 once the client sent a command line over RFC 5321 4.5.3.1.4's 512
 * octets (MAIL and RCPT: over FZ_CMD_LINE_EXT, what their extensions add).
 * Its breach, but a narrow one: a server may answer such a line in pieces,
 * so the replies are no longer counted; a close or a crash still tells.
 * Not so an AUTH response or a text line of message data, however long:
 * RFC 4954 4 has the server fail the AUTH command with one 500, and the
 * data end only at <CRLF>.<CRLF> (the suite's auth-line-too-long, RF-01,
 * and text-line-too-long, LM-04). */
int fz_frame_overlong(const struct fz_frame *f);
/* A line of message data sent held a bare CR or LF (<LF>.<LF> and the
 * like: RFC 5321 4.1.1.4, DT-02). */
int fz_frame_bare_data(const struct fz_frame *f);
/* Inside a BDAT chunk (RFC 3030 2): its octets are still being sent. */
int fz_frame_in_chunk(const struct fz_frame *f);

/* 1 if the unit the last reply answered was its verb alone ("QUIT"). */
int fz_frame_last_bare(const struct fz_frame *f);

/* 1 from a 220 to STARTTLS until fz_frame_tls_done(): the handshake is
 * due, and no reply may be taken in plaintext before it.  Also a 220 after
 * command bytes with a bare CR, LF or NUL in which a lax server may read
 * STARTTLS ("STARTTLS\r   \n": Exim ends the line at the LF and strips the
 * blanks and the CR), whether the model had cut them into a unit or not:
 * such a server speaks TLS next. */
int fz_frame_tls_due(const struct fz_frame *f);

/* 1 while the client is inside message data (after a 354, or inside a BDAT
 * chunk): the end of the data has not been sent.  A reply that comes then
 * answers data octets (smuggling, RFC 5321 4.1.1.4). */
int fz_frame_in_data(const struct fz_frame *f);

/* For b[0..n), the bytes the client is about to send while inside message
 * data (after a 354): where in b the real end of the data starts (the "."
 * of CRLF.CRLF), or n when it is not in b (or the model is not in message
 * data).  *odd says whether the data before that end (this message's,
 * earlier bytes included) holds a line a lax server may take for the end
 * or for a command: a bare CR or LF, a NUL, a line starting with a dot
 * after blanks, a line that is a command verb.  The driver holds such an
 * end back a moment, so that a reply to the data comes while the client is
 * still inside it (fz_frame_reply: FZ_MATCH_DATA). */
size_t fz_frame_data_end(const struct fz_frame *f, const char *b, size_t n, int *odd);

/* The verb of a command line (case-insensitive first word). */
enum fz_verb fz_verb_of(const char *line, size_t len);
const char *fz_verb_name(enum fz_verb v);

#endif
