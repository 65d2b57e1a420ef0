/**
 * Single-use tokens bound to a filter: a consent confirmation handed out by a preview and redeemed by
 * the start of that exact filter, once. A store issues a token for a kind and a fingerprint with a
 * time to live, and redeems it atomically: of several redemptions of one token at the same instant,
 * one succeeds. Three stores keep the same rules: {@link makeMemory} (one process), {@link makeFile}
 * (a file beside the local journal, shared by every process of the machine and surviving their
 * restarts) and the team database (`PgJournal.open` of `@booster-export/journal-pg`, shared by every
 * process using it).
 *
 * @since 0.1.0
 */
import { createHash, randomUUID } from "node:crypto"
import { mkdir, rename, unlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { Clock, Effect, Either, Schema } from "effect"
import { withLockFile } from "./internal/lockFile.js"
import { readRegularFile } from "./internal/textFile.js"
import * as Journal from "./Journal.js"

/**
 * Why a token was refused: not issued (or of another kind), past its expiry, used already, or issued
 * for another fingerprint.
 *
 * @since 0.1.0
 */
export type Refusal = "unknown" | "expired" | "used" | "other-filter"

/**
 * A store of single-use tokens. A store that keeps them elsewhere (a database) fails with
 * `JournalError` when it cannot be reached or written.
 *
 * @since 0.1.0
 */
export interface Service {
  /**
   * Records `token` as a `kind` token for `fingerprint`, valid for `ttlMs` milliseconds, and returns
   * its expiry (epoch milliseconds). Forgets the tokens expired more than `ttlMs` ago (until then a
   * late redemption is told "expired" rather than "unknown").
   */
  readonly issue: (options: {
    readonly token: string
    readonly kind: string
    readonly fingerprint: string
    readonly ttlMs: number
  }) => Effect.Effect<number, Journal.JournalError>
  /**
   * Uses up `token` if it is a `kind` token for `fingerprint`, unused and unexpired, at once: of
   * several redemptions at the same instant, one gets `undefined` and the others "used". A token of
   * another kind is "unknown"; a token for another fingerprint is refused and stays usable for its own.
   */
  readonly redeem: (options: {
    readonly token: string
    readonly kind: string
    readonly fingerprint: string
  }) => Effect.Effect<Refusal | undefined, Journal.JournalError>
}

interface Issued {
  readonly kind: string
  readonly fingerprint: string
  readonly expiresAt: number
  used: boolean
}

/**
 * A store keeping its tokens in this process's memory (they die with it), on the effect's clock.
 * It never fails.
 *
 * @since 0.1.0
 */
export const makeMemory = (): Service => {
  const issued = new Map<string, Issued>()
  return {
    issue: ({ token, kind, fingerprint, ttlMs }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        for (const [known, entry] of issued) if (entry.expiresAt + ttlMs < now) issued.delete(known)
        const expiresAt = now + ttlMs
        issued.set(token, { kind, fingerprint, expiresAt, used: false })
        return expiresAt
      }),
    redeem: ({ token, kind, fingerprint }) =>
      Effect.map(Clock.currentTimeMillis, (now): Refusal | undefined => {
        const entry = issued.get(token)
        if (entry === undefined || entry.kind !== kind) return "unknown"
        if (entry.used) return "used"
        if (entry.expiresAt <= now) return "expired"
        if (entry.fingerprint !== fingerprint) return "other-filter"
        entry.used = true
        return undefined
      })
  }
}

/**
 * The file of {@link makeFile} in the state folder: `consent-tokens.json`.
 *
 * @since 0.1.0
 */
export const FILE = "consent-tokens.json"

/** How long the token file's lock may be held before another process takes it over: 1 minute. */
const LOCK_STALE_MS = 60_000

const Stored = Schema.Struct({
  kind: Schema.String,
  fingerprint: Schema.String,
  expiresAt: Schema.Number,
  used: Schema.Boolean
})

const StoredFile = Schema.Struct({
  tokens: Schema.Record({ key: Schema.String, value: Stored })
})

type StoredToken = typeof Stored.Type

