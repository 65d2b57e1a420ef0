/**
 * Consent before customers' personal data reaches the assistant's side: before an export is created
 * (or a recent one is returned), and before a file of an export this server did not start with the
 * user's consent is downloaded. A preview hands out a confirmation for a filter, and
 * `get_export_task` one for a finished task started elsewhere: an opaque, single-use token bound to
 * the fingerprint of the exact normalised filter (or to the task) and valid for a few minutes. With
 * the local journal the tokens are kept in a file beside it (`ConsentTokens.makeFile` of
 * `@booster-export/journal`), so that every process of the machine accepts them — a server
 * restarted between the preview and the start too — once; with a team journal in PostgreSQL, in
 * that database (so that every replica sharing it accepts them, once). A start or a download then
 * needs that token, or a yes the server asked the human for itself (elicitation), depending on the
 * consent mode. A question asked in-band (the 2026-07-28 multi-round-trip) carries a state of the
 * same kind, so that the answer coming back on the retried call is accepted only for the question
 * this server asked, for that filter or task, once.
 */
import { randomBytes } from "node:crypto"
import { Task } from "@booster-export/core"
import * as ConsentTokens from "@booster-export/journal/ConsentTokens"
import type * as Journal from "@booster-export/journal/Journal"
import { Context, Effect, Layer } from "effect"

import { DEFAULT_CONFIRMATION_MINUTES, type Mode } from "./mode.js"

export { DEFAULT_CONFIRMATION_MINUTES, MODES, type Mode } from "./mode.js"

/** A confirmation handed out by a preview (or by `get_export_task`, for a download). */
export interface Confirmation {
  /** The opaque token to pass to `start_export` (or `download_export_file`) as `confirmation`. */
  readonly token: string
  /** When it stops being accepted, epoch milliseconds. */
  readonly expiresAt: number
}

/**
 * What a token stands for: a preview's `confirmation` (for a start), `get_export_task`'s `download`
 * confirmation (for the download of one task), or the `question` state of an in-band consent round
 * trip. One is never accepted as another.
 */
export type Kind = "confirmation" | "download" | "question"

/** Why a confirmation (or a question's state) was refused. */
export type Refusal = ConsentTokens.Refusal

/** What a refusal means for the person reading it. */
export const explain = (refusal: Refusal, kind: Kind = "confirmation"): string => {
  const what = kind === "question" ? "the answer's request state" : "the confirmation"
  switch (refusal) {
    case "unknown":
      return kind === "question"
        ? "the answer does not belong to a question this server asked"
        : `the confirmation was not issued by this server${kind === "download" ? " for a download" : " for a start"}`
    case "expired":
      return `${what} has expired`
    case "used":
      return kind === "question"
        ? "the answer has already been used"
        : "the confirmation has already been used"
    case "other-filter":
      return `${what} was issued for a different ${kind === "download" ? "task" : kind === "question" ? "filter or task" : "filter"}`
  }
}

const PREFIX: Record<Kind, string> = { confirmation: "bxc_", download: "bxd_", question: "bxq_" }

/** A new opaque token of `kind`: its prefix and 144 random bits. */
export const newToken = (kind: Kind): string => `${PREFIX[kind]}${randomBytes(18).toString("base64url")}`

/** The consent service. */
export class Consent extends Context.Tag("@booster-export/mcp-server/Consent")<
  Consent,
  {
    readonly mode: Mode
    /**
     * Hands out a token of `kind` (default a start's confirmation) bound to `fingerprint` (a filter's
     * fingerprint, or a task's {@link taskBinding}). Fails only when the store that keeps them (the
     * token file, the team database) cannot be written.
     */
    readonly issue: (fingerprint: string, kind?: Kind) => Effect.Effect<Confirmation, Journal.JournalError>
    /**
     * Checks a token of `kind` (default a start's confirmation) against the filter being started (or
     * the task being downloaded) and, if it is good, uses it up. A token for another filter or task is
     * refused and stays usable for its own; a token of another kind is `unknown`.
     */
    readonly redeem: (
      token: string,
      fingerprint: string,
      kind?: Kind
    ) => Effect.Effect<Refusal | undefined, Journal.JournalError>
  }
>() {
  /** Consent in `mode`, confirmations valid for `ttlMs`, kept in this process's memory (for tests). */
  static readonly layer = (mode: Mode, ttlMs: number = DEFAULT_CONFIRMATION_MINUTES * 60_000) =>
    Layer.sync(Consent, () => make(mode, ttlMs, Effect.succeed(ConsentTokens.makeMemory())))
}

/**
 * A consent service in `mode` whose tokens, valid `ttlMs`, are kept in the store `tokens` gives: the
 * file beside the local journal, the team database (opened on first use), or this process's memory;
 * a store's failures are `JournalError`.
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

/**
 * What a download confirmation (or a download question's state) is bound to: one task (its canonical
 * id) on one API host.
 */
export const taskBinding = (host: string, asyncTaskId: string): string =>
  `task:${host}/${Task.canonicalGuid(asyncTaskId)}`
