/*
 * fz_report.c - findings as scenario files, and the campaign's summary.
 */
#include "fz_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fz_campaign.h"
#include "fz_replay.h"
#include "report_util.h"
#include "util.h"

void
fz_report_init(struct fz_report *r)
{
	memset(r, 0, sizeof(*r));
}

void
fz_report_free(struct fz_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].file);
		free(r->items[i].detail);
		free(r->items[i].origin);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* Printable ASCII only (details quote server bytes). */
static char *
printable(const char *s)
{
	char *p = xstrdup(s ? s : "");
	for (char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e || *q == '\'')
			*q = '?';
	return p;
}

/* A launched server's death with sessions side by side: whether this
 * session, replayed alone on a fresh server, killed it again (fz_attrib.h);
 * "" when no replay was needed. */
static void
death_note(char *out, size_t len, const struct fz_attrib_note *a)
{
	if (!a->sessions)
		snprintf(out, len, "%s", "");
	else if (a->alone)
		snprintf(out, len, "reproduced alone: the server died with %u sessions running or "
		    "just cut off (%u had written); this one, replayed alone on a server started "
		    "afresh, killed it again (replay %u)", a->sessions, a->candidates, a->replays);
	else
		snprintf(out, len, "NOT REPRODUCED ALONE: the server died with %u sessions running "
		    "or just cut off (%u had written); %u of them replayed alone, each on a server "
		    "started afresh, killed none: this is the session that wrote last, a lead, not a "
		    "reproducer (the death may need several sessions, or none of them)", a->sessions,
		    a->candidates, a->replays);
}

/* The tag of a lead no replay alone reproduced, so a CI job that replays
 * findings can leave it out (--skip-tags): it is not a reproducer, and a
 * session cut off by the death (in message data, say) may not even pass on
 * a clean server. */
static const char *
unreproduced(const struct fz_attrib_note *a)
{
	return a->sessions && !a->alone ? "unreproduced" : NULL;
}

static const char *
oracle_says(enum fz_oracle k)
{
	static const char *const says[FZ_OR_COUNT] = {
		[FZ_OR_CRASH] = "the server process died (a signal; or any end of a --launch server)",
		[FZ_OR_SANITIZER] = "the server process printed a sanitizer report",
		[FZ_OR_MALFORMED] = "a malformed reply",
		[FZ_OR_CLOSE] = "the server closed the connection without 421 or 221",
		[FZ_OR_HANG] = "an owed reply did not come",
		[FZ_OR_NOCLOSE] = "the server did not close after 221 or 421",
		[FZ_OR_EXTRA] = "more replies than commands",
		[FZ_OR_SMUGGLE] = "a reply to message data (the end of data seen too early)",
		[FZ_OR_LATE] = "a reply after 221 or 421",
		[FZ_OR_QUIT] = "a reply to QUIT other than 221",
		[FZ_OR_TLS] = "the server did not speak TLS after its 220 to STARTTLS",
	};
	return k < FZ_OR_COUNT && says[k] ? says[k] : "?";
}

/* The comment's replay lines: the command, and with --launch how to
 * start the server first ("" without). */
static void
replay_lines(struct buf *cmd, struct buf *launch, const struct fz_opts *o, const char *path)
{
	buf_puts(cmd, "replay: ");
	fz_replay_cmd(cmd, o, path);
	if (!o->launch)
		return;
	/* The server the campaign started: start it the same way first. */
	buf_puts(launch, "replay against the launched server: start it first with /bin/sh -c ");
	fz_shell_word(launch, o->launch);
	buf_printf(launch, " (the fuzzer's --launch), wait until %s accepts, then the line above",
	    o->target->url);
}

