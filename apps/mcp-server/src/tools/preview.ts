/**
 * `preview_export`: validates and normalises a filter of any export kind without sending anything;
 * hands out a confirmation only for a kind whose file carries personal data.
 */
import { ExportKind, JsonSchema } from "@booster-export/core"
import * as FingerprintKey from "@booster-export/transport/FingerprintKey"
import * as Scrub from "@booster-export/transport/Scrub"
import { Effect, Either, Schema } from "effect"
import { Consent } from "../consent/consent.js"
import { render } from "./errors.js"
import * as Kinds from "./kinds.js"
import { invalid, success, type Tool } from "./tool.js"

/** The `downloadRequestId` shown in a preview: a real one is generated when the export starts. */
export const PREVIEW_DOWNLOAD_REQUEST_ID = "<generated when the export starts>"

/** What a preview returns. */
export const PreviewOutput = Schema.Struct({
  valid: Schema.Literal(true),
  kind: Schema.String.annotations({ description: "The export kind." }),
  personalData: Schema.Boolean.annotations({
    description: "True when the kind's file carries personal data: then a start needs the user's consent."
  }),
  description: Schema.String.annotations({ description: "What would be exported, in plain English." }),
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
  }).annotations({ description: "The request start_export would send (personal values replaced)." }),
  personalFieldsHidden: Schema.Array(Schema.String).annotations({
    description: "Fields whose values are personal data and are therefore not repeated."
  }),
  confirmation: Schema.optional(
    Schema.String.annotations({
      description:
        "Show the user the description; if they agree, pass this to start_export as confirmation. " +
        "Single use, for this exact filter only, until confirmationExpiresAt. Absent when the server asks the user itself, or for a kind without personal data."
    })
  ),
  confirmationExpiresAt: Schema.optional(
    Schema.String.annotations({ description: "When the confirmation stops being accepted, ISO-8601." })
  )
})

/** The preview tool: read-only, no network. */
export const preview: Tool<Consent | FingerprintKey.FingerprintKey> = {
  name: "preview_export",
  title: "Preview an export",
  description:
    "Checks an export filter of any kind (customers, stock, movements, sell-out, invoices, orders), sending " +
    "nothing: every problem by field, or what would be exported, the fingerprint and what start_export would send.",
  inputSchema: Kinds.inputSchema({}, "The export kind and its filter."),
  outputSchema: JsonSchema.of(PreviewOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  call: (args) =>
    Effect.gen(function* () {
      const chosen = Kinds.kindOf(args)
      if (Either.isLeft(chosen)) return invalid(chosen.left, "fix the kind and call preview_export again.")
      const { kind, rest } = chosen.right
      const fingerprintKey = yield* FingerprintKey.key
      const prepared = ExportKind.prepare(
        kind,
        { ...rest, downloadRequestId: PREVIEW_DOWNLOAD_REQUEST_ID },
        { fingerprintKey }
      )
      if (Either.isLeft(prepared)) {
        return invalid(
          Kinds.explainForeignFields(kind, prepared.left),
          "fix the fields listed above and call preview_export again."
        )
      }
      const personal = kind.personalData.carries
      const { downloadRequestId: _id, ...filter } = prepared.right.request
      const shown = Scrub.hidePersonal(kind.filter, filter)
      const body = Scrub.hidePersonal(
        kind.request,
        JSON.parse(prepared.right.body) as Record<string, unknown>
      )
      const hidden = shown.hidden
      const consent = yield* Consent
      const confirmation =
        consent.mode === "elicit" || !personal ? undefined : yield* consent.issue(prepared.right.fingerprint)
      const expiresAt =
        confirmation === undefined ? undefined : new Date(confirmation.expiresAt).toISOString()
      const text = [
        "The filter is valid. Nothing was sent.",
        personal
          ? `Export: ${kind.name} (personal data)`
          : `Export: ${kind.name}. Personal data: ${kind.personalData.what}`,
        `What: ${prepared.right.description}`,
        `Fingerprint: ${prepared.right.fingerprint}`,
        `Request: ${prepared.right.method} ${prepared.right.path}`,
        ...(hidden.length > 0 ? [`Personal values not repeated: ${hidden.join(", ")}.`] : []),
        !personal
          ? "Next step: start_export with the same arguments; no consent is asked for this kind."
          : confirmation === undefined
            ? "Next step: start_export with the same arguments; the server will ask the user to confirm."
            : "Next step: show the user what would be exported (above) and the purpose; only if they agree, call " +
              `start_export with the same arguments and confirmation: "${confirmation.token}" (single use, until ${expiresAt}).`
      ].join("\n")
      return success(text, {
        valid: true,
        kind: kind.name,
        personalData: personal,
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
