/**
 * The schedules and their runs, in the SQL database of the context (the embedded SQLite file in the
 * state folder, or the team's PostgreSQL database), beside the engine's own tables. Two tables:
 * `booster_schedules` (one row a schedule, by name) and `booster_schedule_runs` (one row per schedule
 * and due time: its status, rows, bytes, checksum, destination and duration).
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Context, Data, Effect, Layer, Schema } from "effect"
import * as ExportSchedule from "./ExportSchedule.js"

/**
 * What a run's row says: `"running"`, `"delivered"`, `"failed"` (after its retries; `reason` says
 * why) or `"skipped"` (missed while nothing ran, left out by the catch-up policy).
 *
 * @since 0.1.0
 */
export type RunStatus = "running" | "delivered" | "failed" | "skipped"

/**
 * One run of a schedule.
 *
 * @since 0.1.0
 */
export interface Run {
  readonly scheduleId: string
  readonly scheduleName: string
  /** The due time (`ExportSchedule.dueKey`). */
  readonly due: string
  readonly status: RunStatus
  readonly startedAt: string | undefined
  readonly finishedAt: string | undefined
  /** Attempts made (the first and its retries). */
  readonly attempts: number
  readonly rows: number | undefined
  readonly bytes: number | undefined
  readonly sha256: string | undefined
  /** Where the file was delivered (the destination's URI, without credentials). */
  readonly destination: string | undefined
  readonly asyncTaskId: string | undefined
  /** Why it failed or was skipped (no personal value). */
  readonly reason: string | undefined
}

/**
 * The store failed, or was asked for something it does not hold.
 *
 * @since 0.1.0
 */
export class ScheduleStoreError extends Data.TaggedError("ScheduleStoreError")<{
  readonly reason: "exists" | "not-found" | "database"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * The operations of the store.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Adds a schedule; fails with `exists` when the name is taken. */
  readonly add: (schedule: ExportSchedule.ExportSchedule) => Effect.Effect<void, ScheduleStoreError>
  /** Every schedule, by name. */
  readonly list: Effect.Effect<ReadonlyArray<ExportSchedule.ExportSchedule>, ScheduleStoreError>
  /** One schedule by name; fails with `not-found`. */
  readonly get: (name: string) => Effect.Effect<ExportSchedule.ExportSchedule, ScheduleStoreError>
  /** One schedule by id, `undefined` once removed. */
  readonly byId: (id: string) => Effect.Effect<ExportSchedule.ExportSchedule | undefined, ScheduleStoreError>
  /** Pauses or resumes a schedule; fails with `not-found`. */
  readonly setPaused: (name: string, paused: boolean) => Effect.Effect<void, ScheduleStoreError>
  /** Removes a schedule (its runs stay listed); fails with `not-found`. */
  readonly remove: (name: string) => Effect.Effect<void, ScheduleStoreError>
  /** The latest due time considered for the schedule (run or skipped), if any. */
  readonly handledThrough: (id: string) => Effect.Effect<Date | undefined, ScheduleStoreError>
  /** Moves the schedule's latest considered due time forward (never back). */
  readonly advance: (id: string, through: Date) => Effect.Effect<void, ScheduleStoreError>
  /** Writes a run's row (replacing it), unless `onlyIfAbsent` and a row exists. */
  readonly putRun: (run: Run, onlyIfAbsent?: boolean) => Effect.Effect<void, ScheduleStoreError>
  /** The schedule's runs, latest due time first. */
  readonly runs: (name: string, limit: number) => Effect.Effect<ReadonlyArray<Run>, ScheduleStoreError>
  /** One run, if recorded. */
  readonly run: (scheduleId: string, due: string) => Effect.Effect<Run | undefined, ScheduleStoreError>
}

/**
 * The store service.
 *
 * @since 0.1.0
 */
export class ScheduleStore extends Context.Tag("@booster-export/schedule/ScheduleStore")<
  ScheduleStore,
  Service
>() {}

const decodeSchedule = Schema.decodeUnknownSync(Schema.parseJson(ExportSchedule.ExportSchedule))
const encodeSchedule = Schema.encodeSync(Schema.parseJson(ExportSchedule.ExportSchedule))

const database = (cause: SqlError) =>
  new ScheduleStoreError({
    reason: "database",
    message: "The schedule store cannot be read or written",
    cause
  })

const notFound = (name: string) =>
  new ScheduleStoreError({ reason: "not-found", message: `No schedule is named ${JSON.stringify(name)}` })

interface ScheduleRow {
  readonly body: string
  readonly paused: number | boolean
}

