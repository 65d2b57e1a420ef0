import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { ExportKind } from "@booster-export/core"
import { Faults, Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WIDTH } from "../src/app/help.js"
import { flagsOf } from "../src/export/filter-flags.js"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({
    customers: 200,
    records: { stock: 300, movements: 300, "sell-out": 300, invoices: 300, orders: 300 },
    taskDurationMs: 100,
    importTasks: true
  })
}, 120_000)
afterAll(() => sandbox?.close())

const apiEnv = (home: { env: Record<string, string> }) => ({
  ...home.env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: Sandbox.DEFAULT_API_KEY
})

const EVERYWHERE = ["IT100", "FR100", "ES100", "DE100", "GB100", "US100"].flatMap((pos) => [
  "--pos-code",
  pos
])

/** The journal's entries of a home. */
const journal = (home: { root: string }) =>
  readFileSync(join(home.root, "state", "booster-export", "journal.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

const tasksOfType = (type: string) => sandbox.tasks().filter((task) => task.type === type)

describe("booster export KIND against the sandbox", () => {
  for (const name of ["stock", "sell-out"] as const) {
    it(`exports ${name} end to end with --output: the kind's route, its file, a journal entry of that kind`, async () => {
      const home = freshHome()
      const before = tasksOfType(Sandbox.TASK_TYPES[name]).length
      const output = join(home.root, `${name}.csv`)
      const result = await booster(
        ["export", name, "--brand", "CAR", ...EVERYWHERE, "--output", output, "--yes", "--json"],
        { env: apiEnv(home) }
      )
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      const shape = parseJson(result.stdout)
      const file = shape.file as { path: string; bytes: number }
      expect(file.path).toBe(output)
      expect(statSync(output).size).toBe(file.bytes)
      expect(readFileSync(output, "utf8").split("\n").length).toBeGreaterThan(2)
      expect(tasksOfType(Sandbox.TASK_TYPES[name]).length).toBe(before + 1)
      const started = journal(home).filter((entry) => entry.asyncTaskId === shape.asyncTaskId)
      expect(started.length).toBeGreaterThan(0)
      expect(started.every((entry) => entry.kind === name)).toBe(true)
    })
  }

  it("the same filter is a duplicate within its kind only: stock twice is refused, customers then starts", async () => {
    const home = freshHome()
    const filter = ["--brand", "CAR", "--pos-code", "ES100"]
    const first = await booster(["export", "stock", ...filter, "--yes", "--json"], { env: apiEnv(home) })
    expect(first.code).toBe(0)
    const again = await booster(["export", "stock", ...filter, "--yes", "--json"], { env: apiEnv(home) })
    expect(again.code).toBe(2)
    expect(JSON.parse(again.stderr)).toMatchObject({ _tag: "DuplicateExportError" })
    expect(again.stderr).toContain("the same stock twice")
    const customers = await booster(["export", ...filter, "--yes", "--json"], { env: apiEnv(home) })
    expect(customers.code).toBe(0)
    expect(parseJson(customers.stdout).asyncTaskId).not.toBe(parseJson(first.stdout).asyncTaskId)
  })

  it("off a terminal a kind without personal data also starts only with --yes; nothing is sent without", async () => {
    const home = freshHome()
    const created = sandbox.tasksCreated()
    const result = await booster(["export", "stock", "--brand", "CAR", "--pos-code", "ES100"], {
      env: apiEnv(home)
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("an export of stock starts only when confirmed")
    expect(result.stderr).toContain("--yes")
    expect(sandbox.tasksCreated()).toBe(created)
  })

  it("a movements export whose answer was lost is reconciled by time window only, and says so", async () => {
    const home = freshHome()
    sandbox.faults.script(Faults.exportRoute("movements"), [{ kind: "create-then-fail", after: 502 }])
    const before = tasksOfType(Sandbox.TASK_TYPES.movements).length
    const created = sandbox.tasksCreated()
    const result = await booster(["export", "movements", "--brand", "CAR", "--pos-code", "ES100", "--yes"], {
      env: apiEnv(home)
    })
    expect(result.code).toBe(0)
    expect(sandbox.tasksCreated()).toBe(created + 1)
    const task = tasksOfType(Sandbox.TASK_TYPES.movements)[before]!
    expect(result.stdout.trim()).toBe(task.asyncTaskId)
    expect(result.stderr).toContain("found by brand and time window only")
    expect(result.stderr).toContain("1 candidate")
  })

  it("--dry-run of each kind shows its own route and sends nothing", async () => {
    const home = freshHome()
    const before = sandbox.requests().length
    for (const kind of ExportKind.all) {
      const result = await booster(
        ["export", kind.name, "--brand", "CAR", "--pos-code", "ES100", "--dry-run", "--json"],
        { env: apiEnv(home) }
      )
      expect(result.code, result.stderr).toBe(0)
      expect(parseJson(result.stdout).url).toBe(`${sandbox.baseUrl}${kind.path.replace("{brand}", "CAR")}`)
    }
    expect(sandbox.requests().length).toBe(before)
    expect(existsSync(join(home.root, "state", "booster-export", "journal.jsonl"))).toBe(false)
  })

  it("relative dates resolve in every kind's date flags, on the command line and in a saved filter", async () => {
    const home = freshHome()
    const today = new Date()
    const iso = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`
    for (const kind of ["stock", "movements", "sell-out", "invoices", "orders"]) {
      const result = await booster(
        [
          "export",
          kind,
          "--brand",
          "CAR",
          "--pos-code",
          "ES100",
          "--date-to",
          "today",
          "--dry-run",
          "--json"
        ],
        { env: apiEnv(home) }
      )
      expect(result.code, `${kind}: ${result.stderr}`).toBe(0)
      expect(JSON.stringify(parseJson(result.stdout).body)).toContain(iso(today))
    }
    const saved = await booster(
      ["filters", "save", "recent-sales", "--kind", "sell-out", "--pos-code", "ES100", "--filter-file", "-"],
      { env: apiEnv(home), input: JSON.stringify({ dateFrom: "-30d" }) }
    )
    expect(saved.code, saved.stderr).toBe(0)
    const shown = await booster(["filters", "show", "recent-sales", "--json"], { env: apiEnv(home) })
    const resolved = (parseJson(shown.stdout) as { resolved: { dateFrom: string } }).resolved
    expect(resolved.dateFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  it("a field of another kind is an unknown flag (exit 2), and a required one is named", async () => {
    const home = freshHome()
    const foreign = await booster(["export", "stock", "--brand", "CAR", "--email", "x@y.z", "--dry-run"], {
      env: apiEnv(home)
    })
    expect(foreign.code).toBe(2)
    expect(foreign.stderr).toContain("booster export stock has no flag --email")
    // given before the kind's name, it would be the customer export's flag: refused all the same
    const before = await booster(["export", "--email", "x@y.z", "stock", "--brand", "CAR", "--dry-run"], {
      env: apiEnv(home)
    })
    expect(before.code).toBe(2)
    expect(before.stderr).toContain("--email is not a filter flag of stock exports")
    expect(before.stderr).not.toContain("x@y.z")
    const missing = await booster(["export", "invoices", "--brand", "CAR", "--dry-run"], {
      env: apiEnv(home)
    })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("--pos-code (posCodes)")
  })

  it("a bad value for a kind's flag points at that kind's help, in text and --json", async () => {
    const home = freshHome()
    const cases = [
      ["stock", "--type", "foo"],
      ["movements", "--pos-code", "IT100", "--movement-type-id", "abc"],
      ["sell-out", "--pos-code", "IT100", "--date-from", "2020-13-45"],
      ["invoices"],
      ["orders", "--pos-code", "IT100", "--status", "QQ"]
    ]
    for (const [kind, ...flags] of cases) {
      const text = await booster(["export", kind!, "--brand", "CAR", ...flags, "--dry-run"], {
        env: apiEnv(home)
      })
      expect(text.code, kind).toBe(2)
      expect(text.stderr).toContain(`\`booster export ${kind} --help\` lists every flag`)
      const json = await booster(["export", kind!, "--brand", "CAR", ...flags, "--dry-run", "--json"], {
        env: apiEnv(home)
      })
      expect(json.code, kind).toBe(2)
      expect(JSON.parse(json.stderr)).toMatchObject({
        _tag: "ValidationError",
        kind,
        hint: expect.stringContaining(`\`booster export ${kind} --help\``)
      })
    }
    // the full program (a start, not a dry run) says the same
    const start = await booster(["export", "stock", "--brand", "CAR", "--type", "foo", "--yes"], {
      env: apiEnv(home)
    })
    expect(start.code).toBe(2)
    expect(start.stderr).toContain("`booster export stock --help` lists every flag")
    // and so does saving a filter of that kind
    const saved = await booster(["filters", "save", "bad", "--kind", "orders", "--filter-file", "-"], {
      env: apiEnv(home),
      input: JSON.stringify({ status: ["QQ"] })
    })
    expect(saved.code).toBe(2)
    expect(saved.stderr).toContain("`booster export orders --help` lists every flag")
    // the customer export keeps its own help
    const customers = await booster(["export", "--brand", "CAR", "--birthdate-month", "13", "--dry-run"], {
      env: apiEnv(home)
    })
    expect(customers.code).toBe(2)
    expect(customers.stderr).toContain("`booster export --help` lists every flag")
  })

  it("a saved filter remembers its kind and is refused by another kind's export", async () => {
    const home = freshHome()
    const saved = await booster(
      ["filters", "save", "stock-es", "--kind", "stock", "--brand", "CAR", "--pos-code", "ES100"],
      { env: apiEnv(home) }
    )
    expect(saved.code, saved.stderr).toBe(0)
    expect(saved.stderr).toContain("booster export stock --filter stock-es")
    const used = await booster(["export", "stock", "--filter", "stock-es", "--dry-run", "--json"], {
      env: apiEnv(home)
    })
    expect(used.code, used.stderr).toBe(0)
    expect(parseJson(used.stdout).url).toBe(`${sandbox.baseUrl}/stock/CAR/export`)
    const wrong = await booster(["export", "--filter", "stock-es", "--dry-run"], { env: apiEnv(home) })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain("is a filter of stock exports")
    const list = await booster(["filters", "list", "--json"], { env: apiEnv(home) })
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: "stock-es", kind: "stock" })])
  })
})

