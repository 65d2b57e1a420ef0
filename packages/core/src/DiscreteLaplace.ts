/**
 * The discrete Laplace distribution on the integers, sampled exactly: `P(X = x)` is proportional
 * to `exp(-|x| / scale)` for every integer `x`, with no floating-point step anywhere in the sampler.
 * It is the noise of `PrivateSummary`'s counts.
 *
 * The sampler is the one of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
 * Privacy" (NeurIPS 2020), Algorithms 1 and 2: Bernoulli trials of rational probability drawn from
 * uniform integers, `exp(-γ)` trials for rational `γ` by their series, a geometric variable from
 * those, and a sign. Every draw is a uniform integer from a {@link Random}; {@link secureRandom} takes
 * them from the platform's cryptographic generator (`crypto.getRandomValues`), never `Math.random`.
 * A floating-point Laplace sampler (`-b·ln(U)`) leaks the true value through the low bits of the
 * float it returns (Mironov, CCS 2012); an integer drawn exactly has no such bits.
 *
 * ```ts
 * const random = DiscreteLaplace.secureRandom()
 * const noise = DiscreteLaplace.sample(DiscreteLaplace.scale(17, 1), random)   // an integer
 * DiscreteLaplace.margin(17, 0.95)   // 51: |noise| ≤ 51 with probability ≥ 95 %
 * ```
 *
 * The distribution's facts ({@link variance}, {@link tail}, {@link margin}) are computed in floating
 * point: they describe the noise, they never draw it.
 *
 * @since 0.1.0
 */

/**
 * A source of uniform integers.
 *
 * @since 0.1.0
 */
export interface Random {
  /** A uniform integer from 0 to `n - 1`, for a safe integer `n ≥ 1`. */
  readonly below: (n: number) => number
}

const TWO_32 = 2 ** 32
const TWO_53 = 2 ** 53

/**
 * Uniform integers from the platform's cryptographic generator (`crypto.getRandomValues`, in Node and
 * in browsers), read 4 KiB at a time; each is drawn by rejection, so none is biased.
 *
 * @since 0.1.0
 */
export const secureRandom = (): Random => {
  const pool = new Uint32Array(1024)
  let next = pool.length
  const word = (): number => {
    if (next === pool.length) {
      globalThis.crypto.getRandomValues(pool)
      next = 0
    }
    return pool[next++]!
  }
  return {
    below: (n) => {
      if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError("below(n) needs a safe integer n ≥ 1")
      if (n <= TWO_32) {
        const limit = TWO_32 - (TWO_32 % n)
        for (;;) {
          const w = word()
          if (w < limit) return w % n
        }
      }
      const limit = TWO_53 - (TWO_53 % n)
      for (;;) {
        const v = (word() & 0x1fffff) * TWO_32 + word()
        if (v < limit) return v % n
      }
    }
  }
}

/** The largest denominator accepted, so that every product the sampler forms stays a safe integer. */
const MAX_DENOMINATOR = 2 ** 40

/**
 * A scale `numerator / denominator`, both whole numbers ≥ 1, reduced.
 *
 * @since 0.1.0
 */
export interface Scale {
  readonly numerator: number
  readonly denominator: number
}

