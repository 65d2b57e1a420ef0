/**
 * `get_export_task`: the state of one export task; with `waitSeconds`, follows it for up to that
 * long (at most 120 s), sending `notifications/progress` when the client gave a progress token.
 */
import { FilterSpec, JsonSchema, Task, Validation } from "@booster-export/core"
import { Duration, Effect, Either, Schema, Stream } from "effect"
import { Api } from "../booster/api.js"
import { asyncTaskId, boundedInteger } from "./args.js"
import { render } from "./errors.js"
import { line, nextStep, summarize, TaskSummary } from "./task-summary.js"
import { jsonSchemaOf, success, type Tool } from "./tool.js"

/** The longest a call may wait, in seconds. */
export const MAX_WAIT_SECONDS = 120

/** The arguments: a task id and an optional wait. */
export const GetTaskArguments = FilterSpec.make({
  required: { asyncTaskId },
  optional: {
    waitSeconds: boundedInteger(
      "waitSeconds",
      `Follow the task for up to this many seconds (0..${MAX_WAIT_SECONDS}) and return when it finishes or the time is up; progress is notified when the request carries a progress token. Keep it below the client's request timeout (often 60 s): 45 is a safe choice.`,
      0,
      MAX_WAIT_SECONDS,
      [45]
    )
  },
  description: "Which task to read, and how long to wait for it."
})

/** What the tool returns. */
export const GetTaskOutput = Schema.Struct({
  ...TaskSummary.fields,
  waitedSeconds: Schema.Number.annotations({ description: "How long the call followed the task." })
})

/** The get-task tool. */
export const getTask: Tool<Api> = {
  name: "get_export_task",
  title: "Get an export task",
  description:
    "Reads an export task: status, percentage and record counts. With waitSeconds (up to 120), follows the " +
    "task until it finishes or the time is up, sending progress notifications; call again to keep waiting. Many clients time out a request after 60 s, " +
    "so prefer waitSeconds 45 and repeat.",
  inputSchema: JsonSchema.ofFilter(GetTaskArguments),
  outputSchema: jsonSchemaOf(GetTaskOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  call: (args, context) =>
    Effect.gen(function* () {
      const validated = Validation.validate(GetTaskArguments, args)
      if (Either.isLeft(validated)) {
        return render(validated.left, "fix the fields listed above; list_export_tasks shows the task ids.")
      }
      const id = String(validated.right.asyncTaskId)
      const wait = typeof validated.right.waitSeconds === "number" ? validated.right.waitSeconds : 0
      const api = yield* Api
      return yield* Effect.gen(function* () {
        const { client } = yield* api.connection
        const started = Date.now()
        if (wait > 0) {
          let sent = -1
          const report = (progress: { readonly percentage: number; readonly status: string }) =>
            context.progress !== undefined && progress.percentage > sent
              ? Effect.suspend(() => {
                  sent = progress.percentage
                  return context.progress!(
                    progress.percentage,
                    100,
                    `${progress.status} ${progress.percentage}%`
                  )
                })
              : Effect.void
          yield* client.followTask(id, { timeoutMs: wait * 1000 + 5_000, pollMaxMs: 5_000 }).pipe(
            Stream.runForEach(report),
            Effect.timeoutOption(Duration.seconds(wait)),
            Effect.catchTag("ExportFailedError", () => Effect.void)
          )
        }
        const task = yield* client.getTask(id)
        const summary = summarize(task)
        const waitedSeconds = Math.round((Date.now() - started) / 100) / 10
        const still = wait > 0 && !Task.isFinished(task) ? ` Still running after ${waitedSeconds} s.` : ""
        return success(`${line(summary)}.${still}\nNext step: ${nextStep(summary)}`, {
          ...summary,
          waitedSeconds
        })
      }).pipe(Effect.catchAll((error) => Effect.succeed(render(error))))
    })
}