interface RunRow {
  readonly schedule_id: string
  readonly schedule_name: string
  readonly due: string
  readonly status: string
  readonly started_at: string | null
  readonly finished_at: string | null
  readonly attempts: number | string
  readonly row_count: number | string | null
  readonly bytes: number | string | null
  readonly sha256: string | null
  readonly destination: string | null
  readonly task_id: string | null
  readonly reason: string | null
}

const opt = <A>(value: A | null): A | undefined => (value === null ? undefined : value)
const num = (value: number | string | null): number | undefined =>
  value === null ? undefined : Number(value)

const toRun = (row: RunRow): Run => ({
  scheduleId: row.schedule_id,
  scheduleName: row.schedule_name,
  due: row.due,
  status: row.status as RunStatus,
  startedAt: opt(row.started_at),
  finishedAt: opt(row.finished_at),
  attempts: Number(row.attempts),
  rows: num(row.row_count),
  bytes: num(row.bytes),
  sha256: opt(row.sha256),
  destination: opt(row.destination),
  asyncTaskId: opt(row.task_id),
  reason: opt(row.reason)
})

const toSchedule = (row: ScheduleRow): ExportSchedule.ExportSchedule => ({
  ...decodeSchedule(row.body),
  paused: row.paused === true || row.paused === 1
})

const TABLES_LOCK = "hashtextextended('booster-export/schedule-tables', 0)"

/**
 * Runs `effect` (creating tables) one process at a time on PostgreSQL — under a session advisory
 * lock held on a connection of its own, because there `CREATE TABLE IF NOT EXISTS` fails in the
 * second of two processes creating the same table at once (and a migrator's probes cannot run in
 * a transaction); elsewhere runs it as it is. The lock goes with the connection if the process dies.
 *
 * @since 0.1.0
 */
export const withTablesLock = <A, R>(
  effect: Effect.Effect<A, ScheduleStoreError, R>
): Effect.Effect<A, ScheduleStoreError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.onDialectOrElse({
      pg: () =>
        Effect.scoped(
          Effect.gen(function* () {
            const connection = yield* Effect.mapError(sql.reserve, database)
            yield* Effect.acquireRelease(
              Effect.mapError(connection.executeRaw(`SELECT pg_advisory_lock(${TABLES_LOCK})`, []), database),
              () => Effect.ignore(connection.executeRaw(`SELECT pg_advisory_unlock(${TABLES_LOCK})`, []))
            )
            return yield* effect
          })
        ),
      orElse: () => effect
    })
  )

/**
 * Creates the tables when missing. Plain SQL that SQLite and PostgreSQL both take.
 *
 * @since 0.1.0
 */
