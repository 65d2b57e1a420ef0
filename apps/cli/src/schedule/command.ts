/**
 * `booster schedule add|list|show|pause|resume|remove|runs|run-due` and `booster worker`: recurring
 * exports run once per schedule and due time by the durable engine of `@booster-export/schedule`,
 * their files delivered to a folder. `run-due` (from cron or a systemd timer) and `worker` run the
 * same code.
 */
import { randomUUID } from "node:crypto"
import { ExportKind } from "@booster-export/core"
import * as Destination from "@booster-export/schedule/Destination"
import * as ExportSchedule from "@booster-export/schedule/ExportSchedule"
import type * as RunDue from "@booster-export/schedule/RunDue"
import type * as ScheduleStore from "@booster-export/schedule/ScheduleStore"
import * as Redact from "@booster-export/transport/Redact"
import * as Scrub from "@booster-export/transport/Scrub"
import { Args, Command, Options, Prompt } from "@effect/cli"
import { Clock, Duration, Effect, Either, type Layer, Option } from "effect"
import { withExamples } from "../app/help.js"
import * as Common from "../config/options.js"
import * as FilterFile from "../export/filter-file.js"
import { flagOf } from "../export/filter-flags.js"
import * as FilterInput from "../export/filter-input.js"
import { filterFileOption, filterOptions, savedFilterOption } from "../export/filter-options.js"
import { resolvePersonal } from "../export/personal-input.js"
import * as Filters from "../filters/store.js"
import { DeclinedError, ScheduledRunFailedError, UsageError } from "../output/errors.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"

const runtime = Effect.promise(() => import("./runtime.js"))

/** A schedule that does not exist is a usage error (exit 2); a name taken too. */
const storeErrors = <A, E, R>(effect: Effect.Effect<A, E | ScheduleStore.ScheduleStoreError, R>) =>
  Effect.catchIf(
    effect,
    (error): error is ScheduleStore.ScheduleStoreError =>
      (error as { _tag?: unknown })._tag === "ScheduleStoreError" &&
      (error as ScheduleStore.ScheduleStoreError).reason !== "database",
    (error) =>
      Effect.fail(
        new UsageError({
          message: error.message,
          hint:
            error.reason === "exists"
              ? "Choose another name, or remove that schedule first."
              : "`booster schedule list` shows the schedules."
        })
      )
  )

/** Runs an effect with the schedule store of the profile's settings (opened for the command only). */
const withStore = <A, E, R>(
  effect: Effect.Effect<A, E, R | ScheduleStore.ScheduleStore>,
  profile: Option.Option<string> = Option.none()
) =>
  storeErrors(
    Effect.gen(function* () {
      const settings = yield* Common.resolve({ profile, baseUrl: Option.none(), apiKeyFile: Option.none() })
      const rt = yield* runtime
      return yield* Effect.provide(effect, rt.storeLayer(settings))
    })
  )

const storeService = Effect.flatMap(runtime, (rt) => rt.ScheduleStore.ScheduleStore)

const name = Args.text({ name: "name" }).pipe(
  Args.withDescription(
    "The schedule's name: letters, digits, '.', '_' or '-' (it names the folder of its files)."
  )
)

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC"

/** A time in the schedule's zone: `2026-03-30 07:00 (Europe/Paris)`. */
const inZone = (date: Date, timeZone: string): string =>
  `${date.toLocaleString("sv-SE", { timeZone, hour12: false }).slice(0, 16)} (${timeZone})`

const usage = (message: string, hint: string) => new UsageError({ message, hint })

