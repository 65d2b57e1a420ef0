/**
 * `describe_schedule`: one scheduled export, its next five run times and its latest runs (read only).
 */
import { Field, FilterSpec, JsonSchema, Validation } from "@booster-export/core"
import { Clock, Effect, Either, Schema } from "effect"
import { nextRuns, RunView, runView, Schedules, ScheduleView, view } from "./schedules.js"
import { failure, invalid, success, type Tool } from "./tool.js"

/** The number of runs shown, latest first. */
export const RUNS = 10

/** The arguments: the schedule's name. */
export const DescribeScheduleArguments = FilterSpec.make({
  required: { name: Field.text("name", { description: "From list_schedules." }) },
  optional: {},
  description: "Which schedule."
})

/** What the tool returns. */
export const DescribeScheduleOutput = Schema.Struct({
  ...ScheduleView.fields,
  purpose: Schema.optional(Schema.String),
  nextRuns: Schema.Array(Schema.String),
  runs: Schema.Array(RunView)
})

const kib = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`)

/** The describe tool. */
export const describeSchedule: Tool<Schedules> = {
  name: "describe_schedule",
  title: "One scheduled export",
  description: `A scheduled export, its next five run times and last ${RUNS} runs (read only).`,
  inputSchema: JsonSchema.ofFilter(DescribeScheduleArguments),
  outputSchema: JsonSchema.of(DescribeScheduleOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  call: (args) =>
    Effect.gen(function* () {
      const validated = Validation.validate(DescribeScheduleArguments, args)
      if (Either.isLeft(validated))
        return invalid(validated.left, "fix the fields listed above and ask again.")
      const name = validated.right.name as string
      const reader = yield* Effect.flatMap(Schedules, (s) => s.reader)
      const schedule = yield* reader.get(name)
      if (schedule === undefined) {
        return failure("No schedule has that name.\nNext step: call list_schedules for the names.")
      }
      const shown = {
        ...view(schedule),
        ...(schedule.purpose !== undefined ? { purpose: schedule.purpose } : {}),
        nextRuns: nextRuns(schedule, new Date(yield* Clock.currentTimeMillis), 5)
      }
      const runs = (yield* reader.runs(schedule.name, RUNS)).map(runView)
      const text = [
        `${shown.name}${shown.paused ? " (paused)" : ""}: ${shown.exports}`,
        `when: ${shown.cadence}`,
        `to: ${shown.destination}`,
        ...(shown.nextRuns.length > 0 ? [`next runs: ${shown.nextRuns.join(", ")}`] : []),
        runs.length === 0 ? "No runs yet." : "latest runs:",
        ...runs.map(
          (run) =>
            `  - ${run.due} ${run.status}` +
            (run.rows !== undefined ? `, ${run.rows} rows` : "") +
            (run.bytes !== undefined ? `, ${kib(run.bytes)}` : "") +
            (run.durationMs !== undefined ? `, ${(run.durationMs / 1000).toFixed(1)} s` : "") +
            (run.status === "delivered" && run.destination !== undefined ? `, to ${run.destination}` : "") +
            (run.reason !== undefined ? `: ${run.reason}` : "")
        )
      ].join("\n")
      return success(text, { ...shown, runs })
    }).pipe(
      Effect.catchTag("SchedulesUnavailable", (error) =>
        Effect.succeed(failure(`${error.message}.\nNext step: tell the user to run booster schedule show.`))
      )
    )
}
