/**
 * `start_customer_export`: starts an export, unless the same filter (same fingerprint) was started
 * within the dedupe window and its task did not end in error — then the existing task is returned,
 * so that an agent repeating itself does not export the same personal data twice. `force: true`
 * overrides. Either way the user's consent comes first (a returned task hands the assistant an
 * export as a new one would). Every start is journalled before it is sent (`GuardedStart` of the
 * journal); a journal that cannot be written stops it, `force` or not.
 */
import {
  ExportKind,
  type Field,
  FilterSpec,
  Fingerprint,
  JsonSchema,
  type Task,
  Validation
} from "@booster-export/core"
import * as GuardedStart from "@booster-export/journal/GuardedStart"
import type * as Journal from "@booster-export/journal/Journal"
import * as FingerprintKey from "@booster-export/transport/FingerprintKey"
import type { CallToolResult, InputRequiredResult } from "@modelcontextprotocol/server"
import { Data, Effect, Either, Schema } from "effect"
import { Api } from "../booster/api.js"
import type { Consent } from "../consent/consent.js"
import { obtain, startAsk } from "../consent/obtain.js"
import { boundedText, flag, purposeText } from "./args.js"
import { render } from "./errors.js"
import { Settings } from "./settings.js"
import { split, success, type Tool } from "./tool.js"

const kind = ExportKind.Customer

const own = {
  force: flag("force", "Start anew despite a start of this filter within the dedupe window (default false)."),
  confirmation: boundedText(
    "confirmation",
    "preview_customer_export's confirmation for this exact filter, once the user has agreed to it.",
    100,
    []
  ),
  purpose: purposeText(
    "Why it is needed, ticket-like (letters, digits, spaces, - _ # / . :; no phone number or date); recorded in the journal.",
    ["Quarterly CRM campaign ticket OPS-142"]
  )
} satisfies Record<string, Field.AnyField>

const required: Record<string, Field.AnyField> = {}
const optional: Record<string, Field.AnyField> = {}
for (const [name, field] of Object.entries(kind.filter.fields)) {
  if (kind.filter.required.includes(name)) required[name] = field
  else optional[name] = field
}

/** The arguments: the customer filter plus `force` and `purpose`. */
export const StartArguments = FilterSpec.make({
  required,
  optional: { ...optional, ...own },
  ranges: kind.filter.ranges,
  description: `${kind.filter.description} force starts anew within the dedupe window; purpose is recorded in the local journal; confirmation is the preview's, once the user has agreed.`
})

/** What a start returns. */
export const StartOutput = Schema.Struct({
  asyncTaskId: Schema.String.annotations({
    description: "The export task id; follow it with get_export_task."
  }),
  downloadRequestId: Schema.String.annotations({ description: "This client's id of the export request." }),
  fingerprint: Schema.String.annotations({
    description: "HMAC-SHA-256 of the normalised filter under this install's secret key (hmac-sha256:…)."
  }),
  reused: Schema.Boolean.annotations({
    description: "True when an export of the same filter started recently was returned instead of a new one."
  }),
  startedAt: Schema.String.annotations({
    description: "When the (possibly earlier) export was started, ISO-8601."
  }),
  description: Schema.String.annotations({ description: "Who is exported, in plain English." })
})

/** Consent was not given (or is being asked for): the result to return instead of starting. */
class NotConsented extends Data.TaggedError("NotConsented")<{
  readonly result: CallToolResult | InputRequiredResult
}> {}

