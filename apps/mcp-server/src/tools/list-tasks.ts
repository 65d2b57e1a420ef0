/**
 * `list_export_tasks`: the caller's export tasks, newest first, optionally by status.
 */
import { FilterSpec, JsonSchema, Task, Validation } from "@booster-export/core"
import type * as Journal from "@booster-export/journal/Journal"
import { Effect, Either, Schema } from "effect"
import { Api } from "../booster/api.js"
import { boundedInteger, oneOf } from "./args.js"
import { render } from "./errors.js"
import * as Kinds from "./kinds.js"
import { line, summarize, TaskSummary } from "./task-summary.js"
import { success, type Tool } from "./tool.js"

/** The default number of tasks listed. */
export const DEFAULT_LIMIT = 20

/** The arguments: an optional status and limit. */
export const ListTasksArguments = FilterSpec.make({
  required: {},
  optional: {
    status: oneOf("Only tasks in this state.", ["requested", "in-progress", "completed", "error", "unknown"]),
    limit: boundedInteger(
      "limit",
      `At most this many tasks, newest first (default ${DEFAULT_LIMIT}).`,
      1,
      200,
      [10]
    )
  },
  description: "Which tasks to list."
})

/** What the tool returns. */
export const ListTasksOutput = Schema.Struct({
  tasks: Schema.Array(TaskSummary),
  matching: Schema.Number.annotations({ description: "How many tasks matched, before the limit." })
})

const time = (task: Task.Task): number => Task.parseApiDate(task.requestDateRaw)?.getTime() ?? 0

/** The list tool. */
export const listTasks: Tool<Api | Journal.Journal> = {
  name: "list_export_tasks",
  title: "List export tasks",
  description: "Lists the export tasks these credentials can see, newest first, with their kind when known.",
  inputSchema: JsonSchema.ofFilter(ListTasksArguments),
  outputSchema: JsonSchema.of(ListTasksOutput),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  call: (args) =>
    Effect.gen(function* () {
      const validated = Validation.validate(ListTasksArguments, args)
      if (Either.isLeft(validated))
        return render(validated.left, "fix the fields listed above and list again.")
      const status = validated.right.status as string | undefined
      const limit = typeof validated.right.limit === "number" ? validated.right.limit : DEFAULT_LIMIT
      const api = yield* Api
      return yield* Effect.gen(function* () {
        const { client } = yield* api.connection
        const all = yield* client.listTasks()
        const matching = all
          .filter((task) => status === undefined || Task.statusKind(task.status) === status)
          .slice()
          .sort((a, b) => time(b) - time(a))
        const kindOf = yield* Kinds.kindsOfTasks
        const tasks = matching.slice(0, limit).map((task) => summarize(task, kindOf(task)))
        const text =
          tasks.length === 0
            ? `No ${status === undefined ? "" : `${status} `}export tasks.`
            : `${matching.length} task${matching.length === 1 ? "" : "s"}${status === undefined ? "" : ` ${status}`}` +
              `${matching.length > tasks.length ? `, the newest ${tasks.length} shown` : ""}:\n` +
              tasks.map((task) => `  - ${line(task)}`).join("\n")
        return success(text, { tasks, matching: matching.length })
      }).pipe(Effect.catchAll((error) => Effect.succeed(render(error))))
    })
}