const gcd = (a: number, b: number): number => {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/**
 * The scale `numerator / denominator`, reduced.
 *
 * @throws RangeError unless both are whole numbers from 1 to 2^40.
 * @since 0.1.0
 */
export const scale = (numerator: number, denominator: number): Scale => {
  for (const value of [numerator, denominator]) {
    if (!(Number.isInteger(value) && value >= 1 && value <= MAX_DENOMINATOR))
      throw new RangeError("a scale is a ratio of whole numbers from 1 to 2^40")
  }
  const divisor = gcd(numerator, denominator)
  return { numerator: numerator / divisor, denominator: denominator / divisor }
}

/**
 * True with probability `numerator / denominator` (0 ≤ numerator ≤ denominator), exactly.
 *
 * @since 0.1.0
 */
export const bernoulli = (numerator: number, denominator: number, random: Random): boolean =>
  random.below(denominator) < numerator

/**
 * True with probability `exp(-numerator / denominator)`, exactly (Algorithm 1 of Canonne, Kamath and
 * Steinke): for `γ ≤ 1`, the parity of the first failure of Bernoulli(γ/k) trials, k = 1, 2, …; for
 * `γ > 1`, ⌊γ⌋ trials of `exp(-1)` and one of `exp(-(γ - ⌊γ⌋))`.
 *
 * @since 0.1.0
 */
export const bernoulliExp = (numerator: number, denominator: number, random: Random): boolean => {
  if (numerator <= denominator) {
    let k = 1
    while (bernoulli(numerator, denominator * k, random)) k++
    return k % 2 === 1
  }
  const whole = Math.floor(numerator / denominator)
  for (let i = 0; i < whole; i++) if (!bernoulliExp(1, 1, random)) return false
  return bernoulliExp(numerator % denominator, denominator, random)
}

/**
 * One draw of the discrete Laplace distribution of scale `t / s` (`t = scale.numerator`,
 * `s = scale.denominator`): `P(X = x) ∝ exp(-|x|·s/t)`. Algorithm 2 of Canonne, Kamath and Steinke:
 * `U` uniform below `t`, kept with probability `exp(-U/t)`; `V` the number of `exp(-1)` successes
 * before a failure; `X = U + t·V` is geometric with parameter `1 - exp(-1/t)`, so `⌊X/s⌋` is geometric
 * with parameter `1 - exp(-s/t)`; a fair sign, with `-0` rejected.
 *
 * @since 0.1.0
 */
export const sample = (of: Scale, random: Random): number => {
  const t = of.numerator
  const s = of.denominator
  for (;;) {
    const u = random.below(t)
    if (!bernoulliExp(u, t, random)) continue
    let v = 0
    while (bernoulliExp(1, 1, random)) v++
    const x = u + t * v
    const y = (x - (x % s)) / s
    const negative = random.below(2) === 1
    if (negative && y === 0) continue
    return negative ? -y : y
  }
}

/** `exp(-1/scale)`: the ratio of the probabilities of two neighbouring integers. */
const ratio = (scaleValue: number): number => Math.exp(-1 / scaleValue)

/**
 * `P(X = x)` for the discrete Laplace distribution of scale `scaleValue`:
 * `(1 - q)/(1 + q) · q^|x|` with `q = exp(-1/scaleValue)`.
 *
 * @since 0.1.0
 */
export const probability = (scaleValue: number, x: number): number => {
  const q = ratio(scaleValue)
  return ((1 - q) / (1 + q)) * q ** Math.abs(x)
}

/**
 * The variance of the discrete Laplace distribution of scale `scaleValue`: `2q / (1 - q)²` with
 * `q = exp(-1/scaleValue)` (its mean is 0).
 *
 * @since 0.1.0
 */
export const variance = (scaleValue: number): number => {
  const q = ratio(scaleValue)
  return (2 * q) / (1 - q) ** 2
}

/**
 * `P(X ≥ x)` for a whole `x ≥ 1`: `q^x / (1 + q)` with `q = exp(-1/scaleValue)`; by symmetry also
 * `P(X ≤ -x)`.
 *
 * @since 0.1.0
 */
export const tail = (scaleValue: number, x: number): number => {
  const q = ratio(scaleValue)
  return q ** x / (1 + q)
}

/**
 * The smallest whole `h ≥ 0` such that `|X| ≤ h` with probability at least `confidence` (default
 * 0.95): the half-width of the interval `count ± h` that holds the true count with that probability.
 *
 * @since 0.1.0
 */
export const margin = (scaleValue: number, confidence = 0.95): number => {
  // P(|X| > h) = 2·q^(h+1)/(1+q) ≤ 1 - confidence
  const q = ratio(scaleValue)
  const h = Math.ceil(Math.log(((1 - confidence) * (1 + q)) / 2) / Math.log(q) - 1)
  let best = Math.max(0, h)
  // the logarithms are approximate: settle on the smallest h that holds
  while (best > 0 && 2 * tail(scaleValue, best) <= 1 - confidence) best--
  while (2 * tail(scaleValue, best + 1) > 1 - confidence) best++
  return best
}