const addOptions = {
  kind: Options.text("kind").pipe(
    Options.withPseudoName("KIND"),
    Options.withDescription(Common.kindDescription),
    Options.withDefault("customers")
  ),
  filter: filterOptions,
  savedFilter: savedFilterOption,
  filterFile: filterFileOption,
  cron: Options.text("cron").pipe(
    Options.withPseudoName("EXPR"),
    Options.withDescription('When it runs: a cron expression, e.g. "0 7 * * MON" (every Monday at 07:00).')
  ),
  tz: Options.text("tz").pipe(
    Options.withPseudoName("ZONE"),
    Options.withDescription(
      "The time zone of the cron expression (IANA, e.g. Europe/Paris; default the local one)."
    ),
    Options.optional
  ),
  to: Options.text("to").pipe(
    Options.withPseudoName("URI"),
    Options.withDescription(
      "Where each file goes: file:///folder/ (folders 0700, files 0600), sftp://user@host:port/folder/ (key from BOOSTER_SFTP_KEY_FILE or the SSH agent; host key checked in BOOSTER_SFTP_KNOWN_HOSTS or ~/.ssh/known_hosts) or s3://bucket/prefix/ with ?endpoint=URL&region=NAME&sse=AES256 (credentials from the AWS environment or files). No credentials in the URI."
    )
  ),
  purpose: Options.text("purpose").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("Why these exports are needed (recorded with each run; no personal data)."),
    Options.optional
  ),
  catchUp: Options.choice("catch-up", ["none", "latest", "all"]).pipe(
    Options.withDescription(
      "Runs missed while nothing ran: none (skip them), latest (run the last one; default) or all."
    ),
    Options.withDefault("latest" as const)
  ),
  retentionDays: Options.integer("retention-days").pipe(
    Options.withPseudoName("DAYS"),
    Options.withDescription("How long delivered files in a local folder are kept (default: kept)."),
    Options.optional
  ),
  allowPersonal: Options.boolean("allow-personal").pipe(
    Options.withDescription(
      "Allow personal values (email, phone, search key) in the stored filter; never shown."
    )
  ),
  yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("Add without asking.")),
  noInput: Common.noInput,
  json: Common.json,
  profile: Common.settings.profile
}

