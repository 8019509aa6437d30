// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzer for the TLS record stream tracker, ../tracker.c.
 *
 * The input describes a record stream and a segmentation. The toy engine
 * (toy.h) runs over the stream cut that way and as a single segment; the
 * two runs must give the same output, events, error position and final
 * state, and the single segment run must match the reference transform.
 *
 * Input, missing bytes reading as 0:
 *   0      prepend: 13 if bit 7 is clear, else 5 + (bits 0-3) % 9;
 *          bit 6 set: the stream is the raw rest of the input
 *   1      tag: 16 if bit 7 is clear, else (bits 0-6) % (TOY_MAX_TAG + 1)
 *   2      first rec_sn: bits 0-1 pick raw / near 2^32 / near 2^64 / small
 *   3-10   rec_sn bits, little endian
 *   11     number of segment sizes that follow, 0 for 1-byte segments;
 *          a size byte v means v bytes if v < 192, else (v - 191) * 512;
 *          the sizes repeat until the stream is consumed
 *   ...    the raw stream, or records of 4 bytes each: kind, aux, len_lo,
 *          len_hi (see fz_record())
 *
 * Built with -DTRK_LIBFUZZER it is a libFuzzer target; without, main()
 * replays files and directories given as arguments and/or runs random
 * inputs: fuzz_replay [-s seed] [-n count] [-t seconds] [path...]
 */
#include <stdio.h>
#include <stdlib.h>

#include "toy.h"

#define STREAM_MAX	(1 << 15)	/* stop adding records past this */
#define MAX_LEN		TRK_MAX_RECORD_LEN

struct fz {
	const u8 *p;
	size_t n;
};

static u8 stream[STREAM_MAX + 5 + 0xffff];
static u32 segs[256];
static struct toy_res res[3];

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static u8 fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static u64 fz_sn(struct fz *f)
{
	u8 mode = fz_u8(f);
	u64 sn = 0;
	int i;

	for (i = 0; i < 8; i++)
		sn |= (u64)fz_u8(f) << 8 * i;
	switch (mode & 3) {
	case 1:
		return 0xffffffffULL - (sn & 7);
	case 2:
		return ~0ULL - (sn & 7);
	case 3:
		return sn & 0xffff;
	}
	return sn;
}

/*
 * kind bits 0-2: 0-4 content type 20 + k; 5 content type @aux; 6 version
 * @aux >> 4, @aux & 15; 7 ends the stream, cutting @len % (n + 1) bytes.
 * kind bits 6-7, the length field: 0-1 @aux payload bytes, 2 @len %
 * (largest payload + 1) payload bytes, 3 @len as is.
 */
static size_t fz_record(struct fz *f, const struct toy_cfg *c, size_t n,
			bool *end)
{
	u8 kind = fz_u8(f), aux = fz_u8(f), type = 20 + (kind & 7) % 5;
	u32 len = fz_u8(f);
	u8 *p = stream + n;

	len |= fz_u8(f) << 8;
	if ((kind & 7) == 7) {
		*end = true;
		return n - len % (n + 1);
	}
	if ((kind & 7) == 5)
		type = aux;
	if (kind < 0x80)
		len = toy_len(c, aux);
	else if (kind < 0xc0)
		len = toy_len(c, len % (MAX_LEN - toy_len(c, 0) + 1));
	n += toy_put_rec(p, type, len, n);
	if ((kind & 7) == 6) {
		p[1] = aux >> 4;
		p[2] = aux & 15;
	}
	return n;
}

