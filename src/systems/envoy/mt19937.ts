// std::mt19937 (Matsumoto & Nishimura 1998, the 32-bit Mersenne Twister with the C++
// standard's parameters), which Envoy's bounded-load probe seeds with the request hash
// (thread_aware_lb_impl.cc BoundedLoadHashingLoadBalancer::chooseHost). Written from the
// paper's recurrence; one state reused, since a probe runs to completion before the next.
const N = 624;
const M = 397;
const state = new Uint32Array(N);
let index = N;

/** Seeds like `std::mt19937 g(seed)`: the seed is taken modulo 2^32 (result_type is 32 bits). */
export function mtSeed(seed: number): void {
  state[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const prev = state[i - 1]!;
    state[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
  }
  index = N;
}

function twist(): void {
  for (let i = 0; i < N; i++) {
    const y = (state[i]! & 0x80000000) | (state[(i + 1) % N]! & 0x7fffffff);
    state[i] = state[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
  }
  index = 0;
}

/** The next output, a u32. */
export function mtNext(): number {
  if (index >= N) twist();
  let y = state[index++]!;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y >>> 0;
}
