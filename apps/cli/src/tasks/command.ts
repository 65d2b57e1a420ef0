/**
 * `booster tasks list|get|wait|download`: everything about a task, resumable from a bare task id in
 * a new shell.
 */
import { Task } from "@booster-export/core"
import { Journal } from "@booster-export/journal"
import { Args, Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { withExamples } from "../app/help.js"
import * as Common from "../config/options.js"
import * as CliJournal from "../journal/journal.js"
import { UsageError } from "../output/errors.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"
import * as Follow from "./follow.js"
import * as Stdout from "./stdout.js"

const taskId = Args.text({ name: "task-id" }).pipe(
  Args.withDescription("The task id (asyncTaskId), with or without dashes.")
)

/** The task id given, checked before anything is asked of the API: a Guid, or a usage error (exit 2). */
const checkTaskId = (id: string): Effect.Effect<string, UsageError> =>
  Task.isGuid(id.trim())
    ? Effect.succeed(id.trim())
    : Effect.fail(
        new UsageError({
          message:
            "The task id must be a Guid: 32 hexadecimal digits, with or without dashes (e.g. 9b2e4f0a-6c1d-4e8b-8f3a-2d5c7b9e1a40)",
          hint: "`booster tasks list` and `booster history` show the ids of your tasks."
        })
      )

/** What this machine's journal knows of each task (its file, description and purpose), by canonical task id. */
const knownFiles = Effect.map(
  Effect.flatMap(Journal.Journal, (journal) => Effect.orElseSucceed(journal.entries, () => [])),
  (entries) => {
    const files = new Map<string, Table.KnownFile>()
    for (const row of Journal.rows(entries)) {
      files.set(Task.canonicalGuid(row.asyncTaskId), {
        kind: row.kind,
        file: row.file,
        bytes: row.bytes,
        description: row.description,
        purpose: row.purpose
      })
    }
    return files as ReadonlyMap<string, Table.KnownFile>
  }
)

const detail = (task: Task.Task) =>
  Effect.gen(function* () {
    const files = yield* knownFiles
    for (const line of Table.taskDetail(task, files.get(Task.canonicalGuid(task.asyncTaskId)), new Date())) {
      yield* Term.out(line)
    }
  })

const list = Command.make(
  "list",
  { limit: Common.limit, status: Common.status, json: Common.json, ...Common.settings },
  (opts) =>
    Effect.gen(function* () {
      const settings = yield* Common.resolve(opts)
      const client = yield* Common.client(settings)
      const wanted = Option.getOrUndefined(opts.status)
      const tasks = Table.newestFirst(
        yield* client.listTasks(),
        (task) => task.requestDate ?? task.requestDateRaw
      )
        .filter((task) => Table.hasStatus(task.status, wanted))
        .slice(0, Math.max(0, opts.limit))
      const files = yield* knownFiles
      if (opts.json) {
        return yield* Term.json(
          tasks.map((task) => {
            const known = files.get(Task.canonicalGuid(task.asyncTaskId))
            const kind = Table.kindOf(task, known)
            return {
              ...task,
              ...(kind !== undefined ? { kind } : {}),
              ...(known?.description !== undefined ? { description: known.description } : {}),
              ...(known?.purpose !== undefined ? { purpose: known.purpose } : {})
            }
          })
        )
      }
      if (tasks.length === 0)
        return yield* Term.err(wanted === undefined ? "No tasks." : `No ${wanted} tasks.`)
      for (const line of Table.taskTable(tasks, files, new Date())) yield* Term.out(line)
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples(
      "List the tasks your credentials can read, newest first: the export kind (as this machine's journal recorded it, else as the task type tells), local request dates and ages, rows, the size of files downloaded on this machine, and the purpose and description this machine's journal recorded.",
      ["booster tasks list", "booster tasks list --status error --limit 5", "booster tasks list --json"]
    )
  )
)

const get = Command.make("get", { taskId, json: Common.json, ...Common.settings }, (opts) =>
  Effect.gen(function* () {
    const id = yield* checkTaskId(opts.taskId)
    const settings = yield* Common.resolve(opts)
    const client = yield* Common.client(settings)
    const task = yield* client.getTask(id)
    if (opts.json) return yield* Term.json(task)
    yield* detail(task)
    if (task.signedDownloadUrl !== undefined || task.downloadUrl !== undefined) {
      yield* Term.err(Term.dim(Term.line`Download it with \`booster tasks download ${task.asyncTaskId}\`.`))
    }
  }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples("Show one task.", ["booster tasks get 9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40 --json"])
  )
)

const output = Options.text("output").pipe(
  Options.withPseudoName("PATH"),
  Options.withAlias("o"),
  Options.withDescription(
    "Download the file to this path or folder, or - for stdout (default: the export folder)."
  ),
  Options.optional
)
const overwrite = Options.boolean("overwrite").pipe(
  Options.withDescription("Replace an existing file at the destination.")
)
const timeout = Options.integer("timeout").pipe(
  Options.withPseudoName("SECONDS"),
  Options.withDescription("Stop waiting after this many seconds (exit 5; the task keeps running)."),
  Options.optional
)

const wait = Command.make(
  "wait",
  {
    taskId,
    output,
    download: Options.boolean("download").pipe(
      Options.withDescription("Download the file into the export folder when done.")
    ),
    overwrite,
    timeout,
    json: Common.json,
    ...Common.settings
  },
  (opts) =>
    Effect.gen(function* () {
      const id = yield* checkTaskId(opts.taskId)
      const settings = yield* Common.resolve(opts)
      const client = yield* Common.client(settings)
      const host = Journal.hostOf(settings.baseUrl)
      const out = Option.getOrUndefined(opts.output)
      yield* Stdout.check(out, opts.json)
      if ((out !== undefined && !Stdout.isStdout(out)) || opts.download) {
        yield* Follow.checkDestination(Follow.destinationOf(out, settings), opts.overwrite)
      }
      const task = yield* Follow.follow(client, id, {
        quiet: opts.json,
        host,
        output: out,
        download: opts.download,
        overwrite: opts.overwrite,
        timeoutMs: Option.getOrUndefined(Option.map(opts.timeout, (s) => s * 1000))
      })
      if (out === undefined && !opts.download) {
        if (opts.json) return yield* Term.json({ task: task })
        return yield* detail(task)
      }
      if (Stdout.isStdout(out)) {
        return yield* Term.err(Term.green(Stdout.summary(yield* Stdout.deliver(client, task, { host }))))
      }
      const file = yield* Follow.download(client, task, Follow.destinationOf(out, settings), {
        overwrite: opts.overwrite,
        host,
        retentionDays: settings.retentionDays
      })
      if (opts.json) return yield* Term.json({ task: task, file })
      yield* Term.out(file.path)
      yield* Term.err(Term.green(Follow.downloadSummary(file)))
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples("Follow a task until it ends (progress on stderr), then optionally download its file.", [
      "booster tasks wait 9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40",
      "booster tasks wait 9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40 --timeout 600 --output exports/"
    ])
  )
)

const download = Command.make(
  "download",
  { taskId, output, overwrite, json: Common.json, ...Common.settings },
  (opts) =>
    Effect.gen(function* () {
      const id = yield* checkTaskId(opts.taskId)
      const settings = yield* Common.resolve(opts)
      const client = yield* Common.client(settings)
      const host = Journal.hostOf(settings.baseUrl)
      const out = Option.getOrUndefined(opts.output)
      yield* Stdout.check(out, opts.json)
      if (Stdout.isStdout(out)) {
        return yield* Term.err(Term.green(Stdout.summary(yield* Stdout.deliver(client, id, { host }))))
      }
      const file = yield* Follow.download(
        client,
        id,
        Follow.destinationOf(Option.getOrUndefined(opts.output), settings),
        {
          overwrite: opts.overwrite,
          host,
          retentionDays: settings.retentionDays
        }
      )
      if (opts.json) return yield* Term.json({ file })
      yield* Term.out(file.path)
      yield* Term.err(Term.green(Follow.downloadSummary(file)))
    }).pipe(Effect.provide(CliJournal.fromOptions(opts)))
).pipe(
  Command.withDescription(
    withExamples("Download a completed task's file; the file appears only when complete.", [
      "booster tasks download 9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40 --output customers.csv"
    ])
  )
)

/** The `tasks` command. */
export const tasksCommand = Command.make("tasks").pipe(
  Command.withDescription(
    withExamples("Read, follow and download export tasks by id.", [
      "booster tasks list",
      "booster tasks wait 9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40 --output customers.csv"
    ])
  ),
  Command.withSubcommands([list, get, wait, download])
)
