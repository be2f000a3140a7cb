/*
 * fz_cov.c - AFL-style coverage maps over System V shared memory.
 */
#include "fz_cov.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "util.h"

struct fz_cov {
	size_t n;
	int *ids;
	uint8_t **maps;
	uint8_t *busy;
	uint8_t virgin[FZ_COV_MAP]; /* bucket bits seen per edge */
	size_t edges;
};

struct fz_cov *
fz_cov_new(size_t n, char *errbuf, size_t errlen)
{
	struct fz_cov *c = xcalloc(1, sizeof(*c));
	c->ids = xcalloc(n, sizeof(*c->ids));
	c->maps = xcalloc(n, sizeof(*c->maps));
	c->busy = xcalloc(n, 1);
	for (size_t i = 0; i < n; i++) {
		c->ids[i] = shmget(IPC_PRIVATE, FZ_COV_MAP, IPC_CREAT | IPC_EXCL | 0600);
		void *m = c->ids[i] < 0 ? (void *)-1 : shmat(c->ids[i], NULL, 0);
		if (m == (void *)-1) {
			snprintf(errbuf, errlen, "coverage map: shared memory: %s", strerror(errno));
			if (c->ids[i] >= 0)
				shmctl(c->ids[i], IPC_RMID, NULL);
			c->n = i;
			fz_cov_free(c);
			return NULL;
		}
		/* Removed at once: it lives while attached, and never leaks. */
		shmctl(c->ids[i], IPC_RMID, NULL);
		c->maps[i] = m;
		c->n = i + 1;
	}
	return c;
}

void
fz_cov_free(struct fz_cov *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		shmdt(c->maps[i]);
	free(c->ids);
	free(c->maps);
	free(c->busy);
	free(c);
}

int
fz_cov_take(struct fz_cov *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (!c->busy[i]) {
			c->busy[i] = 1;
			memset(c->maps[i], 0, FZ_COV_MAP);
			return (int)i;
		}
	return -1;
}

void
fz_cov_env(const struct fz_cov *c, int slot)
{
	if (slot < 0) {
		unsetenv("__AFL_SHM_ID");
		unsetenv("AFL_MAP_SIZE");
		return;
	}
	char v[32];
	snprintf(v, sizeof(v), "%d", c->ids[slot]);
	setenv("__AFL_SHM_ID", v, 1);
	snprintf(v, sizeof(v), "%d", FZ_COV_MAP);
	setenv("AFL_MAP_SIZE", v, 1);
}

/* AFL's hit-count classes as one bit each. */
static uint8_t
bucket(uint8_t hits)
{
	if (hits <= 3)
		return (uint8_t)(hits == 3 ? 4 : hits);
	if (hits <= 7)
		return 8;
	if (hits <= 15)
		return 16;
	if (hits <= 31)
		return 32;
	return hits <= 127 ? 64 : 128;
}

size_t
fz_cov_release(struct fz_cov *c, int slot)
{
	if (slot < 0 || (size_t)slot >= c->n)
		return 0;
	const uint64_t *w = (const uint64_t *)c->maps[slot];
	size_t fresh = 0;
	for (size_t k = 0; k < FZ_COV_MAP / 8; k++) {
		if (!w[k])
			continue;
		for (size_t i = k * 8; i < k * 8 + 8; i++) {
			uint8_t hits = c->maps[slot][i];
			if (!hits)
				continue;
			uint8_t b = bucket(hits);
			if (c->virgin[i] & b)
				continue;
			if (!c->virgin[i])
				c->edges++;
			c->virgin[i] |= b;
			fresh++;
		}
	}
	c->busy[slot] = 0;
	return fresh;
}

size_t
fz_cov_edges(const struct fz_cov *c)
{
	return c ? c->edges : 0;
}
