/**
 * Single-use tokens bound to a filter: a consent confirmation handed out by a preview and redeemed by
 * the start of that exact filter, once. A store issues a token for a kind and a fingerprint with a
 * time to live, and redeems it atomically: of several redemptions of one token at the same instant,
 * one succeeds. Two stores keep the same rules: {@link makeMemory} (one process) and the team
 * database (`PgJournal.open` of `@booster-export/journal-pg`, shared by every process using it).
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import type { JournalError } from "./Journal.js"

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
  }) => Effect.Effect<number, JournalError>
  /**
   * Uses up `token` if it is a `kind` token for `fingerprint`, unused and unexpired, at once: of
   * several redemptions at the same instant, one gets `undefined` and the others "used". A token of
   * another kind is "unknown"; a token for another fingerprint is refused and stays usable for its own.
   */
  readonly redeem: (options: {
    readonly token: string
    readonly kind: string
    readonly fingerprint: string
  }) => Effect.Effect<Refusal | undefined, JournalError>
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
