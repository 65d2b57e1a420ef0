/**
 * `start_export`: starts an export of any kind, unless the same filter of the same kind (same
 * fingerprint) was started within the dedupe window and its task did not end in error — then the
 * existing task is returned, so that an agent repeating itself does not export the same data twice.
 * `force: true` overrides. For a kind whose file carries personal data the user's consent comes first
 * either way (a returned task hands the assistant an export as a new one would); a kind without known
 * personal data (stock) starts without a consent round. Every start is journalled, with its kind,
 * before it is sent (`GuardedStart` of the journal); a journal that cannot be written stops it,
 * `force` or not. A start whose answer is lost is reconciled without adopting a task the journal
 * already knows.
 */
import { ExportKind, type Field, FilterSpec, JsonSchema, type Task, Validation } from "@booster-export/core"
import * as GuardedStart from "@booster-export/journal/GuardedStart"
import * as Journal from "@booster-export/journal/Journal"
import * as FingerprintKey from "@booster-export/transport/FingerprintKey"
import type { CallToolResult, InputRequiredResult } from "@modelcontextprotocol/server"
import { Data, Effect, Either, Schema } from "effect"
import { Api } from "../booster/api.js"
import type { Consent } from "../consent/consent.js"
import { obtain, startAsk } from "../consent/obtain.js"
import { boundedText, flag, purposeText } from "./args.js"
import { render } from "./errors.js"
import * as Kinds from "./kinds.js"
import { Settings } from "./settings.js"
import { split, success, type Tool } from "./tool.js"

const own = {
  force: flag("force", "Start anew despite a start of this filter within the dedupe window (default false)."),
  confirmation: boundedText(
    "confirmation",
    "preview_export's confirmation for this exact filter, once the user has agreed to it (kinds with personal data).",
    100,
    []
  ),
  purpose: purposeText(
    "Why it is needed, ticket-like (letters, digits, spaces, - _ # / . :; no phone number or date); recorded in the journal.",
    ["Quarterly CRM campaign ticket OPS-142"]
  )
} satisfies Record<string, Field.AnyField>

/** The arguments of a start of `kind`: its filter plus `force`, `purpose` and `confirmation`. */
export const startArguments = (kind: ExportKind.Any) => {
  const required: Record<string, Field.AnyField> = {}
  const optional: Record<string, Field.AnyField> = {}
  for (const [name, field] of Object.entries(kind.filter.fields)) {
    if (kind.filter.required.includes(name)) required[name] = field
    else optional[name] = field
  }
  return FilterSpec.make({
    required,
    optional: { ...optional, ...own },
    ranges: kind.filter.ranges,
    description: `${kind.filter.description} force starts anew within the dedupe window; purpose is recorded in the local journal; confirmation is the preview's, once the user has agreed.`
  })
}

const argumentsByKind = new Map(ExportKind.all.map((kind) => [kind.name, startArguments(kind)]))

/** The arguments of a customer start (the kind of a call without `kind`). */
export const StartArguments = startArguments(ExportKind.Customer)

/** How far back the journal's tasks are never taken for a lost start's task: a day. */
const KNOWN_TASKS_MS = 24 * 60 * 60 * 1000

/** The tasks the journal knows from the last day: never adopted when a lost start is reconciled. */
const knownTasks = Journal.knownTaskIds(KNOWN_TASKS_MS)

/** What a start returns. */
export const StartOutput = Schema.Struct({
  kind: Schema.String.annotations({ description: "The export kind." }),
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
  description: Schema.String.annotations({ description: "What is exported, in plain English." }),
  reconciliation: Schema.optional(
    Schema.String.annotations({
      description:
        "Present when the start's answer was lost and its task was found afterwards: how (task-type, or time-window when the kind's task type is unknown)."
    })
  )
})

/** Consent was not given (or is being asked for): the result to return instead of starting. */
class NotConsented extends Data.TaggedError("NotConsented")<{
  readonly result: CallToolResult | InputRequiredResult
}> {}