export const migrate: Effect.Effect<void, ScheduleStoreError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS booster_schedules (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    handled_through TEXT
  )`
  yield* sql`CREATE TABLE IF NOT EXISTS booster_schedule_runs (
    schedule_id TEXT NOT NULL,
    due TEXT NOT NULL,
    schedule_name TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    row_count BIGINT,
    bytes BIGINT,
    sha256 TEXT,
    destination TEXT,
    task_id TEXT,
    reason TEXT,
    PRIMARY KEY (schedule_id, due)
  )`
}).pipe(Effect.mapError(database), withTablesLock)

/**
 * The name of the embedded store's SQLite file in the state folder.
 *
 * @since 0.1.0
 */
export const SQLITE_FILE = "schedules.sqlite"

/**
 * Whether the schedules' table exists in the context's database (a store nobody has added a
 * schedule to may have none yet). Reads only.
 *
 * @since 0.1.0
 */
export const tablesExist: Effect.Effect<boolean, ScheduleStoreError, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql.onDialectOrElse({
      pg: () => sql<{ found: unknown }>`SELECT to_regclass('booster_schedules') IS NOT NULL AS found`,
      orElse: () =>
        sql<{
          found: unknown
        }>`SELECT COUNT(*) AS found FROM sqlite_master WHERE type = 'table' AND name = 'booster_schedules'`
    })
    const found = rows[0]?.found
    return found === true || Number(found) > 0
  }
).pipe(Effect.mapError(database))

/**
 * The store over the context's `SqlClient`, its tables expected to exist: what a reader that must
 * not write (`booster-mcp`) uses, after {@link tablesExist}.
 *
 * @since 0.1.0
 */
export const makeExisting: Effect.Effect<Service, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const run = <A>(effect: Effect.Effect<A, SqlError>) => Effect.mapError(effect, database)

  const get = (name: string) =>
    run(sql<ScheduleRow>`SELECT body, paused FROM booster_schedules WHERE name = ${name}`).pipe(
      Effect.flatMap((rows) => (rows[0] ? Effect.succeed(toSchedule(rows[0])) : Effect.fail(notFound(name))))
    )

  const service: Service = {
    add: (schedule) =>
      run(
        sql<{ name: string }>`INSERT INTO booster_schedules (name, id, body, paused)
          VALUES (${schedule.name}, ${schedule.id}, ${encodeSchedule(schedule)}, ${schedule.paused ? 1 : 0})
          ON CONFLICT DO NOTHING RETURNING name`
      ).pipe(
        Effect.flatMap((rows) =>
          rows.length === 1
            ? Effect.void
            : Effect.fail(
                new ScheduleStoreError({
                  reason: "exists",
                  message: `A schedule is already named ${JSON.stringify(schedule.name)}`
                })
              )
        )
      ),
    list: run(sql<ScheduleRow>`SELECT body, paused FROM booster_schedules ORDER BY name`).pipe(
      Effect.map((rows) => rows.map(toSchedule))
    ),
    get,
    byId: (id) =>
      run(sql<ScheduleRow>`SELECT body, paused FROM booster_schedules WHERE id = ${id}`).pipe(
        Effect.map((rows) => (rows[0] ? toSchedule(rows[0]) : undefined))
      ),
    setPaused: (name, paused) =>
      run(
        sql<{
          name: string
        }>`UPDATE booster_schedules SET paused = ${paused ? 1 : 0} WHERE name = ${name} RETURNING name`
      ).pipe(Effect.flatMap((rows) => (rows.length === 1 ? Effect.void : Effect.fail(notFound(name))))),
    remove: (name) =>
      run(sql<{ name: string }>`DELETE FROM booster_schedules WHERE name = ${name} RETURNING name`).pipe(
        Effect.flatMap((rows) => (rows.length === 1 ? Effect.void : Effect.fail(notFound(name))))
      ),
    handledThrough: (id) =>
      run(
        sql<{
          handled_through: string | null
        }>`SELECT handled_through FROM booster_schedules WHERE id = ${id}`
      ).pipe(
        Effect.map((rows) => (rows[0]?.handled_through ? new Date(rows[0].handled_through) : undefined))
      ),
    advance: (id, through) => {
      const key = ExportSchedule.dueKey(through)
      return run(
        sql`UPDATE booster_schedules SET handled_through = ${key}
          WHERE id = ${id} AND (handled_through IS NULL OR handled_through < ${key})`
      ).pipe(Effect.asVoid)
    },
    putRun: (r, onlyIfAbsent = false) => {
      const values = {
        schedule_id: r.scheduleId,
        due: r.due,
        schedule_name: r.scheduleName,
        status: r.status,
        started_at: r.startedAt ?? null,
        finished_at: r.finishedAt ?? null,
        attempts: r.attempts,
        row_count: r.rows ?? null,
        bytes: r.bytes ?? null,
        sha256: r.sha256 ?? null,
        destination: r.destination ?? null,
        task_id: r.asyncTaskId ?? null,
        reason: r.reason ?? null
      }
      return run(
        onlyIfAbsent
          ? sql`INSERT INTO booster_schedule_runs ${sql.insert(values)} ON CONFLICT DO NOTHING`
          : sql`INSERT INTO booster_schedule_runs ${sql.insert(values)}
              ON CONFLICT (schedule_id, due) DO UPDATE SET
                status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at,
                attempts = excluded.attempts, row_count = excluded.row_count, bytes = excluded.bytes,
                sha256 = excluded.sha256, destination = excluded.destination, task_id = excluded.task_id,
                reason = excluded.reason`
      ).pipe(Effect.asVoid)
    },
    runs: (name, limit) =>
      run(
        sql<RunRow>`SELECT * FROM booster_schedule_runs WHERE schedule_name = ${name}
          ORDER BY due DESC LIMIT ${limit}`
      ).pipe(Effect.map((rows) => rows.map(toRun))),
    run: (scheduleId, due) =>
      run(
        sql<RunRow>`SELECT * FROM booster_schedule_runs WHERE schedule_id = ${scheduleId} AND due = ${due}`
      ).pipe(Effect.map((rows) => (rows[0] ? toRun(rows[0]) : undefined)))
  }
  return service
})

/**
 * The store over the context's `SqlClient` (tables created when missing).
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<Service, ScheduleStoreError, SqlClient.SqlClient> = Effect.zipRight(
  migrate,
  makeExisting
)

/**
 * The store over the context's `SqlClient`.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<ScheduleStore, ScheduleStoreError, SqlClient.SqlClient> = Layer.effect(
  ScheduleStore,
  make
)
