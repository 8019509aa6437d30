// SPDX-License-Identifier: GPL-2.0
#include "pattern.h"

#include <endian.h>
#include <string.h>

#define GOLDEN 0x9e3779b97f4a7c15ULL

static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t pattern_block(uint64_t seed, uint64_t idx)
{
	return mix64(seed + (idx + 1) * GOLDEN);
}

void pattern_init(struct pattern *p, uint64_t seed)
{
	p->seed = seed;
	p->off = 0;
}

void pattern_seek(struct pattern *p, uint64_t off)
{
	p->off = off;
}

void pattern_fill(struct pattern *p, void *buf, size_t len)
{
	unsigned char *out = buf;
	uint64_t idx = p->off / 8;
	size_t head = (size_t)(p->off % 8);
	uint64_t x, v;

	p->off += len;
	if (head) {
		size_t n = 8 - head;

		v = htole64(pattern_block(p->seed, idx));
		if (n > len)
			n = len;
		memcpy(out, (unsigned char *)&v + head, n);
		out += n;
		len -= n;
		idx++;
	}
	/* Hot loop: one mix per 8 bytes, state advanced incrementally. */
	x = p->seed + (idx + 1) * GOLDEN;
	while (len >= 8) {
		v = htole64(mix64(x));
		memcpy(out, &v, 8);
		x += GOLDEN;
		out += 8;
		len -= 8;
	}
	if (len) {
		v = htole64(mix64(x));
		memcpy(out, &v, len);
	}
}

size_t pattern_check(struct pattern *p, const void *buf, size_t len,
		     void *scratch)
{
	const unsigned char *a = buf, *b = scratch;
	size_t i;

	pattern_fill(p, scratch, len);
	if (memcmp(buf, scratch, len) == 0)
		return len;
	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			break;
	return i;
}

void prng_init(struct prng *r, uint64_t seed)
{
	/* Scramble so that nearby seeds diverge immediately; never zero. */
	r->s = mix64(seed ^ 0x5851f42d4c957f2dULL);
	if (!r->s)
		r->s = GOLDEN;
}

uint64_t prng_next(struct prng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint64_t prng_range(struct prng *r, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo;

	if (span == UINT64_MAX)
		return prng_next(r);
	return lo + prng_next(r) % (span + 1);
}
