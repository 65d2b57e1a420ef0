/**
 * The scheduled-run engine under load, on the embedded SQLite store, against a sandbox in its own
 * process whose tasks complete at once (short tasks: what is measured is the engine, not the API):
 *
 * 1. **Drain**: 1,000 schedules fall due at the same instant; one process (one worker, `run-due`'s
 *    default concurrency of 4) runs them all — each a workflow: export (guarded start, follow,
 *    download), delivery to a folder (create-only, verified), the run's rows and audit events.
 *    Time to drain and this process's peak RSS.
 * 2. **Overhead per run**: the same filter exported bare with the client (`startExport`, follow,
 *    download; no journal, no engine), one after another, against runs through the engine one at
 *    a time; median per-run time, ratio engine / bare, measured in the same script.
 *
 * `BENCH_SCHEDULES` and `BENCH_OVERHEAD_RUNS` change the counts.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ExportKind } from "@booster-export/core"
import { Auth, BoosterClient } from "@booster-export/transport"
import { Effect, Stream } from "effect"
import { record } from "../../../scripts/bench-results.mjs"
import { startSandboxProcess } from "../../transport/bench/support.js"
import { Engine, ExportSchedule, RunDue, ScheduleStore } from "../src/index.js"
import { environment, testKey } from "../test/env.js"

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 1_000)
const OVERHEAD_RUNS = Number(process.env.BENCH_OVERHEAD_RUNS ?? 40)
/**
 * Goals: a morning's 1,000 runs due at 07:00 delivered by 07:03 by one worker, which fits a 1 GiB
 * container (768 MiB peak RSS); a run through the engine (journal, guarded start, workflow steps
 * recorded in SQLite, create-only verified delivery, audit) at most 8× a bare export of an
 * instant sandbox task — tens of milliseconds, against exports that take seconds to minutes.
 */
const DRAIN_GOAL_S = 180
const RSS_GOAL_MIB = 768
const OVERHEAD_GOAL = 8

const sb = await startSandboxProcess(["--customers", "50", "--task-duration-ms", "0", "--brands", "CAR"])
const api = { baseUrl: sb.baseUrl, apiKey: sb.apiKey }
const folders: Array<string> = []
const folder = (prefix: string) => {
  const made = mkdtempSync(join(tmpdir(), prefix))
  folders.push(made)
  return made
}
const filter = { brand: "CAR", posCodes: ["ES100"] }
const due = new Date("2026-03-30T07:00:00Z")
const asOf = new Date("2026-03-30T07:00:30Z")
const schedule = (n: number, out: string): ExportSchedule.ExportSchedule => ({
  id: `bench-${n}`,
  name: `bench-${n}`,
  kind: "customers",
  filter,
  cron: "0 7 * * *",
  timeZone: "UTC",
  destination: `file://${out}/`,
  catchUp: "latest",
  paused: false,
  createdAt: "2026-03-29T12:00:00.000Z"
})
const engineOptions = {
  retry: { attempts: 1, initialDelay: "10 millis" },
  lockExpiration: "20 seconds"
} as const
const median = (values: ReadonlyArray<number>) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Adds `count` schedules due at `due` to a fresh store, then runs what is due: ms, and how the runs ended. */
const drain = (count: number, concurrency: number | undefined, oneAtATime = false) => {
  const state = folder("bench-sched-state-")
  const out = folder("bench-sched-out-")
  return Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* ScheduleStore.ScheduleStore
      for (let n = 0; n < count; n++) yield* store.add(schedule(n, out))
      if (!oneAtATime) {
        const started = performance.now()
        const handled = yield* RunDue.runDue({ asOf, concurrency })
        return { ms: [performance.now() - started], handled, out }
      }
      // one run at a time through the engine, each timed
      const ms: Array<number> = []
      const handled: Array<RunDue.Handled> = []
      for (let n = 0; n < count; n++) {
        const started = performance.now()
        const outcome = yield* Engine.execute(schedule(n, out), due)
        ms.push(performance.now() - started)
        handled.push({
          schedule: `bench-${n}`,
          due: ExportSchedule.dueKey(due),
          status: outcome.status,
          outcome
        })
      }
      return { ms, handled, out }
    }).pipe(Effect.provide(environment(state, api, engineOptions)), Effect.scoped)
  )
}

