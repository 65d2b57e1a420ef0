import { existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 2000, taskDurationMs: 300 })
}, 120_000)
afterAll(() => sandbox?.close())

const envOf = (home: { env: Record<string, string> }) => ({
  ...home.env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: sandbox.apiKey
})

const start = async (home: { env: Record<string, string> }, pos: string) => {
  const result = await booster(["export", "--brand", "CAR", "--pos-code", pos, "--yes"], { env: envOf(home) })
  expect(result.code).toBe(0)
  return result.stdout.trim()
}

describe("booster tasks", () => {
  it("resumes from a bare task id: wait then download, in separate runs", async () => {
    const home = freshHome()
    const id = await start(home, "IT100")
    const waited = await booster(["tasks", "wait", id, "--json"], { env: envOf(home) })
    expect(waited.code).toBe(0)
    expect((parseJson(waited.stdout).task as { status: string }).status).toBe("COM")
    const out = join(home.root, "out")
    const downloaded = await booster(["tasks", "download", id, "--output", `${out}.csv`], {
      env: envOf(home)
    })
    expect(downloaded.code).toBe(0)
    expect(downloaded.stdout.trim()).toBe(`${out}.csv`)
    expect(downloaded.stderr).toContain(`to ${out}.csv`)
    expect(statSync(`${out}.csv`).size).toBeGreaterThan(0)
    const again = await booster(["tasks", "download", id, "--output", `${out}.csv`, "--json"], {
      env: envOf(home)
    })
    expect(again.code).toBe(1)
    expect(parseJson(again.stderr)).toMatchObject({ _tag: "DownloadError", reason: "exists" })
    const overwritten = await booster(["tasks", "download", id, "--output", `${out}.csv`, "--overwrite"], {
      env: envOf(home)
    })
    expect(overwritten.code).toBe(0)
  })

  it("downloads into the export folder by default", async () => {
    const home = freshHome()
    const id = await start(home, "FR100")
    const result = await booster(["tasks", "wait", id, "--download"], { env: envOf(home) })
    expect(result.code).toBe(0)
    expect(result.stdout.trim().startsWith(home.root)).toBe(true)
    expect(existsSync(result.stdout.trim())).toBe(true)
  })

  it("lists and gets tasks", async () => {
    const home = freshHome()
    const id = await start(home, "ES100")
    const list = await booster(["tasks", "list", "--json"], { env: envOf(home) })
    expect(list.code).toBe(0)
    const tasks = JSON.parse(list.stdout) as Array<{ asyncTaskId: string }>
    expect(tasks.some((t) => t.asyncTaskId === id)).toBe(true)
    const human = await booster(["tasks", "list"], { env: envOf(home) })
    expect(human.stdout).toContain(id)
    const get = await booster(["tasks", "get", id, "--json"], { env: envOf(home) })
    expect(parseJson(get.stdout)).toMatchObject({ asyncTaskId: id, brand: "CAR" })
  })

  it("lists newest first with the description and purpose of each export, --limit and --status", async () => {
    const home = freshHome()
    const started = async (args: ReadonlyArray<string>) => {
      const result = await booster(["export", "--brand", "CAR", ...args, "--yes"], { env: envOf(home) })
      expect(result.code).toBe(0)
      return result.stdout.trim()
    }
    const older = await started(["--pos-code", "FR100", "--purpose", "OPS-7 France"])
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const newer = await started([
      "--pos-code",
      "IT100,FR100",
      "--customer-status",
      "VIC",
      "--purpose",
      "OPS-8 Italy VIP"
    ])
    const listed = await booster(["tasks", "list", "--limit", "2"], { env: envOf(home) })
    expect(listed.code).toBe(0)
    const rows = listed.stdout.trimEnd().split("\n").slice(1)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatch(
      new RegExp(`^${newer}.*OPS-8 Italy VIP\\s+VIC clients of CAR at 2 points of sale \\(IT100, FR100\\)`)
    )
    expect(rows[1]).toMatch(new RegExp(`^${older}.*OPS-7 France`))
    const json = JSON.parse(
      (await booster(["tasks", "list", "--json", "--limit", "1"], { env: envOf(home) })).stdout
    )
    expect(json).toEqual([expect.objectContaining({ asyncTaskId: newer, purpose: "OPS-8 Italy VIP" })])
    expect(json[0].description).toContain("VIC clients")
    await booster(["tasks", "wait", newer], { env: envOf(home) })
    const completed = JSON.parse(
      (
        await booster(["tasks", "list", "--json", "--status", "completed", "--limit", "100"], {
          env: envOf(home)
        })
      ).stdout
    ) as Array<{ asyncTaskId: string; status: string }>
    expect(completed.map((task) => task.asyncTaskId)).toContain(newer)
    expect(completed.every((task) => task.status === "COM")).toBe(true)
    const history = await booster(["history"], { env: envOf(home) })
    const lines = history.stdout.trimEnd().split("\n")
    expect(lines[1]).toContain(newer)
    expect(lines[1]).toMatch(/OPS-8 Italy VIP\s+VIC clients of CAR at 2 points of sale \(IT100, FR100\)/)
    const errors = await booster(["history", "--status", "error"], { env: envOf(home) })
    expect(errors.stderr).toContain("No error exports recorded.")
    expect((await booster(["tasks", "list", "--status", "done"], { env: envOf(home) })).code).toBe(2)
  })

  it("shows local dates, ages, aligned columns, rows and file sizes; --json keeps ISO dates", async () => {
    const home = freshHome()
    const id = await start(home, "DE100")
    const file = join(home.root, "de.csv")
    const waited = await booster(["tasks", "wait", id, "--output", file], { env: envOf(home) })
    expect(waited.code).toBe(0)
    const paris = { ...envOf(home), TZ: "Europe/Paris" }
    const listed = await booster(["tasks", "list", "--json"], { env: paris })
    const task = (JSON.parse(listed.stdout) as Array<{ asyncTaskId: string; requestDate: string }>).find(
      (t) => t.asyncTaskId === id
    )!
    expect(task.requestDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    const local = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Paris",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit"
    }).format(new Date(task.requestDate))
    const human = await booster(["tasks", "list"], { env: paris })
    expect(human.code).toBe(0)
    expect(human.stdout).not.toContain("/Date(")
    const lines = human.stdout.trimEnd().split("\n")
    const header = lines[0]!
    const row = lines.find((line) => line.startsWith(id))!
    expect(row).toContain(local)
    expect(row).toMatch(/just now|min ago/)
    expect(row).toMatch(/\d+(\.\d)? (B|KB|MB)/)
    for (const column of ["STATUS", "REQUESTED"]) {
      const at = header.indexOf(column)
      expect(row.slice(at)).toMatch(column === "STATUS" ? /^COM\s/ : new RegExp(`^${local}`))
    }
    const get = await booster(["tasks", "get", id], { env: paris })
    expect(get.stdout).toMatch(new RegExp(`requested:\\s+${local} \\((just now|\\d+ min ago)\\)`))
    expect(get.stdout).toMatch(/rows:\s+\d/)
    expect(get.stdout).toContain(file)
    const getJson = await booster(["tasks", "get", id, "--json"], { env: paris })
    expect(parseJson(getJson.stdout).requestDate).toBe(task.requestDate)
  })

  it("exits 1 for an unknown task, 5 for a download that is not ready", async () => {
    const home = freshHome()
    const missing = await booster(["tasks", "get", "00000000000000000000000000000001", "--json"], {
      env: envOf(home)
    })
    expect(missing.code).toBe(1)
    expect(parseJson(missing.stderr)._tag).toBe("NotFoundError")
    const slow = await Sandbox.start({ customers: 100, taskDurationMs: 60_000 })
    try {
      const env = { ...home.env, BOOSTER_BASE_URL: slow.baseUrl, BOOSTER_API_KEY: slow.apiKey }
      const started = await booster(["export", "--brand", "CAR", "--pos-code", "IT100", "--yes"], { env })
      const notReady = await booster(["tasks", "download", started.stdout.trim()], { env })
      expect(notReady.code).toBe(5)
      const timedOut = await booster(["tasks", "wait", started.stdout.trim(), "--timeout", "1", "--json"], {
        env
      })
      expect(timedOut.code).toBe(5)
      expect(parseJson(timedOut.stderr)).toMatchObject({
        _tag: "StillRunningError",
        asyncTaskId: started.stdout.trim()
      })
      expect(readdirSync(home.root).filter((n) => n.includes(".part"))).toEqual([])
    } finally {
      await slow.close()
    }
  })

  it("refuses a task id that is not a Guid as a usage error naming the rule, before asking the API (exit 2)", async () => {
    const home = freshHome()
    const before = sandbox.requests().length
    for (const command of ["get", "wait", "download"]) {
      for (const id of ["../../etc/passwd", "not-a-task", "9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a4"]) {
        const result = await booster(["tasks", command, id], { env: envOf(home) })
        expect(result.code, `${command} ${id}`).toBe(2)
        expect(result.stderr).toContain("32 hexadecimal digits")
        const json = await booster(["tasks", command, id, "--json"], { env: envOf(home) })
        expect(json.code).toBe(2)
        expect(parseJson(json.stderr)).toMatchObject({ _tag: "UsageError" })
      }
    }
    expect(sandbox.requests().length).toBe(before)
  })

  it("writes BOOSTER_LOG=debug diagnostics to stderr only, without the key", async () => {
    const home = freshHome()
    const result = await booster(["tasks", "list", "--json"], {
      env: { ...envOf(home), BOOSTER_LOG: "debug" }
    })
    expect(result.code).toBe(0)
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(true)
    expect(result.stderr).toContain("level=DEBUG")
    expect(result.stderr).not.toContain(sandbox.apiKey)
  })

  it("exits 1 with a hint when the API cannot be reached", async () => {
    const home = freshHome()
    const result = await booster(["tasks", "list"], {
      env: { ...home.env, BOOSTER_BASE_URL: "http://127.0.0.1:9", BOOSTER_API_KEY: "k" }
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("Hint:")
  })
})

describe("a task the API gives without counts", () => {
  it("shows no rows rather than 'undefined': export --wait, tasks get and tasks list, human and --json", async () => {
    const quiet = await Sandbox.start({ customers: 200, taskDurationMs: 0, totals: false })
    try {
      const home = freshHome()
      const env = { ...home.env, BOOSTER_BASE_URL: quiet.baseUrl, BOOSTER_API_KEY: quiet.apiKey }
      const waited = await booster(["export", "--brand", "CAR", "--pos-code", "IT100", "--wait", "--yes"], {
        env
      })
      expect(waited.code).toBe(0)
      const id = waited.stdout.trim()
      expect(waited.stderr).toContain(`Task ${id} completed.`)
      const json = await booster(
        ["export", "--brand", "CAR", "--pos-code", "FR100", "--wait", "--json", "--yes"],
        {
          env
        }
      )
      expect(json.code).toBe(0)
      expect(parseJson(json.stdout).task).not.toHaveProperty("totalResults")
      const got = await booster(["tasks", "get", id], { env })
      expect(got.code).toBe(0)
      expect(got.stdout).toMatch(/^status:\s+COM/m)
      expect(got.stdout).not.toMatch(/^rows:/m)
      const listed = await booster(["tasks", "list"], { env })
      const row = listed.stdout.split("\n").find((line) => line.startsWith(id))
      expect(row).toMatch(/ COM +100 +- /)
      const gotJson = await booster(["tasks", "get", id, "--json"], { env })
      expect(parseJson(gotJson.stdout)).not.toHaveProperty("totalResults")
      for (const result of [waited, json, got, listed, gotJson]) {
        expect(`${result.stdout}${result.stderr}`).not.toMatch(/undefined|NaN|null rows/)
      }
    } finally {
      await quiet.close()
    }
  })
})
