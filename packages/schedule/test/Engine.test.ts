import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Downloads, Journal } from "@booster-export/journal"
import { Sandbox } from "@booster-export/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"
import { RunDue, ScheduleStore } from "../src/index.js"
import { environment } from "./env.js"

const schedule = (folder: string, extra: Record<string, unknown> = {}) => ({
  id: "s-weekly-1",
  name: "weekly",
  kind: "customers",
  filter: { brand: "CAR", posCodes: ["ES100"], creationDateFrom: "-7d" },
  cron: "0 7 * * MON",
  timeZone: "Europe/Paris",
  destination: `file://${folder}/`,
  catchUp: "latest" as const,
  paused: false,
  createdAt: "2026-03-01T00:00:00.000Z",
  ...extra
})

describe("run-due on the embedded engine", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({ customers: 300, taskDurationMs: 0, brands: ["CAR"] })
  })
  afterAll(() => sb.close())

  it("runs the due run once, delivers its file under the deterministic name, and answers the same run when asked again", async () => {
    const state = mkdtempSync(join(tmpdir(), "sched-"))
    const out = join(state, "out")
    const program = Effect.gen(function* () {
      const store = yield* ScheduleStore.ScheduleStore
      yield* store.add(schedule(out, { retentionDays: 14 }))
      const asOf = new Date("2026-03-09T06:30:00Z")
      const first = yield* RunDue.runDue({ asOf })
      const again = yield* RunDue.runDue({ asOf })
      const runs = yield* store.runs("weekly", 10)
      return { first, again, runs }
    })
    const { again, first, runs } = await Effect.runPromise(
      program.pipe(Effect.provide(environment(state, sb)), Effect.scoped)
    )
    // Monday 2026-03-09 07:00 in Paris is 06:00 UTC; the Monday before was skipped (catch-up latest)
    expect(first.map((h) => [h.due, h.status])).toEqual([
      ["2026-03-02T06:00:00Z", "skipped"],
      ["2026-03-09T06:00:00Z", "delivered"]
    ])
    expect(again).toEqual([])
    expect(sb.tasksCreated()).toBe(1)
    const file = join(out, "weekly", "2026-03-09T06-00-00Z", "customers.csv")
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(out, "weekly")).mode & 0o777).toBe(0o700)
    expect(readFileSync(file, "utf8").split("\n")[0]).toContain("brand")
    expect(readdirSync(join(out, "weekly", "2026-03-09T06-00-00Z"))).toEqual(["customers.csv"])
    const delivered = runs.find((run) => run.status === "delivered")
    expect(delivered).toMatchObject({ attempts: 1, destination: `file://${file}` })
    expect(delivered?.bytes).toBe(statSync(file).size)
    // the relative date resolved against the due time, not the clock
    const journal = readFileSync(join(state, Journal.FILE), "utf8")
    expect(journal).toContain("2026-03-02")
    expect(journal).toContain('"event":"delivered"')
    expect(journal).toContain('"event":"scheduled-run"')
    // kept for the schedule's retention, then deleted by `booster files purge` like any download
    const own = readFileSync(join(state, Downloads.FILE), "utf8")
    expect(own).toContain(file)
    expect(own).toContain(new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10))
  })
})