int
fz_report_finding(struct fz_report *r, const char *path, const struct fz_sess *s,
    const struct fz_obs *obs, const struct fz_verdict *v, const struct fz_opts *o,
    unsigned runs, struct fz_when when)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "smtp-harness: fuzz: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	char seen[sizeof(obs->detail)];
	char *detail = printable(fz_oracle_seen(obs, v, seen, sizeof(seen)));
	char l0[512], l1[600], l2[512], l4[256], l6[400], id[128], title[700];
	struct buf l3, l5;
	buf_init(&l3);
	buf_init(&l5);
	snprintf(l0, sizeof(l0), "smtp-harness fuzz finding: %s: %s", fz_oracle_name(v->oracle),
	    oracle_says(v->oracle));
	snprintf(l1, sizeof(l1), "seen: %s", detail[0] ? detail : "(see the failing step)");
	snprintf(l2, sizeof(l2), "target: %s; seed scenario: %s; shrunk in %u runs", o->target->url,
	    s->origin, runs);
	replay_lines(&l3, &l5, o, path);
	l4[0] = '\0';
	if (obs->exit_signal)
		snprintf(l4, sizeof(l4), "the process died by signal %d", obs->exit_signal);
	else if (obs->died)
		snprintf(l4, sizeof(l4), "the launched server exited with status %d", obs->exit_status);
	else if (obs->sanitizer)
		snprintf(l4, sizeof(l4), "the process printed a sanitizer report (stderr below)");
	death_note(l6, sizeof(l6), &obs->attrib);
	/* The lines that are set, in order. */
	const char *lines[] = { l0, l1, l2, l3.data, l5.len ? l5.data : "", l4, l6 };
	const char *comment[8] = { NULL };
	for (size_t i = 0, n = 0; i < sizeof(lines) / sizeof(*lines); i++)
		if (lines[i][0])
			comment[n++] = lines[i];
	const char *p = strrchr(path, '/');
	snprintf(id, sizeof(id), "fuzz-%.*s", (int)strcspn(p ? p + 1 : path, "."), p ? p + 1 : path);
	snprintf(title, sizeof(title), "%s: %s", oracle_says(v->oracle), detail);
	fz_sess_write_yaml(f, s, &(struct fz_seen){ obs->got, v->n_codes,
	    obs->tls_act }, v->upto, id, title, comment, &(struct fz_ending){ v->rule_id,
	    v->rule_ref, v->rule_quote, v->owed, v->last, unreproduced(&obs->attrib) });
	/* On a clean server the connection is still open here: `run`'s
	 * teardown (QUIT, 221, the close) is not part of the finding, and
	 * behind a chunk or a line the session left unfinished its QUIT is no
	 * command, which would fail it.  (On the fault the steps before fail.) */
	if (v->last != FZ_LAST_CLOSE && v->last != FZ_LAST_221)
		fputs("  - disconnect: true\n", f);
	if (obs->stderr_text) {
		fputs("# stderr of the process:\n", f);
		/* libyaml reads comments too: only printable ASCII goes in. */
		for (const char *q = obs->stderr_text; *q;) {
			size_t n = strcspn(q, "\n");
			char *line = xstrndup(q, n), *clean = printable(line);
			fprintf(f, "#   %s\n", clean);
			free(clean);
			free(line);
			q += n + (q[n] == '\n');
		}
	}
	buf_free(&l3);
	buf_free(&l5);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(detail);
		return -1;
	}
	r->items = xrealloc(r->items, (r->n + 1) * sizeof(*r->items));
	r->items[r->n++] = (struct fz_rep_item){ v->oracle, xstrdup(path), detail, v->rule_id,
		xstrdup(s->origin), v->upto, fz_sess_bytes(s), runs, obs->exit_signal, when,
		obs->attrib };
	return 0;
}

/* Sessions a second: only over a campaign that fuzzed (-1: none). */
static double
rate_of(const struct fz_stats *st)
{
	return st->unusable[0] || st->elapsed <= 0 ? -1 : (double)st->sessions / st->elapsed;
}

/* A table cell of Markdown: a '|' in the text (a server's reply quoted in
 * the detail) would end the cell, and a line break the row. */
