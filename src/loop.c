/* loop.c - poll(2) event loop with one-shot timers (and the virtual clock
 * of util.h: no sleep, the wait skipped). */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct watch {
	int fd;
	short events;
	loop_io_cb cb;
	void *arg;
	uint64_t gen; /* changes when the slot is reused, so stale dispatch is skipped */
};

struct timer {
	uint64_t id;
	int64_t due;
	loop_timer_cb cb;
	void *arg;
};

struct loop {
	struct watch *w;
	size_t nw, capw;
	struct timer *t;
	size_t nt, capt;
	uint64_t next_id;
	uint64_t next_gen;
	struct pollfd *pfd;
	uint64_t *pgen;
	size_t cappfd;
	/* What poll() found ready, copied for dispatch (kept between
	 * rounds: two allocations a round showed in the engine's profile) */
	struct pollfd *ready;
	uint64_t *rgen;
	size_t capready;
	int dispatching;  /* a callback running loop_run_once() gets its own copy */
};

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	l->next_id = 1;
	l->next_gen = 1;
	return l;
}

void
loop_free(struct loop *l)
{
	if (!l)
		return;
	free(l->w);
	free(l->t);
	free(l->pfd);
	free(l->pgen);
	free(l->ready);
	free(l->rgen);
	free(l);
}

static struct watch *
find(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd)
			return &l->w[i];
	return NULL;
}

void
loop_watch(struct loop *l, int fd, short events, loop_io_cb cb, void *arg)
{
	struct watch *w = find(l, fd);
	if (!w) {
		if (l->nw == l->capw) {
			l->capw = l->capw ? l->capw * 2 : 16;
			l->w = xrealloc(l->w, l->capw * sizeof(*l->w));
		}
		w = &l->w[l->nw++];
		w->fd = fd;
	}
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	w->gen = l->next_gen++;
}

void
loop_set_events(struct loop *l, int fd, short events)
{
	struct watch *w = find(l, fd);
	if (w)
		w->events = events;
}

void
loop_unwatch(struct loop *l, int fd)
{
	struct watch *w = find(l, fd);
	if (!w)
		return;
	*w = l->w[--l->nw];
}

uint64_t
loop_timer(struct loop *l, int64_t due_ms, loop_timer_cb cb, void *arg)
{
	if (l->nt == l->capt) {
		l->capt = l->capt ? l->capt * 2 : 16;
		l->t = xrealloc(l->t, l->capt * sizeof(*l->t));
	}
	struct timer *t = &l->t[l->nt++];
	t->id = l->next_id++;
	t->due = due_ms;
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

void
loop_timer_cancel(struct loop *l, uint64_t id)
{
	if (!id)
		return;
	for (size_t i = 0; i < l->nt; i++)
		if (l->t[i].id == id) {
			l->t[i] = l->t[--l->nt];
			return;
		}
}

/* Fire every timer that is due; a timer added by a callback waits for the
 * next round so a callback that re-arms itself cannot starve the loop. */
static void
run_timers(struct loop *l)
{
	int64_t now = util_now_ms();
	uint64_t limit = l->next_id;
	for (;;) {
		size_t best = l->nt;
		for (size_t i = 0; i < l->nt; i++)
			if (l->t[i].due <= now && l->t[i].id < limit &&
			    (best == l->nt || l->t[i].due < l->t[best].due))
				best = i;
		if (best == l->nt)
			return;
		struct timer t = l->t[best];
		l->t[best] = l->t[--l->nt];
		t.cb(l, t.arg);
	}
}

int
loop_run_once(struct loop *l, int max_wait_ms)
{
	int64_t now = util_now_ms();
	int64_t wait = max_wait_ms;
	for (size_t i = 0; i < l->nt; i++) {
		int64_t d = l->t[i].due - now;
		if (d < wait)
			wait = d < 0 ? 0 : d;
	}
	if (l->cappfd < l->nw) {
		l->cappfd = l->nw + 16;
		l->pfd = xrealloc(l->pfd, l->cappfd * sizeof(*l->pfd));
		l->pgen = xrealloc(l->pgen, l->cappfd * sizeof(*l->pgen));
	}
	size_t n = l->nw;
	for (size_t i = 0; i < n; i++) {
		l->pfd[i].fd = l->w[i].fd;
		l->pfd[i].events = l->w[i].events;
		l->pfd[i].revents = 0;
		l->pgen[i] = l->w[i].gen;
	}
	/* The virtual clock (util.h): look, never sleep; when nothing is
	 * ready the wait passes at once. */
	int virt = util_clock_is_virtual();
	int rc = poll(l->pfd, (nfds_t)n, virt ? 0 : (int)wait);
	if (rc < 0 && errno != EINTR)
		return -1;
	if (virt && rc == 0)
		util_clock_advance(wait);
	if (rc > 0) {
		/* Dispatch from a copy: a callback may reshape l->pfd (by
		 * running the loop itself); only such a nested round pays
		 * for its own copy. */
		size_t k = 0;
		int nested = l->dispatching++;
		if (!nested && l->capready < (size_t)rc) {
			l->capready = (size_t)rc + 16;
			l->ready = xrealloc(l->ready, l->capready * sizeof(*l->ready));
			l->rgen = xrealloc(l->rgen, l->capready * sizeof(*l->rgen));
		}
		struct pollfd *ready = nested ? xmalloc((size_t)rc * sizeof(*ready)) : l->ready;
		uint64_t *gens = nested ? xmalloc((size_t)rc * sizeof(*gens)) : l->rgen;
		for (size_t i = 0; i < n && k < (size_t)rc; i++)
			if (l->pfd[i].revents) {
				ready[k] = l->pfd[i];
				gens[k++] = l->pgen[i];
			}
		for (size_t i = 0; i < k; i++) {
			struct watch *w = find(l, ready[i].fd);
			if (!w || w->gen != gens[i])
				continue;
			short re = ready[i].revents & (short)(w->events | POLLHUP | POLLERR | POLLNVAL);
			if (re)
				w->cb(l, w->fd, re, w->arg);
		}
		if (nested) {
			free(ready);
			free(gens);
		}
		l->dispatching--;
	}
	run_timers(l);
	return 0;
}
