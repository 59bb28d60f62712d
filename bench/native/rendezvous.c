/*
 * Native baseline for `rendezvous-pick-N` (N = 10, 100, 1000) and `rendezvous-topk-1000-k2`:
 * the same scoring as flowpin's default profile (assembly/rendezvous.ts): per backend
 * x = xorshift*(flow_hash ^ key_hash), u = ((x & (2^53 - 1)) + 1) / 2^53, score = -w / ln(u)
 * (libm's log; ln(1) = 0 gives +inf, as flowpin's min(ln u, -0)), highest score wins with
 * ties to the lower index. Key hashes are fixed pseudo-random u64s (flowpin's are XXH64 of the
 * id, computed once at construction, so they are not part of a pick either).
 *
 * Prints one JSON line per result, the shape bench/harness.ts reads:
 *   {"name": "...", "group": "...", "hz": <picks per second>, "rme": <% margin>, "samples": <n>}
 * argv[1] (optional): minimum seconds per case (default 2), or --quick (0.25 s).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXN 1000
#define HASHES 4096

static uint64_t keys[MAXN];
static double weights[MAXN];
static uint32_t hashes[HASHES];

static inline double score(uint64_t h, uint64_t k, double w)
{
	uint64_t x = h ^ k;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	x *= 2685821657736338717ULL;
	double u = (double)((x & ((1ULL << 53) - 1)) + 1) * 0x1p-53;
	double l = log(u);
	if (l == 0) return INFINITY;
	return -w / l;
}

static int pick(uint64_t h, int n)
{
	int best = -1;
	double bs = 0;
	for (int i = 0; i < n; i++) {
		double s = score(h, keys[i], weights[i]);
		if (s > bs) { bs = s; best = i; }
	}
	return best;
}

/* Top 2 by insertion, as flowpin's rdvTopK with k = 2. */
static int top2(uint64_t h, int n)
{
	int i0 = -1, i1 = -1;
	double s0 = 0, s1 = 0;
	for (int i = 0; i < n; i++) {
		double s = score(h, keys[i], weights[i]);
		if (s > s0) { s1 = s0; i1 = i0; s0 = s; i0 = i; }
		else if (s > s1) { s1 = s; i1 = i; }
	}
	return i0 * 1024 + i1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void bench(const char *name, const char *group, int n, int topk, double min_seconds)
{
	static double samples[100000];
	int count = 0;
	uint64_t sink = 0;
	const int per = 4096; /* picks per sample */
	double start = now();
	while ((now() - start < min_seconds || count < 10) && count < 100000) {
		double t = now();
		for (int j = 0; j < per; j++) sink += topk ? top2(hashes[j], n) : pick(hashes[j], n);
		samples[count++] = now() - t;
	}
	double mean = 0, var = 0;
	for (int i = 0; i < count; i++) mean += samples[i];
	mean /= count;
	for (int i = 0; i < count; i++) var += (samples[i] - mean) * (samples[i] - mean);
	var /= count > 1 ? count - 1 : 1;
	double rme = 100.0 * 1.96 * sqrt(var / count) / mean;
	printf("{\"name\": \"%s\", \"group\": \"%s\", \"hz\": %.4f, \"rme\": %.3f, \"samples\": %d}\n", name, group, per / mean, rme, count);
	fflush(stdout);
	fprintf(stderr, "%s sink %llu\n", name, (unsigned long long)sink);
}

int main(int argc, char **argv)
{
	double min_seconds = 2.0;
	if (argc > 1) min_seconds = strcmp(argv[1], "--quick") == 0 ? 0.25 : atof(argv[1]);
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < MAXN; i++) {
		s += 0x9e3779b97f4a7c15ULL;
		uint64_t z = s;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		keys[i] = z ^ (z >> 31);
		weights[i] = 1.0;
	}
	uint32_t x = 0x9e3779b9;
	for (int i = 0; i < HASHES; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		hashes[i] = x;
	}
	bench("rendezvous-pick-10 native", "rendezvous-pick-10", 10, 0, min_seconds);
	bench("rendezvous-pick-100 native", "rendezvous-pick-100", 100, 0, min_seconds);
	bench("rendezvous-pick-1000 native", "rendezvous-pick-1000", 1000, 0, min_seconds);
	bench("rendezvous-topk-1000-k2 native", "rendezvous-topk-1000-k2", 1000, 1, min_seconds);
	return 0;
}
