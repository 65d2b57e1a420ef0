import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { Engine, ScheduleStore } from "@booster-export/schedule"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { binary, booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox
beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 300, taskDurationMs: 0, brands: ["CAR"] })
})
afterAll(() => sandbox.close())

const apiEnv = (
  home: { env: Record<string, string> },
  api: { baseUrl: string; apiKey: string } = sandbox
) => ({
  ...home.env,
  BOOSTER_BASE_URL: api.baseUrl,
  BOOSTER_API_KEY: api.apiKey,
  BOOSTER_SCHEDULE_ATTEMPTS: "2",
  BOOSTER_SCHEDULE_RETRY_DELAY_MS: "10",
  BOOSTER_SCHEDULE_TAKEOVER_MS: "3000"
})

const addArgs = (name: string, out: string, extra: ReadonlyArray<string> = []) => [
  "schedule",
  "add",
  name,
  "--brand",
  "CAR",
  "--pos-code",
  "ES100",
  "--creation-date-from",
  "-7d",
  "--cron",
  "0 7 * * MON",
  "--tz",
  "Europe/Paris",
  "--to",
  `file://${out}/`,
  ...extra
]

/** Adds a schedule straight into the store of a home, created at `createdAt` (to have past due times). */
const seed = (home: { root: string }, schedule: Record<string, unknown>) => {
  mkdirSync(join(home.root, "state", "booster-export"), { recursive: true, mode: 0o700 })
  return Effect.runPromise(
    Effect.flatMap(ScheduleStore.ScheduleStore, (store) => store.add(schedule as never)).pipe(
      Effect.provide(
        ScheduleStore.layer.pipe(
          Layer.provide(Engine.sqlite(join(home.root, "state", "booster-export", "schedules.sqlite")))
        )
      )
    )
  )
}