const add = Command.make("add", { name, ...addOptions }, (opts) =>
  Effect.gen(function* () {
    if (!ExportSchedule.isName(opts.name)) {
      return yield* usage(
        "A schedule name must start with a letter or digit and hold only letters, digits, '.', '_' or '-' (at most 64)",
        "Choose a name such as weekly-clients."
      )
    }
    const kind = ExportKind.byName(opts.kind)
    if (kind === undefined) {
      return yield* usage(
        `There is no export kind ${JSON.stringify(opts.kind)}`,
        `Kinds: ${ExportKind.names.join(", ")}.`
      )
    }
    const settings = yield* Common.resolve({
      profile: opts.profile,
      baseUrl: Option.none(),
      apiKeyFile: Option.none()
    })
    // a saved filter of another kind is refused, as `booster export` refuses it
    const savedName = Option.getOrUndefined(opts.savedFilter)
    const saved =
      savedName !== undefined
        ? (yield* Filters.getOfKind(
            savedName,
            kind,
            (savedKind) => `booster schedule add ${opts.name} --kind ${savedKind} --filter ${savedName} …`
          )).filter
        : {}
    const file = Option.isSome(opts.filterFile) ? yield* FilterFile.read(opts.filterFile.value) : {}
    const { downloadRequestId: _, ...fromFile } = file
    const texts = yield* resolvePersonal(opts.filter, Option.getOrUndefined(opts.filterFile) === "-")
    const filter = FilterInput.merge({ ...saved, ...fromFile }, FilterInput.fromFlags(texts), {
      brand: settings.brand,
      posCodes: settings.posCodes
    })
    const personal = Scrub.personalFields(kind.filter).filter((wire) => filter[wire] !== undefined)
    if (personal.length > 0 && !opts.allowPersonal) {
      return yield* usage(
        `The filter holds personal data (${personal.map((wire) => `--${flagOf(wire)?.flag ?? wire}`).join(", ")}); schedules are stored, so it was not added`,
        "Leave those fields out, or pass --allow-personal (the store is private, 0600, and nothing shows them)."
      )
    }
    const timeZone = Option.getOrElse(opts.tz, localZone)
    const cron = ExportSchedule.parseCron(opts.cron, timeZone)
    if (Either.isLeft(cron))
      return yield* usage(`--cron/--tz: ${cron.left}`, 'Example: --cron "0 7 * * MON" --tz Europe/Paris.')
    const url = yield* Destination.parse(opts.to).pipe(
      Effect.mapError((error) => usage(`--to: ${error.message}`, "Example: --to file:///srv/exports/"))
    )
    const now = new Date(yield* Clock.currentTimeMillis)
    const schedule: ExportSchedule.ExportSchedule = {
      id: randomUUID(),
      name: opts.name,
      kind: kind.name,
      filter,
      cron: opts.cron,
      timeZone,
      destination: url.href,
      ...(Option.isSome(opts.purpose) ? { purpose: opts.purpose.value } : {}),
      catchUp: opts.catchUp,
      ...(Option.isSome(opts.retentionDays) ? { retentionDays: opts.retentionDays.value } : {}),
      paused: false,
      createdAt: now.toISOString()
    }
    const resolved = ExportSchedule.resolveAt(schedule, now)
    if (Either.isLeft(resolved)) {
      return yield* usage(
        `The filter is not valid: ${resolved.left.map((issue) => `${issue.path || "filter"}: ${issue.message} [${issue.rule}]`).join("; ")}`,
        "Fix the filter flags (or --filter-file); nothing was added."
      )
    }
    const next = ExportSchedule.nextRuns(schedule, now, 5)
    const interactive = Term.canPrompt() && !opts.noInput && !opts.json
    if (interactive && !opts.yes) {
      yield* Term.err(`${Term.bold("Schedule:")} ${opts.name}`)
      yield* Term.err(`${Term.bold("Exports:")} ${kind.describe(filter as never)}`)
      yield* Term.err(`${Term.bold("When:")} ${ExportSchedule.describeCadence(schedule)}`)
      yield* Term.err(`${Term.bold("Next runs:")}`)
      for (const at of next) yield* Term.err(`  ${inZone(at, timeZone)}`)
      // the destination as logs show it: no user name, no query (an endpoint's parameters)
      yield* Term.err(
        `${Term.bold("Delivered to:")} ${Redact.url(schedule.destination)} as ${ExportSchedule.fileName(schedule, next[0]!)}`
      )
      const answer = yield* Prompt.confirm({ message: "Add this schedule?", initial: false })
      if (!answer)
        return yield* new DeclinedError({
          message: "The schedule was not added",
          hint: "Nothing was stored."
        })
    } else if (!opts.yes) {
      return yield* usage(
        "Adding a schedule needs a confirmation: run it on a terminal, or pass --yes",
        "Check `booster schedule add --help`; with --yes the schedule is added as given."
      )
    }
    yield* withStore(
      Effect.flatMap(storeService, (store) => store.add(schedule)),
      opts.profile
    )
    if (opts.json) {
      return yield* Term.json({ ...publicView(schedule), nextRuns: next.map((at) => at.toISOString()) })
    }
    yield* Term.err(
      `Added schedule ${Term.bold(opts.name)}: ${ExportSchedule.describeCadence(schedule)}; next run ${inZone(next[0]!, timeZone)}.`
    )
    yield* Term.err(
      Term.dim(
        "Run what is due with `booster schedule run-due` (from cron or a timer) or keep `booster worker` running."
      )
    )
  })
).pipe(
  Command.withDescription(
    withExamples(
      "Add a recurring export: a filter (flags, --filter NAME or --filter-file; relative dates resolve against each run's due time), a cron expression in a time zone, and a destination. On a terminal it shows the schedule, its next five runs and the destination, and asks; elsewhere it needs --yes.",
      [
        'booster schedule add weekly-clients --brand CAR --pos-code ES100 --creation-date-from -7d --cron "0 7 * * MON" --tz Europe/Paris --to file:///srv/exports/ --yes',
        'booster schedule add stock-daily --kind stock --filter-file stock.json --cron "30 6 * * *" --to file:///srv/stock/ --catch-up all --yes'
      ]
    )
  )
)

