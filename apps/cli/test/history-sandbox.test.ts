import { spawn } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Journal } from "@booster-export/journal"
import { Sandbox } from "@booster-export/sandbox"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { binary, booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 2000, taskDurationMs: 200 })
}, 120_000)
afterAll(() => sandbox?.close())

describe("booster history", () => {
  it("records exports without any filter value or personal data", async () => {
    const home = freshHome()
    const env = { ...home.env, BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY: sandbox.apiKey }
    const result = await booster(
      [
        "export",
        "--brand",
        "CAR",
        "--pos-code",
        "IT100",
        "--email",
        "Jane.Doe@Example.com",
        "--phone-number",
        "+39 333 1234567",
        "--search-key",
        "Doe",
        "--sale-representative-email",
        "rep@example.com",
        "--output",
        join(home.root, "x.csv"),
        "--yes"
      ],
      { env }
    )
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("with a given email address")
    for (const text of [result.stdout, result.stderr]) {
      expect(text.toLowerCase()).not.toContain("jane.doe")
      expect(text).not.toContain("1234567")
      expect(text).not.toContain("rep@example.com")
    }
    const journal = readFileSync(join(home.env.XDG_STATE_HOME, "booster-export", "journal.jsonl"), "utf8")
    expect(journal.toLowerCase()).not.toContain("jane")
    expect(journal).not.toContain("1234567")
    expect(journal).not.toContain("Doe")
    expect(journal).not.toContain("example.com")
    // the plain-English description is recorded for the audit trail; it names no personal value
    expect(journal).toContain("with a given email address")
    const lines = journal
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; source: string })
    expect(lines.map((line) => line.event)).toEqual(["requested", "started", "completed", "downloaded"])
    expect(lines.map((line) => line.source)).toEqual(["cli", "cli", "cli", "cli"])
    const history = await booster(["history"], { env })
    expect(history.code).toBe(0)
    expect(history.stdout).toContain(join(home.root, "x.csv"))
    expect(history.stdout).toMatch(/[0-9a-f]{32}\s+COM/)
  })

  it("lists exports started through booster-mcp, and keeps lines of the older history.jsonl", async () => {
    const home = freshHome()
    const directory = join(home.env.XDG_STATE_HOME, "booster-export")
    const host = new URL(sandbox.baseUrl).host
    await Effect.runPromise(
      Journal.make(directory).append({
        at: "2026-03-01T10:00:00.000Z",
        source: "mcp",
        event: "started",
        asyncTaskId: "0123456789abcdef0123456789abcdef",
        downloadRequestId: "req-mcp",
        fingerprint: `sha256:${"ab".repeat(32)}`,
        host,
        brand: "CAR",
        purpose: "Ticket OPS-142"
      })
    )
    writeFileSync(
      join(directory, "history.jsonl"),
      `${JSON.stringify({ at: "2026-02-01T10:00:00.000Z", event: "started", asyncTaskId: "fedcba9876543210fedcba9876543210", host })}\n`
    )
    const listed = await booster(["history", "--json"], { env: home.env })
    expect(listed.code).toBe(0)
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>
    expect(rows.map((row) => row.asyncTaskId)).toEqual([
      "0123456789abcdef0123456789abcdef",
      "fedcba9876543210fedcba9876543210"
    ])
    expect(rows[0]).toMatchObject({
      source: "mcp",
      startedAt: "2026-03-01T10:00:00.000Z",
      downloadRequestId: "req-mcp",
      purpose: "Ticket OPS-142",
      status: "started"
    })
    const human = await booster(["history"], { env: { ...home.env, TZ: "Europe/Paris" } })
    expect(human.stdout).toMatch(
      /^2026-03-01 11:00\s+\d+ months ago\s+customers\s+0123456789abcdef0123456789abcdef\s+started\s+\S+\s+mcp/m
    )
    expect(human.stdout).toMatch(
      /^2026-02-01 11:00\s+\d+ months ago\s+customers\s+fedcba9876543210fedcba9876543210/m
    )
  })

  it("treats an export started through booster-mcp as a duplicate of the same filter", async () => {
    const filter = ["--brand", "CAR", "--pos-code", "ES100", "--customer-status", "Client"]
    const elsewhere = freshHome()
    const env = (home: ReturnType<typeof freshHome>) => ({
      ...home.env,
      BOOSTER_BASE_URL: sandbox.baseUrl,
      BOOSTER_API_KEY: sandbox.apiKey
    })
    const started = await booster(["export", ...filter, "--json", "--yes"], { env: env(elsewhere) })
    expect(started.code).toBe(0)
    const { asyncTaskId, downloadRequestId, fingerprint } = parseJson(started.stdout) as Record<
      string,
      string
    >
    const home = freshHome()
    // the same install: booster-mcp fingerprints with the key booster created
    const state = join(home.env.XDG_STATE_HOME, "booster-export")
    mkdirSync(state, { recursive: true, mode: 0o700 })
    copyFileSync(
      join(elsewhere.env.XDG_STATE_HOME, "booster-export", "fingerprint.key"),
      join(state, "fingerprint.key")
    )
    await Effect.runPromise(
      Journal.make(state).append({
        source: "mcp",
        event: "started",
        asyncTaskId: asyncTaskId!,
        downloadRequestId: downloadRequestId!,
        fingerprint: fingerprint!,
        host: new URL(sandbox.baseUrl).host,
        brand: "CAR"
      })
    )
    const before = sandbox.tasksCreated()
    const again = await booster(["export", ...filter, "--json", "--yes"], { env: env(home) })
    expect(again.code).toBe(2)
    expect(parseJson(again.stderr)).toMatchObject({ _tag: "DuplicateExportError", asyncTaskId })
    const reused = await booster(["export", ...filter, "--reuse", "--json", "--yes"], { env: env(home) })
    expect(reused.code).toBe(0)
    expect(parseJson(reused.stdout).asyncTaskId).toBe(asyncTaskId)
    expect(sandbox.tasksCreated()).toBe(before)
  })

  it("says so when nothing is recorded", async () => {
    const result = await booster(["history", "--json"], { env: freshHome().env })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([])
  })
})

