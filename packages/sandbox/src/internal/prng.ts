/** A 32-bit integer hash of two integers (murmur3 finaliser over a simple mix). */
export const hash2 = (a: number, b: number): number => {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A small, fast seeded generator (mulberry32). */
export class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }
  /** One member of a non-empty list. */
  pick<A>(list: ReadonlyArray<A>): A {
    return list[this.int(list.length)]!
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }
  /** Up to `max` distinct members of `list` (possibly none). */
  some<A>(list: ReadonlyArray<A>, max: number): Array<A> {
    const count = this.int(max + 1)
    const out: Array<A> = []
    for (let i = 0; i < count; i++) {
      const item = this.pick(list)
      if (!out.includes(item)) out.push(item)
    }
    return out
  }
}
