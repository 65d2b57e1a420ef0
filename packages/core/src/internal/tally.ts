/**
 * Counts of distinct byte strings, without decoding them: an open-addressing table (linear probing)
 * over typed arrays, the bytes of each distinct value copied once into one arena. Values are
 * decoded (UTF-8) only when the counts are read.
 *
 * A value is first hashed from a sample of its bytes (its length, its first two, middle and last
 * two bytes): the few distinct values of a column of an export are told apart that way, and each
 * one is then read once only, to compare it with the kept one. Values the sample does not tell
 * apart make probe sequences long; past {@link MAX_PROBES} the table hashes every byte (FNV-1a)
 * from then on.
 */

/** Probes of one lookup beyond which the sampled hash is given up for the full one. */
export const MAX_PROBES = 24

/** Counts of distinct byte strings, up to a number of distinct values. */
export class Tally {
  /** Occurrences of values seen after the table was full: counted together, never shown. */
  overflow = 0
  /** Distinct values kept. */
  distinct = 0
  /** True once every byte of a value is hashed. */
  full = false

  /** Entry number + 1 per slot; 0 is an empty slot. Its size is a power of two. */
  private slots = new Int32Array(64)
  private mask = 63
  private hashes = new Int32Array(32)
  private offsets = new Int32Array(32)
  private lengths = new Int32Array(32)
  private counts = new Float64Array(32)
  private arena = new Uint8Array(1024)
  private used = 0

  constructor(private readonly limit: number) {}

  /**
   * Counts the bytes `buf[start, end)` once; returns the value's entry number (the order in which
   * values were first seen), or -1 when it was counted in {@link overflow}.
   */
  add(buf: Uint8Array, start: number, end: number): number {
    const length = end - start
    for (;;) {
      const hash = this.full ? fullHash(buf, start, end) : sampledHash(buf, start, end)
      const slots = this.slots
      const mask = this.mask
      let slot = hash & mask
      let probes = 0
      for (let entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
        const k = entry - 1
        if (this.hashes[k] === hash && this.lengths[k] === length) {
          const arena = this.arena
          const offset = this.offsets[k]! - start
          let i = start
          while (i < end && arena[offset + i] === buf[i]) i++
          if (i === end) {
            this.counts[k]!++
            return k
          }
        }
        slot = (slot + 1) & mask
        probes++
      }
      if (probes <= MAX_PROBES || this.full) {
        if (this.distinct >= this.limit) {
          this.overflow++
          return -1
        }
        this.insert(slot, hash, buf, start, end)
        return this.distinct - 1
      }
      this.full = true
      this.rehash(this.slots.length)
    }
  }

  private insert(slot: number, hash: number, buf: Uint8Array, start: number, end: number): void {
    const k = this.distinct
    if (k === this.hashes.length) {
      this.hashes = grown(this.hashes, new Int32Array(k * 2))
      this.offsets = grown(this.offsets, new Int32Array(k * 2))
      this.lengths = grown(this.lengths, new Int32Array(k * 2))
      this.counts = grown(this.counts, new Float64Array(k * 2))
    }
    const length = end - start
    if (this.used + length > this.arena.length) {
      this.arena = grown(this.arena, new Uint8Array(Math.max(this.arena.length * 2, this.used + length)))
    }
    this.arena.set(buf.subarray(start, end), this.used)
    this.hashes[k] = hash
    this.offsets[k] = this.used
    this.lengths[k] = length
    this.counts[k] = 1
    this.used += length
    this.slots[slot] = k + 1
    this.distinct = k + 1
    if (this.distinct * 2 > this.slots.length) this.rehash(this.slots.length * 2)
  }

  /** Places every entry again in a table of `size` slots, hashing each anew when the table is {@link full}. */
  private rehash(size: number): void {
    const slots = new Int32Array(size)
    const mask = size - 1
    for (let k = 0; k < this.distinct; k++) {
      if (this.full) {
        const offset = this.offsets[k]!
        this.hashes[k] = fullHash(this.arena, offset, offset + this.lengths[k]!)
      }
      let slot = this.hashes[k]! & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = k + 1
    }
    this.slots = slots
    this.mask = mask
  }

