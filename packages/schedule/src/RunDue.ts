/**
 * Running what is due: for every schedule that is not paused, the due times since the last one
 * considered, up to "as of" (now, or a given time for catch-up), chosen by the schedule's catch-up
 * policy; each chosen run executed through the engine (once per schedule and due time, whatever the
 * number of callers), each skipped one recorded as skipped. `booster schedule run-due` calls it once;
 * `booster worker` calls it each time a run falls due: the same code path.
 *
 * @since 0.1.0
 */
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import { Clock, Effect } from "effect"
import * as Engine from "./Engine.js"
import * as ExportSchedule from "./ExportSchedule.js"
import * as ScheduleStore from "./ScheduleStore.js"

/**
 * One run a call handled: the schedule, the due time and how the run ended (or `"skipped"`).
 *
 * @since 0.1.0
 */
export interface Handled {
  readonly schedule: string
  readonly due: string
  readonly status: "delivered" | "failed" | "skipped"
  readonly outcome: Engine.Outcome | undefined
}

/**
 * Options of {@link runDue}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The time to run as of; default now. */
  readonly asOf?: Date | undefined
  /** How many runs at once; default 4. */
  readonly concurrency?: number | undefined
  /** Only the schedule of this name. */
  readonly only?: string | undefined
}

/**
 * Runs every run due as of `asOf` and waits for them; answers what it handled, in due order.
 *
 * @since 0.1.0
 */
export const runDue = (
  options: Options = {}
): Effect.Effect<
  ReadonlyArray<Handled>,
  ScheduleStore.ScheduleStoreError,
  WorkflowEngine | ScheduleStore.ScheduleStore
> =>
  Effect.gen(function* () {
    const store = yield* ScheduleStore.ScheduleStore
    const asOf = options.asOf ?? new Date(yield* Clock.currentTimeMillis)
    const schedules = (yield* store.list).filter(
      (schedule) => !schedule.paused && (options.only === undefined || schedule.name === options.only)
    )
    const work: Array<{ schedule: ExportSchedule.ExportSchedule; due: Date }> = []
    const handled: Array<Handled> = []
    const latest: Array<{ readonly id: string; readonly due: Date }> = []
    for (const schedule of schedules) {
      const since = (yield* store.handledThrough(schedule.id)) ?? new Date(schedule.createdAt)
      const due = ExportSchedule.dueTimes(schedule, since, asOf)
      const { run, skip } = ExportSchedule.choose(schedule.catchUp, due, asOf)
      if (due.length > 0) latest.push({ id: schedule.id, due: due[due.length - 1]! })
      for (const at of skip) {
        const key = ExportSchedule.dueKey(at)
        yield* store.putRun(
          {
            scheduleId: schedule.id,
            scheduleName: schedule.name,
            due: key,
            status: "skipped",
            startedAt: undefined,
            finishedAt: undefined,
            attempts: 0,
            rows: undefined,
            bytes: undefined,
            sha256: undefined,
            destination: schedule.destination,
            asyncTaskId: undefined,
            reason: `missed while no worker ran (catch-up ${schedule.catchUp})`
          },
          true
        )
        handled.push({ schedule: schedule.name, due: key, status: "skipped", outcome: undefined })
      }
      for (const at of run) work.push({ schedule, due: at })
    }
    const outcomes = yield* Effect.forEach(
      work,
      ({ due, schedule }) =>
        Effect.map(Engine.execute(schedule, due), (outcome) => ({
          schedule: schedule.name,
          due: ExportSchedule.dueKey(due),
          status: outcome.status,
          outcome
        })),
      { concurrency: options.concurrency ?? 4 }
    )
    for (const { due, id } of latest) yield* store.advance(id, due)
    return [...handled, ...outcomes].sort((a, b) => a.due.localeCompare(b.due))
  })

/**
 * The next time any schedule that is not paused falls due after `after`, if any.
 *
 * @since 0.1.0
 */
export const nextDue = (
  after: Date
): Effect.Effect<Date | undefined, ScheduleStore.ScheduleStoreError, ScheduleStore.ScheduleStore> =>
  Effect.map(ScheduleStore.ScheduleStore.pipe(Effect.flatMap((store) => store.list)), (schedules) =>
    schedules
      .filter((schedule) => !schedule.paused)
      .map((schedule) => ExportSchedule.nextRuns(schedule, after, 1)[0]!)
      .reduce<Date | undefined>((min, at) => (min === undefined || at < min ? at : min), undefined)
  )
