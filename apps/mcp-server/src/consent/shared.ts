/**
 * Consent shared by every `booster-mcp` replica using one team journal in PostgreSQL: confirmations
 * and round-trip states are rows of the database (the token's SHA-256, never the token), used up by
 * one atomic statement. A preview answered by one replica gives a confirmation any replica accepts,
 * once: of two replicas redeeming it at the same instant, one starts the export.
 */
import type * as Journal from "@booster-export/transport/Journal"
import type * as PgJournal from "@booster-export/transport/PgJournal"
import { Effect } from "effect"
import { type Consent, type Mode, newToken } from "./consent.js"

/** A consent service in `mode` keeping its tokens, valid `ttlMs`, in the team database `tokens`. */
export const make = (
  mode: Mode,
  ttlMs: number,
  tokens: Effect.Effect<PgJournal.Tokens, Journal.JournalError>
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
