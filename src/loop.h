/*
 * loop.h - a small single-threaded event loop over poll(2), in the manner of
 * redis' ae.c: file descriptors with read/write interest and one-shot timers.
 * The engine's client sessions and the reference server's sessions share one
 * loop, so `--target builtin` needs no thread.
 *
 * Callbacks may freely watch/unwatch any fd and add/cancel timers, including
 * their own; a watch removed during dispatch is not called afterwards.
 */
#ifndef SMTPH_LOOP_H
#define SMTPH_LOOP_H

#include <poll.h>
#include <stdint.h>

struct loop;

typedef void (*loop_io_cb)(struct loop *loop, int fd, int revents, void *arg);
typedef void (*loop_timer_cb)(struct loop *loop, void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *loop);

/* Watch fd for events (POLLIN, POLLOUT or both); replaces any earlier watch
 * of the same fd.  events == 0 keeps the fd registered but idle.  POLLHUP and
 * POLLERR are always reported. */
void loop_watch(struct loop *loop, int fd, short events, loop_io_cb cb, void *arg);
/* Change only the interest set of an already watched fd (no-op otherwise). */
void loop_set_events(struct loop *loop, int fd, short events);
void loop_unwatch(struct loop *loop, int fd);

/* Call cb once at monotonic time due_ms (see util_now_ms()).  Returns an id
 * (never 0) for loop_timer_cancel(). */
uint64_t loop_timer(struct loop *loop, int64_t due_ms, loop_timer_cb cb, void *arg);
/* Cancel a pending timer; id 0 or an expired id is ignored. */
void loop_timer_cancel(struct loop *loop, uint64_t id);

/* Wait for at most max_wait_ms (or until the next timer) and dispatch what is
 * ready.  Returns 0, or -1 if poll(2) failed for a reason other than EINTR.
 * Under the virtual clock (util_clock_virtual()) it never sleeps: when no
 * descriptor is ready the clock jumps by that wait and the due timers fire. */
int loop_run_once(struct loop *loop, int max_wait_ms);

#endif
