/*
 * fz_pace.c - the fuzzer's reply-time estimate (fz_pace.h).
 */
#include "fz_pace.h"

#include <string.h>

void
fz_pace_init(struct fz_pace *p)
{
	memset(p, 0, sizeof(*p));
}

/* RFC 6298 2.2 and 2.3, with its alpha 1/8 and beta 1/4. */
void
fz_pace_sample(struct fz_pace *p, int64_t us)
{
	if (us < 0)
		us = 0;
	if (p->samples++ == 0) {
		p->srtt_us = us;
		p->rttvar_us = us / 2;
		return;
	}
	int64_t dev = p->srtt_us > us ? p->srtt_us - us : us - p->srtt_us;
	p->rttvar_us += (dev - p->rttvar_us) / 4;
	p->srtt_us += (us - p->srtt_us) / 8;
}

int64_t
fz_pace_wait_ms(const struct fz_pace *p, int64_t floor_ms, int64_t ceil_ms)
{
	if (!p || p->samples < FZ_PACE_MIN_SAMPLES)
		return ceil_ms;
	int64_t ms = (p->srtt_us + 4 * p->rttvar_us + 999) / 1000;
	return ms < floor_ms ? floor_ms : ms > ceil_ms ? ceil_ms : ms;
}