static void fz_fail(const char *what, const struct toy_cfg *c, size_t n,
		    size_t nseg, const char *why)
{
	fprintf(stderr, "%s: prepend %u tag %u sn %#llx, %zu bytes, %zu segment sizes: %s\n",
		what, c->prepend, c->tag, (unsigned long long)c->sn, n, nseg,
		why);
	abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz f = { .p = data, .n = size };
	struct toy_cfg c = { .prepend = 13, .tag = 16 };
	u8 b0 = fz_u8(&f), b1 = fz_u8(&f);
	size_t n = 0, nseg, i;
	bool end = false;
	char why[256];

	if (!res[0].out && (toy_res_init(&res[0], sizeof(stream)) ||
			    toy_res_init(&res[1], sizeof(stream)) ||
			    toy_res_init(&res[2], sizeof(stream))))
		abort();

	if (b0 & 0x80)
		c.prepend = TRK_TLS_HEADER_SIZE + (b0 & 0x0f) % 9;
	if (b1 & 0x80)
		c.tag = (b1 & 0x7f) % (TOY_MAX_TAG + 1);
	c.sn = fz_sn(&f);

	nseg = fz_u8(&f);
	for (i = 0; i < nseg && f.n; i++) {
		u8 v = fz_u8(&f);

		segs[i] = v < 192 ? v : (v - 191) * 512;
	}
	nseg = i;
	if (!nseg)
		segs[nseg++] = 1;

	if (b0 & 0x40) {
		n = f.n < STREAM_MAX ? f.n : STREAM_MAX;
		memcpy(stream, f.p, n);
	} else {
		while (f.n && n < STREAM_MAX && !end)
			n = fz_record(&f, &c, n, &end);
	}

	toy_run(&res[0], &c, stream, n, segs, nseg);
	toy_run(&res[1], &c, stream, n, NULL, 0);
	toy_ref(&res[2], &c, stream, n);
	if (!toy_same(&res[1], &res[0], why, sizeof(why)))
		fz_fail("segmented run differs", &c, n, nseg, why);
	if (!toy_same(&res[2], &res[1], why, sizeof(why)))
		fz_fail("reference differs", &c, n, nseg, why);
	return 0;
}

#ifndef TRK_LIBFUZZER
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static u8 input[1 << 16];

static void run_path(const char *path, unsigned long *files)
{
	struct stat st;
	struct dirent *d;
	char sub[4096];
	size_t len;
	FILE *fp;
	DIR *dir;

	if (stat(path, &st)) {
		perror(path);
		exit(2);
	}
	if (S_ISDIR(st.st_mode)) {
		dir = opendir(path);
		while (dir && (d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
			run_path(sub, files);
		}
		if (dir)
			closedir(dir);
		return;
	}
	fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		exit(2);
	}
	len = fread(input, 1, sizeof(input), fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(input, len);
	++*files;
}

/* A random input in the format above, mostly well-formed records */
static size_t gen_input(u64 *s)
{
	size_t len = 12, nrec = toy_rand(s) % 12, i;
	u8 nseg = toy_rand(s) % 9;

	for (i = 0; i < 11; i++)
		input[i] = toy_rand(s) >> 56;
	if (toy_rand(s) % 16)
		input[0] &= ~0x40;
	input[11] = nseg;
	for (i = 0; i < nseg; i++)
		input[len++] = toy_rand(s) >> 56;
	for (i = 0; i < 4 * nrec; i++)
		input[len++] = toy_rand(s) >> 56;
	/* kind: mostly a good record, else a bad one or the end */
	for (i = len - 4 * nrec; i < len; i += 4)
		input[i] = (input[i] & 0xf8) |
			   (toy_rand(s) % 8 ? toy_rand(s) % 5 : 5 + toy_rand(s) % 3);
	return len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long count = 0, files = 0, i;
	u64 seed = 1, s;
	double secs = 0, start = now();
	size_t len;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: %s [-s seed] [-n count] [-t seconds] [path...]\n",
				argv[0]);
			return 2;
		}
	}
	for (; optind < argc; optind++)
		run_path(argv[optind], &files);
	if (!files && !count && !secs)
		count = 10000;

	s = toy_mix(seed) | 1;
	for (i = 0; (count && i < count) || (secs && now() - start < secs);
	     i++) {
		len = gen_input(&s);
		LLVMFuzzerTestOneInput(input, len);
	}
	printf("fuzz_replay: %lu files, %lu random inputs (seed %llu) in %.1f s, no failure\n",
	       files, i, (unsigned long long)seed, now() - start);
	return 0;
}
#endif
