/*
 * Native baseline for `glb-build-16`: glb-director's 65536-row forwarding table for 16 IPv4
 * backends, computed the way flowpin's Wasm does it (assembly/glb.ts): SipHash-2-4 row
 * seeds, per-backend scores bswap64(SipHash-2-4(seed, row_seed || ip)), the SipHash state
 * after the shared row-seed word computed once per row, a single top-2 pass (no sort) and
 * glb-director-cli's primary/secondary swap. SipHash-2-4 is written here from the paper
 * (Aumasson & Bernstein 2012, section 2) so the baseline has no dependencies.
 *
 * Prints one JSON line per result, the shape bench/harness.ts reads:
 *   {"name": "...", "group": "...", "hz": <builds per second>, "rme": <% margin>, "samples": <n>}
 * argv[1] (optional): minimum seconds to sample (default 2), or --quick (0.25 s).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 65536
#define N 16

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                   \
	do {                                                                           \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                  \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                     \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                     \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                  \
	} while (0)

static const uint64_t IV0 = 0x736f6d6570736575ULL, IV1 = 0x646f72616e646f6dULL,
		      IV2 = 0x6c7967656e657261ULL, IV3 = 0x7465646279746573ULL;

typedef struct {
	uint64_t word; /* LE u32 of the address | 12 << 56 */
	uint32_t index;
	uint32_t bad;      /* draining or unhealthy */
	uint32_t takeover; /* state == active (glb-director-cli's rule) */
} backend;

static uint32_t table[ROWS * 2];

static void build(uint64_t k0, uint64_t k1, const backend *b, int n)
{
	for (uint32_t row = 0; row < ROWS; row++) {
		uint64_t v0 = k0 ^ IV0, v1 = k1 ^ IV1, v2 = k0 ^ IV2, v3 = k1 ^ IV3;
		uint64_t m = (uint64_t)__builtin_bswap32(row) | (4ULL << 56);
		v3 ^= m; SIPROUND; SIPROUND; v0 ^= m;
		v2 ^= 0xff; SIPROUND; SIPROUND; SIPROUND; SIPROUND;
		uint64_t seed = v0 ^ v1 ^ v2 ^ v3;
		v0 = k0 ^ IV0; v1 = k1 ^ IV1; v2 = k0 ^ IV2; v3 = k1 ^ IV3;
		v3 ^= seed; SIPROUND; SIPROUND; v0 ^= seed;
		const uint64_t p0 = v0, p1 = v1, p2 = v2, p3 = v3;
		uint64_t best = UINT64_MAX, second = UINT64_MAX;
		int bi = -1, si = -1;
		for (int i = 0; i < n; i++) {
			v0 = p0; v1 = p1; v2 = p2; v3 = p3;
			uint64_t w = b[i].word;
			v3 ^= w; SIPROUND; SIPROUND; v0 ^= w;
			v2 ^= 0xff; SIPROUND; SIPROUND; SIPROUND; SIPROUND;
			uint64_t score = __builtin_bswap64(v0 ^ v1 ^ v2 ^ v3);
			if (bi < 0 || score < best) {
				second = best; si = bi; best = score; bi = i;
			} else if (si < 0 || score < second) {
				second = score; si = i;
			}
		}
		if (si < 0) si = bi;
		if (b[bi].bad && b[si].takeover) { int t = bi; bi = si; si = t; }
		table[row * 2] = b[bi].index;
		table[row * 2 + 1] = b[si].index;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	double min_seconds = 2.0;
	if (argc > 1) min_seconds = strcmp(argv[1], "--quick") == 0 ? 0.25 : atof(argv[1]);
	/* Same fleet as bench/rendezvous.ts: 10.0.0.1 .. 10.0.0.16, all active and healthy. */
	backend b[N];
	for (int i = 0; i < N; i++) {
		uint8_t ip[4] = {10, 0, 0, (uint8_t)(i + 1)};
		uint32_t le;
		memcpy(&le, ip, 4);
		b[i].word = (uint64_t)le | (12ULL << 56);
		b[i].index = i;
		b[i].bad = 0;
		b[i].takeover = 1;
	}
	const uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	build(k0, k1, b, N); /* warm-up */
	double samples[4096];
	int count = 0;
	double start = now();
	uint64_t sink = 0;
	while ((now() - start < min_seconds || count < 10) && count < 4096) {
		double t = now();
		build(k0, k1, b, N);
		samples[count++] = now() - t;
		sink += table[(count * 7919) % (ROWS * 2)];
	}
	double mean = 0, var = 0;
	for (int i = 0; i < count; i++) mean += samples[i];
	mean /= count;
	for (int i = 0; i < count; i++) var += (samples[i] - mean) * (samples[i] - mean);
	var /= count > 1 ? count - 1 : 1;
	/* 95% margin of error of the mean, as benchmark.js reports it (normal approximation). */
	double rme = 100.0 * 1.96 * sqrt(var / count) / mean;
	printf("{\"name\": \"glb-build-16 native\", \"group\": \"glb-build-16\", \"hz\": %.4f, \"rme\": %.3f, \"samples\": %d}\n", 1.0 / mean, rme, count);
	fflush(stdout);
	fprintf(stderr, "sink %llu\n", (unsigned long long)sink);
	return 0;
}
