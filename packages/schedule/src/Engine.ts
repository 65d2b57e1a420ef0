/**
 * The durable engine of scheduled runs: one workflow (`@effect/workflow`) run by a single-node
 * cluster (`@effect/cluster`) in every process that runs schedules (`booster schedule run-due`,
 * `booster worker`), all sharing one SQL store (the SQLite file in the state folder, {@link sqlite},
 * or the team's PostgreSQL database, {@link postgres}).
 *
 * - A run's workflow execution id is derived from the schedule's id and the due time: whatever the
 *   number of processes asking, the store holds one execution of it, and its result.
 * - Each process is a runner of its own in the store's runner table; a shard (and every execution
 *   in it) is run by the one runner that holds its lock. A runner that dies stops renewing its
 *   locks; its executions are taken over and resumed from their last recorded step.
 * - A run's steps are activities: a step that completed is never run again; one interrupted by a
 *   crash runs again (the export step then follows the task its first attempt started).
 *
 * This is the only module that names `@effect/cluster` and `@effect/workflow` (both fold into
 * `effect` with Effect 4).
 *
 * @since 0.1.0
 */
import { hostname } from "node:os"
import type { Downloads, Journal } from "@booster-export/journal"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import { RunnerAddress } from "@effect/cluster/RunnerAddress"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import { Clock, Duration, Effect, Layer, Option, type Redacted, Schedule, Schema } from "effect"
import type { ConfigError } from "effect/ConfigError"

const SqlClientTag = SqlClient.SqlClient

import type * as Destination from "./Destination.js"
import * as ExportSchedule from "./ExportSchedule.js"
import * as ScheduledRun from "./ScheduledRun.js"
import * as ScheduleStore from "./ScheduleStore.js"

/**
 * How a run ended: delivered (where, rows, bytes, checksum), or failed after its retries (why).
 *
 * @since 0.1.0
 */
export const Outcome = Schema.Struct({
  status: Schema.Literal("delivered", "failed"),
  location: Schema.optional(Schema.String),
  rows: Schema.optional(Schema.Number),
  bytes: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  attempts: Schema.Number
})

/**
 * See {@link Outcome}.
 *
 * @since 0.1.0
 */
export type Outcome = typeof Outcome.Type

const Exported = Schema.Struct({
  asyncTaskId: Schema.String,
  path: Schema.String,
  bytes: Schema.Number,
  sha256: Schema.String,
  rows: Schema.UndefinedOr(Schema.Number)
})

const Delivered = Schema.Struct({
  location: Schema.String,
  bytes: Schema.Number,
  sha256: Schema.String,
  alreadyThere: Schema.Boolean
})

/**
 * The workflow of one run, identified by schedule id and due time.
 *
 * @since 0.1.0
 */
export const RunWorkflow = Workflow.make({
  name: "booster-export/scheduled-run",
  payload: { scheduleId: Schema.String, due: Schema.String },
  success: Outcome,
  idempotencyKey: ({ due, scheduleId }) => `${scheduleId}/${due}`
})

/**
 * How a failed step is retried: attempts in all (the first included) and the first wait, doubled at
 * each retry (jittered).
 *
 * @since 0.1.0
 */
export interface RetryPolicy {
  readonly attempts: number
  readonly initialDelay: Duration.DurationInput
}

/**
 * The default retry policy: 4 attempts, waiting 30 s, 1 min, 2 min between them.
 *
 * @since 0.1.0
 */
export const defaultRetry: RetryPolicy = { attempts: 4, initialDelay: "30 seconds" }

/** A step as an activity retried under the policy: each attempt is recorded as its own activity. */
const retried = <A, R>(
  policy: RetryPolicy,
  counter: { attempts: number },
  activity: Effect.Effect<A, ScheduledRun.RunError, R>
): Effect.Effect<A, ScheduledRun.RunError, R> =>
  Effect.suspend(() => {
    let attempt = 1
    return Effect.suspend(() => {
      counter.attempts = Math.max(counter.attempts, attempt)
      return Effect.provideService(activity, Activity.CurrentAttempt, attempt++)
    }).pipe(
      Effect.retry(
        Schedule.exponential(policy.initialDelay).pipe(
          Schedule.jittered,
          Schedule.intersect(Schedule.recurs(Math.max(0, policy.attempts - 1)))
        )
      )
    )
  })

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/**
 * The workflow's implementation: load the schedule, record the run as running (and the
 * `scheduled-run` audit event), export, deliver, record how it ended.
 *
 * @since 0.1.0
 */
