import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { Engine, type ExportSchedule, ScheduleStore } from "@booster-export/schedule"
import { Effect, Layer, Redacted } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import {
  type Connected,
  connectStdio,
  GENERATIONS,
  PERSONAL_EMAIL,
  serverEnv,
  tempDirs,
  textOf,
  V2_AUTO
} from "./harness.js"
import { clusterUrl, freshDatabase, query } from "./pg.js"

let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: Connected | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
  dirs = undefined
})

const storeFile = (d: NonNullable<typeof dirs>) =>
  join(d.stateHome, "booster-export", ScheduleStore.SQLITE_FILE)

const schedule = (name: string, extra: Partial<ExportSchedule.ExportSchedule> = {}) =>
  ({
    id: `mcp-${name}`,
    name,
    kind: "customers",
    filter: { brand: "CAR", posCodes: ["ES100"], email: PERSONAL_EMAIL, creationDateFrom: "-7d" },
    cron: "0 7 * * MON",
    timeZone: "Europe/Paris",
    destination: "sftp://deliver@files.example.com:2222/drop/",
    catchUp: "latest",
    paused: false,
    createdAt: "2026-03-20T00:00:00.000Z",
    ...extra
  }) satisfies ExportSchedule.ExportSchedule

/** The store as `booster schedule` leaves it: two schedules (one paused), runs of the first. */
const populate = (d: NonNullable<typeof dirs>, databaseUrl?: string) => {
  mkdirSync(join(d.stateHome, "booster-export"), { recursive: true, mode: 0o700 })
  const sql =
    databaseUrl !== undefined
      ? Layer.orDie(Engine.postgres(Redacted.make(databaseUrl)))
      : Engine.sqlite(storeFile(d))
  return Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* ScheduleStore.ScheduleStore
      yield* store.add(schedule("weekly-clients", { purpose: "CRM-1234 weekly campaign" }))
      yield* store.add(
        schedule("stock-bucket", {
          id: "mcp-stock",
          kind: "stock",
          filter: {},
          destination: "s3://exports/stock/?endpoint=https://s3.internal.example:9000&region=eu-west-3",
          paused: true
        })
      )
      const base = {
        scheduleId: "mcp-weekly-clients",
        scheduleName: "weekly-clients",
        asyncTaskId: undefined,
        sha256: undefined
      }
      yield* store.putRun({
        ...base,
        due: "2026-03-30T05:00:00Z",
        status: "delivered",
        startedAt: "2026-03-30T05:00:01.000Z",
        finishedAt: "2026-03-30T05:00:04.500Z",
        attempts: 1,
        rows: 120,
        bytes: 20_480,
        destination:
          "sftp://deliver@files.example.com:2222/drop/weekly-clients/2026-03-30T05-00-00Z/customers.csv",
        reason: undefined
      })
      yield* store.putRun({
        ...base,
        due: "2026-04-06T05:00:00Z",
        status: "failed",
        startedAt: "2026-04-06T05:00:01.000Z",
        finishedAt: "2026-04-06T05:01:01.000Z",
        attempts: 4,
        rows: undefined,
        bytes: undefined,
        destination: undefined,
        reason: "the destination refused the file (denied)"
      })
    }).pipe(Effect.provide(ScheduleStore.layer.pipe(Layer.provide(sql))))
  )
}

const changing =
  /^(add|create|update|edit|pause|resume|remove|delete|run|trigger|start|enable|disable|set)_?.*schedul/

