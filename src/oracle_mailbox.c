/*
 * oracle_mailbox.c - the delivery oracle's maildir and mbox sources
 * (oracle.h): what is there at open is remembered and never read; each scan
 * adds what arrived since to the store.  The parsing is mailbox.c's; this
 * file does the reading.
 *
 * Maildir: the files of new/ and cur/ (never tmp/), each read once.  A file
 * is known by the unique part of its name, before ':', so the move of a
 * file from new/ to cur/ with ":2,FLAGS" appended (a reader saw it) is not
 * a new message.  Files over MBX_FILE_MAX are skipped.
 *
 * Mbox: read from the offset where the last scan ended (the size at open).
 * A message is added once complete (mailbox.h: the next separator, or an
 * empty line at the end of the file); an incomplete one is read again by the
 * next scan.  A file that shrank or was replaced (another inode) is read
 * from its start; a message over MBX_FILE_MAX is skipped up to the next
 * separator.
 */
#include "oracle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "mailbox.h"
#include "util.h"

#define MBX_FILE_MAX (64u << 20)	/* a bigger message is skipped */
#define MBX_SCAN_MAX 10000		/* messages one scan adds at most */
#define MBX_FIELD_MAX 1024		/* a longer address field is ignored */

/* The unique names of the maildir files seen: an open-addressing set. */
struct nameset {
	char **slot;
	size_t cap, n;
};

struct orc_mailbox {
	enum orc_kind kind;
	char path[4096];
	struct nameset seen;	/* maildir */
	int have_file;		/* mbox: it existed at open or a scan */
	dev_t dev;
	ino_t ino;
	off_t off;		/* where the next scan starts */
};

static uint64_t
hash_name(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The unique part of a maildir file name: before ':'. */
static size_t
unique_len(const char *name)
{
	const char *c = strchr(name, ':');
	return c ? (size_t)(c - name) : strlen(name);
}

static int
set_has(const struct nameset *s, const char *name, size_t n)
{
	if (!s->cap)
		return 0;
	for (size_t i = hash_name(name, n) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slot[i])
			return 0;
		if (strlen(s->slot[i]) == n && memcmp(s->slot[i], name, n) == 0)
			return 1;
	}
}

static void set_add(struct nameset *s, const char *name, size_t n);

static void
set_grow(struct nameset *s)
{
	struct nameset bigger = { xcalloc(s->cap ? s->cap * 2 : 256, sizeof(char *)),
		s->cap ? s->cap * 2 : 256, 0 };

	for (size_t i = 0; i < s->cap; i++) {
		if (s->slot[i]) {
			set_add(&bigger, s->slot[i], strlen(s->slot[i]));
			free(s->slot[i]);
		}
	}
	free(s->slot);
	*s = bigger;
}

static void
set_add(struct nameset *s, const char *name, size_t n)
{
	if ((s->n + 1) * 2 > s->cap)
		set_grow(s);
	size_t i = hash_name(name, n) & (s->cap - 1);
	while (s->slot[i]) {
		if (strlen(s->slot[i]) == n && memcmp(s->slot[i], name, n) == 0)
			return;
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = xstrndup(name, n);
	s->n++;
}

static void
set_free(struct nameset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in DIR/sub not starting with '.', sorted (maildir names start
 * with the delivery time): a malloc'd array of *n malloc'd strings, or NULL
 * with err filled. */
static char **
list_dir(const char *dir, const char *sub, size_t *n, char *err, size_t errlen)
{
	char path[4200];
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (!(d = opendir(path))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(char *));
		}
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(char *), cmp_str);
	return v ? v : xcalloc(1, sizeof(char *));
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* read() until n bytes, the end of the file or an error (EINTR retried).
 * The bytes read, or -1 with errno. */
static ssize_t
read_full(int fd, char *p, size_t n, off_t at)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, at + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Copy v[0..n) into a fresh string. */
static char *
addr_dup(const char *v, size_t n)
{
	size_t off;
	ssize_t a = mbx_address(v, n, &off);

	return a < 0 ? NULL : xstrndup(v + off, (size_t)a);
}

/* The rcpt list from every field named name: 0 when there is none. */
static size_t
collect_rcpt(const char *data, size_t len, const char *name, char ***out)
{
	char v[MBX_FIELD_MAX];
	size_t pos = 0, n = 0;
	ssize_t vl;

	*out = NULL;
	while ((vl = mbx_header_next(data, len, &pos, name, v, sizeof(v))) >= 0) {
		char *a;
		if ((size_t)vl >= sizeof(v) || !(a = addr_dup(v, (size_t)vl)))
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(char *));
		(*out)[n++] = a;
	}
	return n;
}