export const handlers = (policy: RetryPolicy = defaultRetry) =>
  RunWorkflow.toLayer(({ due, scheduleId }) =>
    Effect.gen(function* () {
      const store = yield* ScheduleStore.ScheduleStore
      const dueDate = new Date(due)
      const schedule = yield* Activity.make({
        name: "load",
        success: Schema.UndefinedOr(ExportSchedule.ExportSchedule),
        execute: Effect.orDie(store.byId(scheduleId))
      })
      if (schedule === undefined) {
        return { status: "failed" as const, reason: "the schedule was removed", attempts: 0 }
      }
      const base = {
        scheduleId,
        scheduleName: schedule.name,
        due,
        destination: schedule.destination,
        rows: undefined,
        bytes: undefined,
        sha256: undefined,
        asyncTaskId: undefined,
        reason: undefined
      }
      const startedAt = yield* Activity.make({
        name: "begin",
        success: Schema.String,
        execute: Effect.gen(function* () {
          const at = yield* nowIso
          yield* Effect.orDie(
            store.putRun({ ...base, status: "running", startedAt: at, finishedAt: undefined, attempts: 1 })
          )
          yield* Effect.ignore(ScheduledRun.audit("scheduled-run", schedule, dueDate, { status: "started" }))
          return at
        })
      })
      const counter = { attempts: 1 }
      const result = yield* Effect.either(
        Effect.gen(function* () {
          const exported = yield* retried(
            policy,
            counter,
            Activity.make({
              name: "export",
              success: Exported,
              error: ScheduledRun.RunError,
              execute: ScheduledRun.exportFile(schedule, dueDate)
            })
          )
          const delivered = yield* retried(
            policy,
            counter,
            Activity.make({
              name: "deliver",
              success: Delivered,
              error: ScheduledRun.RunError,
              execute: ScheduledRun.deliver(schedule, dueDate, exported)
            })
          )
          return { exported, delivered }
        })
      )
      return yield* Activity.make({
        name: "finish",
        success: Outcome,
        execute: Effect.gen(function* () {
          const finishedAt = yield* nowIso
          const outcome: Outcome =
            result._tag === "Right"
              ? {
                  status: "delivered",
                  location: result.right.delivered.location,
                  ...(result.right.exported.rows !== undefined ? { rows: result.right.exported.rows } : {}),
                  bytes: result.right.delivered.bytes,
                  sha256: result.right.delivered.sha256,
                  attempts: counter.attempts
                }
              : { status: "failed", reason: result.left.reason, attempts: counter.attempts }
          yield* Effect.orDie(
            store.putRun({
              ...base,
              status: outcome.status,
              startedAt,
              finishedAt,
              attempts: outcome.attempts,
              rows: outcome.rows,
              bytes: outcome.bytes,
              sha256: outcome.sha256,
              destination: outcome.location ?? schedule.destination,
              asyncTaskId: result._tag === "Right" ? result.right.exported.asyncTaskId : undefined,
              reason: outcome.reason
            })
          )
          yield* Effect.ignore(
            ScheduledRun.audit("scheduled-run", schedule, dueDate, {
              status: outcome.status,
              ...(outcome.bytes !== undefined ? { bytes: outcome.bytes } : {}),
              ...(outcome.sha256 !== undefined ? { sha256: outcome.sha256 } : {})
            })
          )
          return outcome
        })
      })
    })
  )

/**
 * Options of the engine.
 *
 * @since 0.1.0
 */
export interface Options {
  /** How failed steps are retried; default {@link defaultRetry}. */
  readonly retry?: RetryPolicy | undefined
  /**
   * How long a runner's locks last without renewal: a runner that died is taken over after this.
   * Default 20 seconds.
   */
  readonly lockExpiration?: Duration.DurationInput | undefined
  /** How often a runner looks for new work in the store. Default 500 ms. */
  readonly pollInterval?: Duration.DurationInput | undefined
}

/**
 * The shards of the store's runs: one constant for every runner sharing a store.
 *
 * @since 0.1.0
 */
export const SHARDS = 16

/** This process as a runner: a name of its own in the store (host, process id, a random number). */
const runnerAddress = () =>
  new RunnerAddress({
    host: `${hostname() || "localhost"}-${process.pid}`,
    port: 1 + Math.floor(Math.random() * 65_000)
  })

/**
 * The store's tables, created one process at a time on PostgreSQL: there, `CREATE TABLE IF NOT
 * EXISTS` fails in the second of two processes opening a fresh database at once (the first
 * `run-due` of two machines), so each process creates the cluster's tables under an advisory lock
 * before it builds the engine (the schedules' tables are made under the same lock); the next finds
 * them made.
 */