/** A schedule as shown: the filter with personal values hidden. */
const publicView = (schedule: ExportSchedule.ExportSchedule) => {
  const kind = ExportSchedule.kindOf(schedule)
  return {
    name: schedule.name,
    kind: schedule.kind,
    filter: kind !== undefined ? Scrub.hidePersonal(kind.filter, schedule.filter).value : {},
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    cadence: ExportSchedule.describeCadence(schedule),
    destination: schedule.destination,
    purpose: schedule.purpose,
    catchUp: schedule.catchUp,
    retentionDays: schedule.retentionDays,
    paused: schedule.paused,
    createdAt: schedule.createdAt
  }
}

const list = Command.make("list", { json: Common.json }, (opts) =>
  withStore(
    Effect.gen(function* () {
      const store = yield* storeService
      const schedules = yield* store.list
      const now = new Date(yield* Clock.currentTimeMillis)
      const rows = schedules.map((schedule) => ({
        ...publicView(schedule),
        nextRun: schedule.paused ? undefined : ExportSchedule.nextRuns(schedule, now, 1)[0]!.toISOString()
      }))
      if (opts.json) return yield* Term.json(rows)
      if (rows.length === 0)
        return yield* Term.err("No schedules. Add one with `booster schedule add NAME …`.")
      for (const line of Table.table(
        ["NAME", "KIND", "WHEN", "NEXT RUN", "TO", "STATE"],
        schedules.map((schedule, i) => [
          schedule.name,
          schedule.kind,
          ExportSchedule.describeCadence(schedule),
          rows[i]!.nextRun !== undefined ? inZone(new Date(rows[i]!.nextRun!), schedule.timeZone) : "-",
          schedule.destination,
          schedule.paused ? "paused" : "active"
        ])
      ))
        yield* Term.out(line)
    })
  )
).pipe(
  Command.withDescription(
    withExamples("List the schedules.", ["booster schedule list", "booster schedule list --json"])
  )
)

const show = Command.make("show", { name, json: Common.json }, (opts) =>
  withStore(
    Effect.gen(function* () {
      const store = yield* storeService
      const schedule = yield* store.get(opts.name)
      const now = new Date(yield* Clock.currentTimeMillis)
      const next = schedule.paused ? [] : ExportSchedule.nextRuns(schedule, now, 5)
      const view = { ...publicView(schedule), nextRuns: next.map((at) => at.toISOString()) }
      if (opts.json) return yield* Term.json(view)
      yield* Term.out(`name:        ${schedule.name}${schedule.paused ? " (paused)" : ""}`)
      yield* Term.out(`exports:     ${ExportSchedule.describe(schedule).split("; ")[0]}`)
      yield* Term.out(`when:        ${view.cadence}`)
      yield* Term.out(`to:          ${schedule.destination}`)
      yield* Term.out(`catch-up:    ${schedule.catchUp}`)
      if (schedule.purpose !== undefined) yield* Term.out(`purpose:     ${schedule.purpose}`)
      yield* Term.out(`filter:      ${JSON.stringify(view.filter)}`)
      for (const [i, at] of next.entries())
        yield* Term.out(`${i === 0 ? "next runs:  " : "            "} ${inZone(at, schedule.timeZone)}`)
    })
  )
).pipe(
  Command.withDescription(
    withExamples("Show a schedule and its next five runs; personal values are never shown.", [
      "booster schedule show weekly-clients"
    ])
  )
)

const setPaused = (verb: "pause" | "resume") =>
  Command.make(verb, { name, json: Common.json }, (opts) =>
    withStore(
      Effect.gen(function* () {
        const store = yield* storeService
        yield* store.setPaused(opts.name, verb === "pause")
        if (opts.json) return yield* Term.json({ name: opts.name, paused: verb === "pause" })
        yield* Term.err(`${verb === "pause" ? "Paused" : "Resumed"} schedule ${opts.name}.`)
      })
    )
  ).pipe(
    Command.withDescription(
      withExamples(
        verb === "pause"
          ? "Pause a schedule: nothing runs until it is resumed (due times passed meanwhile follow its catch-up policy)."
          : "Resume a paused schedule.",
        [`booster schedule ${verb} weekly-clients`]
      )
    )
  )