  /** Every value (decoded as UTF-8) and its count, in the order first seen. */
  entries(): Array<{ readonly value: string; readonly count: number }> {
    const decoder = new TextDecoder()
    const out: Array<{ readonly value: string; readonly count: number }> = []
    for (let k = 0; k < this.distinct; k++) {
      const offset = this.offsets[k]!
      out.push({
        value: decoder.decode(this.arena.subarray(offset, offset + this.lengths[k]!)),
        count: this.counts[k]!
      })
    }
    return out
  }
}

const grown = <A extends Int32Array | Float64Array | Uint8Array>(from: A, to: A): A => {
  to.set(from)
  return to
}

/** FNV-1a of every byte of `buf[start, end)`, its high bits folded into the low ones. */
const fullHash = (buf: Uint8Array, start: number, end: number): number => {
  let hash = 0x811c9dc5 | 0
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193)
  return hash ^ (hash >>> 16)
}

/** A hash of the length and the first two, middle and last two bytes of `buf[start, end)`. */
const sampledHash = (buf: Uint8Array, start: number, end: number): number => {
  const length = end - start
  if (length === 0) return 0
  const low = buf[start]! | (buf[start + (length >> 1)]! << 8) | (buf[end - 1]! << 16) | (length << 24)
  const high = length > 3 ? buf[start + 1]! | (buf[end - 2]! << 8) : 0
  const hash = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b)
  return hash ^ (hash >>> 15)
}

/**
 * Counts of pairs of entry numbers of two {@link Tally}s (e.g. a point of sale within a country): an
 * open-addressing table keyed by `outer · 2^14 + inner`, both below 2^14.
 */
export class PairTally {
  /** Pairs seen after the table was full: counted together, never shown. */
  overflow = 0
  private slots = new Int32Array(64)
  private mask = 63
  private keys = new Int32Array(32)
  private counts = new Float64Array(32)
  private size = 0

  constructor(private readonly limit: number) {}

  /** Counts the pair once; a pair with an entry of -1 (a value past a tally's limit) is not counted. */
  add(outer: number, inner: number): void {
    if (outer < 0 || inner < 0) return
    const key = outer * 16384 + inner
    const mask = this.mask
    let slot = pairHash(key) & mask
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      if (this.keys[entry - 1] === key) {
        this.counts[entry - 1]!++
        return
      }
      slot = (slot + 1) & mask
    }
    const k = this.size
    if (k >= this.limit) {
      this.overflow++
      return
    }
    if (k === this.keys.length) {
      this.keys = grown(this.keys, new Int32Array(k * 2))
      this.counts = grown(this.counts, new Float64Array(k * 2))
    }
    this.keys[k] = key
    this.counts[k] = 1
    this.size = k + 1
    this.slots[slot] = k + 1
    if (this.size * 2 > this.slots.length) this.rehash(this.slots.length * 2)
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size)
    const mask = size - 1
    for (let k = 0; k < this.size; k++) {
      let slot = pairHash(this.keys[k]!) & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = k + 1
    }
    this.slots = slots
    this.mask = mask
  }

  /** Every pair counted: the two entry numbers and the count. */
  entries(): Array<{ readonly outer: number; readonly inner: number; readonly count: number }> {
    const out: Array<{ readonly outer: number; readonly inner: number; readonly count: number }> = []
    for (let k = 0; k < this.size; k++) {
      const key = this.keys[k]!
      out.push({ outer: Math.floor(key / 16384), inner: key % 16384, count: this.counts[k]! })
    }
    return out
  }
}

const pairHash = (key: number): number => {
  const hash = Math.imul(key, 0x9e3779b1)
  return hash ^ (hash >>> 15)
}