describe("booster schedule", () => {
  it("adds a schedule only when confirmed (--yes off a terminal), then lists, shows, pauses, resumes and removes it", async () => {
    const home = freshHome()
    const out = join(home.root, "out")
    const refused = await booster(addArgs("weekly", out), { env: home.env })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--yes")
    expect((await booster(["schedule", "list", "--json"], { env: home.env })).stdout.trim()).toBe("[]")

    const added = await booster([...addArgs("weekly", out), "--yes", "--json"], { env: home.env })
    expect(added.code).toBe(0)
    const shown = parseJson(added.stdout)
    expect(shown).toMatchObject({
      name: "weekly",
      kind: "customers",
      cadence: "At 07:00, only on Monday (Europe/Paris)"
    })
    expect((shown.nextRuns as Array<string>).length).toBe(5)
    const database = join(home.root, "state", "booster-export", "schedules.sqlite")
    expect(statSync(database).mode & 0o777).toBe(0o600)
    expect(statSync(join(database, "..")).mode & 0o777).toBe(0o700)

    const twice = await booster([...addArgs("weekly", out), "--yes"], { env: home.env })
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain("already named")

    expect((await booster(["schedule", "pause", "weekly"], { env: home.env })).code).toBe(0)
    const paused = JSON.parse((await booster(["schedule", "list", "--json"], { env: home.env })).stdout)
    expect(paused).toMatchObject([{ name: "weekly", paused: true }])
    expect((await booster(["schedule", "resume", "weekly"], { env: home.env })).code).toBe(0)
    const text = await booster(["schedule", "show", "weekly"], { env: home.env })
    expect(text.stdout).toContain("next runs:")
    expect((await booster(["schedule", "remove", "weekly"], { env: home.env })).code).toBe(0)
    expect((await booster(["schedule", "show", "weekly"], { env: home.env })).code).toBe(2)
  })

  it("--filter NAME of another kind is refused as `booster export` refuses it; with that kind it is added", async () => {
    const home = freshHome()
    const out = join(home.root, "out")
    const saved = await booster(
      ["filters", "save", "stock-es", "--kind", "stock", "--brand", "CAR", "--pos-code", "ES100"],
      { env: home.env }
    )
    expect(saved.code, saved.stderr).toBe(0)
    const args = [
      "schedule",
      "add",
      "stock-daily",
      "--filter",
      "stock-es",
      "--cron",
      "30 6 * * *",
      "--to",
      `file://${out}/`,
      "--yes",
      "--json"
    ]
    const refused = await booster(args, { env: home.env })
    expect(refused.code).toBe(2)
    const error = JSON.parse(refused.stderr) as { message: string; hint: string }
    expect(error.message).toBe("The saved filter stock-es is a filter of stock exports, not of customers")
    expect(error.hint).toContain("booster schedule add stock-daily --kind stock --filter stock-es")
    // booster export says the same of the same filter
    const exported = await booster(["export", "--filter", "stock-es", "--dry-run", "--json"], {
      env: home.env
    })
    expect(exported.code).toBe(2)
    expect((JSON.parse(exported.stderr) as { message: string }).message).toBe(error.message)
    expect((await booster(["schedule", "list", "--json"], { env: home.env })).stdout.trim()).toBe("[]")
    const added = await booster([...args, "--kind", "stock"], { env: home.env })
    expect(added.code, added.stderr).toBe(0)
    expect(parseJson(added.stdout)).toMatchObject({ name: "stock-daily", kind: "stock" })
    const shown = parseJson(
      (await booster(["schedule", "show", "stock-daily", "--json"], { env: home.env })).stdout
    )
    expect(shown).toMatchObject({ kind: "stock", filter: { brand: "CAR", posCodes: ["ES100"] } })
    // a customer filter is refused by a stock schedule
    await booster(["filters", "save", "clients", "--brand", "CAR", "--pos-code", "ES100"], { env: home.env })
    const mixed = await booster(
      [
        "schedule",
        "add",
        "mixed",
        "--kind",
        "stock",
        "--filter",
        "clients",
        "--cron",
        "30 6 * * *",
        "--to",
        `file://${out}/`,
        "--yes"
      ],
      { env: home.env }
    )
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toContain("is a filter of customers exports, not of stock")
  })

  it("refuses a bad cron, an unknown zone, a destination with a password, and personal values without --allow-personal", async () => {
    const home = freshHome()
    const out = join(home.root, "out")
    const cases = [
      [
        ...addArgs("a", out, ["--yes"]).slice(0, -5),
        "--cron",
        "every monday",
        "--to",
        `file://${out}/`,
        "--yes"
      ],
      [...addArgs("b", out, ["--yes", "--tz", "Europe/Nowhere"])],
      [...addArgs("c", out).slice(0, -2), "--to", "sftp://user:secret@example.com/x", "--yes"],
      [...addArgs("d", out, ["--email", "someone@example.com", "--yes"])]
    ]
    for (const args of cases) {
      const result = await booster(args, { env: home.env })
      expect(result.code).toBe(2)
      expect(result.stderr).not.toContain("secret")
      expect(result.stderr).not.toContain("someone@example.com")
    }
    expect((await booster(["schedule", "list", "--json"], { env: home.env })).stdout.trim()).toBe("[]")
  })

  it("run-due runs what is due once, delivers the file, and runs shows it; a second run-due does nothing", async () => {
    const home = freshHome()
    const out = join(home.root, "out")
    await seed(home, {
      id: "cli-weekly",
      name: "weekly",
      kind: "customers",
      filter: { brand: "CAR", posCodes: ["ES100"], creationDateFrom: "-7d" },
      cron: "0 7 * * MON",
      timeZone: "Europe/Paris",
      destination: `file://${out}/`,
      catchUp: "latest",
      paused: false,
      createdAt: "2026-03-20T00:00:00.000Z"
    })
    const before = sandbox.tasksCreated()
    const first = await booster(["schedule", "run-due", "--as-of", "2026-03-30T08:00:00Z", "--json"], {
      env: apiEnv(home)
    })
    expect(first.code).toBe(0)
    expect(
      JSON.parse(first.stdout).map((run: { due: string; status: string }) => [run.due, run.status])
    ).toEqual([
      ["2026-03-23T06:00:00Z", "skipped"],
      ["2026-03-30T05:00:00Z", "delivered"]
    ])
    expect(sandbox.tasksCreated()).toBe(before + 1)
    const file = join(out, "weekly", "2026-03-30T05-00-00Z", "customers.csv")
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const again = await booster(["schedule", "run-due", "--as-of", "2026-03-30T08:00:00Z"], {
      env: apiEnv(home)
    })
    expect(again.code).toBe(0)
    expect(again.stderr).toContain("Nothing is due")
    expect(sandbox.tasksCreated()).toBe(before + 1)
    const runs = JSON.parse(
      (await booster(["schedule", "runs", "weekly", "--json"], { env: home.env })).stdout
    )
    expect(runs[0]).toMatchObject({
      due: "2026-03-30T05:00:00Z",
      status: "delivered",
      attempts: 1,
      bytes: statSync(file).size
    })
    const table = await booster(["schedule", "runs", "weekly"], { env: home.env })
    expect(table.stdout).toMatch(/2026-03-30T05:00:00Z\s+delivered/)
    // the start went through the guarded start: the journal has it, with the run's request id
    const journal = readFileSync(join(home.root, "state", "booster-export", "journal.jsonl"), "utf8")
    expect(journal).toContain('"source":"schedule"')
    expect(journal).toContain('"event":"delivered"')
  })

  it("a run that keeps failing is retried, then marked failed with the reason (exit 4); the next due time runs as usual", async () => {
    const home = freshHome()
    const out = join(home.root, "out")
    const failing = await Sandbox.start({ customers: 100, taskDurationMs: 0, brands: ["CAR"] })
    try {
      await seed(home, {
        id: "cli-failing",
        name: "daily",
        kind: "customers",
        filter: { brand: "CAR", posCodes: ["ES100"] },
        cron: "0 6 * * *",
        timeZone: "UTC",
        destination: `file://${out}/`,
        catchUp: "latest",
        paused: false,
        createdAt: "2026-03-29T12:00:00.000Z"
      })
      failing.faults.add({ route: "export", fault: { kind: "task-error" }, times: Number.POSITIVE_INFINITY })
      const failed = await booster(["schedule", "run-due", "--as-of", "2026-03-30T07:00:00Z"], {
        env: apiEnv(home, failing)
      })
      expect(failed.code).toBe(4)
      expect(failed.stderr).toContain("daily@2026-03-30T06:00:00Z")
      const runs = JSON.parse(
        (await booster(["schedule", "runs", "daily", "--json"], { env: home.env })).stdout
      )
      expect(runs[0]).toMatchObject({ due: "2026-03-30T06:00:00Z", status: "failed", attempts: 2 })
      expect(runs[0].reason.length).toBeGreaterThan(0)
      expect(existsSync(join(out, "daily"))).toBe(false)

      failing.faults.clear()
      const next = await booster(["schedule", "run-due", "--as-of", "2026-03-31T07:00:00Z"], {
        env: apiEnv(home, failing)
      })
      expect(next.code).toBe(0)
      expect(readdirSync(join(out, "daily"))).toEqual(["2026-03-31T06-00-00Z"])
    } finally {
      await failing.close()
    }
  })
})