describe("booster sandbox", () => {
  it("serves the API with the printed key until interrupted", async () => {
    const home = freshHome()
    const child = spawn(
      process.execPath,
      [binary, "sandbox", "--customers", "500", "--task-seconds", "0", "--json"],
      {
        env: { ...process.env, ...home.env },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buffer = ""
        child.stdout.on("data", (chunk) => {
          buffer += chunk
          if (buffer.includes("\n")) resolve(buffer.split("\n")[0]!)
        })
        child.on("exit", () => reject(new Error("the sandbox exited early")))
      })
      const info = parseJson(line) as { baseUrl: string; apiKey: string; tokenUrl: string }
      expect(info.tokenUrl).toBe(`${info.baseUrl}/oauth/token`)
      const env = { ...home.env, BOOSTER_BASE_URL: info.baseUrl, BOOSTER_API_KEY: info.apiKey }
      const exported = await booster(
        ["export", "--brand", "CAR", "--pos-code", "IT100", "--wait", "--json", "--yes"],
        { env }
      )
      expect(exported.code).toBe(0)
      expect(parseJson(exported.stdout).task).toMatchObject({ status: "COM" })
    } finally {
      child.kill("SIGINT")
    }
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)))
    expect(code).toBe(130)
  })

  it("refuses bad --faults with exit 2 naming the token", async () => {
    const result = await booster(["sandbox", "--faults", "export:nope"], { env: freshHome().env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("export:nope")
  })
})