describe.each([...GENERATIONS, V2_AUTO])("the schedule tools as the $name calls them", (generation) => {
  it("offers only the two reading tools on schedules, both read-only, even with --read-only", async () => {
    dirs = await tempDirs()
    for (const args of [[], ["--read-only"]]) {
      server = await connectStdio(args, serverEnv(dirs), generation)
      const { tools } = await server.client.listTools()
      const scheduleTools = tools.filter((tool) => /schedul/i.test(`${tool.name} ${tool.title ?? ""}`))
      expect(scheduleTools.map((tool) => tool.name).sort()).toEqual(["describe_schedule", "list_schedules"])
      expect(scheduleTools.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true)
      expect(tools.filter((tool) => changing.test(tool.name))).toEqual([])
      // they sit in every assistant's context beside the export tools
      expect(Buffer.byteLength(JSON.stringify(scheduleTools), "utf8")).toBeLessThanOrEqual(1.7 * 1024)
      await server.close()
      server = undefined
    }
  })

  it("lists and describes the schedules of the store, with runs, next five times, and nothing personal or secret", async () => {
    dirs = await tempDirs()
    await populate(dirs)
    server = await connectStdio([], serverEnv(dirs), generation)

    const listed = await server.client.callTool("list_schedules", {})
    expect(listed.isError).not.toBe(true)
    const schedules = (listed.structuredContent as { schedules: Array<Record<string, unknown>> }).schedules
    expect(schedules.map((s) => [s.name, s.paused])).toEqual([
      ["stock-bucket", true],
      ["weekly-clients", false]
    ])
    expect(schedules[1]).toMatchObject({
      cadence: "At 07:00, only on Monday (Europe/Paris)",
      destination: "sftp://files.example.com:2222/drop/",
      nextRun: expect.stringMatching(/T0[56]:00:00\.000Z$/)
    })
    expect(schedules[0]!.nextRun).toBeUndefined()
    expect(schedules[0]!.destination).toBe("s3://exports/stock/?<redacted>")
    const paused = await server.client.callTool("list_schedules", { state: "paused" })
    expect(
      (paused.structuredContent as { schedules: Array<{ name: string }> }).schedules.map((s) => s.name)
    ).toEqual(["stock-bucket"])

    const described = await server.client.callTool("describe_schedule", { name: "weekly-clients" })
    expect(described.isError).not.toBe(true)
    const { runs, ...shown } = described.structuredContent as {
      nextRuns: Array<string>
      exports: string
      purpose: string
      runs: Array<Record<string, unknown>>
    }
    expect(shown.purpose).toBe("CRM-1234 weekly campaign")
    expect(shown.nextRuns).toHaveLength(5)
    expect(new Set(shown.nextRuns.map((at) => new Date(at).getUTCDay()))).toEqual(new Set([1]))
    expect(shown.exports).toBe(
      "Customers of CAR at 1 point of sale (ES100), created on or after -7d, with a given email address"
    )
    expect(runs).toEqual([
      {
        due: "2026-04-06T05:00:00Z",
        status: "failed",
        durationMs: 60_000,
        reason: "the destination refused the file (denied)"
      },
      {
        due: "2026-03-30T05:00:00Z",
        status: "delivered",
        rows: 120,
        bytes: 20_480,
        durationMs: 3_500,
        destination: "sftp://files.example.com:2222/drop/weekly-clients/2026-03-30T05-00-00Z/customers.csv"
      }
    ])
    expect(textOf(described)).toContain("120 rows")

    for (const answer of [listed, paused, described]) {
      const everything = JSON.stringify(answer)
      expect(everything).not.toContain(PERSONAL_EMAIL)
      expect(everything).not.toContain("deliver@")
      expect(everything).not.toContain("s3.internal.example")
    }
    const missing = await server.client.callTool("describe_schedule", { name: "nope" })
    expect(missing.isError).toBe(true)
    expect(textOf(missing)).toContain("list_schedules")
  })
})

describe("the schedule tools on an install without schedules", () => {
  it("answer that there are none, and create no store", async () => {
    dirs = await tempDirs()
    server = await connectStdio([], serverEnv(dirs))
    const listed = await server.client.callTool("list_schedules", {})
    expect(textOf(listed)).toBe("No scheduled exports.")
    expect(listed.structuredContent).toEqual({ schedules: [] })
    const described = await server.client.callTool("describe_schedule", { name: "weekly" })
    expect(described.isError).toBe(true)
    expect(existsSync(storeFile(dirs))).toBe(false)
  })
})

describe.skipIf(clusterUrl === undefined)("the schedule tools with the team's PostgreSQL database", () => {
  it("read the schedules the team's workers share; a database without them reads as none, and is left without their tables", async () => {
    dirs = await tempDirs()
    const empty = await freshDatabase()
    server = await connectStdio([], serverEnv(dirs, { BOOSTER_JOURNAL_URL: empty }))
    expect(textOf(await server.client.callTool("list_schedules", {}))).toBe("No scheduled exports.")
    await server.close()
    const tables = await query(
      empty,
      (client) => client`SELECT to_regclass('booster_schedules') IS NOT NULL AS found`
    )
    expect(tables).toEqual([{ found: false }])

    const team = await freshDatabase()
    await populate(dirs, team)
    server = await connectStdio([], serverEnv(dirs, { BOOSTER_JOURNAL_URL: team }))
    const listed = await server.client.callTool("list_schedules", {})
    expect(
      (listed.structuredContent as { schedules: Array<{ name: string }> }).schedules.map((s) => s.name)
    ).toEqual(["stock-bucket", "weekly-clients"])
    const described = await server.client.callTool("describe_schedule", { name: "weekly-clients" })
    expect((described.structuredContent as { runs: Array<unknown> }).runs).toHaveLength(2)
    expect(JSON.stringify([listed, described])).not.toContain(PERSONAL_EMAIL)
    expect(existsSync(storeFile(dirs))).toBe(false)
  })
})