/** Starts `booster worker` in the background, collecting stderr. */
const startWorker = (env: Record<string, string>, args: ReadonlyArray<string> = []) => {
  const child = spawn(process.execPath, [binary, "worker", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stderr = ""
  child.stderr?.on("data", (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  return { child, stderr: () => stderr, exited }
}

const until = async (check: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe("booster worker", () => {
  let slow: Sandbox.RunningSandbox
  beforeAll(async () => {
    slow = await Sandbox.start({ customers: 300, taskDurationMs: 4000, brands: ["CAR"] })
  })
  afterAll(() => slow.close())

  /** A monthly schedule whose latest due time (the 1st of this month) is past and stays the latest during the test. */
  const monthly = (home: { root: string }, id: string) => {
    const now = new Date()
    return seed(home, {
      id,
      name: id,
      kind: "customers",
      filter: { brand: "CAR", posCodes: ["ES100"], creationDateFrom: "-30d" },
      cron: "0 0 1 * *",
      timeZone: "UTC",
      destination: `file://${join(home.root, "out")}/`,
      catchUp: "latest",
      paused: false,
      createdAt: new Date(now.getTime() - 40 * 86_400_000).toISOString()
    })
  }
  const dueNow = () => {
    const now = new Date()
    return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}-01T00-00-00Z`
  }

  it("stops on SIGTERM while idle, saying so", async () => {
    const home = freshHome()
    const worker = startWorker(apiEnv(home, slow))
    await until(() => worker.stderr().includes("worker idle"))
    worker.child.kill("SIGTERM")
    const { code } = await worker.exited
    expect(code).toBe(130)
  })

  it("killed with SIGKILL mid-run and started again, resumes the run: one export at the API, one file", async () => {
    const home = freshHome()
    await monthly(home, "killed")
    const before = slow.tasksCreated()
    const first = startWorker(apiEnv(home, slow))
    await until(() => slow.tasksCreated() === before + 1)
    first.child.kill("SIGKILL")
    await first.exited
    expect(existsSync(join(home.root, "out", "killed"))).toBe(false)

    const again = startWorker(apiEnv(home, slow), ["--once"])
    const { code } = await again.exited
    expect(code).toBe(0)
    expect(slow.tasksCreated()).toBe(before + 1)
    expect(readdirSync(join(home.root, "out", "killed"))).toEqual([dueNow()])
    expect(readdirSync(join(home.root, "out", "killed", dueNow()))).toEqual(["customers.csv"])
    const runs = JSON.parse(
      (await booster(["schedule", "runs", "killed", "--json"], { env: home.env })).stdout
    )
    expect(runs[0]).toMatchObject({
      due: dueNow().replace(/T(\d\d)-(\d\d)-(\d\d)Z/, "T$1:$2:$3Z"),
      status: "delivered"
    })
  })

  it("stopped with SIGTERM mid-run and started again, finishes the run once", async () => {
    const home = freshHome()
    await monthly(home, "termed")
    const before = slow.tasksCreated()
    const first: { child: ChildProcess; exited: Promise<unknown>; stderr: () => string } = startWorker(
      apiEnv(home, slow)
    )
    await until(() => slow.tasksCreated() === before + 1)
    first.child.kill("SIGTERM")
    await first.exited
    const again = startWorker(apiEnv(home, slow), ["--once"])
    expect((await again.exited).code).toBe(0)
    expect(slow.tasksCreated()).toBe(before + 1)
    expect(readdirSync(join(home.root, "out", "termed", dueNow()))).toEqual(["customers.csv"])
  })
})
