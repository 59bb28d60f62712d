/*
 * HalfSipHash-1-3 (32-bit tag) of four 13-byte IPv4 flow tuples at once, one flow per 32-bit
 * lane of an SSE register: the same 4-lane algorithm as flowpin's Wasm SIMD build
 * (assembly/flowx4.ts), so a row using it is the ceiling of a 128-bit vector unit, not a
 * scalar loop. Rotations by 8 and 16 and the byte swaps are pshufb (SSSE3, present with
 * -march=native on any x86-64 of the last 15 years); the others shift-or.
 */
#ifndef FLOWPIN_HALFSIP_SSE_H
#define FLOWPIN_HALFSIP_SSE_H
#include <immintrin.h>
#include <stdint.h>

#define SSE_ROTL(x, b) _mm_or_si128(_mm_slli_epi32((x), (b)), _mm_srli_epi32((x), 32 - (b)))
#define SSE_ROUND                                                                                        \
  do {                                                                                                   \
    v0 = _mm_add_epi32(v0, v1); v1 = SSE_ROTL(v1, 5); v1 = _mm_xor_si128(v1, v0); v0 = _mm_shuffle_epi8(v0, rot16); \
    v2 = _mm_add_epi32(v2, v3); v3 = _mm_shuffle_epi8(v3, rot8); v3 = _mm_xor_si128(v3, v2);            \
    v0 = _mm_add_epi32(v0, v3); v3 = SSE_ROTL(v3, 7); v3 = _mm_xor_si128(v3, v0);                        \
    v2 = _mm_add_epi32(v2, v1); v1 = SSE_ROTL(v1, 13); v1 = _mm_xor_si128(v1, v2); v2 = _mm_shuffle_epi8(v2, rot16); \
  } while (0)
#define SSE_COMPRESS(m) do { v3 = _mm_xor_si128(v3, (m)); SSE_ROUND; v0 = _mm_xor_si128(v0, (m)); } while (0)

/* Flows [i, i+4) of the struct of arrays; returns the four tags. */
static inline __m128i halfsip13_v4x4(uint32_t k0, uint32_t k1, const uint32_t *src, const uint32_t *dst, const uint16_t *sport,
                                     const uint16_t *dport, const uint8_t *proto, uint32_t i) {
  const __m128i rot16 = _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  const __m128i rot8 = _mm_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
  const __m128i bswap = _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  __m128i a = _mm_loadu_si128((const __m128i *)(src + i));
  __m128i b = _mm_loadu_si128((const __m128i *)(dst + i));
  __m128i sp = _mm_cvtepu16_epi32(_mm_loadl_epi64((const __m128i *)(sport + i)));
  __m128i dp = _mm_cvtepu16_epi32(_mm_loadl_epi64((const __m128i *)(dport + i)));
  __m128i pr = _mm_cvtepu8_epi32(_mm_cvtsi32_si128(*(const int32_t *)(proto + i)));
  __m128i m0 = _mm_shuffle_epi8(a, bswap);
  __m128i m1 = _mm_shuffle_epi8(b, bswap);
  __m128i m2 = _mm_shuffle_epi8(_mm_or_si128(_mm_slli_epi32(sp, 16), dp), bswap);
  __m128i m3 = _mm_or_si128(pr, _mm_set1_epi32(13 << 24));
  __m128i v0 = _mm_set1_epi32((int)k0), v1 = _mm_set1_epi32((int)k1);
  __m128i v2 = _mm_set1_epi32((int)(k0 ^ 0x6c796765)), v3 = _mm_set1_epi32((int)(k1 ^ 0x74656462));
  SSE_COMPRESS(m0);
  SSE_COMPRESS(m1);
  SSE_COMPRESS(m2);
  SSE_COMPRESS(m3);
  v2 = _mm_xor_si128(v2, _mm_set1_epi32(0xff));
  SSE_ROUND;
  SSE_ROUND;
  SSE_ROUND;
  return _mm_xor_si128(v1, v3);
}
#endif
