import { afterEach, describe, expect, it, vi } from "vitest"
import { DiscreteLaplace } from "../src/index.js"

/**
 * The chi-square value exceeded with probability 1e-6 for `df` degrees of freedom (Wilson–Hilferty):
 * a sampler that is right fails these tests about once in a million runs.
 */
const chiSquareCritical = (df: number): number => {
  const z = 4.753
  const a = 2 / (9 * df)
  return df * (1 - a + z * Math.sqrt(a)) ** 3
}

const draw = (scale: DiscreteLaplace.Scale, n: number, random = DiscreteLaplace.secureRandom()) =>
  Array.from({ length: n }, () => DiscreteLaplace.sample(scale, random))

/** Pearson's statistic of draws against the exact pmf, every value with an expected count ≥ 20 its own bin. */
const chiSquare = (values: ReadonlyArray<number>, scaleValue: number): { statistic: number; df: number } => {
  const n = values.length
  let limit = 0
  while (n * DiscreteLaplace.probability(scaleValue, limit + 1) >= 20) limit++
  const observed = new Map<number, number>()
  for (const x of values) {
    const bin = Math.max(-limit - 1, Math.min(limit + 1, x))
    observed.set(bin, (observed.get(bin) ?? 0) + 1)
  }
  let statistic = 0
  for (let bin = -limit - 1; bin <= limit + 1; bin++) {
    const p =
      Math.abs(bin) === limit + 1
        ? DiscreteLaplace.tail(scaleValue, limit + 1)
        : DiscreteLaplace.probability(scaleValue, bin)
    const expected = n * p
    statistic += ((observed.get(bin) ?? 0) - expected) ** 2 / expected
  }
  return { statistic, df: 2 * limit + 2 }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe("DiscreteLaplace.sample", () => {
  it.each([
    [1, 1],
    [1, 2],
    [17, 1],
    [17, 3],
    [340, 10]
  ] as const)(
    "draws the discrete Laplace distribution of scale %i/%i exactly (chi-square, mean, variance, tails)",
    (t, s) => {
      const scale = DiscreteLaplace.scale(t, s)
      const scaleValue = t / s
      const n = 200_000
      const values = draw(scale, n)
      expect(values.every(Number.isSafeInteger)).toBe(true)
      const { statistic, df } = chiSquare(values, scaleValue)
      expect(statistic).toBeLessThan(chiSquareCritical(df))
      const mean = values.reduce((a, b) => a + b, 0) / n
      const variance = DiscreteLaplace.variance(scaleValue)
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(variance / n))
      const sampleVariance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
      // the sample variance of a Laplace-like law has a standard deviation of about σ²·√(5/n)
      expect(Math.abs(sampleVariance - variance)).toBeLessThan(5 * variance * Math.sqrt(5 / n))
      const margin = DiscreteLaplace.margin(scaleValue)
      const outside = values.filter((x) => Math.abs(x) > margin).length / n
      expect(outside).toBeLessThanOrEqual(0.05 + 5 * Math.sqrt((0.05 * 0.95) / n))
      const beyond = DiscreteLaplace.margin(scaleValue, 0.999)
      expect(values.filter((x) => Math.abs(x) > beyond).length / n).toBeLessThan(
        0.001 + 5 * Math.sqrt(0.001 / n)
      )
    }
  )

  it("never reads Math.random: every draw comes from the Random given", () => {
    const spy = vi.spyOn(Math, "random")
    draw(DiscreteLaplace.scale(5, 1), 1_000)
    expect(spy).not.toHaveBeenCalled()
    let calls = 0
    const counting: DiscreteLaplace.Random = {
      below: (n) => {
        calls++
        return Math.floor(n / 2)
      }
    }
    DiscreteLaplace.sample(DiscreteLaplace.scale(3, 1), counting)
    expect(calls).toBeGreaterThan(0)
  })

  it("reduces a scale and refuses one that is not a ratio of whole numbers", () => {
    expect(DiscreteLaplace.scale(34, 2)).toEqual({ numerator: 17, denominator: 1 })
    expect(() => DiscreteLaplace.scale(0.5, 1)).toThrow(RangeError)
    expect(() => DiscreteLaplace.scale(1, 0)).toThrow(RangeError)
    expect(() => DiscreteLaplace.scale(2 ** 41, 1)).toThrow(RangeError)
  })
})

describe("DiscreteLaplace.bernoulliExp", () => {
  it.each([
    [0, 1],
    [1, 2],
    [1, 1],
    [5, 2],
    [7, 3]
  ] as const)("is true with probability exp(-%i/%i)", (numerator, denominator) => {
    const random = DiscreteLaplace.secureRandom()
    const n = 100_000
    let hits = 0
    for (let i = 0; i < n; i++) if (DiscreteLaplace.bernoulliExp(numerator, denominator, random)) hits++
    const p = Math.exp(-numerator / denominator)
    expect(Math.abs(hits / n - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-12)
  })
})

describe("DiscreteLaplace.secureRandom", () => {
  it("draws uniform integers below small and large bounds", () => {
    const random = DiscreteLaplace.secureRandom()
    const n = 60_000
    const counts = new Array<number>(6).fill(0)
    for (let i = 0; i < n; i++) counts[random.below(6)]!++
    const statistic = counts.reduce((sum, c) => sum + (c - n / 6) ** 2 / (n / 6), 0)
    expect(statistic).toBeLessThan(chiSquareCritical(5))
    const big = 3 * 2 ** 40 + 7
    const draws = Array.from({ length: 10_000 }, () => random.below(big))
    expect(draws.every((x) => Number.isSafeInteger(x) && x >= 0 && x < big)).toBe(true)
    // the top third of the range is reached about a third of the time
    const top = draws.filter((x) => x >= 2 * 2 ** 40).length / draws.length
    expect(Math.abs(top - 1 / 3)).toBeLessThan(0.03)
    expect(() => random.below(0)).toThrow(RangeError)
    expect(() => random.below(2 ** 53)).toThrow(RangeError)
  })
})

describe("DiscreteLaplace's facts", () => {
  it("sum to one, and the margin is the smallest half-width holding 95 %", () => {
    for (const scaleValue of [0.5, 1, 17, 340 / 10]) {
      let total = 0
      for (let x = -2_000; x <= 2_000; x++) total += DiscreteLaplace.probability(scaleValue, x)
      expect(total).toBeCloseTo(1, 9)
      const h = DiscreteLaplace.margin(scaleValue)
      const inside = (k: number) => 1 - 2 * DiscreteLaplace.tail(scaleValue, k + 1)
      expect(inside(h)).toBeGreaterThanOrEqual(0.95)
      if (h > 0) expect(inside(h - 1)).toBeLessThan(0.95)
    }
    // scale 17 (the whole summary at ε = 1): a count is within ±51 of the truth 95 % of the time
    expect(DiscreteLaplace.margin(17)).toBe(51)
  })
})
