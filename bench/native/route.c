/*
 * Native baselines for the route suite: flow hash + table lookup (`out[i] = table[h % M]`)
 * over 1M IPv4 flows held as a struct of arrays (src, dst u32; sport, dport u16; proto u8),
 * the same work as bench/route.ts asks of flowpin's route kernel:
 *   - flowpin: HalfSipHash-1-3 over the 13-byte canonical tuple, M a run-time value (a
 *     library's table size is configuration): scalar loop, and the 4-lane SSE algorithm
 *     (halfsip-sse.h) then four lookups;
 *   - katran: jhash_2words(src, ports with dport zeroed, MAX_VIPS * RING_SIZE), then
 *     ch_rings[h % RING_SIZE] with RING_SIZE a compile-time constant, as balancer.bpf.c has it;
 *   - cilium: jhash_3words(saddr, dport << 16 | sport (1.17+), nexthdr, seed), then
 *     lut[h % LB_MAGLEV_LUT_SIZE], a compile-time constant as in bpf/lib/lb.h.
 * Tables are u16 entries. Prints one JSON line per row (hz = flows/s), the shape
 * bench/harness.ts reads; the sink goes to stderr.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "halfsip-sse.h"

#define N (1u << 20)
#define KATRAN_RING 65537u
#define CILIUM_LUT 16381u
#define ROTL(x, b) (uint32_t)(((x) << (b)) | ((x) >> (32 - (b))))

static uint32_t halfsip13_tuple(uint32_t k0, uint32_t k1, uint32_t m0, uint32_t m1, uint32_t m2, uint32_t m3) {
  uint32_t v0 = k0, v1 = k1, v2 = k0 ^ 0x6c796765, v3 = k1 ^ 0x74656462;
#define R                                                   \
  v0 += v1; v1 = ROTL(v1, 5); v1 ^= v0; v0 = ROTL(v0, 16);  \
  v2 += v3; v3 = ROTL(v3, 8); v3 ^= v2;                     \
  v0 += v3; v3 = ROTL(v3, 7); v3 ^= v0;                     \
  v2 += v1; v1 = ROTL(v1, 13); v1 ^= v2; v2 = ROTL(v2, 16);
  v3 ^= m0; R v0 ^= m0;
  v3 ^= m1; R v0 ^= m1;
  v3 ^= m2; R v0 ^= m2;
  v3 ^= m3; R v0 ^= m3;
  v2 ^= 0xff;
  R R R
#undef R
  return v1 ^ v3;
}

/* lookup3 final() and the Linux jhash_2words / jhash_3words entry points. */
static inline uint32_t jfinal(uint32_t a, uint32_t b, uint32_t c) {
  c ^= b; c -= ROTL(b, 14);
  a ^= c; a -= ROTL(c, 11);
  b ^= a; b -= ROTL(a, 25);
  c ^= b; c -= ROTL(b, 16);
  a ^= c; a -= ROTL(c, 4);
  b ^= a; b -= ROTL(a, 14);
  c ^= b; c -= ROTL(b, 24);
  return c;
}
static inline uint32_t jhash_2words(uint32_t a, uint32_t b, uint32_t initval) {
  uint32_t iv = 0xdeadbeef + 8 + initval;
  return jfinal(a + iv, b + iv, iv);
}
static inline uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval) {
  uint32_t iv = 0xdeadbeef + 12 + initval;
  return jfinal(a + iv, b + iv, c + iv);
}

static uint32_t rng_state = 0x9e3779b9;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint32_t *src, *dst;
static uint16_t *sport, *dport;
static uint8_t *proto;
static int32_t *out;
static uint16_t *table;
static const uint32_t k0 = 0x03020100, k1 = 0x07060504;

static void flowpin_scalar(uint32_t M) {
  for (uint32_t i = 0; i < N; i++) {
    uint32_t h = halfsip13_tuple(k0, k1, __builtin_bswap32(src[i]), __builtin_bswap32(dst[i]),
                                 __builtin_bswap32(((uint32_t)sport[i] << 16) | dport[i]), proto[i] | (13u << 24));
    out[i] = table[h % M];
  }
}

