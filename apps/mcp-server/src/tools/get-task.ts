/**
 * `get_export_task`: the state of one export task, after following it for `waitSeconds` (default
 * 25, at most 50: a larger value is clamped and the result says so) or until it finishes, sending
 * `notifications/progress` at least every 5 s when the client gave a progress token — so that
 * clients that time out a silent request after 60 s keep waiting. For a finished export this server
 * did not start with the user's consent, it says so and (unless the server asks the user itself)
 * hands out a `downloadConfirmation` for that task, to pass to `download_export_file` once the user
 * agrees.
 */
import { FilterSpec, JsonSchema, Task, Validation } from "@booster-export/core"
import type * as Journal from "@booster-export/journal/Journal"
import * as Starts from "@booster-export/journal/Starts"
import { Duration, Effect, Either, Schema, Stream } from "effect"
import { Api } from "../booster/api.js"
import { Consent, taskBinding } from "../consent/consent.js"
import { describeTask, startedHere } from "../consent/download.js"
import { asyncTaskId, nonNegativeInteger } from "./args.js"
import { render } from "./errors.js"
import * as Kinds from "./kinds.js"
import { line, nextStep, summarize, TaskSummary } from "./task-summary.js"
import { success, type Tool } from "./tool.js"

/** How long a call follows the task when `waitSeconds` is not given, in seconds. */
export const DEFAULT_WAIT_SECONDS = 25

/** The longest a call follows the task, in seconds: a larger `waitSeconds` is clamped to it. */
export const MAX_WAIT_SECONDS = 50

/** The longest silence while following, in ms: a progress notification is sent at least this often. */
export const HEARTBEAT_MS = 5_000

/** The arguments: a task id and an optional wait. */
export const GetTaskArguments = FilterSpec.make({
  required: { asyncTaskId },
  optional: {
    waitSeconds: nonNegativeInteger(
      `Seconds to follow the task before answering (default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS}; 0 answers at once).`,
      [DEFAULT_WAIT_SECONDS],
      "must be a whole number of seconds, 0 or more"
    )
  },
  description: "Which task to read, and how long to wait for it."
})

/** What the tool returns. */
export const GetTaskOutput = Schema.Struct({
  ...TaskSummary.fields,
  waitedSeconds: Schema.Number.annotations({ description: "How long the call followed the task." }),
  waitClampedTo: Schema.optional(Schema.Number).annotations({
    description: `Present when waitSeconds was above ${MAX_WAIT_SECONDS}: the wait used.`
  }),
  startedHere: Schema.optional(Schema.Boolean).annotations({
    description:
      "For a downloadable export: true when this server started it with the user's consent (or as a stock export); false when it was started elsewhere, so its download needs their consent, whatever its task type (stock's does not tell a stock export from a movements export)."
  }),
  downloadConfirmation: Schema.optional(Schema.String).annotations({
    description:
      "For an export started elsewhere: once the user agrees to its download, pass this to download_export_file as confirmation. Single use, for this task only, until downloadConfirmationExpiresAt."
  }),
  downloadConfirmationExpiresAt: Schema.optional(Schema.String).annotations({
    description: "When downloadConfirmation stops being accepted, ISO-8601."
  })
})

