/**
 * Gets the user's consent for one export (its start, or the download of a file this server did not
 * start with their consent), as the consent mode says: a confirmation the server handed out, or a
 * yes the server asks for through the client (a form) showing what would happen and why. A
 * 2025-era client is asked with an `elicitation/create` request; a 2026-07-28 client, which has no
 * server-to-client requests, with an input-required result: the client asks the user and calls
 * again with the answer and the request state, which this server issued for that exact filter (or
 * task), single use and expiring like a confirmation. Returns `undefined` when consent is given,
 * else the result to return (a refusal, nothing sent or written; or the question); fails when the
 * store keeping the tokens cannot be written.
 */

import type { ExportKind } from "@booster-export/core"
import type * as Journal from "@booster-export/journal/Journal"
import {
  type CallToolResult,
  type InputRequiredResult,
  inputRequired,
  inputResponse
} from "@modelcontextprotocol/server"
import { Effect } from "effect"
import { cleanText, failure } from "../tools/result.js"
import type { CallContext, ElicitAnswer, ElicitForm, InputRound } from "../tools/tool.js"
import { Consent, explain, type Kind } from "./consent.js"

/** What the user is asked about, and how the refusals read. */
export interface Ask {
  /** What a token must be bound to: the filter's fingerprint, or the task's `taskBinding`. */
  readonly binding: string
  /** The kind of confirmation that stands for the user's yes: a start's, or a download's. */
  readonly kind: Exclude<Kind, "question">
  /** The question, without control characters, and its one yes/no field. */
  readonly form: ElicitForm
  /** The name of the yes/no field of {@link form}. */
  readonly field: string
  /** The key of the question in an input-required result, and of its answer on the retried call. */
  readonly answerKey: string
  /** The confirmation the assistant passed, if any. */
  readonly confirmation: string | undefined
  /** The tool asking, named in the next steps. */
  readonly tool: string
  /** What is asked for, e.g. "start this export". */
  readonly act: string
  /** What did not happen on a refusal, e.g. "nothing was sent". */
  readonly nothing: string
  /** Why a confirmation is needed, when none was given, e.g. "Starting an export needs the user's consent". */
  readonly needs: string
  /** How the assistant gets a confirmation: the next step after a missing or refused one. */
  readonly howTo: string
  /** What `--consent elicit` refuses a client that cannot be asked, and the next step. */
  readonly cannotAsk: string
}

/** The key of the start question in an input-required result, and of its answer on the retried call. */
export const ANSWER_KEY = "startExport"

/** What would be exported, and why: what a start asks about. */
export interface StartRequest {
  /** The export kind (one whose file carries personal data: only those are asked about). */
  readonly kind: ExportKind.Any
  /** Fingerprint of the normalised filter. */
  readonly fingerprint: string
  /** Who would be exported, in plain English (no personal value). */
  readonly description: string
  readonly purpose: string | undefined
  /** The preview's confirmation, if the assistant passed one. */
  readonly confirmation: string | undefined
  /** For a recent export of the same filter, returned instead of a new one: when and which task. */
  readonly earlier?: { readonly at: string; readonly asyncTaskId: string } | undefined
}

const START_HOW_TO =
  "Next step: call preview_export with the same kind and filter, show the user what would be exported and why, " +
  "and only if they agree call start_export again with the same arguments and confirmation set to the " +
  "preview's confirmation."

/**
 * The question put to the user before a start, without control characters (the filter's labels come
 * from the assistant: a bidirectional override must not disguise what the user is asked).
 */
export const question = (request: StartRequest): string =>
  cleanText(
    `An AI assistant wants to export ${request.kind.name === "customers" ? "customer personal data" : `${request.kind.label} (personal data)`} from Booster.\n` +
      `${request.kind.name === "customers" ? "Who" : "What"}: ${request.description}\n` +
      `Purpose: ${request.purpose ?? "(none given)"}\n` +
      (request.earlier !== undefined
        ? `The same export was started at ${request.earlier.at} (task ${request.earlier.asyncTaskId}); that export is returned, no new one is created.\n`
        : "") +
      "Start this export?"
  )

/** The form asking the user before a start: the question and one yes/no field. */
export const form = (request: StartRequest): ElicitForm => ({
  message: question(request),
  requestedSchema: {
    type: "object",
    properties: {
      start: {
        type: "boolean",
        title: "Start this export",
        description: `Yes exports the ${request.kind.label} described above.`
      }
    },
    required: ["start"]
  }
})

