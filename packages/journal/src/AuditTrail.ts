/**
 * The journal as a verifiable audit trail: every entry carries its sequence number (`seq`, from 1),
 * the SHA-256 of the previous entry's canonical form (`prev`; {@link GENESIS} for the first) and its
 * own SHA-256 (`hash`). Altering any stored value, removing an entry or reordering entries breaks
 * the chain, and {@link verify} names the first entry where it breaks. The same chain is kept by the
 * file journal and the PostgreSQL journal.
 *
 * What a chain cannot show on its own: the removal of the newest entries (the trail simply looks
 * shorter). Keep the `head` that `booster audit verify` prints somewhere else to detect that.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

/**
 * The `prev` of the first entry of a chain: 64 zeros.
 *
 * @since 0.1.0
 */
export const GENESIS = "0".repeat(64)

/**
 * The members that link an entry into the chain.
 *
 * @since 0.1.0
 */
export interface Link {
  readonly seq: number
  readonly prev: string
  readonly hash: string
}

const canonicalValue = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(canonicalValue).join(",")}]`
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalValue(member)}`)
  return `{${members.join(",")}}`
}

/**
 * The canonical form of an entry: JSON with members sorted by name at every level, no whitespace,
 * undefined members left out, and the entry's own `hash` left out (it is computed over the rest,
 * including `seq` and `prev`).
 *
 * @since 0.1.0
 */
export const canonical = (entry: Readonly<Record<string, unknown>>): string => {
  const { hash: _hash, ...rest } = entry
  return canonicalValue(rest)
}

/**
 * The SHA-256 (hex) of an entry's {@link canonical} form.
 *
 * @since 0.1.0
 */
export const hashOf = (entry: Readonly<Record<string, unknown>>): string =>
  createHash("sha256").update(canonical(entry), "utf8").digest("hex")

/**
 * Links a new entry after `previous` (the newest chained entry, or `undefined` for the first):
 * returns the entry with `seq`, `prev` and `hash` set.
 *
 * @since 0.1.0
 */
export const link = <E extends Readonly<Record<string, unknown>>>(
  previous: { readonly seq: number; readonly hash: string } | undefined,
  entry: E
): E & Link => {
  const { hash: _hash, seq: _seq, prev: _prev, ...rest } = entry
  const unlinked = { ...rest, seq: (previous?.seq ?? 0) + 1, prev: previous?.hash ?? GENESIS }
  return { ...unlinked, hash: hashOf(unlinked) } as unknown as E & Link
}

/**
 * One stored record as read back for verification: where it is (`position`: the line number of a
 * file, the row's sequence number in a database) and the stored value, or `undefined` when the
 * stored text could not be read as an object (a torn or garbled line).
 *
 * @since 0.1.0
 */
export interface StoredRecord {
  readonly position: number
  readonly value: Readonly<Record<string, unknown>> | undefined
}

/**
 * How the chain is broken at the first problem found.
 * - `altered`: an entry's stored values no longer match its hash, or an entry no longer follows the
 *   one before it (one of the two was changed);
 * - `removed`: an entry is missing;
 * - `reordered`: an entry is out of its place;
 * - `inserted`: an entry without a link appears after the chain began.
 *
 * @since 0.1.0
 */
export type Problem = "altered" | "removed" | "reordered" | "inserted"

/**
 * The outcome of {@link verify}.
 *
 * @since 0.1.0
 */
export type Verification =
  | {
      readonly ok: true
      /** Chained entries checked. */
      readonly entries: number
      /** Entries written before the chain began (older versions), not covered by it. */
      readonly unchained: number
      /** Records that could not be read (a torn last line after a crash): skipped. */
      readonly unreadable: number
      /** The newest entry's `seq` and `hash`: keep them elsewhere to detect a removed tail. */
      readonly head: { readonly seq: number; readonly hash: string } | undefined
    }
  | {
      readonly ok: false
      readonly problem: Problem
      /** The `seq` of the first entry found altered, removed, reordered or inserted. */
      readonly seq: number | undefined
      /** Where that entry is (or was expected): line or row. */
      readonly position: number
      /** One sentence naming the entry and what is wrong. */
      readonly message: string
    }

const isLinked = (value: Readonly<Record<string, unknown>>): boolean =>
  typeof value.seq === "number" || typeof value.prev === "string" || typeof value.hash === "string"

/**
 * Verifies a chain, records in stored order (file order, or rows by `seq`). Entries without a link
 * before the first linked one are counted as `unchained`; unreadable records are skipped (an entry
 * that was garbled shows as removed at the next link). `where` names a position in messages
 * (default "line").
 *
 * @since 0.1.0
 */
export const verify = (records: ReadonlyArray<StoredRecord>, where = "line"): Verification => {
  let unchained = 0
  let unreadable = 0
  let entries = 0
  let previous: { seq: number; hash: string } | undefined
  const seqs = new Set<number>()
  for (const record of records) {
    if (record.value !== undefined && typeof record.value.seq === "number") seqs.add(record.value.seq)
  }
  for (const record of records) {
    const value = record.value
    if (value === undefined) {
      unreadable++
      continue
    }
    const at = `${where} ${record.position}`
    if (!isLinked(value)) {
      if (previous === undefined) {
        unchained++
        continue
      }
      return {
        ok: false,
        problem: "inserted",
        seq: undefined,
        position: record.position,
        message: `The entry at ${at} has no link: it was inserted after entry ${previous.seq}`
      }
    }
    const seq = typeof value.seq === "number" ? value.seq : Number.NaN
    if (typeof value.hash !== "string" || value.hash !== hashOf(value)) {
      return {
        ok: false,
        problem: "altered",
        seq: Number.isFinite(seq) ? seq : undefined,
        position: record.position,
        message: `Entry ${Number.isFinite(seq) ? seq : "?"} (${at}) was altered: its stored values no longer match its hash`
      }
    }
    const expected = (previous?.seq ?? 0) + 1
    if (seq !== expected) {
      if (seq > expected && !seqs.has(expected)) {
        return {
          ok: false,
          problem: "removed",
          seq: expected,
          position: record.position,
          message:
            seq === expected + 1
              ? `Entry ${expected} was removed (entry ${seq} at ${at} follows entry ${expected - 1})`
              : `Entries ${expected} to ${seq - 1} were removed (entry ${seq} at ${at} follows entry ${expected - 1})`
        }
      }
      return {
        ok: false,
        problem: "reordered",
        seq,
        position: record.position,
        message: `Entry ${seq} (${at}) is out of order: entry ${expected} was expected there`
      }
    }
    const expectedPrev = previous?.hash ?? GENESIS
    if (value.prev !== expectedPrev) {
      return {
        ok: false,
        problem: "altered",
        seq: seq === 1 ? 1 : seq - 1,
        position: record.position,
        message:
          seq === 1
            ? `Entry 1 (${at}) was altered: it does not start the chain`
            : `Entry ${seq - 1} was altered or replaced: entry ${seq} (${at}) does not follow it`
      }
    }
    previous = { seq, hash: value.hash }
    entries++
  }
  return { ok: true, entries, unchained, unreadable, head: previous }
}