/* Build the message from raw content (LF or CRLF lines, mbox quoting when
 * mbox) and add it to st. */
static void
add_message(struct orc_store *st, const char *raw, size_t len, int mbox,
    char *source)
{
	struct orc_msg m = { 0 };
	struct buf b;
	char v[MBX_FIELD_MAX];
	size_t pos = 0;
	ssize_t vl;

	buf_init(&b);
	mbx_unquote(raw, len, mbox, &b);
	m.data = buf_steal(&b, &m.len);
	vl = mbx_header_next(m.data, m.len, &pos, "Return-Path", v, sizeof(v));
	if (vl >= 0 && (size_t)vl < sizeof(v))
		m.mail_from = addr_dup(v, (size_t)vl);
	m.nrcpt = collect_rcpt(m.data, m.len, "Delivered-To", &m.rcpt);
	if (m.nrcpt == 0)
		m.nrcpt = collect_rcpt(m.data, m.len, "X-Original-To", &m.rcpt);
	m.source = source;
	orc_store_add(st, &m);
	orc_msg_clear(&m);
}

/* ---- maildir ------------------------------------------------------------ */

static int
maildir_remember(struct orc_mailbox *mb, char *err, size_t errlen)
{
	static const char *const subs[] = { "new", "cur" };

	for (size_t k = 0; k < 2; k++) {
		size_t n;
		char **v = list_dir(mb->path, subs[k], &n, err, errlen);
		if (!v)
			return -1;
		for (size_t i = 0; i < n; i++)
			set_add(&mb->seen, v[i], unique_len(v[i]));
		free_list(v, n);
	}
	return 0;
}

/* Read DIR/sub/name into a fresh buffer.  1 read, 0 to skip for good
 * (not a regular file, over MBX_FILE_MAX), -1 gone (ENOENT: moved to cur/,
 * seen there), -2 with err filled. */
static int
read_file(const char *dir, const char *sub, const char *name, char **data,
    size_t *len, char *err, size_t errlen)
{
	char path[8400];
	struct stat sb;
	int fd;
	ssize_t r;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		if (errno == ELOOP)
			return 0;	/* a symlink: not a delivery */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -2;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uintmax_t)sb.st_size > MBX_FILE_MAX) {
		close(fd);
		return 0;
	}
	*data = xmalloc((size_t)sb.st_size + 1);
	r = read_full(fd, *data, (size_t)sb.st_size, 0);
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(*data);
		*data = NULL;
		return -2;
	}
	*len = (size_t)r;
	return 1;
}

static int
maildir_scan(struct orc_mailbox *mb, struct orc_store *st, char *err, size_t errlen)
{
	static const char *const subs[] = { "new", "cur" };
	int added = 0, rc = 0;

	for (size_t k = 0; k < 2 && added < MBX_SCAN_MAX; k++) {
		size_t n;
		char **v = list_dir(mb->path, subs[k], &n, err, errlen);
		if (!v)
			return -1;
		for (size_t i = 0; i < n && added < MBX_SCAN_MAX; i++) {
			size_t ul = unique_len(v[i]), len = 0;
			char *data = NULL;
			if (set_has(&mb->seen, v[i], ul))
				continue;
			int r = read_file(mb->path, subs[k], v[i], &data, &len, err, errlen);
			if (r == -1)
				continue;	/* moved on: found again in cur/ */
			set_add(&mb->seen, v[i], ul);
			if (r == -2) {
				rc = -1;	/* reported once, then skipped */
				continue;
			}
			if (r == 1) {
				add_message(st, data, len, 0, xasprintf("%s/%s", subs[k], v[i]));
				added++;
			}
			free(data);
		}
		free_list(v, n);
	}
	return rc < 0 ? -1 : added;
}

/* ---- mbox --------------------------------------------------------------- */