const remove = Command.make("remove", { name, json: Common.json }, (opts) =>
  withStore(
    Effect.gen(function* () {
      const store = yield* storeService
      yield* store.remove(opts.name)
      if (opts.json) return yield* Term.json({ name: opts.name, removed: true })
      yield* Term.err(
        `Removed schedule ${opts.name} (its runs stay listed; delivered files stay where they are).`
      )
    })
  )
).pipe(
  Command.withDescription(
    withExamples(
      "Remove a schedule. Its past runs stay in `booster schedule runs`; delivered files are left alone.",
      ["booster schedule remove weekly-clients"]
    )
  )
)

const formatDuration = (from: string | undefined, to: string | undefined): string =>
  from !== undefined && to !== undefined
    ? Duration.format(Duration.millis(new Date(to).getTime() - new Date(from).getTime()))
    : "-"

const runs = Command.make(
  "runs",
  {
    name,
    limit: Options.integer("limit").pipe(
      Options.withDescription("How many runs to show (latest first)."),
      Options.withDefault(20)
    ),
    json: Common.json
  },
  (opts) =>
    withStore(
      Effect.gen(function* () {
        const store = yield* storeService
        const found = yield* store.runs(opts.name, opts.limit)
        if (opts.json) return yield* Term.json(found)
        if (found.length === 0) return yield* Term.err(`No runs of ${opts.name} yet.`)
        for (const line of Table.table(
          ["DUE", "STATUS", "ROWS", "BYTES", "TOOK", "TRIES", "WHERE / WHY"],
          found.map((run) => [
            run.due,
            run.status,
            run.rows !== undefined ? String(run.rows) : "-",
            run.bytes !== undefined ? Term.formatBytes(run.bytes) : "-",
            formatDuration(run.startedAt, run.finishedAt),
            String(run.attempts),
            run.status === "failed" || run.status === "skipped" ? (run.reason ?? "") : (run.destination ?? "")
          ])
        ))
          yield* Term.out(line)
      })
    )
).pipe(
  Command.withDescription(
    withExamples(
      "The last runs of a schedule: status, rows, bytes, duration, attempts, where the file went or why it failed.",
      ["booster schedule runs weekly-clients", "booster schedule runs weekly-clients --json"]
    )
  )
)

const asOfOption = Options.text("as-of").pipe(
  Options.withPseudoName("TIME"),
  Options.withDescription(
    "Run what was due as of this time (ISO-8601, e.g. 2026-03-30T08:00:00Z) instead of now: to catch up."
  ),
  Options.optional
)

/** Runs what is due once, printing what ran; a failed run fails the command (exit 4). */
const runDueOnce = (asOf: Date | undefined, json: boolean, only?: string | undefined) =>
  Effect.gen(function* () {
    const handled = yield* Effect.flatMap(runtime, (rt) => rt.RunDue.runDue({ asOf, only }))
    if (json) yield* Term.json(handled)
    else {
      for (const run of handled) {
        const detail =
          run.status === "delivered"
            ? `${run.outcome?.location ?? ""} (${run.outcome?.rows ?? "?"} rows, ${Term.formatBytes(run.outcome?.bytes ?? 0)})`
            : run.status === "failed"
              ? (run.outcome?.reason ?? "")
              : "missed, skipped by its catch-up policy"
        yield* Term.err(`${run.schedule} ${run.due}: ${run.status} ${detail}`)
      }
      if (handled.length === 0) yield* Term.err("Nothing is due.")
    }
    return handled
  })

const failIfFailed = (handled: ReadonlyArray<RunDue.Handled>) => {
  const failed = handled.filter((run) => run.status === "failed").map((run) => `${run.schedule}@${run.due}`)
  return failed.length === 0
    ? Effect.void
    : Effect.fail(
        new ScheduledRunFailedError({
          message: `${failed.length} scheduled run${failed.length === 1 ? "" : "s"} failed: ${failed.join(", ")}`,
          hint: "`booster schedule runs NAME` shows why. The next due times are unaffected.",
          failed
        })
      )
}