/** The start tool. */
export const start: Tool<Api | Journal.Journal | Settings | Consent | FingerprintKey.FingerprintKey> = {
  name: "start_export",
  title: "Start an export",
  description:
    "Starts an export of any kind; returns its asyncTaskId. A kind with personal data needs the user's consent: " +
    "show them preview_export's description, pass its confirmation once they agree (or the server " +
    "asks them); stock starts without. A repeat within the dedupe window returns that task.",
  inputSchema: Kinds.inputSchema(own, "The export kind, its filter, and how to start it."),
  outputSchema: JsonSchema.of(StartOutput),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  call: (args, context) =>
    Effect.gen(function* () {
      const next = "fix the fields listed above (preview_export checks a filter) and call start_export again."
      const chosen = Kinds.kindOf(args)
      if (Either.isLeft(chosen)) return render(chosen.left, next)
      const { kind, rest } = chosen.right
      const validated = Validation.validate(argumentsByKind.get(kind.name) ?? StartArguments, rest)
      if (Either.isLeft(validated)) return render(Kinds.explainForeignFields(kind, validated.left), next)
      const personal = kind.personalData.carries
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
        const fingerprint = ExportKind.fingerprint(kind, (yield* keys.get).key, filter)
        /**
         * The user's consent to this start (or to returning the `earlier` export), else
         * `NotConsented`; none is asked for a kind without personal data.
         */
        const consented = (earlier: { readonly at: string; readonly asyncTaskId: string } | undefined) =>
          personal
            ? Effect.flatMap(
                obtain(startAsk({ kind, fingerprint, description, purpose, confirmation, earlier }), context),
                (refused) =>
                  refused === undefined ? Effect.void : Effect.fail(new NotConsented({ result: refused }))
              )
            : Effect.void
        const { client, host } = yield* api.connection
        const outcome = yield* GuardedStart.run({
          source: "mcp",
          kind: kind.name,
          fingerprint,
          host,
          actor: context.actor,
          brand: String(filter.brand),
          description,
          purpose,
          start: (downloadRequestId) =>
            Effect.flatMap(knownTasks, (exclude) =>
              client.startExport(kind, filter, { downloadRequestId, exclude })
            ),
          duplicateWindowMs: settings.dedupeWindowMs,
          force,
          taskStatus: (id) =>
            client.getTask(id).pipe(
              Effect.map((task): Task.Task | undefined => task),
              Effect.catchTag("NotFoundError", () => Effect.succeed(undefined))
            ),
          // a recent export of the same filter is returned only with the user's consent, as a new one
          // (for a kind with personal data)
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
          const reconciliation = started.reconciliation
          return success(
            `Started export task ${started.asyncTaskId} (${kind.name}).\nWhat: ${description}\nFingerprint: ${fingerprint}\n` +
              (reconciliation !== undefined
                ? `The answer to the start was lost; the task was found afterwards ${reconciliation.by === "time-window" ? `by brand and time window only (the task type of ${kind.label} exports is not known; no task the journal knows was taken)` : "by its task type, brand and time"}: check it with get_export_task. It may be someone else's export, so downloading it will ask the user first.\n`
                : "") +
              (unrecorded !== undefined
                ? `Warning: ${unrecorded.message}; a repeated start will not be recognised.\n`
                : "") +
              (unrecordedHere !== undefined
                ? `Warning: ${unrecordedHere.message}; downloading this export will ask for consent again.\n`
                : "") +
              `Next step: get_export_task with asyncTaskId ${started.asyncTaskId} and waitSeconds 45.`,
            {
              kind: kind.name,
              asyncTaskId: started.asyncTaskId,
              downloadRequestId: started.downloadRequestId,
              fingerprint,
              reused: false,
              startedAt: at,
              description,
              ...(reconciliation !== undefined ? { reconciliation: reconciliation.by } : {})
            }
          )
        }
        // consent was given: a repeat is returned (found under the lock, "refused" by GuardedStart,
        // it is the export just consented to as well)
        const { entry, task } = outcome
        const minutes = Math.round(settings.dedupeWindowMs / 60_000)
        return success(
          `The same export was started at ${entry.at} (task ${entry.asyncTaskId}${task !== undefined ? `, now ${task.status} ${task.percentage}%` : ""}); ` +
            `it is returned instead of exporting the same ${kind.label} again within ${minutes} minutes.\n` +
            `What: ${description}\n` +
            `Next step: get_export_task with asyncTaskId ${entry.asyncTaskId} and waitSeconds 45; ` +
            "or call start_export again with force: true if a new export is really needed.",
          {
            kind: kind.name,
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
