// Native baselines for the flows suite: HalfSipHash-1-3 (Aumasson, reference halfsiphash.c
// semantics, 32-bit tag) over the same 13-byte IPv4 tuples flowpin hashes; the batch is
// struct-of-arrays (src, dst u32; sport, dport u16; proto u8). Two rows: the scalar loop
// (each flow packed to its canonical bytes and hashed; gcc -O3 -march=native may vectorize
// it) and the 4-lane SSE version of flowpin's own SIMD algorithm (halfsip-sse.h), which is
// the ceiling of a 128-bit vector unit: the row flowpin's Wasm SIMD build is held to.
// Prints one JSON line per result: {"name", "hz" (flows/s), "rme" (%), "samples"}.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "halfsip-sse.h"

#define N (1u << 20)
#define ROTL(x, b) (uint32_t)(((x) << (b)) | ((x) >> (32 - (b))))
#define ROUND                                                      \
  do {                                                             \
    v0 += v1; v1 = ROTL(v1, 5); v1 ^= v0; v0 = ROTL(v0, 16);       \
    v2 += v3; v3 = ROTL(v3, 8); v3 ^= v2;                          \
    v0 += v3; v3 = ROTL(v3, 7); v3 ^= v0;                          \
    v2 += v1; v1 = ROTL(v1, 13); v1 ^= v2; v2 = ROTL(v2, 16);      \
  } while (0)

static uint32_t load_le32(const uint8_t *p) {
  uint32_t x;
  memcpy(&x, p, 4); /* little-endian hosts only, as the Wasm build */
  return x;
}

/* HalfSipHash-1-3 of `len` bytes under (k0, k1). */
static uint32_t halfsiphash13(uint32_t k0, uint32_t k1, const uint8_t *in, size_t len) {
  uint32_t v0 = k0, v1 = k1, v2 = k0 ^ 0x6c796765, v3 = k1 ^ 0x74656462;
  const uint8_t *end = in + (len & ~(size_t)3);
  for (; in != end; in += 4) {
    uint32_t m = load_le32(in);
    v3 ^= m;
    ROUND;
    v0 ^= m;
  }
  uint32_t b = (uint32_t)len << 24;
  switch (len & 3) {
    case 3: b |= (uint32_t)in[2] << 16; /* fall through */
    case 2: b |= (uint32_t)in[1] << 8; /* fall through */
    case 1: b |= (uint32_t)in[0]; break;
    default: break;
  }
  v3 ^= b;
  ROUND;
  v0 ^= b;
  v2 ^= 0xff;
  ROUND;
  ROUND;
  ROUND;
  return v1 ^ v3;
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

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint32_t *src = malloc(4 * N), *dst = malloc(4 * N), *out = malloc(4 * N);
  uint16_t *sport = malloc(2 * N), *dport = malloc(2 * N);
  uint8_t *proto = malloc(N);
  for (uint32_t i = 0; i < N; i++) {
    src[i] = rnd();
    dst[i] = rnd();
    sport[i] = (uint16_t)rnd();
    dport[i] = (uint16_t)rnd();
    proto[i] = (uint8_t)(rnd() % 3 == 0 ? 17 : 6);
  }
  const uint32_t k0 = 0x03020100, k1 = 0x07060504;
  int samples = quick ? 5 : 30;
  volatile uint32_t sink = 0;
  /* Both rows must compute the same hashes: checked on the first 4096 flows. */
  for (uint32_t i = 0; i < 4096; i += 4) {
    uint32_t lanes[4];
    _mm_storeu_si128((__m128i *)lanes, halfsip13_v4x4(k0, k1, src, dst, sport, dport, proto, i));
    for (uint32_t j = 0; j < 4; j++) {
      uint8_t t[16];
      uint32_t a = __builtin_bswap32(src[i + j]), b = __builtin_bswap32(dst[i + j]);
      uint32_t p = __builtin_bswap32(((uint32_t)sport[i + j] << 16) | dport[i + j]);
      memcpy(t, &a, 4);
      memcpy(t + 4, &b, 4);
      memcpy(t + 8, &p, 4);
      t[12] = proto[i + j];
      if (lanes[j] != halfsiphash13(k0, k1, t, 13)) {
        fprintf(stderr, "flows.c: the SSE and scalar hashes differ at flow %u\n", i + j);
        return 1;
      }
    }
  }
  for (int mode = 0; mode < 2; mode++) {
    double rates[64];
    for (int s = 0; s < samples + 1; s++) {
      double t0 = now();
      if (mode == 0) {
        for (uint32_t i = 0; i < N; i++) {
          uint8_t t[16];
          uint32_t a = __builtin_bswap32(src[i]), b = __builtin_bswap32(dst[i]);
          uint32_t p = __builtin_bswap32(((uint32_t)sport[i] << 16) | dport[i]);
          memcpy(t, &a, 4);
          memcpy(t + 4, &b, 4);
          memcpy(t + 8, &p, 4);
          t[12] = proto[i];
          out[i] = halfsiphash13(k0, k1, t, 13);
        }
      } else {
        for (uint32_t i = 0; i < N; i += 4) _mm_storeu_si128((__m128i *)(out + i), halfsip13_v4x4(k0, k1, src, dst, sport, dport, proto, i));
      }
      double dt = now() - t0;
      sink ^= out[rnd() % N];
      if (s > 0) rates[s - 1] = N / dt; /* the first pass warms caches */
    }
    double mean = 0, var = 0;
    for (int s = 0; s < samples; s++) mean += rates[s];
    mean /= samples;
    for (int s = 0; s < samples; s++) var += (rates[s] - mean) * (rates[s] - mean);
    var /= samples > 1 ? samples - 1 : 1;
    /* Relative margin of error at 95% (normal approximation), in percent, like benchmark.js. */
    double rme = 1.96 * sqrt(var / samples) / mean * 100;
    printf("{\"name\": \"flow-hash-batch-ipv4 native-c %s\", \"group\": \"flow-hash-batch-ipv4\", \"hz\": %.0f, \"rme\": %.2f, \"samples\": %d}\n",
           mode == 0 ? "scalar" : "sse 4-lane", mean, rme, samples);
  }
  fprintf(stderr, "sink %u\n", (unsigned)sink);
  return 0;
}
