import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Sandbox } from "@booster-export/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import { Engine, ScheduleStore } from "../src/index.js"
import { environment } from "./env.js"
import { clusterUrl, freshDatabase } from "./pg.js"

const here = fileURLToPath(new URL(".", import.meta.url))
const fixture = join(here, "fixtures", "run-due.ts")

const schedule = (n: number, folder: string) => ({
  id: `race-${n}`,
  name: `race-${n}`,
  kind: n === 2 ? "stock" : "customers",
  filter: n === 2 ? { brand: "CAR" } : { brand: "CAR", posCodes: [`ES10${n}`], creationDateFrom: "-7d" },
  cron: "0 7 * * *",
  timeZone: "Europe/Paris",
  destination: `file://${folder}/`,
  catchUp: "all" as const,
  paused: false,
  createdAt: "2026-03-27T12:00:00.000Z"
})

let sb: Sandbox.RunningSandbox
beforeAll(async () => {
  sb = await Sandbox.start({ customers: 300, taskDurationMs: 200, brands: ["CAR"] })
})
afterAll(() => sb.close())

/**
 * Four processes call run-due at the same instant on three schedules of three due times each, on the
 * store `pgUrl` names (else the SQLite file of a shared state folder).
 */
const race = async (pgUrl: string | undefined) => {
  {
    const database = pgUrl !== undefined ? Engine.postgres(Redacted.make(pgUrl)) : undefined
    const state = mkdtempSync(join(tmpdir(), "sched-race-"))
    const out = join(state, "out")
    const gate = mkdtempSync(join(tmpdir(), "sched-gate-"))
    await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* ScheduleStore.ScheduleStore
        for (const n of [1, 2, 3]) yield* store.add(schedule(n, out))
      }).pipe(Effect.provide(environment(state, sb, undefined, undefined, database)), Effect.scoped)
    )
    const before = sb.tasksCreated()
    const processes = 4
    const asOf = "2026-03-30T06:00:00Z" // three daily runs each: the 28th, the 29th (DST), the 30th
    const runs = Array.from({ length: processes }, () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", fixture], {
        cwd: join(here, ".."),
        env: {
          ...process.env,
          STATE: state,
          BASE_URL: sb.baseUrl,
          API_KEY: sb.apiKey,
          AS_OF: asOf,
          GATE: gate,
          ...(pgUrl !== undefined ? { PG_URL: pgUrl } : {})
        },
        encoding: "utf8",
        // a guard against a hang, not a speed claim: the whole suite shares two cores and one database
        timeout: 240_000
      }).then(
        (result) =>
          JSON.parse(result.stdout.trim().split("\n").pop()!) as Array<{
            schedule: string
            due: string
            status: string
          }>,
        (error: Error & { stderr?: string; killed?: boolean }) => {
          throw new Error(
            `run-due ${error.killed === true ? "killed after 240 s" : "failed"}: ${(error.stderr ?? "").slice(-2000)}`
          )
        }
      )
    )
    while (readdirSync(gate).filter((name) => name.startsWith("ready-")).length < processes) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    writeFileSync(join(gate, "go"), "")
    const answers = await Promise.all(runs)
    expect(sb.tasksCreated() - before).toBe(9)
    for (const n of [1, 2, 3]) {
      const days = readdirSync(join(out, `race-${n}`)).sort()
      expect(days).toEqual(["2026-03-28T06-00-00Z", "2026-03-29T05-00-00Z", "2026-03-30T05-00-00Z"])
      for (const day of days) {
        expect(readdirSync(join(out, `race-${n}`, day))).toEqual([n === 2 ? "stock.csv" : "customers.csv"])
      }
    }
    // whoever ran it, every caller that asked for a run answers its one outcome
    const delivered = answers.flat().filter((handled) => handled.status === "delivered")
    expect(new Set(delivered.map((handled) => `${handled.schedule}/${handled.due}`)).size).toBe(9)
    expect(answers.flat().every((handled) => handled.status === "delivered")).toBe(true)
    const stored = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* ScheduleStore.ScheduleStore
        return (yield* store.runs("race-1", 10)).map((run) => [run.due, run.status, run.attempts])
      }).pipe(Effect.provide(environment(state, sb, undefined, undefined, database)), Effect.scoped)
    )
    expect(stored).toEqual([
      ["2026-03-30T05:00:00Z", "delivered", 1],
      ["2026-03-29T05:00:00Z", "delivered", 1],
      ["2026-03-28T06:00:00Z", "delivered", 1]
    ])
  }
}

describe("run-due called by several processes at once", () => {
  it(
    "on the SQLite store, runs each (schedule, due time) once: one task per run at the API, one file per run, the same outcome for every caller",
    () => race(undefined),
    300_000
  )

  it.skipIf(clusterUrl === undefined)(
    "on a PostgreSQL store, runs each (schedule, due time) once: one task per run at the API, one file per run",
    async () => race(await freshDatabase()),
    300_000
  )
})
