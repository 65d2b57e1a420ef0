/**
 * Gets the user's consent for one export, as the consent mode says: the preview's confirmation, or
 * a yes the server asks for through the client (a form) showing who would be exported and why. A
 * 2025-era client is asked with an `elicitation/create` request; a 2026-07-28 client, which has no
 * server-to-client requests, with an input-required result: the client asks the user and calls again
 * with the answer and the request state, which this server issued for that exact filter, single use
 * and expiring like a confirmation. Returns `undefined` when consent is given, else the result to
 * return (a refusal, nothing sent; or the question); fails when the team database keeping the
 * tokens cannot be reached.
 */

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
import { Consent, explain } from "./consent.js"

/** What the user is asked about. */
export interface Request {
  /** Fingerprint of the normalised filter. */
  readonly fingerprint: string
  /** Who would be exported, in plain English (no personal value). */
  readonly description: string
  readonly purpose: string | undefined
  /** The preview's confirmation, if the assistant passed one. */
  readonly confirmation: string | undefined
}

const HOW_TO =
  "Next step: call preview_customer_export with the same filter, show the user who would be exported and why, " +
  "and only if they agree call start_customer_export again with the same arguments and confirmation set to the " +
  "preview's confirmation."

/** The key of the question in an input-required result, and of its answer on the retried call. */
export const ANSWER_KEY = "startExport"

/**
 * The question put to the user, without control characters (the filter's labels come from the
 * assistant: a bidirectional override must not disguise what the user is asked).
 */
export const question = (request: Request): string =>
  cleanText(
    "An AI assistant wants to export customer personal data from Booster.\n" +
      `Who: ${request.description}\n` +
      `Purpose: ${request.purpose ?? "(none given)"}\n` +
      "Start this export?"
  )

/** The form asking the user: the question and one yes/no field. */
export const form = (request: Request): ElicitForm => ({
  message: question(request),
  requestedSchema: {
    type: "object",
    properties: {
      start: {
        type: "boolean",
        title: "Start this export",
        description: "Yes exports the customers described above."
      }
    },
    required: ["start"]
  }
})

/** Consent from the user's answer (`undefined` when the client did not answer), or the refusal. */
const judge = (answer: ElicitAnswer | undefined): CallToolResult | undefined => {
  if (answer === undefined) {
    return failure(
      "The user could not be asked to confirm the export (the client did not answer); nothing was sent.\n" +
        "Next step: call start_customer_export again when the user is there to answer."
    )
  }
  if (answer.action === "accept" && answer.content?.start === true) return undefined
  return failure(
    `The user did not agree to start this export (${answer.action === "accept" ? "answered no" : answer.action === "decline" ? "declined" : "dismissed the question"}); nothing was sent.\n` +
      "Next step: do not start it again unless the user asks for it."
  )
}

/** The 2026-07-28 round trip: the question on a first call, the judged answer on the retry. */
const inBand = (
  request: Request,
  round: InputRound
): Effect.Effect<CallToolResult | InputRequiredResult | undefined, Journal.JournalError, Consent> =>
  Effect.gen(function* () {
    const consent = yield* Consent
    const answered = round.responses !== undefined && Object.keys(round.responses).length > 0
    if (round.state === undefined) {
      if (answered) {
        return failure(
          "The answer is refused: it does not come with the request state of a question this server asked; nothing was sent.\n" +
            "Next step: call start_customer_export again without an answer, so that the server asks the user."
        )
      }
      const state = yield* consent.issue(request.fingerprint, "question")
      const { message, requestedSchema } = form(request)
      return inputRequired({
        inputRequests: {
          [ANSWER_KEY]: inputRequired.elicit({
            mode: "form",
            message,
            requestedSchema
          })
        },
        requestState: state.token
      })
    }
    const refusal = yield* consent.redeem(round.state, request.fingerprint, "question")
    if (refusal !== undefined) {
      return failure(
        `The answer is refused: ${explain(refusal, "question")}; nothing was sent.\n` +
          "Next step: call start_customer_export again without an answer, so that the server asks the user."
      )
    }
    const view = inputResponse(round.responses, ANSWER_KEY)
    return judge(
      view.kind === "elicit"
        ? { action: view.action, ...(view.content !== undefined ? { content: view.content } : {}) }
        : undefined
    )
  })

/** Consent for one start, the question to ask, or the refusal to return. */
export const obtain = (
  request: Request,
  context: CallContext
): Effect.Effect<CallToolResult | InputRequiredResult | undefined, Journal.JournalError, Consent> =>
  Effect.gen(function* () {
    const consent = yield* Consent
    if (consent.mode !== "token" && context.round !== undefined) return yield* inBand(request, context.round)
    const elicit = consent.mode === "token" ? undefined : context.elicit
    if (elicit !== undefined) {
      const answer = yield* Effect.tryPromise(() => elicit(form(request))).pipe(Effect.either)
      return judge(answer._tag === "Left" ? undefined : answer.right)
    }
    if (consent.mode === "elicit") {
      return failure(
        "This server asks the user to confirm every new export itself (--consent elicit), and this client cannot be asked " +
          "(it does not support elicitation); nothing was sent.\n" +
          "Next step: use a client that supports elicitation, or ask the person running the server to use --consent token or auto."
      )
    }
    if (request.confirmation === undefined) {
      return failure(
        `Starting an export needs the user's consent, and no confirmation was given; nothing was sent.\n${HOW_TO}`
      )
    }
    const refusal = yield* consent.redeem(request.confirmation, request.fingerprint)
    if (refusal !== undefined)
      return failure(`The confirmation is refused: ${explain(refusal)}; nothing was sent.\n${HOW_TO}`)
    return undefined
  })
