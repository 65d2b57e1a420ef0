/**
 * The schedules as `booster-mcp` reads them (never changes them): the store `booster schedule` and
 * `booster worker` keep — the team's PostgreSQL database when the journal is there, else the SQLite
 * file in the state folder, opened read-only — opened on the first call of a schedule tool (the
 * server's start does not load it). A store nobody has created yet reads as no schedules, and is not
 * created. What leaves here is safe to show: the filter as plain English with personal values
 * hidden, destinations without user info or query.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import * as ExportSchedule from "@booster-export/schedule/ExportSchedule"
import * as ScheduleStore from "@booster-export/schedule/ScheduleStore"
import * as Redact from "@booster-export/transport/Redact"
import * as Scrub from "@booster-export/transport/Scrub"
import { Context, Data, Effect, Layer, Redacted, Schema, Scope } from "effect"

/** The store could not be read. */
export class SchedulesUnavailable extends Data.TaggedError("SchedulesUnavailable")<{
  readonly message: string
}> {}

/** What the schedule tools read. */
export interface Reader {
  readonly list: Effect.Effect<ReadonlyArray<ExportSchedule.ExportSchedule>, SchedulesUnavailable>
  /** The schedule, `undefined` when none has the name. */
  readonly get: (
    name: string
  ) => Effect.Effect<ExportSchedule.ExportSchedule | undefined, SchedulesUnavailable>
  readonly runs: (
    name: string,
    limit: number
  ) => Effect.Effect<ReadonlyArray<ScheduleStore.Run>, SchedulesUnavailable>
}

/** The schedules, opened on first use. */
export class Schedules extends Context.Tag("@booster-export/mcp-server/Schedules")<
  Schedules,
  { readonly reader: Effect.Effect<Reader, SchedulesUnavailable> }
>() {}

const unavailable = () => new SchedulesUnavailable({ message: "The schedule store cannot be read" })

const empty: Reader = {
  list: Effect.succeed([]),
  get: () => Effect.succeed(undefined),
  runs: () => Effect.succeed([])
}

const readerOf = (store: ScheduleStore.Service): Reader => ({
  list: Effect.mapError(store.list, unavailable),
  get: (name) =>
    store.get(name).pipe(
      Effect.catchIf(
        (error) => error.reason === "not-found",
        () => Effect.succeed(undefined)
      ),
      Effect.mapError(unavailable)
    ),
  runs: (name, limit) => Effect.mapError(store.runs(name, limit), unavailable)
})

/** The store over an SQL client, without creating anything: no table yet reads as no schedules. */
const fromSql = Effect.gen(function* () {
  const exists = yield* ScheduleStore.tablesExist
  if (!exists) return empty
  return readerOf(yield* ScheduleStore.makeExisting)
}).pipe(Effect.mapError(unavailable))

const openSqlite = (path: string) =>
  Effect.gen(function* () {
    if (!existsSync(path)) return empty
    const [SqliteClient, Reactivity, SqlClient] = yield* Effect.promise(() =>
      Promise.all([
        import("@effect/sql-sqlite-node/SqliteClient"),
        import("@effect/experimental/Reactivity"),
        import("@effect/sql/SqlClient")
      ])
    )
    const client = yield* SqliteClient.make({ filename: path, readonly: true, disableWAL: true }).pipe(
      Effect.provide(Reactivity.layer)
    )
    return yield* Effect.provideService(fromSql, SqlClient.SqlClient, client)
  })

const openPostgres = (url: string) =>
  Effect.gen(function* () {
    const [PgClient, SqlClient] = yield* Effect.promise(() =>
      Promise.all([import("@effect/sql-pg/PgClient"), import("@effect/sql/SqlClient")])
    )
    const client = yield* PgClient.make({ url: Redacted.make(url) }).pipe(
      Effect.provide((yield* Effect.promise(() => import("@effect/experimental/Reactivity"))).layer),
      Effect.mapError(unavailable)
    )
    return yield* Effect.provideService(fromSql, SqlClient.SqlClient, client)
  })

/**
 * The schedules of the state folder `stateDir` (the SQLite file), or of the team database `url`,
 * opened once, on first use, for the life of the server.
 */
export const layer = (stateDir: string, url: string | undefined): Layer.Layer<Schedules> =>
  Layer.scoped(
    Schedules,
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const open =
        url !== undefined ? openPostgres(url) : openSqlite(join(stateDir, ScheduleStore.SQLITE_FILE))
      const reader = yield* Effect.cached(
        Scope.extend(open.pipe(Effect.catchAllDefect(() => Effect.fail(unavailable()))), scope)
      )
      return { reader }
    })
  )

/** A run as shown: its status, counts, duration and where the file went (redacted) or why it failed. */
export const RunView = Schema.Struct({
  due: Schema.String,
  status: Schema.String,
  rows: Schema.optional(Schema.Number),
  bytes: Schema.optional(Schema.Number),
  durationMs: Schema.optional(Schema.Number),
  destination: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String)
})

/** A schedule as shown (listed: with its next run time; described: its next five and its purpose). */
export const ScheduleView = Schema.Struct({
  name: Schema.String,
  exports: Schema.String,
  cadence: Schema.String,
  destination: Schema.String,
  paused: Schema.Boolean
})

/** The kind and filter in plain English, personal values replaced by the placeholder. */
const exportsOf = (schedule: ExportSchedule.ExportSchedule): string => {
  const kind = ExportSchedule.kindOf(schedule)
  if (kind === undefined) return schedule.kind
  try {
    return kind.describe(Scrub.hidePersonal(kind.filter, schedule.filter).value as never)
  } catch {
    return kind.label
  }
}

/** A schedule as an assistant may see it. */
export const view = (schedule: ExportSchedule.ExportSchedule) => ({
  name: schedule.name,
  exports: exportsOf(schedule),
  cadence: ExportSchedule.describeCadence(schedule),
  destination: Redact.url(schedule.destination),
  paused: schedule.paused
})

/** The next `count` run times after `now` (none while paused), ISO-8601. */
export const nextRuns = (schedule: ExportSchedule.ExportSchedule, now: Date, count: number) =>
  schedule.paused ? [] : ExportSchedule.nextRuns(schedule, now, count).map((at) => at.toISOString())

/** A run as an assistant may see it. */
export const runView = (run: ScheduleStore.Run) => {
  const took =
    run.startedAt !== undefined && run.finishedAt !== undefined
      ? Date.parse(run.finishedAt) - Date.parse(run.startedAt)
      : undefined
  return {
    due: run.due,
    status: run.status,
    ...(run.rows !== undefined ? { rows: run.rows } : {}),
    ...(run.bytes !== undefined ? { bytes: run.bytes } : {}),
    ...(took !== undefined && Number.isFinite(took) ? { durationMs: took } : {}),
    ...(run.destination !== undefined ? { destination: Redact.url(run.destination) } : {}),
    ...(run.reason !== undefined ? { reason: run.reason } : {})
  }
}
