/**
 * The journal as a verifiable audit trail: every entry carries its sequence number (`seq`, from 1),
 * the SHA-256 of the previous entry's canonical form (`prev`; {@link GENESIS} for the first) and its
 * own SHA-256 (`hash`). Altering any stored value, removing an entry or reordering entries breaks
 * the chain, and {@link verify} names the first entry where it breaks. The same chain is kept by the
 * file journal and the PostgreSQL journal.
 *
 * What a chain cannot show on its own: the removal of the newest entries (the trail simply looks
 * shorter), or a trail rewritten whole by someone who can recompute every hash. Signed checkpoints
 * (`Checkpoint`) kept where the journal's writers cannot rewrite them detect both. The team
 * database keys its links with a secret its writers cannot read (`@booster-export/journal-pg`).
 *
 * Entries without a link are accepted only where they really predate the chain ({@link predatesChain}:
 * before the first linked entry, and without any member the chain's versions always write); a
 * database refuses them outright ({@link Options.unlinked}).
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
 * Any JSON value in canonical form: members sorted by name at every level, no whitespace, undefined
 * members left out.
 *
 * @since 0.1.0
 */
export const canonicalJson = (value: unknown): string => canonicalValue(value)

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
 * - `inserted`: an entry without a link appears after the chain began, or where none may be (a
 *   database row numbered 0 or less, or not where its number says);
 * - `unlinked`: an entry written by a version that links every entry has lost its link (its `seq`,
 *   `prev` and `hash` were stripped, e.g. to hide that entries were removed around it).
 *
 * @since 0.1.0
 */
export type Problem = "altered" | "removed" | "reordered" | "inserted" | "unlinked"

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

/** Members only versions that link every entry write: an entry holding one never predates the chain. */
const CHAIN_ERA_MEMBERS = ["actor", "kind", "description", "expiresAt", "writer", "purposeHmac", "recordedAt"]
const CHAIN_ERA_EVENTS = ["requested", "deleted", "erased"]

/**
 * True when an entry without a link could have been written before the chain began: it holds none
 * of the members every version that links entries writes (`actor`, always; `kind`, `description`,
 * `expiresAt`, …) and no event those versions introduced. An entry stripped of its link by hand
 * still holds them.
 *
 * @since 0.1.0
 */
export const predatesChain = (value: Readonly<Record<string, unknown>>): boolean =>
  !isLinked(value) &&
  CHAIN_ERA_MEMBERS.every((member) => value[member] === undefined) &&
  !CHAIN_ERA_EVENTS.includes(String(value.event))

/**
 * Options of {@link verify}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Names a position in messages: "line" (default) or "row". */
  readonly where?: string | undefined
  /**
   * Entries without a link before the first linked one: `"older"` (default, the file journal)
   * counts them as `unchained` when they {@link predatesChain} and fails with `unlinked` otherwise;
   * `"refused"` (a database, whose every row was always linked) fails with `inserted`.
   */
  readonly unlinked?: "older" | "refused" | undefined
  /**
   * True when a record's `position` is its own number (database rows): a record whose stored `seq`
   * is not its position, or a position of 0 or less, fails with `inserted`.
   */
  readonly positionIsSeq?: boolean | undefined
}

/**
 * Verifies a chain, records in stored order (file order, or rows by `seq`). Entries without a link
 * before the first linked one are counted as `unchained` when they really predate the chain (see
 * {@link Options}); unreadable records are skipped (an entry that was garbled shows as removed at
 * the next link). The second argument names a position in messages (default "line"), or gives the
 * {@link Options}.
 *
 * @since 0.1.0
 */
export const verify = (
  records: ReadonlyArray<StoredRecord>,
  options: string | Options = {}
): Verification => {
  const {
    where = "line",
    unlinked = "older",
    positionIsSeq = false
  } = typeof options === "string" ? { where: options } : options
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
    if (positionIsSeq && (record.position <= 0 || (isLinked(value) && value.seq !== record.position))) {
      return {
        ok: false,
        problem: "inserted",
        seq: undefined,
        position: record.position,
        message: `The entry at ${at} was inserted: ${record.position <= 0 ? `no entry is numbered ${record.position}` : "its number is not its place"}`
      }
    }
    if (!isLinked(value)) {
      if (previous === undefined && unlinked === "refused") {
        return {
          ok: false,
          problem: "inserted",
          seq: undefined,
          position: record.position,
          message: `The entry at ${at} has no link: every entry of this journal is linked, so it was inserted`
        }
      }
      if (previous === undefined && !predatesChain(value)) {
        return {
          ok: false,
          problem: "unlinked",
          seq: undefined,
          position: record.position,
          message: `The entry at ${at} has no link, yet it was written by a version that links every entry: its link was removed`
        }
      }
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
