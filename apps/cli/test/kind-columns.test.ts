import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox
let home: ReturnType<typeof freshHome>
let stockTask: string
let customerTask: string
/** A start an older version wrote: no kind, no chain; it is a customer export. */
const OLD_TASK = "0123456789abcdef0123456789abcdef"

const apiEnv = () => ({
  ...home.env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: Sandbox.DEFAULT_API_KEY
})

const lines = (text: string) => text.trimEnd().split("\n")
/** The cell of `column` in the table line that holds `needle`. */
const cell = (table: string, needle: string, column: string) => {
  const [header, ...rows] = lines(table)
  const row = rows.find((line) => line.includes(needle))
  expect(row, `a line with ${needle}`).toBeDefined()
  const start = header!.indexOf(column)
  expect(start, `a ${column} column`).toBeGreaterThanOrEqual(0)
  return row!.slice(start).split(/\s{2,}|\s/)[0]
}

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({
    customers: 50,
    records: { stock: 50 },
    taskDurationMs: 50,
    importTasks: true
  })
  home = freshHome()
  const state = join(home.root, "state", "booster-export")
  mkdirSync(state, { recursive: true, mode: 0o700 })
  writeFileSync(
    join(state, "journal.jsonl"),
    `${JSON.stringify({ at: "2026-01-02T10:00:00.000Z", event: "started", asyncTaskId: OLD_TASK, fingerprint: "sha256:00" })}\n`,
    { mode: 0o600 }
  )
  /** Runs `booster export [kind] … --output NAME.csv` and answers the task id. */
  const exported = async (kind: ReadonlyArray<string>, name: string) => {
    const args = [
      "export",
      ...kind,
      "--brand",
      "CAR",
      "--pos-code",
      "IT100",
      "--output",
      join(home.root, `${name}.csv`)
    ]
    const result = await booster([...args, "--yes", "--json"], { env: apiEnv() })
    expect(result.code, result.stderr).toBe(0)
    return parseJson(result.stdout).asyncTaskId as string
  }
  stockTask = await exported(["stock"], "stock")
  customerTask = await exported([], "customers")
}, 120_000)
afterAll(() => sandbox?.close())

describe("every list names the export kind", () => {
  it("booster history: a KIND column and `kind` in --json; an old entry without one is customers", async () => {
    const table = await booster(["history"], { env: apiEnv() })
    expect(table.code, table.stderr).toBe(0)
    expect(cell(table.stdout, stockTask, "KIND")).toBe("stock")
    expect(cell(table.stdout, customerTask, "KIND")).toBe("customers")
    expect(cell(table.stdout, OLD_TASK, "KIND")).toBe("customers")
    const json = JSON.parse((await booster(["history", "--json"], { env: apiEnv() })).stdout) as Array<{
      asyncTaskId: string
      kind: string
    }>
    expect(Object.fromEntries(json.map((row) => [row.asyncTaskId, row.kind]))).toEqual({
      [stockTask]: "stock",
      [customerTask]: "customers",
      [OLD_TASK]: "customers"
    })
  })

  it("booster tasks list: the journal's kind, the task type's where the journal knows none, none for an import", async () => {
    const table = await booster(["tasks", "list", "--limit", "100"], { env: apiEnv() })
    expect(table.code, table.stderr).toBe(0)
    expect(cell(table.stdout, stockTask, "KIND")).toBe("stock")
    expect(cell(table.stdout, customerTask, "KIND")).toBe("customers")
    const json = JSON.parse(
      (await booster(["tasks", "list", "--limit", "100", "--json"], { env: apiEnv() })).stdout
    ) as Array<{
      asyncTaskId: string
      type: string
      kind?: string
    }>
    expect(json.find((task) => task.asyncTaskId === stockTask)?.kind).toBe("stock")
    expect(json.find((task) => task.asyncTaskId === customerTask)?.kind).toBe("customers")
    const imports = json.filter((task) => task.type === Sandbox.IMPORT_TASK_TYPE)
    expect(imports.length).toBeGreaterThan(0)
    expect(imports.every((task) => task.kind === undefined)).toBe(true)
    expect(cell(table.stdout, imports[0]!.asyncTaskId, "KIND")).toBe("-")
  })

  it("booster audit export: each event of a task says its kind, in the table, --json and --csv", async () => {
    const json = JSON.parse(
      (await booster(["audit", "export", "--json"], { env: apiEnv() })).stdout
    ) as Array<{
      asyncTaskId: string
      event: string
      kind?: string
    }>
    const kindsOf = (task: string) => [
      ...new Set(json.filter((row) => row.asyncTaskId === task).map((row) => row.kind))
    ]
    expect(json.filter((row) => row.asyncTaskId === stockTask).map((row) => row.event)).toEqual(
      expect.arrayContaining(["started", "completed", "downloaded"])
    )
    expect(kindsOf(stockTask)).toEqual(["stock"])
    expect(kindsOf(customerTask)).toEqual(["customers"])
    expect(kindsOf(OLD_TASK)).toEqual(["customers"])
    const table = await booster(["audit", "export"], { env: apiEnv() })
    expect(cell(table.stdout, stockTask, "KIND")).toBe("stock")
    const csv = lines((await booster(["audit", "export", "--csv"], { env: apiEnv() })).stdout)
    // the column added last, so that a CSV read by position keeps its columns
    expect(csv[0]!.endsWith(",seq,hash,kind")).toBe(true)
    const stockLines = csv.filter((line) => line.includes(stockTask))
    expect(stockLines.length).toBeGreaterThan(0)
    expect(stockLines.every((line) => line.endsWith(",stock"))).toBe(true)
  })

  it("booster files list and purge name each file's kind", async () => {
    const table = await booster(["files", "list"], { env: apiEnv() })
    expect(table.code, table.stderr).toBe(0)
    expect(cell(table.stdout, "stock.csv", "KIND")).toBe("stock")
    expect(cell(table.stdout, "customers.csv", "KIND")).toBe("customers")
    const json = JSON.parse((await booster(["files", "list", "--json"], { env: apiEnv() })).stdout) as Array<{
      path: string
      kind: string
    }>
    expect(Object.fromEntries(json.map((file) => [file.path, file.kind]))).toEqual({
      [join(home.root, "stock.csv")]: "stock",
      [join(home.root, "customers.csv")]: "customers"
    })
    const purge = await booster(["files", "purge", "--older-than", "0min", "--dry-run"], { env: apiEnv() })
    expect(purge.code, purge.stderr).toBe(0)
    expect(purge.stdout).toContain(`Would delete ${join(home.root, "stock.csv")} (stock export)`)
    expect(purge.stdout).toContain(`Would delete ${join(home.root, "customers.csv")} (customers export)`)
    const purgeJson = JSON.parse(
      (await booster(["files", "purge", "--older-than", "0min", "--dry-run", "--json"], { env: apiEnv() }))
        .stdout
    ) as Array<{ path: string; kind: string }>
    expect(purgeJson.find((file) => file.path.endsWith("stock.csv"))?.kind).toBe("stock")
  })
})
