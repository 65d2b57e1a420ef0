/**
 * Consent before an export is created. A preview hands out a confirmation: an opaque, single-use
 * token bound to the fingerprint of the exact normalised filter and valid for a few minutes, kept in
 * this process's memory (so it serves every stdio request and every HTTP session of the process,
 * and dies with it). A start then needs that token for the same filter, or a yes the server asked
 * the human for itself (elicitation), depending on the consent mode.
 */
import { randomBytes } from "node:crypto"
import { Clock, Context, Effect, Layer } from "effect"

import { DEFAULT_CONFIRMATION_MINUTES, type Mode } from "./mode.js"

export { DEFAULT_CONFIRMATION_MINUTES, MODES, type Mode } from "./mode.js"

/** A confirmation handed out by a preview. */
export interface Confirmation {
  /** The opaque token to pass to `start_customer_export` as `confirmation`. */
  readonly token: string
  /** When it stops being accepted, epoch milliseconds. */
  readonly expiresAt: number
}

/** Why a confirmation was refused. */
export type Refusal = "unknown" | "expired" | "used" | "other-filter"

/** What a refusal means for the person reading it. */
export const explain = (refusal: Refusal): string => {
  switch (refusal) {
    case "unknown":
      return "the confirmation was not issued by this server (or the server has restarted since the preview)"
    case "expired":
      return "the confirmation has expired"
    case "used":
      return "the confirmation has already been used for a start"
    case "other-filter":
      return "the confirmation was issued for a different filter"
  }
}

interface Issued {
  readonly fingerprint: string
  readonly expiresAt: number
  used: boolean
}

/** The consent service. */
export class Consent extends Context.Tag("@booster-export/mcp-server/Consent")<
  Consent,
  {
    readonly mode: Mode
    /** Hands out a confirmation for the filter with this fingerprint. */
    readonly issue: (fingerprint: string) => Effect.Effect<Confirmation>
    /**
     * Checks a confirmation against the filter being started and, if it is good, uses it up. A token
     * for another filter is refused and stays usable for its own.
     */
    readonly redeem: (token: string, fingerprint: string) => Effect.Effect<Refusal | undefined>
  }
>() {
  /** Consent in `mode`, confirmations valid for `ttlMs`. */
  static readonly layer = (mode: Mode, ttlMs: number = DEFAULT_CONFIRMATION_MINUTES * 60_000) =>
    Layer.sync(Consent, () => make(mode, ttlMs))
}

/** A consent service keeping its confirmations in memory. */
export const make = (mode: Mode, ttlMs: number): Consent["Type"] => {
  const issued = new Map<string, Issued>()
  const prune = (now: number) => {
    for (const [token, entry] of issued) if (entry.expiresAt + ttlMs < now) issued.delete(token)
  }
  return {
    mode,
    issue: (fingerprint) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        prune(now)
        const token = `bxc_${randomBytes(18).toString("base64url")}`
        const expiresAt = now + ttlMs
        issued.set(token, { fingerprint, expiresAt, used: false })
        return { token, expiresAt }
      }),
    redeem: (token, fingerprint) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const entry = issued.get(token)
        if (entry === undefined) return "unknown" as const
        if (entry.used) return "used" as const
        if (entry.expiresAt <= now) return "expired" as const
        if (entry.fingerprint !== fingerprint) return "other-filter" as const
        entry.used = true
        return undefined
      })
  }
}