static int
mbox_scan(struct orc_mailbox *mb, struct orc_store *st, char *err, size_t errlen)
{
	struct stat sb;
	int fd, added = 0;
	char *win;

	do
		fd = open(mb->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENOENT && !mb->have_file)
			return 0;	/* not delivered to yet */
		snprintf(err, errlen, "%s: %s", mb->path, strerror(errno));
		if (errno == ENOENT)
			mb->have_file = 0;	/* the next one is read from 0 */
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", mb->path);
		close(fd);
		return -1;
	}
	if (!mb->have_file || sb.st_dev != mb->dev || sb.st_ino != mb->ino ||
	    sb.st_size < mb->off) {
		mb->have_file = 1;
		mb->dev = sb.st_dev;
		mb->ino = sb.st_ino;
		mb->off = 0;
	}
	/* One window at a time: at most one message over the limit, plus
	 * room for its separator line. */
	size_t cap = MBX_FILE_MAX + 65536;
	win = NULL;
	while (mb->off < sb.st_size && added < MBX_SCAN_MAX) {
		size_t want = (uintmax_t)(sb.st_size - mb->off) < cap ?
		    (size_t)(sb.st_size - mb->off) : cap;
		if (!win)
			win = xmalloc(cap);
		ssize_t got = read_full(fd, win, want, mb->off);
		if (got < 0) {
			snprintf(err, errlen, "%s: %s", mb->path, strerror(errno));
			free(win);
			close(fd);
			return -1;
		}
		if (got == 0)
			break;	/* shrank under us: the next scan sees it */
		int eof = mb->off + (off_t)got >= sb.st_size;
		size_t pos = 0;
		while (added < MBX_SCAN_MAX) {
			struct mbx_part part;
			ssize_t n = mbx_mbox_next(win + pos, (size_t)got - pos, eof, &part);
			if (n <= 0)
				break;
			if (!part.junk && part.body_len <= MBX_FILE_MAX) {
				add_message(st, win + pos + part.body, part.body_len, 1,
				    xasprintf("mbox:%lld", (long long)mb->off + (long long)pos));
				added++;
			}
			pos += (size_t)n;
		}
		if (pos == 0 && !eof && (size_t)got == cap) {
			/* One message fills the window: skip it to the start of its
			 * last line read, whence the junk rule finds the next
			 * separator. */
			const char *nl = NULL;
			for (size_t i = (size_t)got; i > 0 && !nl; i--)
				if (win[i - 1] == '\n')
					nl = win + i - 1;
			pos = nl ? (size_t)(nl - win) + 1 : (size_t)got;
		}
		mb->off += (off_t)pos;
		if (pos == 0 || eof)
			break;
	}
	free(win);
	close(fd);
	return added;
}

/* ---- the source ---------------------------------------------------------- */

struct orc_mailbox *
orc_mailbox_open(const struct orc_spec *spec, char *err, size_t errlen)
{
	struct orc_mailbox *mb;
	struct stat sb;

	if (spec->kind != ORC_MAILDIR && spec->kind != ORC_MBOX) {
		snprintf(err, errlen, "not a mailbox oracle: %s", orc_kind_name(spec->kind));
		return NULL;
	}
	mb = xcalloc(1, sizeof(*mb));
	mb->kind = spec->kind;
	util_strlcpy(mb->path, spec->path, sizeof(mb->path));
	if (mb->kind == ORC_MAILDIR) {
		char sub[4200];
		int ok = 1;
		for (int k = 0; k < 2 && ok; k++) {
			snprintf(sub, sizeof(sub), "%s/%s", mb->path, k ? "cur" : "new");
			ok = stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode);
		}
		if (!ok) {
			snprintf(err, errlen, "%s: not a maildir (no new/ and cur/)", mb->path);
			free(mb);
			return NULL;
		}
		if (maildir_remember(mb, err, errlen) != 0) {
			orc_mailbox_close(mb);
			return NULL;
		}
		return mb;
	}
	if (stat(mb->path, &sb) != 0) {
		if (errno == ENOENT)
			return mb;	/* everything appended later is new */
		snprintf(err, errlen, "%s: %s", mb->path, strerror(errno));
		free(mb);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not an mbox file", mb->path);
		free(mb);
		return NULL;
	}
	mb->have_file = 1;
	mb->dev = sb.st_dev;
	mb->ino = sb.st_ino;
	mb->off = sb.st_size;
	return mb;
}

int
orc_mailbox_scan(struct orc_mailbox *mb, struct orc_store *st, char *err, size_t errlen)
{
	return mb->kind == ORC_MAILDIR ? maildir_scan(mb, st, err, errlen) :
	    mbox_scan(mb, st, err, errlen);
}

void
orc_mailbox_close(struct orc_mailbox *mb)
{
	if (!mb)
		return;
	set_free(&mb->seen);
	free(mb);
}