static void
md_cell(struct buf *b, const char *t)
{
	for (; *t; t++) {
		if (*t == '|')
			buf_puts(b, "\\|");
		else if (*t == '\n' || *t == '\r')
			buf_puts(b, " ");
		else
			buf_append(b, t, 1);
	}
}

static void
md(struct buf *b, const struct fz_report *r, const struct fz_opts *o, const struct fz_stats *st,
    size_t n_seeds)
{
	double rate = rate_of(st);
	buf_printf(b, "# smtp-harness fuzz: %s\n\n", o->target->url);
	if (st->unusable[0])
		buf_printf(b, "**Not fuzzed**: %s (exit 3).\n\n", st->unusable);
	if (st->gone[0])
		buf_printf(b, "**Stopped early**: %s (exit 3 if nothing was found).\n\n", st->gone);
	if (st->seeds_skipped)
		buf_printf(b, "%zu seed scenario%s not used, the first %s.\n\n", st->seeds_skipped,
		    st->seeds_skipped == 1 ? "" : "s", st->seed_skipped);
	buf_printf(b, "| | |\n| --- | --- |\n| sessions taken by the target | %llu |\n"
	    "| sessions refused (421 greeting) | %llu |\n| sessions that found no connection | "
	    "%llu |\n| seconds | %.1f |\n", (unsigned long long)st->sessions,
	    (unsigned long long)st->refused, (unsigned long long)st->unreachable, st->elapsed);
	if (rate >= 0)
		buf_printf(b, "| sessions/s | %.1f |\n", rate);
	else
		buf_puts(b, "| sessions/s | - |\n");
	buf_printf(b, "| jobs | %u |\n| seeds | %zu |\n| corpus | %zu |\n"
	    "| states (verb, code) | %zu |\n| transitions | %zu |\n| findings | %zu |\n",
	    o->jobs, n_seeds, st->corpus, st->states, st->edges, st->findings);
	if (st->cut)
		buf_printf(b, "| sessions cut short at the end (no verdict) | %llu |\n",
		    (unsigned long long)st->cut);
	if (st->tls_made)
		buf_printf(b, "| TLS handshakes, of them resumed | %llu, %llu |\n",
		    (unsigned long long)st->tls_made, (unsigned long long)st->tls_resumed);
	if (o->max_findings)
		buf_printf(b, "| findings not kept (--max-findings %zu reached) | %zu |\n",
		    o->max_findings, st->not_kept);
	if (st->coverage)
		buf_printf(b, "| coverage edges (AFL++ map) | %zu%s |\n", st->cov_edges,
		    st->cov_edges ? "" : " (the target is not instrumented)");
	buf_puts(b, "\n");
	if (!r->n) {
		buf_puts(b, st->unusable[0] ? "No finding: the target took no session, so nothing "
		    "was fuzzed.\n" : "No finding.\n");
		return;
	}
	buf_puts(b, "| oracle | rule | seen | scenario | acts | bytes | seed |\n"
	    "| --- | --- | --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct fz_rep_item *it = &r->items[i];
		const char *f = strrchr(it->file, '/');
		buf_printf(b, "| %s | %s | ", fz_oracle_name(it->oracle), it->rule_id);
		md_cell(b, it->detail);
		buf_printf(b, " | [%s](findings/%s) | %zu | %zu | ", f ? f + 1 : it->file,
		    f ? f + 1 : it->file, it->acts, it->bytes);
		md_cell(b, it->origin);
		buf_puts(b, " |\n");
	}
	buf_puts(b, "\nReplay one: `");
	fz_replay_cmd(b, o, NULL);
	buf_puts(b, "` (the line `# replay:` of each file).\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct fz_rep_item *it = &r->items[i];
		const char *f = strrchr(it->file, '/');
		char note[400];
		death_note(note, sizeof(note), &it->attrib);
		if (note[0])
			buf_printf(b, "\n- %s: %s.\n", f ? f + 1 : it->file, note);
	}
}