const tablesReady: Layer.Layer<SqlClient.SqlClient, ScheduleStore.ScheduleStoreError, SqlClient.SqlClient> =
  Layer.effect(
    SqlClientTag,
    Effect.gen(function* () {
      const sql = yield* SqlClientTag
      const create = Effect.scoped(
        Layer.build(
          Layer.mergeAll(SqlMessageStorage.layer, Layer.orDie(SqlRunnerStorage.layer)).pipe(
            Layer.provide(ShardingConfig.layer({ shardsPerGroup: SHARDS }))
          )
        )
      )
      yield* sql.onDialectOrElse({
        pg: () => ScheduleStore.withTablesLock(create),
        orElse: () => Effect.void
      })
      return sql
    })
  )

/**
 * The engine over the `SqlClient` of the context: the cluster (this process as one runner), the
 * workflow engine and the run workflow's implementation, with the schedule store.
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  WorkflowEngine | ScheduleStore.ScheduleStore,
  ConfigError | ScheduleStore.ScheduleStoreError,
  | SqlClient.SqlClient
  | ScheduledRun.RunSettings
  | Destination.Destinations
  | Journal.Journal
  | Downloads.Downloads
> => {
  const expiration = Duration.decode(options.lockExpiration ?? "20 seconds")
  const poll = options.pollInterval ?? "500 millis"
  const cluster = ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(
      SingleRunner.layer({
        runnerStorage: "sql",
        shardingConfig: {
          runnerAddress: Option.some(runnerAddress()),
          shardsPerGroup: SHARDS,
          shardLockExpiration: expiration,
          shardLockRefreshInterval: Duration.divide(expiration, 4).pipe((d) =>
            d._tag === "Some" ? d.value : expiration
          ),
          refreshAssignmentsInterval: poll,
          entityMessagePollInterval: poll,
          entityReplyPollInterval: "100 millis",
          entityTerminationTimeout: "5 seconds"
        }
      })
    )
  )
  return handlers(options.retry).pipe(
    Layer.provideMerge(cluster),
    Layer.provideMerge(ScheduleStore.layer),
    Layer.provide(tablesReady)
  )
}

/**
 * The embedded store: a SQLite file (WAL, created with mode `0600` in a `0700` folder by the caller).
 *
 * @since 0.1.0
 */
export const sqlite = (filename: string): Layer.Layer<SqlClient.SqlClient> =>
  Layer.scoped(
    SqlClientTag,
    Effect.gen(function* () {
      const client = yield* SqliteClient.make({ filename })
      // a transaction that reads before it writes cannot wait for another process's write lock
      // (SQLite answers "database is locked" at once): each transaction writes first, to a table kept
      // empty, so that it takes the write lock at its start, waiting for it as long as needed
      yield* client`CREATE TABLE IF NOT EXISTS booster_write_lock (n INTEGER)`
      const takeWriteLock = client`DELETE FROM booster_write_lock`
      const withTransaction: SqlClient.SqlClient["withTransaction"] = (effect) =>
        client.withTransaction(Effect.zipRight(takeWriteLock, effect))
      const wrapped: SqlClient.SqlClient = Object.assign(
        (...args: Parameters<SqlClient.SqlClient>) => client(...args),
        client,
        { withTransaction }
      )
      ;(wrapped as { safe: unknown }).safe = wrapped
      return wrapped
    }).pipe(Effect.orDie)
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * The team's store: the PostgreSQL database of `url` (e.g. `BOOSTER_JOURNAL_URL`), shared by the
 * workers of several machines; shard locks are PostgreSQL advisory locks. The password never appears
 * in a message.
 *
 * @since 0.1.0
 */
export const postgres = (url: Redacted.Redacted<string>): Layer.Layer<SqlClient.SqlClient, SqlError> =>
  PgClient.layer({ url })

/**
 * Runs (or joins) the run of `schedule` due at `due`, answering how it ended. Asked again for the
 * same schedule and due time — by this process or another sharing the store, before, during or
 * after the run — it answers the one run's outcome.
 *
 * @since 0.1.0
 */
export const execute = (
  schedule: Pick<ExportSchedule.ExportSchedule, "id">,
  due: Date
): Effect.Effect<Outcome, never, WorkflowEngine> =>
  RunWorkflow.execute({ scheduleId: schedule.id, due: ExportSchedule.dueKey(due) })