describe("booster demo", () => {
  it("runs a real export end to end: description, progress, download, summary naming the file", async () => {
    const home = freshHome()
    const out = join(home.root, "demo")
    const result = await booster(["demo", "--task-seconds", "1", "--customers", "2000", "--output", out], {
      env: home.env
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("Exporting: Clients of CAR at 3 points of sale")
    expect(result.stderr).toMatch(/COM 100%/)
    const file = result.stdout.trim()
    expect(file.startsWith(out)).toBe(true)
    expect(result.stderr).toContain(`to ${file}`)
    expect(readFileSync(file, "utf8").length).toBeGreaterThan(0)
  })

  it("--kind stock runs a stock export end to end and says what is offered for a stock file", async () => {
    const home = freshHome()
    const out = join(home.root, "demo")
    const result = await booster(["demo", "--kind", "stock", "--task-seconds", "0", "--output", out], {
      env: home.env
    })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain("synthetic stock data")
    expect(result.stderr).toMatch(/Exporting: .*[Ss]tock.* of CAR/)
    expect(result.stderr).toMatch(/COM 100%/)
    const file = result.stdout.trim()
    expect(file.startsWith(out)).toBe(true)
    expect(result.stderr).toContain(`to ${file}`)
    const [header, ...rows] = readFileSync(file, "utf8").trim().split(/\r?\n/)
    expect(header).not.toMatch(/email|firstName/i)
    expect(rows.length).toBeGreaterThan(0)
    expect(result.stderr).toContain("A stock export file: it holds no personal data as far as is known")
    expect(result.stderr).toContain("no summary counts are offered for stock files")
    // the customer demo says what is offered for its file
    const customers = await booster(["demo", "--task-seconds", "0", "--customers", "200", "--output", out], {
      env: home.env
    })
    expect(customers.code, customers.stderr).toBe(0)
    expect(customers.stderr).toContain("A customers export file: it holds personal data")
    expect(customers.stderr).toContain("summarize_export_file offers approximate counts")
    // nothing in the user's journal
    expect(JSON.parse((await booster(["history", "--json"], { env: home.env })).stdout)).toEqual([])
  })

  it("--output - writes the demo's file to stdout and makes no folder named -", async () => {
    const home = freshHome()
    const result = await booster(["demo", "--kind", "stock", "--task-seconds", "0", "--output", "-"], {
      env: home.env,
      cwd: home.root
    })
    expect(result.code, result.stderr).toBe(0)
    const [header, ...rows] = result.stdout.trim().split(/\r?\n/)
    expect(header).toContain(",")
    expect(rows.length).toBeGreaterThan(0)
    expect(existsSync(join(home.root, "-"))).toBe(false)
  })

  it("refuses an unknown --kind (exit 2), naming the kinds", async () => {
    const result = await booster(["demo", "--kind", "wine"], { env: freshHome().env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("sell-out")
  })

  it("leaves nothing in the user's journal, audit trail or retention list, nor in a team database", async () => {
    const home = freshHome()
    const out = join(home.root, "demo")
    const demo = await booster(["demo", "--task-seconds", "0", "--customers", "500", "--output", out], {
      // a team database that cannot be reached: the demo never opens it
      env: { ...home.env, BOOSTER_JOURNAL_URL: "postgres://booster@127.0.0.1:1/booster" }
    })
    expect(demo.code).toBe(0)
    expect(existsSync(demo.stdout.trim())).toBe(true)
    expect(demo.stderr).toContain("not recorded in your journal")

    const history = await booster(["history", "--json"], { env: home.env })
    expect(history.code).toBe(0)
    expect(JSON.parse(history.stdout)).toEqual([])
    const files = await booster(["files", "list", "--json"], { env: home.env })
    expect(files.code).toBe(0)
    expect(JSON.parse(files.stdout)).toEqual([])
    const audit = await booster(["audit", "export", "--json"], { env: home.env })
    expect(JSON.parse(audit.stdout)).toEqual([])
    const verified = await booster(["audit", "verify", "--json"], { env: home.env })
    expect(verified.code).toBe(0)
    expect(parseJson(verified.stdout)).toMatchObject({ ok: true, entries: 0 })
    // no state of the demo is left on the machine either
    expect(existsSync(join(home.env.XDG_STATE_HOME, "booster-export"))).toBe(false)
  })
})
