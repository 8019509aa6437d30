/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic, seekable test pattern and a small PRNG.
 *
 * Pattern: byte stream made of 64-bit little-endian blocks; block i is
 * splitmix64 output number i for the given seed, i.e.
 *     x = seed + (i + 1) * 0x9e3779b97f4a7c15;  block = mix(x)
 * so any offset can be generated without generating what precedes it.
 * The same (seed, offset) always yields the same bytes on every host.
 */
#ifndef TLSDEV_PATTERN_H
#define TLSDEV_PATTERN_H

#include <stddef.h>
#include <stdint.h>

struct pattern {
	uint64_t seed;
	uint64_t off; /* stream offset of the next byte */
};

void pattern_init(struct pattern *p, uint64_t seed);
void pattern_seek(struct pattern *p, uint64_t off);
/* Write the next @len pattern bytes to @buf and advance. */
void pattern_fill(struct pattern *p, void *buf, size_t len);
/* The 64-bit block with index @idx (bytes 8*idx .. 8*idx+7, little endian). */
uint64_t pattern_block(uint64_t seed, uint64_t idx);

/*
 * Compare @len bytes of @buf against the pattern at the current offset and
 * advance.  @scratch must hold @len bytes.  Returns the index within @buf of
 * the first differing byte, or @len when all bytes match.
 */
size_t pattern_check(struct pattern *p, const void *buf, size_t len,
		     void *scratch);

/* xorshift64* PRNG (for write sizes etc.).  A zero seed is remapped. */
struct prng {
	uint64_t s;
};

void prng_init(struct prng *r, uint64_t seed);
uint64_t prng_next(struct prng *r);
/* Uniform-ish value in [lo, hi] (lo <= hi). */
uint64_t prng_range(struct prng *r, uint64_t lo, uint64_t hi);

#endif