static void
js(struct buf *b, const char *s)
{
	rep_json_escape(b, s, strlen(s));
}

static void
json(struct buf *b, const struct fz_report *r, const struct fz_opts *o,
    const struct fz_stats *st, size_t n_seeds)
{
	double rate = rate_of(st);
	buf_puts(b, "{\"schema\":\"smtp-harness/fuzz/1\",\"target\":");
	js(b, o->target->url);
	buf_printf(b, ",\"fuzzed\":%s,\"not_fuzzed\":", st->unusable[0] ? "false" : "true");
	if (st->unusable[0])
		js(b, st->unusable);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"stopped_early\":");
	if (st->gone[0])
		js(b, st->gone);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"seeds_skipped\":%zu,\"sessions_cut\":%llu", st->seeds_skipped,
	    (unsigned long long)st->cut);
	buf_printf(b, ",\"sessions\":%llu,\"seconds\":%.3f,\"rate\":",
	    (unsigned long long)st->sessions, st->elapsed);
	if (rate >= 0)
		buf_printf(b, "%.2f", rate);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"sessions_refused\":%llu,\"sessions_unreached\":%llu,\"jobs\":%u,"
	    "\"seeds\":%zu,\"corpus\":%zu,\"states\":%zu,\"edges\":%zu,"
	    "\"coverage_edges\":%zu,\"tls_handshakes\":%llu,\"tls_resumed\":%llu,"
	    "\"findings_not_kept\":%zu,\"findings\":[",
	    (unsigned long long)st->refused, (unsigned long long)st->unreachable, o->jobs, n_seeds,
	    st->corpus, st->states, st->edges, st->cov_edges, (unsigned long long)st->tls_made,
	    (unsigned long long)st->tls_resumed, st->not_kept);
	for (size_t i = 0; i < r->n; i++) {
		const struct fz_rep_item *it = &r->items[i];
		buf_puts(b, i ? ",{\"oracle\":" : "{\"oracle\":");
		js(b, fz_oracle_name(it->oracle));
		buf_puts(b, ",\"rule\":");
		js(b, it->rule_id);
		buf_puts(b, ",\"detail\":");
		js(b, it->detail);
		buf_puts(b, ",\"scenario\":");
		js(b, it->file);
		buf_puts(b, ",\"seed\":");
		js(b, it->origin);
		buf_printf(b, ",\"acts\":%zu,\"bytes\":%zu,\"shrink_runs\":%u,\"signal\":%d,"
		    "\"found_after_sessions\":%llu,\"found_after_seconds\":%.3f,\"death_sessions\":%u,"
		    "\"death_candidates\":%u,\"death_replays\":%u,\"reproduced_alone\":%s}", it->acts,
		    it->bytes, it->runs, it->signal, (unsigned long long)it->when.sessions,
		    it->when.seconds, it->attrib.sessions, it->attrib.candidates, it->attrib.replays,
		    !it->attrib.sessions ? "null" : it->attrib.alone ? "true" : "false");
	}
	buf_puts(b, "]}\n");
}

static int
write_file(const char *dir, const char *name, const struct buf *b, char *errbuf, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	int bad = !f || fwrite(b->data, 1, b->len, f) != b->len;
	if ((f && fclose(f) != 0) || bad) {
		snprintf(errbuf, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
fz_report_summary(const struct fz_report *r, const struct fz_opts *o,
    const struct fz_stats *st, size_t n_seeds, char *errbuf, size_t errlen)
{
	struct buf b;
	buf_init(&b);
	md(&b, r, o, st, n_seeds);
	int rc = write_file(o->out_dir, "summary.md", &b, errbuf, errlen);
	buf_reset(&b);
	json(&b, r, o, st, n_seeds);
	if (rc == 0)
		rc = write_file(o->out_dir, "summary.json", &b, errbuf, errlen);
	buf_free(&b);
	return rc;
}
