/**
 * `list_schedules`: the recurring exports people scheduled with `booster schedule add` (read only:
 * no tool adds, changes, pauses, resumes, removes or runs one).
 */
import { type Field, FilterSpec, JsonSchema, Validation } from "@booster-export/core"
import { Clock, Effect, Either, Schema } from "effect"
import { nextRuns, Schedules, ScheduleView, view } from "./schedules.js"
import { failure, invalid, success, type Tool } from "./tool.js"

/** The arguments: an optional state. */
export const ListSchedulesArguments = FilterSpec.make({
  required: {},
  optional: {
    state: {
      schema: Schema.Literal("active", "paused").annotations({ description: "Only those in this state." }),
      normalize: (raw) => (typeof raw === "string" ? raw.trim().toLowerCase() : raw),
      kind: { _tag: "Text" },
      doc: { description: "Only those in this state." }
    } satisfies Field.AnyField
  },
  description: "Which schedules to list."
})

/** What the tool returns. */
export const ListSchedulesOutput = Schema.Struct({
  schedules: Schema.Array(Schema.Struct({ ...ScheduleView.fields, nextRun: Schema.optional(Schema.String) }))
})

/** The list tool. */
export const listSchedules: Tool<Schedules> = {
  name: "list_schedules",
  title: "Scheduled exports",
  description: "Lists the scheduled exports (read only).",
  inputSchema: JsonSchema.ofFilter(ListSchedulesArguments),
  outputSchema: JsonSchema.of(ListSchedulesOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  call: (args) =>
    Effect.gen(function* () {
      const validated = Validation.validate(ListSchedulesArguments, args)
      if (Either.isLeft(validated))
        return invalid(validated.left, "fix the fields listed above and list again.")
      const state = validated.right.state as string | undefined
      const schedules = yield* Effect.flatMap(Schedules, (s) => s.reader).pipe(Effect.flatMap((r) => r.list))
      const now = new Date(yield* Clock.currentTimeMillis)
      const shown = schedules
        .filter((schedule) => state === undefined || schedule.paused === (state === "paused"))
        .map((schedule) => {
          const [next] = nextRuns(schedule, now, 1)
          return { ...view(schedule), ...(next !== undefined ? { nextRun: next } : {}) }
        })
      const text =
        shown.length === 0
          ? `No ${state === undefined ? "" : `${state} `}scheduled exports.`
          : `${shown.length} scheduled export${shown.length === 1 ? "" : "s"}:\n` +
            shown
              .map(
                (s) =>
                  `  - ${s.name}: ${s.exports}; ${s.cadence}; to ${s.destination}; ${s.nextRun !== undefined ? `next ${s.nextRun}` : "paused"}`
              )
              .join("\n")
      return success(text, { schedules: shown })
    }).pipe(
      Effect.catchTag("SchedulesUnavailable", (error) =>
        Effect.succeed(failure(`${error.message}.\nNext step: tell the user to run booster schedule list.`))
      )
    )
}
