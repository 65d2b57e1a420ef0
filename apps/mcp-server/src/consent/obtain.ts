/**
 * Gets the user's consent for one export, as the consent mode says: the preview's confirmation, or
 * a yes the server asks for through the client (form elicitation) showing who would be exported and
 * why. Returns `undefined` when consent is given, else the refusal to return (nothing was sent).
 */
import type { CallToolResult } from "@modelcontextprotocol/server"
import { Effect } from "effect"
import { failure } from "../tools/result.js"
import type { CallContext } from "../tools/tool.js"
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

/** The question put to the user. */
export const question = (request: Request): string =>
  "An AI assistant wants to export customer personal data from Booster.\n" +
  `Who: ${request.description}\n` +
  `Purpose: ${request.purpose ?? "(none given)"}\n` +
  "Start this export?"

/** Consent for one start, or the refusal to return. */
export const obtain = (
  request: Request,
  context: CallContext
): Effect.Effect<CallToolResult | undefined, never, Consent> =>
  Effect.gen(function* () {
    const consent = yield* Consent
    const elicit = consent.mode === "token" ? undefined : context.elicit
    if (elicit !== undefined) {
      const answer = yield* Effect.tryPromise(() =>
        elicit({
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
      ).pipe(Effect.either)
      if (answer._tag === "Left") {
        return failure(
          "The user could not be asked to confirm the export (the client did not answer); nothing was sent.\n" +
            "Next step: call start_customer_export again when the user is there to answer."
        )
      }
      if (answer.right.action === "accept" && answer.right.content?.start === true) return undefined
      return failure(
        `The user did not agree to start this export (${answer.right.action === "accept" ? "answered no" : answer.right.action === "decline" ? "declined" : "dismissed the question"}); nothing was sent.\n` +
          "Next step: do not start it again unless the user asks for it."
      )
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