/** The get-task tool. */
export const getTask: Tool<Api | Starts.Starts | Consent | Journal.Journal> = {
  name: "get_export_task",
  title: "Get an export task",
  description:
    "Reads an export task (status, percentage, counts), after following it for up to waitSeconds. " +
    "Still running: call again.",
  inputSchema: JsonSchema.ofFilter(GetTaskArguments),
  outputSchema: JsonSchema.of(GetTaskOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  call: (args, context) =>
    Effect.gen(function* () {
      const validated = Validation.validate(GetTaskArguments, args)
      if (Either.isLeft(validated)) {
        return render(validated.left, "fix the fields listed above; list_export_tasks shows the task ids.")
      }
      const id = String(validated.right.asyncTaskId)
      const asked =
        typeof validated.right.waitSeconds === "number" ? validated.right.waitSeconds : DEFAULT_WAIT_SECONDS
      const wait = Math.min(asked, MAX_WAIT_SECONDS)
      const api = yield* Api
      const starts = yield* Starts.Starts
      const consent = yield* Consent
      return yield* Effect.gen(function* () {
        const { client, host } = yield* api.connection
        const started = Date.now()
        if (wait > 0) {
          // progress must grow with every notification: the percentage, plus a hundredth per
          // heartbeat while it stands still
          let sent = -1
          let latest = { percentage: 0, status: "REQ" }
          const notify = (value: number) =>
            Effect.suspend(() => {
              sent = value
              return context.progress!(value, 100, `${latest.status} ${latest.percentage}%`)
            })
          const report = (progress: { readonly percentage: number; readonly status: string }) =>
            Effect.suspend(() => {
              latest = { percentage: progress.percentage, status: progress.status }
              return progress.percentage > sent ? notify(progress.percentage) : Effect.void
            })
          const heartbeat = Effect.suspend(() =>
            notify(Math.round((Math.max(sent, 0) + 0.01) * 100) / 100)
          ).pipe(Effect.delay(Duration.millis(HEARTBEAT_MS)), Effect.forever)
          const follow = client
            .followTask(id, { timeoutMs: wait * 1000 + 5_000, pollMaxMs: HEARTBEAT_MS })
            .pipe(
              Stream.runForEach((progress) =>
                context.progress === undefined ? Effect.void : report(progress)
              ),
              Effect.timeoutOption(Duration.seconds(wait)),
              Effect.catchTag("ExportFailedError", () => Effect.void)
            )
          yield* context.progress === undefined ? follow : Effect.raceFirst(follow, heartbeat)
        }
        const task = yield* client.getTask(id)
        const kind = (yield* Kinds.kindsOfTasks)(task)
        const summary = summarize(task, kind)
        const waitedSeconds = Math.round((Date.now() - started) / 100) / 10
        const clamped =
          asked > MAX_WAIT_SECONDS
            ? ` waitSeconds ${asked} was above the maximum; waited at most ${MAX_WAIT_SECONDS} s.`
            : ""
        const still =
          wait > 0 && !Task.isFinished(task)
            ? ` Still running after ${waitedSeconds} s: call get_export_task again to keep waiting.`
            : ""
        if (!summary.downloadReady) {
          return success(`${line(summary)}.${clamped}${still}\nNext step: ${nextStep(summary)}`, {
            ...summary,
            waitedSeconds,
            ...(asked > MAX_WAIT_SECONDS ? { waitClampedTo: MAX_WAIT_SECONDS } : {})
          })
        }
        // only this install's own record of starts counts (an unreadable one holds none): else the download asks
        const here = yield* startedHere(starts, { asyncTaskId: task.asyncTaskId, host, actor: context.actor })
        // the task type never waives consent: a task typed stock may be a movements export
        const why = Kinds.typeDoesNotTell(kind)
        // the server asks the user itself when it may and can: then a confirmation would not replace that yes
        const asks =
          consent.mode === "elicit" ||
          (consent.mode === "auto" && (context.elicit !== undefined || context.round !== undefined))
        const confirmation =
          here || asks
            ? undefined
            : yield* consent
                .issue(taskBinding(host, task.asyncTaskId), "download")
                .pipe(Effect.orElseSucceed(() => undefined))
        const expiresAt =
          confirmation === undefined ? undefined : new Date(confirmation.expiresAt).toISOString()
        const next = here
          ? `Next step: ${nextStep(summary)}`
          : "This export was started elsewhere (with booster, by a colleague or by another program), not by this server with the user's consent" +
            (why !== undefined ? `; ${why}, so its download needs the user's consent too` : "") +
            ".\n" +
            (confirmation === undefined
              ? `Next step: download_export_file with asyncTaskId ${summary.asyncTaskId}; the server will ask the user first.`
              : `Next step: tell the user which export it is, ${describeTask(summary)}, and that it was started elsewhere; ` +
                `only if they agree, call download_export_file with asyncTaskId ${summary.asyncTaskId} and confirmation: "${confirmation.token}" (single use, until ${expiresAt}).`)
        return success(`${line(summary)}.${clamped}${still}\n${next}`, {
          ...summary,
          waitedSeconds,
          ...(asked > MAX_WAIT_SECONDS ? { waitClampedTo: MAX_WAIT_SECONDS } : {}),
          startedHere: here,
          ...(confirmation !== undefined
            ? { downloadConfirmation: confirmation.token, downloadConfirmationExpiresAt: expiresAt }
            : {})
        })
      }).pipe(Effect.catchAll((error) => Effect.succeed(render(error))))
    })
}
