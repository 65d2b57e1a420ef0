/**
 * Consent before an export is created. A preview hands out a confirmation: an opaque, single-use
 * token bound to the fingerprint of the exact normalised filter and valid for a few minutes, kept in
 * this process's memory (so it serves every stdio request and every HTTP session or request of the
 * process, and dies with it), or, with a team journal in PostgreSQL, in that database (so that every
 * replica sharing it accepts it, once): either store is a `ConsentTokens` store of
 * `@booster-export/journal`. A start then needs that token for the same filter, or a yes the server
 * asked the human for itself (elicitation), depending on the consent mode. A question asked in-band
 * (the 2026-07-28 multi-round-trip) carries a state of the same kind, so that the answer coming back
 * on the retried call is accepted only for the question this server asked, for that filter, once.
 */
import { randomBytes } from "node:crypto"
import * as ConsentTokens from "@booster-export/journal/ConsentTokens"
import type * as Journal from "@booster-export/journal/Journal"
import { Context, Effect, Layer } from "effect"

import { DEFAULT_CONFIRMATION_MINUTES, type Mode } from "./mode.js"

export { DEFAULT_CONFIRMATION_MINUTES, MODES, type Mode } from "./mode.js"

/** A confirmation handed out by a preview. */
export interface Confirmation {
  /** The opaque token to pass to `start_customer_export` as `confirmation`. */
  readonly token: string
  /** When it stops being accepted, epoch milliseconds. */
  readonly expiresAt: number
}

/**
 * What a token stands for: a preview's `confirmation`, or the `question` state of an in-band
 * consent round trip. One is never accepted as the other.
 */
export type Kind = "confirmation" | "question"

/** Why a confirmation (or a question's state) was refused. */
export type Refusal = ConsentTokens.Refusal

/** What a refusal means for the person reading it. */
export const explain = (refusal: Refusal, kind: Kind = "confirmation"): string => {
  const what = kind === "confirmation" ? "the confirmation" : "the answer's request state"
  switch (refusal) {
    case "unknown":
      return kind === "confirmation"
        ? "the confirmation was not issued by this server (or the server has restarted since the preview)"
        : "the answer does not belong to a question this server asked (or the server has restarted since)"
    case "expired":
      return `${what} has expired`
    case "used":
      return kind === "confirmation"
        ? "the confirmation has already been used for a start"
        : "the answer has already been used"
    case "other-filter":
      return `${what} was issued for a different filter`
  }
}

const PREFIX: Record<Kind, string> = { confirmation: "bxc_", question: "bxq_" }

/** A new opaque token of `kind`: its prefix and 144 random bits. */
export const newToken = (kind: Kind): string => `${PREFIX[kind]}${randomBytes(18).toString("base64url")}`

/** The consent service. */
export class Consent extends Context.Tag("@booster-export/mcp-server/Consent")<
  Consent,
  {
    readonly mode: Mode
    /**
     * Hands out a confirmation (default) or a question's state for the filter with this fingerprint.
     * Fails only when the team database that keeps them cannot be written.
     */
    readonly issue: (fingerprint: string, kind?: Kind) => Effect.Effect<Confirmation, Journal.JournalError>
    /**
     * Checks a confirmation (default) or a question's state against the filter being started and, if
     * it is good, uses it up. A token for another filter is refused and stays usable for its own; a
     * token of the other kind is `unknown`.
     */
    readonly redeem: (
      token: string,
      fingerprint: string,
      kind?: Kind
    ) => Effect.Effect<Refusal | undefined, Journal.JournalError>
  }
>() {
  /** Consent in `mode`, confirmations valid for `ttlMs`, kept in this process's memory. */
  static readonly layer = (mode: Mode, ttlMs: number = DEFAULT_CONFIRMATION_MINUTES * 60_000) =>
    Layer.sync(Consent, () => make(mode, ttlMs, Effect.succeed(ConsentTokens.makeMemory())))
}

/**
 * A consent service in `mode` whose tokens, valid `ttlMs`, are kept in the store `tokens` gives: this
 * process's memory, or the team database (opened on first use; its failures are `JournalError`).
 */
export const make = (
  mode: Mode,
  ttlMs: number,
  tokens: Effect.Effect<ConsentTokens.Service, Journal.JournalError>
): Consent["Type"] => ({
  mode,
  issue: (fingerprint, kind = "confirmation") =>
    Effect.gen(function* () {
      const store = yield* tokens
      const token = newToken(kind)
      const expiresAt = yield* store.issue({ token, kind, fingerprint, ttlMs })
      return { token, expiresAt }
    }),
  redeem: (token, fingerprint, kind = "confirmation") =>
    Effect.flatMap(tokens, (store) => store.redeem({ token, kind, fingerprint }))
})