const decodeFile = Schema.decodeUnknownEither(Schema.parseJson(StoredFile))

/** What is kept of a token: its SHA-256, hex (as the team database keeps it). */
const digestOf = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex")

/**
 * The tokens of the file at `path`; none when it is absent, unreadable as tokens or not a regular
 * file (a lost file makes every token `"unknown"`: refused, never accepted).
 */
const readTokens = async (path: string): Promise<Map<string, StoredToken>> => {
  const decoded = decodeFile(await readRegularFile(path))
  return Either.isRight(decoded) ? new Map(Object.entries(decoded.right.tokens)) : new Map()
}

/** Replaces the file at `path` with `tokens` at once: a private temporary file renamed over it. */
const writeTokens = async (directory: string, path: string, tokens: Map<string, StoredToken>) => {
  await mkdir(directory, { recursive: true, mode: 0o700 })
  const temporary = `${path}.${randomUUID()}.tmp`
  try {
    await writeFile(temporary, `${JSON.stringify({ tokens: Object.fromEntries(tokens) })}\n`, {
      mode: 0o600,
      flag: "wx"
    })
    await rename(temporary, path)
  } catch (error) {
    await unlink(temporary).catch(() => undefined)
    throw error
  }
}

const unwritable = (path: string, cause: unknown) => Journal.unwritable("the consent tokens", path, cause)

/**
 * A store keeping its tokens in {@link FILE} in `directory` (default: the state folder beside the
 * local journal, `StateDirectory.resolve()` of `@booster-export/transport`), so that a token issued by
 * one process is redeemed by another, after a restart too — once. Only a token's SHA-256 is written,
 * with its kind, fingerprint, expiry and whether it was used; the file is mode 0600 in a 0700 folder
 * and is replaced whole (a temporary file renamed over it), so it is never read half-written. Every
 * issue and redemption holds a lock file in `<directory>/locks/` (as the journal's appends do): of
 * several processes redeeming one token at the same instant, one succeeds. Times are the effect's
 * clock. Fails with `JournalError` (`path` the file, `code` the system's error) when the file or its
 * lock cannot be written; a file that cannot be read as tokens counts as empty, so its tokens are
 * refused as `"unknown"`.
 *
 * @since 0.1.0
 */
export const makeFile = (directory: string = StateDirectory.resolve()): Service => {
  const path = join(directory, FILE)
  /** Reads the tokens, applies `change` and writes them back when it says they changed, under the lock. */
  const update = <A>(
    change: (tokens: Map<string, StoredToken>, now: number) => { result: A; changed: boolean }
  ) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.tryPromise({
        try: async () => {
          const tokens = await readTokens(path)
          const { result, changed } = change(tokens, now)
          if (changed) await writeTokens(directory, path, tokens)
          return result
        },
        catch: (cause) => unwritable(path, cause)
      })
    ).pipe(
      withLockFile(join(directory, "locks"), "consent-tokens.lock", LOCK_STALE_MS, (cause) =>
        unwritable(path, cause)
      )
    )
  return {
    issue: ({ token, kind, fingerprint, ttlMs }) =>
      update((tokens, now) => {
        for (const [known, entry] of tokens) if (entry.expiresAt + ttlMs < now) tokens.delete(known)
        const expiresAt = now + ttlMs
        tokens.set(digestOf(token), { kind, fingerprint, expiresAt, used: false })
        return { result: expiresAt, changed: true }
      }),
    redeem: ({ token, kind, fingerprint }) =>
      update((tokens, now): { result: Refusal | undefined; changed: boolean } => {
        const digest = digestOf(token)
        const entry = tokens.get(digest)
        if (entry === undefined || entry.kind !== kind) return { result: "unknown", changed: false }
        if (entry.used) return { result: "used", changed: false }
        if (entry.expiresAt <= now) return { result: "expired", changed: false }
        if (entry.fingerprint !== fingerprint) return { result: "other-filter", changed: false }
        tokens.set(digest, { ...entry, used: true })
        return { result: undefined, changed: true }
      })
  }
}