/** What the engine layer provides. */
type EngineServices = Layer.Layer.Success<ReturnType<typeof import("./runtime.js")["engineLayer"]>>

/** Runs an effect with the engine, for the settings of the profile. */
const withEngine = <A, E>(profile: Option.Option<string>, effect: Effect.Effect<A, E, EngineServices>) =>
  Effect.gen(function* () {
    const settings = yield* Common.resolve({ profile, baseUrl: Option.none(), apiKeyFile: Option.none() })
    const rt = yield* runtime
    return yield* Effect.provide(effect, rt.engineLayer(settings))
  })

const runDue = Command.make(
  "run-due",
  { asOf: asOfOption, json: Common.json, profile: Common.settings.profile },
  (opts) =>
    Effect.gen(function* () {
      let asOf: Date | undefined
      if (Option.isSome(opts.asOf)) {
        asOf = new Date(opts.asOf.value)
        if (Number.isNaN(asOf.getTime()))
          return yield* usage("--as-of is not a time", "Example: --as-of 2026-03-30T08:00:00Z")
      }
      const handled = yield* withEngine(opts.profile, runDueOnce(asOf, opts.json))
      yield* failIfFailed(handled)
    })
).pipe(
  Command.withDescription(
    withExamples(
      "Run every run that is due (as of now, or --as-of TIME to catch up), each once whatever the number of callers, then exit: for cron or a systemd timer. Exit 4 when a run failed after its retries.",
      ["booster schedule run-due", "booster schedule run-due --as-of 2026-03-30T08:00:00Z --json"]
    )
  )
)

/** The `schedule` command. */
export const scheduleCommand = Command.make("schedule").pipe(
  Command.withDescription(
    withExamples(
      "Recurring exports: each run happens once per schedule and due time, on a durable engine (SQLite in the state folder, or the team's PostgreSQL with BOOSTER_JOURNAL_URL), and its file is delivered once, complete, under {schedule}/{due time}/{kind}.csv.",
      [
        'booster schedule add weekly-clients --brand CAR --creation-date-from -7d --cron "0 7 * * MON" --tz Europe/Paris --to file:///srv/exports/ --yes',
        "booster schedule runs weekly-clients"
      ]
    )
  ),
  Command.withSubcommands([add, list, show, setPaused("pause"), setPaused("resume"), remove, runs, runDue])
)

const MAX_SLEEP = Duration.seconds(30)

/** The `worker` command: runs what falls due, continuously, until SIGTERM (or once with --once). */
export const workerCommand = Command.make(
  "worker",
  {
    once: Options.boolean("once").pipe(
      Options.withDescription("Run what is due now, then stop (for tests and checks).")
    ),
    json: Common.json,
    profile: Common.settings.profile
  },
  (opts) =>
    withEngine(
      opts.profile,
      Effect.gen(function* () {
        yield* Term.err(`worker ready (pid ${process.pid})`)
        for (;;) {
          const handled = yield* runDueOnce(undefined, opts.json)
          if (opts.once) return yield* failIfFailed(handled)
          const now = new Date(yield* Clock.currentTimeMillis)
          const next = yield* Effect.flatMap(runtime, (rt) => rt.RunDue.nextDue(now))
          const wait =
            next === undefined
              ? MAX_SLEEP
              : Duration.min(MAX_SLEEP, Duration.millis(Math.max(0, next.getTime() - now.getTime())))
          yield* Term.err(
            `worker idle; next run ${next !== undefined ? next.toISOString() : "none scheduled"}`
          )
          yield* Effect.sleep(wait)
        }
      })
    )
).pipe(
  Command.withDescription(
    withExamples(
      "Run schedules continuously: each run when it falls due, with a status line on stderr. Several workers (and run-due calls) may share the store: each run still happens once. On SIGTERM it stops; a run in flight resumes from its last step when a worker starts again.",
      ["booster worker", "booster worker --once"]
    )
  )
)
