/*
 * Native baseline for the maglev suite: an Envoy-profile Maglev build done the way flowpin's
 * Wasm does it (assembly/maglev.ts), for the same inputs as bench/maglev.ts:
 *   - N backends with keys "10.a.b.c:8080" (a.b.c = the index in base 256), weight 1;
 *   - keys sorted bytewise, offset = XXH64(key, 0) % M, skip = XXH64(key, 1) % (M - 1) + 1;
 *   - normalized double weights, a turn when iteration * w >= target, target += max weight,
 *     stop the moment M slots are filled (Envoy maglev_lb.cc);
 *   - each permutation walked incrementally (pos += skip; if (pos >= M) pos -= M), taken
 *     slots in a bitmap, entries u16. (The Wasm additionally tests two probes per loop
 *     iteration to shorten the dependency chain; this baseline keeps the plain walk the
 *     issue asks to compare against.)
 * XXH64 is written here from the xxHash specification (v0.1.1) so the baseline has no
 * dependencies. A build = sort + hashes + fill, as `new Maglev()` does all three.
 *
 * Prints one JSON line per result, the shape bench/harness.ts reads (plus the group the row
 * is compared in):
 *   {"name": "... native", "group": "...", "hz": <builds per second>, "rme": <% margin>, "samples": <n>}
 * Arguments: optional minimum seconds per case (default 2), or --quick (0.25 s).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL, P3 = 0x165667B19E3779F9ULL,
		      P4 = 0x85EBCA77C2B2AE63ULL, P5 = 0x27D4EB2F165667C5ULL;

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t round64(uint64_t acc, uint64_t lane) { return rotl64(acc + lane * P2, 31) * P1; }
static inline uint64_t merge64(uint64_t acc, uint64_t v) { return (acc ^ round64(0, v)) * P1 + P4; }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static uint64_t xxh64(const uint8_t *p, size_t len, uint64_t seed)
{
	const uint8_t *end = p + len;
	uint64_t h;
	if (len >= 32) {
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
		do {
			v1 = round64(v1, rd64(p)); v2 = round64(v2, rd64(p + 8));
			v3 = round64(v3, rd64(p + 16)); v4 = round64(v4, rd64(p + 24));
			p += 32;
		} while (p + 32 <= end);
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = merge64(h, v1); h = merge64(h, v2); h = merge64(h, v3); h = merge64(h, v4);
	} else {
		h = seed + P5;
	}
	h += len;
	for (; p + 8 <= end; p += 8) h = rotl64(h ^ round64(0, rd64(p)), 27) * P1 + P4;
	if (p + 4 <= end) { h = rotl64(h ^ (uint64_t)rd32(p) * P1, 23) * P2 + P3; p += 4; }
	for (; p < end; p++) h = rotl64(h ^ (uint64_t)(*p) * P5, 11) * P1;
	h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
	return h;
}

typedef struct {
	char key[24];
	uint32_t len;
	uint32_t index;
} backend;

typedef struct {
	uint32_t pos, skip, id;
	double weight, target;
} entry;

static int by_key(const void *a, const void *b)
{
	const backend *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	return c ? c : (int)x->len - (int)y->len;
}

static void build(const backend *in, int n, uint32_t M, backend *sorted, entry *e, uint16_t *table, uint32_t *bits)
{
	memcpy(sorted, in, sizeof(backend) * n);
	qsort(sorted, n, sizeof(backend), by_key);
	double max = 0;
	for (int i = 0; i < n; i++) {
		const uint8_t *k = (const uint8_t *)sorted[i].key;
		e[i].pos = (uint32_t)(xxh64(k, sorted[i].len, 0) % M);
		e[i].skip = (uint32_t)(xxh64(k, sorted[i].len, 1) % (M - 1)) + 1;
		e[i].id = sorted[i].index;
		e[i].weight = 1.0 / n; /* weight 1 * 1.0 / sum */
		e[i].target = 0;
		if (e[i].weight > max) max = e[i].weight;
	}
	memset(bits, 0, ((M + 31) / 32) * 4);
	uint32_t filled = 0;
	for (uint32_t iteration = 1;; iteration++) {
		for (int i = 0; i < n; i++) {
			entry *b = &e[i];
			if (iteration * b->weight < b->target) continue;
			b->target += max;
			uint32_t pos = b->pos, skip = b->skip;
			while (bits[pos >> 5] & (1u << (pos & 31))) {
				pos += skip;
				if (pos >= M) pos -= M;
			}
			bits[pos >> 5] |= 1u << (pos & 31);
			table[pos] = (uint16_t)b->id;
			pos += skip;
			if (pos >= M) pos -= M;
			b->pos = pos;
			if (++filled == M) return;
		}
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void report(const char *group, const double *samples, int count, double per)
{
	double mean = 0, var = 0;
	for (int i = 0; i < count; i++) mean += samples[i];
	mean /= count;
	for (int i = 0; i < count; i++) var += (samples[i] - mean) * (samples[i] - mean);
	var /= count > 1 ? count - 1 : 1;
	/* 95% margin of error of the mean, as benchmark.js reports it (normal approximation). */
	double rme = 100.0 * 1.96 * sqrt(var / count) / mean;
	printf("{\"name\": \"%s native\", \"group\": \"%s\", \"hz\": %.4f, \"rme\": %.3f, \"samples\": %d}\n", group, group, per / mean, rme, count);
	fflush(stdout);
}

#define MAX_SAMPLES 4096
static double samples[MAX_SAMPLES];

static void bench_build(const char *name, uint32_t M, int n, double min_seconds)
{
	backend *in = malloc(sizeof(backend) * n), *sorted = malloc(sizeof(backend) * n);
	entry *e = malloc(sizeof(entry) * n);
	uint16_t *table = malloc(sizeof(uint16_t) * M);
	uint32_t *bits = malloc(((M + 31) / 32) * 4);
	for (int i = 0; i < n; i++) {
		in[i].len = (uint32_t)snprintf(in[i].key, sizeof in[i].key, "10.%d.%d.%d:8080", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		in[i].index = i;
	}
	build(in, n, M, sorted, e, table, bits); /* warm-up */
	int count = 0;
	uint64_t sink = 0;
	double start = now();
	while ((now() - start < min_seconds || count < 10) && count < MAX_SAMPLES) {
		double t = now();
		build(in, n, M, sorted, e, table, bits);
		samples[count++] = now() - t;
		sink += table[(count * 7919u) % M];
	}
	report(name, samples, count, 1.0);
	fprintf(stderr, "%s sink %llu\n", name, (unsigned long long)sink);
	free(in); free(sorted); free(e); free(table); free(bits);
}

/* maglev-lookup-batch: table[h % M] for a batch of 4096 u32 hashes (per item). */
static void bench_lookup(double min_seconds)
{
	const uint32_t M = 65537, B = 4096;
	backend *in = malloc(sizeof(backend) * 1000), *sorted = malloc(sizeof(backend) * 1000);
	entry *e = malloc(sizeof(entry) * 1000);
	uint16_t *table = malloc(sizeof(uint16_t) * M);
	uint32_t *bits = malloc(((M + 31) / 32) * 4);
	for (int i = 0; i < 1000; i++) {
		in[i].len = (uint32_t)snprintf(in[i].key, sizeof in[i].key, "10.%d.%d.%d:8080", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		in[i].index = i;
	}
	build(in, 1000, M, sorted, e, table, bits);
	uint32_t *hashes = malloc(4 * B);
	uint16_t *out = malloc(2 * B);
	uint32_t x = 0x9e3779b9;
	for (uint32_t i = 0; i < B; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; hashes[i] = x; }
	int count = 0;
	uint64_t sink = 0;
	double start = now();
	while ((now() - start < min_seconds || count < 10) && count < MAX_SAMPLES) {
		double t = now();
		for (int r = 0; r < 64; r++) {
			for (uint32_t i = 0; i < B; i++) out[i] = table[hashes[i] % M];
			sink += out[r];
			hashes[r] ^= (uint32_t)sink; /* keep the loop from being hoisted */
		}
		samples[count++] = (now() - t) / 64;
	}
	report("maglev-lookup-batch", samples, count, B);
	fprintf(stderr, "lookup sink %llu\n", (unsigned long long)sink);
	free(in); free(sorted); free(e); free(table); free(bits); free(hashes); free(out);
}

int main(int argc, char **argv)
{
	double min_seconds = 2.0;
	if (argc > 1) min_seconds = strcmp(argv[1], "--quick") == 0 ? 0.25 : atof(argv[1]);
	bench_build("maglev-build-65537x1000", 65537, 1000, min_seconds);
	bench_build("maglev-build-655373x1000", 655373, 1000, min_seconds);
	bench_build("maglev-build-65537x100", 65537, 100, min_seconds);
	bench_build("maglev-build-65537x10000", 65537, 10000, min_seconds);
	bench_lookup(min_seconds);
	return 0;
}
