/**
 * `preview_customer_export`: validates and normalises a filter without sending anything.
 */
import { ExportKind, JsonSchema } from "@booster-export/core"
import * as FingerprintKey from "@booster-export/transport/FingerprintKey"
import * as Scrub from "@booster-export/transport/Scrub"
import { Effect, Either, Schema } from "effect"
import { Consent } from "../consent/consent.js"
import { render } from "./errors.js"
import { invalid, success, type Tool } from "./tool.js"

const kind = ExportKind.Customer

/** The `downloadRequestId` shown in a preview: a real one is generated when the export starts. */
export const PREVIEW_DOWNLOAD_REQUEST_ID = "<generated when the export starts>"

/** What a preview returns. */
export const PreviewOutput = Schema.Struct({
  valid: Schema.Literal(true),
  description: Schema.String.annotations({ description: "Who would be exported, in plain English." }),
  fingerprint: Schema.String.annotations({
    description:
      "HMAC-SHA-256 of the normalised filter under this install's secret key (hmac-sha256:…); the same filter always has the same fingerprint here, and a fingerprint reveals nothing of the filter."
  }),
  filter: Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
    description: "The normalised filter (personal values replaced by a placeholder)."
  }),
  request: Schema.Struct({
    method: Schema.String,
    path: Schema.String,
    body: Schema.Record({ key: Schema.String, value: Schema.Unknown })
  }).annotations({ description: "The request start_customer_export would send (personal values replaced)." }),
  personalFieldsHidden: Schema.Array(Schema.String).annotations({
    description: "Fields whose values are personal data and are therefore not repeated."
  }),
  confirmation: Schema.optional(
    Schema.String.annotations({
      description:
        "Show the user the description; if they agree, pass this to start_customer_export as confirmation. " +
        "Single use, for this exact filter only, until confirmationExpiresAt. Absent when the server asks the user itself."
    })
  ),
  confirmationExpiresAt: Schema.optional(
    Schema.String.annotations({ description: "When the confirmation stops being accepted, ISO-8601." })
  )
})

/** The preview tool: read-only, no network. */
export const preview: Tool<Consent | FingerprintKey.FingerprintKey> = {
  name: "preview_customer_export",
  title: "Preview a customer export",
  description:
    "Checks a customer export filter, sending nothing: every problem by field, or who would be exported, " +
    "the fingerprint and what start_customer_export would send.",
  inputSchema: JsonSchema.ofFilter(kind.filter),
  outputSchema: JsonSchema.of(PreviewOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  call: (args) =>
    Effect.gen(function* () {
      const fingerprintKey = yield* FingerprintKey.key
      const prepared = ExportKind.prepare(
        kind,
        { ...args, downloadRequestId: PREVIEW_DOWNLOAD_REQUEST_ID },
        { fingerprintKey }
      )
      if (Either.isLeft(prepared)) {
        return invalid(prepared.left, "fix the fields listed above and call preview_customer_export again.")
      }
      const { downloadRequestId: _id, ...filter } = prepared.right.request
      const shown = Scrub.hidePersonal(kind.filter, filter)
      const body = Scrub.hidePersonal(
        kind.request,
        JSON.parse(prepared.right.body) as Record<string, unknown>
      )
      const hidden = shown.hidden
      const consent = yield* Consent
      const confirmation =
        consent.mode === "elicit" ? undefined : yield* consent.issue(prepared.right.fingerprint)
      const expiresAt =
        confirmation === undefined ? undefined : new Date(confirmation.expiresAt).toISOString()
      const text = [
        "The filter is valid. Nothing was sent.",
        `Who: ${prepared.right.description}`,
        `Fingerprint: ${prepared.right.fingerprint}`,
        `Request: ${prepared.right.method} ${prepared.right.path}`,
        ...(hidden.length > 0 ? [`Personal values not repeated: ${hidden.join(", ")}.`] : []),
        confirmation === undefined
          ? "Next step: start_customer_export with the same arguments; the server will ask the user to confirm."
          : "Next step: show the user who would be exported (above) and the purpose; only if they agree, call " +
            `start_customer_export with the same arguments and confirmation: "${confirmation.token}" (single use, until ${expiresAt}).`
      ].join("\n")
      return success(text, {
        valid: true,
        description: prepared.right.description,
        fingerprint: prepared.right.fingerprint,
        filter: shown.value,
        request: { method: prepared.right.method, path: prepared.right.path, body: body.value },
        personalFieldsHidden: hidden,
        ...(confirmation !== undefined
          ? { confirmation: confirmation.token, confirmationExpiresAt: expiresAt }
          : {})
      })
    }).pipe(Effect.catchAll((error) => Effect.succeed(render(error))))
}
