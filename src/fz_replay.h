/*
 * fz_replay.h - the command that replays a fuzz finding: `smtp-harness run`
 * with every option of the campaign that changes what run judges, each word
 * quoted for a POSIX shell, so the finding fails on replay as the fuzzer
 * saw it.  Written in the finding's comment and in summary.md.  Pure:
 * options in, text out.
 */
#ifndef SMTPH_FZ_REPLAY_H
#define SMTPH_FZ_REPLAY_H

#include "buf.h"

struct fz_opts;

/* Append s to b as one word of a POSIX shell, on one line of printable
 * ASCII (a finding's comment is such a line): as it is when it is not empty
 * and every byte is a letter, a digit or one of "%+,-./:=@_"; else in
 * single quotes, each quote as '\''; and when a byte is outside printable
 * ASCII, as "$(printf '...')" with each such byte and a quote as an
 * octal escape, % as %% and \ as \\.  A newline that ends s is lost there (command substitution
 * strips it). */
void fz_shell_word(struct buf *b, const char *s);

/* Append "smtp-harness run" with the options of o that change run's
 * verdict: --target; --profile and the --var not from it; --timeout, always
 * (a hang is judged by it, and run's default is longer than fuzz's);
 * --max-reply-line and --max-reply-lines when set; the --tls-* options
 * set.  Then file as a word, or the placeholder FILE when file is NULL. */
void fz_replay_cmd(struct buf *b, const struct fz_opts *o, const char *file);

#endif