/** The start tool. */
export const start: Tool<Api | Journal.Journal | Settings | Consent | FingerprintKey.FingerprintKey> = {
  name: "start_customer_export",
  title: "Start a customer export",
  description:
    "Starts a customer export; returns its asyncTaskId. Needs the user's consent: " +
    "show them preview_customer_export's description, pass its confirmation once they agree (or the server " +
    "asks them). A repeat within the dedupe window returns that task.",
  inputSchema: JsonSchema.ofFilter(StartArguments),
  outputSchema: JsonSchema.of(StartOutput),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  call: (args, context) =>
    Effect.gen(function* () {
      const validated = Validation.validate(StartArguments, args)
      if (Either.isLeft(validated)) {
        return render(
          validated.left,
          "fix the fields listed above (preview_customer_export checks a filter) and call start_customer_export again."
        )
      }
      const { own: flags, rest: filter } = split(validated.right as Record<string, unknown>, [
        "force",
        "purpose",
        "confirmation"
      ])
      const force = flags.force === true
      const purpose = typeof flags.purpose === "string" ? flags.purpose : undefined
      const confirmation = typeof flags.confirmation === "string" ? flags.confirmation : undefined
      const description = kind.describe(filter as never)
      const settings = yield* Settings
      const api = yield* Api
      const keys = yield* FingerprintKey.FingerprintKey

      return yield* Effect.gen(function* () {
        const fingerprint = Fingerprint.fingerprint((yield* keys.get).key, filter)
        /** The user's consent to this start (or to returning the `earlier` export), else `NotConsented`. */
        const consented = (earlier: { readonly at: string; readonly asyncTaskId: string } | undefined) =>
          Effect.flatMap(
            obtain(startAsk({ fingerprint, description, purpose, confirmation, earlier }), context),
            (refused) =>
              refused === undefined ? Effect.void : Effect.fail(new NotConsented({ result: refused }))
          )
        const { client, host } = yield* api.connection
        const outcome = yield* GuardedStart.run({
          source: "mcp",
          fingerprint,
          host,
          actor: context.actor,
          brand: String(filter.brand),
          description,
          purpose,
          start: (downloadRequestId) =>
            client.startExport(filter as ExportKind.FilterOf<typeof kind>, { downloadRequestId }),
          duplicateWindowMs: settings.dedupeWindowMs,
          force,
          taskStatus: (id) =>
            client.getTask(id).pipe(
              Effect.map((task): Task.Task | undefined => task),
              Effect.catchTag("NotFoundError", () => Effect.succeed(undefined))
            ),
          // a recent export of the same filter is returned only with the user's consent, as a new one
          onDuplicate: (earlier) =>
            Effect.as(
              consented({ at: earlier.entry.at, asyncTaskId: earlier.entry.asyncTaskId }),
              "reuse" as const
            ),
          onUnwritableJournal: "refuse",
          confirm: consented(undefined)
        })
        if (outcome._tag === "Started") {
          const { started, at, unrecorded, unrecordedHere } = outcome
          return success(
            `Started export task ${started.asyncTaskId}.\nWho: ${description}\nFingerprint: ${fingerprint}\n` +
              (unrecorded !== undefined
                ? `Warning: ${unrecorded.message}; a repeated start will not be recognised.\n`
                : "") +
              (unrecordedHere !== undefined
                ? `Warning: ${unrecordedHere.message}; downloading this export will ask for consent again.\n`
                : "") +
              `Next step: get_export_task with asyncTaskId ${started.asyncTaskId} and waitSeconds 45.`,
            {
              asyncTaskId: started.asyncTaskId,
              downloadRequestId: started.downloadRequestId,
              fingerprint,
              reused: false,
              startedAt: at,
              description
            }
          )
        }
        // consent was given: a repeat is returned (found under the lock, "refused" by GuardedStart,
        // it is the export just consented to as well)
        const { entry, task } = outcome
        const minutes = Math.round(settings.dedupeWindowMs / 60_000)
        return success(
          `The same export was started at ${entry.at} (task ${entry.asyncTaskId}${task !== undefined ? `, now ${task.status} ${task.percentage}%` : ""}); ` +
            `it is returned instead of exporting the same customers again within ${minutes} minutes.\n` +
            `Who: ${description}\n` +
            `Next step: get_export_task with asyncTaskId ${entry.asyncTaskId} and waitSeconds 45; ` +
            "or call start_customer_export again with force: true if a new export is really needed.",
          {
            asyncTaskId: entry.asyncTaskId,
            downloadRequestId: entry.downloadRequestId ?? "",
            fingerprint,
            reused: true,
            startedAt: entry.at,
            description
          }
        )
      }).pipe(
        Effect.catchTag("NotConsented", (refused) => Effect.succeed(refused.result)),
        Effect.catchAll((error) => Effect.succeed(render(error)))
      )
    })
}