describe("booster export KIND --help", () => {
  for (const kind of ExportKind.all) {
    it(`${kind.name}: at most 70 lines, at most ${WIDTH} columns, with the kind's own filter flags and no other kind's`, async () => {
      const result = await booster(["export", kind.name, "--help"])
      expect(result.code).toBe(0)
      const lines = result.stdout.trimEnd().split("\n")
      expect(lines[0]).toBe(`Usage: booster export ${kind.name} [flags]`)
      expect(lines.length).toBeLessThanOrEqual(70)
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(WIDTH)
      for (const flag of flagsOf(kind)) expect(result.stdout).toContain(`--${flag.flag} `)
      const others = new Set(ExportKind.all.flatMap((other) => flagsOf(other).map((flag) => flag.flag)))
      for (const flag of flagsOf(kind)) others.delete(flag.flag)
      for (const flag of others) expect(result.stdout, flag).not.toMatch(new RegExp(`--${flag}\\b`))
      expect(result.stdout).toContain(
        kind.personalData.carries ? "carries personal data" : "no personal data"
      )
    })
  }

  it("booster export --help names the kinds", async () => {
    const result = await booster(["export", "--help"])
    expect(result.stdout.split("\n")[0]).toBe("Usage: booster export [KIND] [flags]")
    expect(result.stdout.replace(/\s+/g, " ")).toContain(
      "Export customers or KIND (stock, movements, sell-out, invoices, orders: see their --help)"
    )
  })
})