static void flowpin_sse(uint32_t M) {
  for (uint32_t i = 0; i < N; i += 4) {
    uint32_t h[4];
    _mm_storeu_si128((__m128i *)h, halfsip13_v4x4(k0, k1, src, dst, sport, dport, proto, i));
    out[i] = table[h[0] % M];
    out[i + 1] = table[h[1] % M];
    out[i + 2] = table[h[2] % M];
    out[i + 3] = table[h[3] % M];
  }
}

static void katran(uint32_t unused) {
  (void)unused;
  for (uint32_t i = 0; i < N; i++) {
    /* flow.ports = {sport, dport} network order read as a host u32; dport zeroed (port-0 VIP). */
    uint32_t ports = __builtin_bswap32((uint32_t)sport[i] << 16);
    uint32_t h = jhash_2words(__builtin_bswap32(src[i]), ports, 512u * KATRAN_RING);
    out[i] = table[h % KATRAN_RING];
  }
}

static void cilium(uint32_t unused) {
  (void)unused;
  for (uint32_t i = 0; i < N; i++) {
    uint32_t ports = __builtin_bswap32(((uint32_t)sport[i] << 16) | dport[i]);
    uint32_t h = jhash_3words(__builtin_bswap32(src[i]), ports, proto[i], 0x71dcda46);
    out[i] = table[h % CILIUM_LUT];
  }
}

static void row(const char *name, const char *group, void (*fn)(uint32_t), uint32_t M, int samples, volatile uint32_t *sink) {
  double rates[64];
  for (int s = 0; s < samples + 1; s++) {
    double t0 = now();
    fn(M);
    double dt = now() - t0;
    *sink ^= (uint32_t)out[rnd() % N];
    if (s > 0) rates[s - 1] = N / dt; /* the first pass warms caches */
  }
  double mean = 0, var = 0;
  for (int s = 0; s < samples; s++) mean += rates[s];
  mean /= samples;
  for (int s = 0; s < samples; s++) var += (rates[s] - mean) * (rates[s] - mean);
  var /= samples > 1 ? samples - 1 : 1;
  double rme = 1.96 * sqrt(var / samples) / mean * 100;
  printf("{\"name\": \"%s\", \"group\": \"%s\", \"hz\": %.0f, \"rme\": %.2f, \"samples\": %d}\n", name, group, mean, rme, samples);
  fflush(stdout);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  src = malloc(4 * N); dst = malloc(4 * N); out = malloc(4 * N);
  sport = malloc(2 * N); dport = malloc(2 * N); proto = malloc(N);
  table = malloc(2 * KATRAN_RING);
  for (uint32_t i = 0; i < N; i++) {
    src[i] = rnd();
    dst[i] = 0xcb00710a;
    sport[i] = (uint16_t)rnd();
    dport[i] = 443;
    proto[i] = 6;
  }
  for (uint32_t i = 0; i < KATRAN_RING; i++) table[i] = (uint16_t)(rnd() % 1000);
  /* M from the environment of the run, not a constant the compiler could fold. */
  volatile uint32_t runtimeM = 65537;
  int samples = quick ? 5 : 30;
  volatile uint32_t sink = 0;
  /* The SSE and scalar flowpin rows must agree. */
  {
    int32_t *a = malloc(4 * N);
    flowpin_scalar(runtimeM);
    memcpy(a, out, 4 * N);
    flowpin_sse(runtimeM);
    if (memcmp(a, out, 4 * N) != 0) { fprintf(stderr, "route.c: the SSE and scalar rows differ\n"); return 1; }
    free(a);
  }
  row("route-batch flowpin native-c scalar", "route-batch flowpin", flowpin_scalar, runtimeM, samples, &sink);
  row("route-batch flowpin native-c sse 4-lane", "route-batch flowpin", flowpin_sse, runtimeM, samples, &sink);
  row("route-batch katran native-c", "route-batch katran", katran, 0, samples, &sink);
  row("route-batch cilium native-c", "route-batch cilium", cilium, 0, samples, &sink);
  fprintf(stderr, "sink %u\n", (unsigned)sink);
  return 0;
}