/** What a start asks the user. */
export const startAsk = (request: StartRequest): Ask => ({
  binding: request.fingerprint,
  kind: "confirmation",
  form: form(request),
  field: "start",
  answerKey: ANSWER_KEY,
  confirmation: request.confirmation,
  tool: "start_export",
  act: "start this export",
  nothing: "nothing was sent",
  needs: "Starting an export needs the user's consent",
  howTo: START_HOW_TO,
  cannotAsk:
    "This server asks the user to confirm every export itself (--consent elicit), and this client cannot be asked " +
    "(it does not support elicitation); nothing was sent.\n" +
    "Next step: use a client that supports elicitation, or ask the person running the server to use --consent token or auto."
})

/** Consent from the user's answer (`undefined` when the client did not answer), or the refusal. */
const judge = (ask: Ask, answer: ElicitAnswer | undefined): CallToolResult | undefined => {
  if (answer === undefined) {
    return failure(
      `The user could not be asked to confirm (the client did not answer); ${ask.nothing}.\n` +
        `Next step: call ${ask.tool} again when the user is there to answer.`
    )
  }
  if (answer.action === "accept" && answer.content?.[ask.field] === true) return undefined
  return failure(
    `The user did not agree to ${ask.act} (${answer.action === "accept" ? "answered no" : answer.action === "decline" ? "declined" : "dismissed the question"}); ${ask.nothing}.\n` +
      "Next step: do not ask again unless the user asks for it."
  )
}

/** The 2026-07-28 round trip: the question on a first call, the judged answer on the retry. */
const inBand = (
  ask: Ask,
  round: InputRound
): Effect.Effect<CallToolResult | InputRequiredResult | undefined, Journal.JournalError, Consent> =>
  Effect.gen(function* () {
    const consent = yield* Consent
    const answered = round.responses !== undefined && Object.keys(round.responses).length > 0
    if (round.state === undefined) {
      if (answered) {
        return failure(
          `The answer is refused: it does not come with the request state of a question this server asked; ${ask.nothing}.\n` +
            `Next step: call ${ask.tool} again without an answer, so that the server asks the user.`
        )
      }
      const state = yield* consent.issue(ask.binding, "question")
      return inputRequired({
        inputRequests: {
          [ask.answerKey]: inputRequired.elicit({
            mode: "form",
            message: ask.form.message,
            requestedSchema: ask.form.requestedSchema
          })
        },
        requestState: state.token
      })
    }
    const refusal = yield* consent.redeem(round.state, ask.binding, "question")
    if (refusal !== undefined) {
      return failure(
        `The answer is refused: ${explain(refusal, "question")}; ${ask.nothing}.\n` +
          `Next step: call ${ask.tool} again without an answer, so that the server asks the user.`
      )
    }
    const view = inputResponse(round.responses, ask.answerKey)
    return judge(
      ask,
      view.kind === "elicit"
        ? { action: view.action, ...(view.content !== undefined ? { content: view.content } : {}) }
        : undefined
    )
  })

/** Consent for one start or download, the question to ask, or the refusal to return. */
export const obtain = (
  ask: Ask,
  context: CallContext
): Effect.Effect<CallToolResult | InputRequiredResult | undefined, Journal.JournalError, Consent> =>
  Effect.gen(function* () {
    const consent = yield* Consent
    if (consent.mode !== "token" && context.round !== undefined) return yield* inBand(ask, context.round)
    const elicit = consent.mode === "token" ? undefined : context.elicit
    if (elicit !== undefined) {
      const answer = yield* Effect.tryPromise(() => elicit(ask.form)).pipe(Effect.either)
      return judge(ask, answer._tag === "Left" ? undefined : answer.right)
    }
    if (consent.mode === "elicit") return failure(ask.cannotAsk)
    if (ask.confirmation === undefined) {
      return failure(`${ask.needs}, and no confirmation was given; ${ask.nothing}.\n${ask.howTo}`)
    }
    const refusal = yield* consent.redeem(ask.confirmation, ask.binding, ask.kind)
    if (refusal !== undefined) {
      return failure(
        `The confirmation is refused: ${explain(refusal, ask.kind)}; ${ask.nothing}.\n${ask.howTo}`
      )
    }
    return undefined
  })