/** The same export bare: start, follow, download with the client alone, one after another. */
const bare = (count: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const client = yield* BoosterClient.BoosterClient
      const out = folder("bench-bare-out-")
      const kind = ExportKind.byName("customers")!
      const ms: Array<number> = []
      for (let n = 0; n < count; n++) {
        const started = performance.now()
        const { asyncTaskId } = yield* client.startExport(kind, filter as never)
        let last: BoosterClient.Progress | undefined
        yield* Stream.runForEach(client.followTask(asyncTaskId), (progress) =>
          Effect.sync(() => {
            last = progress
          })
        )
        yield* client.download(last?.task ?? asyncTaskId, join(out, `${n}.csv`))
        ms.push(performance.now() - started)
      }
      return ms
    }).pipe(
      Effect.provide(
        BoosterClient.BoosterClient.layer({
          baseUrl: api.baseUrl,
          auth: Auth.bearer(api.apiKey),
          poll: { initialMs: 10, maxMs: 50 },
          fingerprintKey: testKey
        })
      ),
      Effect.scoped
    )
  )

try {
  // warm-up: both paths once, so that neither pays the first load of its modules in the figures
  await bare(2)
  await drain(2, 1, true)

  const bareMs = await bare(OVERHEAD_RUNS)
  const engineRuns = await drain(OVERHEAD_RUNS, 1, true)
  if (engineRuns.handled.some((h) => h.status !== "delivered"))
    throw new Error("a run through the engine failed")
  const ratio = median(engineRuns.ms) / median(bareMs)

  const drained = await drain(SCHEDULES, undefined)
  const delivered = drained.handled.filter((h) => h.status === "delivered").length
  const files = readdirSync(drained.out).length
  if (delivered !== SCHEDULES || files !== SCHEDULES) {
    throw new Error(`${delivered} of ${SCHEDULES} runs delivered, ${files} folders written`)
  }
  const seconds = drained.ms[0]! / 1000
  const rssMiB = process.resourceUsage().maxRSS / 1024

  console.log(
    `overhead per run: engine ${median(engineRuns.ms).toFixed(1)} ms, bare export ${median(bareMs).toFixed(1)} ms (median of ${OVERHEAD_RUNS}): ${ratio.toFixed(2)}×`
  )
  console.log(
    `drain: ${SCHEDULES} schedules due at once, one worker: ${seconds.toFixed(1)} s (${((seconds * 1000) / SCHEDULES).toFixed(1)} ms a run), peak RSS ${rssMiB.toFixed(0)} MiB`
  )
  record({
    name: `${SCHEDULES} schedules due at once, one worker: drained in`,
    value: `${seconds.toFixed(1)} s`,
    goal: `≤ ${DRAIN_GOAL_S} s`,
    met: seconds <= DRAIN_GOAL_S
  })
  record({
    name: `${SCHEDULES} schedules due at once: peak RSS`,
    value: `${rssMiB.toFixed(0)} MiB`,
    goal: `≤ ${RSS_GOAL_MIB} MiB`,
    met: rssMiB <= RSS_GOAL_MIB
  })
  record({
    name: "a scheduled run vs a bare export (start, follow, download)",
    value: `${ratio.toFixed(2)}×`,
    goal: `≤ ${OVERHEAD_GOAL}×`,
    met: ratio <= OVERHEAD_GOAL
  })
} finally {
  sb.stop()
  for (const made of folders) rmSync(made, { recursive: true, force: true })
}
