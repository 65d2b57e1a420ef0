/**
 * The export family through the official SDK client: every kind through one preview/start pair, the
 * user's consent only for a kind whose file carries personal data, the duplicate guard per kind, the
 * kind shown and recorded on tasks and downloads, and a lost start of a kind whose task type is
 * unknown reconciled without adopting a task the journal already knows.
 */
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { Faults, type Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type Connected,
  connectAsking,
  connectStdio,
  readJournal,
  SDK1,
  sandboxEnv,
  serverEnv,
  startedElsewhere,
  startSandbox,
  tempDirs,
  textOf,
  V2_LEGACY,
  V2_PINNED
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: Connected | undefined

beforeAll(async () => {
  sandbox = await startSandbox({ taskDurationMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
  dirs = undefined
})

/**
 * A server with `--consent token` (the assistant must pass the preview's confirmation) or `mode`,
 * fresh state.
 */
const connect = async (generation = V2_PINNED, mode = "token") => {
  dirs ??= await tempDirs()
  server = await connectStdio(["--consent", mode], serverEnv(dirs, sandboxEnv(sandbox)), generation)
  return server.client
}

/** Export requests the sandbox received on `path`. */
const posts = (path: string) =>
  sandbox.requests().filter((r) => r.origin === "api" && r.method === "POST" && r.path.startsWith(path))
    .length

let brands = 0
/** A brand no other test uses, so that no start of one test is a repeat of another's. */
const brand = () => `K${String(brands++).padStart(2, "0")}`

const structured = (result: unknown) =>
  (result as { structuredContent: Record<string, unknown> }).structuredContent

describe("a kind without personal data (stock)", () => {
  it("previews, starts, follows and downloads without any consent round, and offers no summary", async () => {
    const client = await connect()
    const args = { kind: "stock", brand: brand(), posCodes: ["ES100"], type: "standard" }

    const preview = await client.callTool("preview_export", args)
    expect(preview.isError).toBeFalsy()
    expect(structured(preview)).toMatchObject({ kind: "stock", personalData: false })
    expect(structured(preview).confirmation).toBeUndefined()
    expect(structured(preview).request).toMatchObject({ path: `/stock/${args.brand}/export` })
    expect(textOf(preview)).toContain("no consent is asked")

    const before = posts("/stock/")
    const started = await client.callTool("start_export", args)
    expect(started.isError).toBeFalsy()
    expect(structured(started)).toMatchObject({ kind: "stock", reused: false })
    expect(posts("/stock/")).toBe(before + 1)
    const id = String(structured(started).asyncTaskId)
    const journal = await readJournal(dirs!.journal)
    expect(journal.filter((entry) => entry.asyncTaskId === id && entry.event === "started")).toEqual([
      expect.objectContaining({ kind: "stock", source: "mcp" })
    ])

    const task = await client.callTool("get_export_task", { asyncTaskId: id, waitSeconds: 10 })
    // this install's own record of starts holds it as a stock export: its download needs no consent
    expect(structured(task)).toMatchObject({
      kind: "stock",
      type: "stock",
      downloadReady: true,
      startedHere: true
    })
    expect(structured(task).downloadConfirmation).toBeUndefined()
    expect(textOf(task)).not.toContain("does not distinguish")

    const listed = await client.callTool("list_export_tasks", {})
    const tasks = structured(listed).tasks as ReadonlyArray<Record<string, unknown>>
    expect(tasks.find((one) => one.asyncTaskId === id)).toMatchObject({ kind: "stock" })
    expect(textOf(listed)).toContain(`${id} (stock export, stock, ${args.brand},`)

    const downloaded = await client.callTool("download_export_file", { asyncTaskId: id })
    expect(downloaded.isError).toBeFalsy()
    expect(structured(downloaded)).toMatchObject({ kind: "stock" })
    const files = await readdir(dirs!.exportDir)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(new RegExp(`^stock-export-${args.brand}-[0-9a-f]{32}`))
    expect(textOf(downloaded)).not.toContain("contains personal data")
    expect(textOf(downloaded)).toContain("The file is a stock export. Personal data: None known")
    const recorded = await readFile(join(dirs!.stateHome, "booster-export", "downloads.jsonl"), "utf8")
    expect(recorded).toContain('"kind":"stock"')

    const summary = await client.callTool("summarize_export_file", { asyncTaskId: id })
    expect(summary.isError).toBe(true)
    expect(textOf(summary)).toContain("No summary is offered for stock exports")
    expect(textOf(summary)).toContain("no privacy budget was spent")
  })

  it("asks before downloading a stock-typed export started elsewhere: the task type does not tell stock from movements", async () => {
    const client = await connect()
    const id = await startedElsewhere(sandbox, { brand: brand(), posCodes: ["ES100"] }, "stock")
    const task = await client.callTool("get_export_task", { asyncTaskId: id, waitSeconds: 10 })
    // the kind is still shown as the task type names it, but nothing waives the consent
    expect(structured(task)).toMatchObject({ kind: "stock", type: "stock", startedHere: false })
    expect(structured(task).downloadConfirmation).toEqual(expect.any(String))
    expect(textOf(task)).toContain(
      "its task type (stock) does not distinguish a stock export from a movements, invoices or orders export"
    )

    const refused = await client.callTool("download_export_file", { asyncTaskId: id })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("nothing was downloaded")
    expect(textOf(refused)).toContain("does not distinguish a stock export from a movements")
    expect(await readdir(dirs!.exportDir).catch(() => [])).toEqual([])

    const confirmation = String(structured(task).downloadConfirmation)
    const downloaded = await client.callTool("download_export_file", { asyncTaskId: id, confirmation })
    expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
    expect(structured(downloaded)).toMatchObject({ kind: "stock" })
    expect(textOf(downloaded)).not.toContain("None known")
    expect(textOf(downloaded)).toContain("may hold personal data")
    expect(await readdir(dirs!.exportDir)).toEqual([expect.stringMatching(/^stock-export-/)])
  })

  it("asks a client that can be asked why a stock-typed export started elsewhere needs a yes, and writes nothing on a no", async () => {
    dirs = await tempDirs()
    const asking = await connectAsking(
      ["--consent", "auto"],
      serverEnv(dirs, sandboxEnv(sandbox)),
      V2_LEGACY,
      () => ({ action: "decline" })
    )
    server = asking
    const id = await startedElsewhere(sandbox, { brand: brand(), posCodes: ["ES100"] }, "stock")
    await asking.client.callTool("get_export_task", { asyncTaskId: id, waitSeconds: 10 })
    const refused = await asking.client.callTool("download_export_file", { asyncTaskId: id })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("declined")
    expect(asking.asked).toHaveLength(1)
    expect(asking.asked[0]).toContain(
      "Its task type (stock) does not distinguish a stock export from a movements"
    )
    expect(asking.asked[0]).toContain("Download it?")
    expect(await readdir(dirs.exportDir).catch(() => [])).toEqual([])
  })
})

describe("--consent elicit with a client that cannot be asked", () => {
  it("starts a stock export, and refuses a sell-out export of the same brand and POS", async () => {
    const client = await connect(SDK1, "elicit")
    const shared = { brand: brand(), posCodes: ["ES100"] }
    const stock = await client.callTool("start_export", { ...shared, kind: "stock" })
    expect(stock.isError).toBeFalsy()
    expect(structured(stock)).toMatchObject({ kind: "stock", reused: false })
    const before = posts("/warranty/")
    const sellOut = await client.callTool("start_export", { ...shared, kind: "sell-out" })
    expect(sellOut.isError).toBe(true)
    expect(textOf(sellOut)).toContain("cannot be asked")
    expect(posts("/warranty/")).toBe(before)
  })
})

describe("a kind with personal data (sell-out)", () => {
  it("starts only with the preview's confirmation, and records and names the kind", async () => {
    const client = await connect()
    const args = { kind: "sell-out", brand: brand(), posCodes: ["ES100"], selloutType: "return" }
    const before = posts("/warranty/")

    const refused = await client.callTool("start_export", args)
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("needs the user's consent")
    expect(posts("/warranty/")).toBe(before)

    const preview = await client.callTool("preview_export", args)
    expect(structured(preview)).toMatchObject({ kind: "sell-out", personalData: true })
    const confirmation = String(structured(preview).confirmation)
    expect(confirmation).toMatch(/^bxc_/)

    // a customer preview's confirmation is not one for the sell-out export of the same brand and POS
    const { kind: _kind, selloutType: _type, ...customerArgs } = args
    const other = await client.callTool("preview_export", customerArgs)
    const wrong = await client.callTool("start_export", {
      ...args,
      confirmation: String(structured(other).confirmation)
    })
    expect(wrong.isError).toBe(true)
    expect(textOf(wrong)).toContain("issued for a different filter")

    const started = await client.callTool("start_export", { ...args, confirmation })
    expect(started.isError).toBeFalsy()
    expect(structured(started)).toMatchObject({ kind: "sell-out", reused: false })
    expect(posts("/warranty/")).toBe(before + 1)
    const id = String(structured(started).asyncTaskId)
    const journal = await readJournal(dirs!.journal)
    // the request recorded before it was sent, and the start
    const request = structured(started).downloadRequestId
    expect(
      journal.filter((entry) => entry.downloadRequestId === request).map((entry) => [entry.event, entry.kind])
    ).toEqual([
      ["requested", "sell-out"],
      ["started", "sell-out"]
    ])

    // started here with consent: downloaded without a second question, named by its kind
    const task = await client.callTool("get_export_task", { asyncTaskId: id, waitSeconds: 10 })
    expect(structured(task)).toMatchObject({ kind: "sell-out", startedHere: true })
    const downloaded = await client.callTool("download_export_file", { asyncTaskId: id })
    expect(downloaded.isError).toBeFalsy()
    expect(await readdir(dirs!.exportDir)).toEqual([expect.stringMatching(/^sell-out-export-/)])
    expect(textOf(downloaded)).toContain("contains personal data")
  })

  it("asks before downloading an invoices export started elsewhere, and says what it does not know of it", async () => {
    const client = await connect()
    const id = await startedElsewhere(sandbox, { brand: brand(), posCodes: ["ES100"] }, "invoice")
    const refused = await client.callTool("download_export_file", { asyncTaskId: id })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("nothing was downloaded")
    expect(await readdir(dirs!.exportDir).catch(() => [])).toEqual([])

    // its task type is not one the API documents, and no journal here knows it: its kind is unknown
    const task = await client.callTool("get_export_task", { asyncTaskId: id, waitSeconds: 10 })
    expect(structured(task).kind).toBeUndefined()
    const confirmation = String(structured(task).downloadConfirmation)
    const downloaded = await client.callTool("download_export_file", { asyncTaskId: id, confirmation })
    expect(downloaded.isError).toBeFalsy()
    expect(await readdir(dirs!.exportDir)).toEqual([expect.stringMatching(/^export-/)])
    expect(textOf(downloaded)).toContain("contains personal data")
    const summary = await client.callTool("summarize_export_file", { asyncTaskId: id })
    expect(textOf(summary)).toContain("did not record which kind of export it is")
  })
})

describe("the duplicate guard, per kind", () => {
  it("does not take a stock export for a repeat of a customer export of the same brand and POS", async () => {
    const client = await connect()
    const shared = { brand: brand(), posCodes: ["ES100", "IT200"] }
    const preview = await client.callTool("preview_export", shared)
    const customers = await client.callTool("start_export", {
      ...shared,
      confirmation: String(structured(preview).confirmation)
    })
    expect(structured(customers)).toMatchObject({ kind: "customers", reused: false })

    const stock = await client.callTool("start_export", { ...shared, kind: "stock" })
    expect(structured(stock)).toMatchObject({ kind: "stock", reused: false })
    expect(structured(stock).asyncTaskId).not.toBe(structured(customers).asyncTaskId)
    expect(structured(stock).fingerprint).not.toBe(structured(customers).fingerprint)

    const again = await client.callTool("start_export", { ...shared, kind: "stock" })
    expect(structured(again)).toMatchObject({ kind: "stock", reused: true })
    expect(structured(again).asyncTaskId).toBe(structured(stock).asyncTaskId)
  })
})

describe("validation by the kind's own rules", () => {
  it("names the field and the rule for a sibling kind, and a field of another kind", async () => {
    const client = await connect()
    const orders = await client.callTool("preview_export", {
      kind: "orders",
      brand: "CAR",
      posCodes: ["ES100"],
      status: ["Q"]
    })
    expect(orders.isError).toBe(true)
    expect(textOf(orders)).toMatch(/status\[0\]: must be one of B, C, .* \[choice\]/)

    const movements = await client.callTool("start_export", { kind: "movements", brand: "CAR" })
    expect(movements.isError).toBe(true)
    expect(textOf(movements)).toContain("posCodes: is required [required]")

    const stock = await client.callTool("preview_export", {
      kind: "stock",
      brand: "CAR",
      email: "x@example.com"
    })
    expect(stock.isError).toBe(true)
    expect(textOf(stock)).toContain(
      "email: is not a field of stock exports (only of customers) [unknown-field]"
    )
    expect(textOf(stock)).not.toContain("x@example.com")
    // a member named like a property every object has is no kind's field
    const inherited = await client.callTool("preview_export", {
      kind: "stock",
      brand: "CAR",
      constructor: "x"
    })
    expect(textOf(inherited)).toContain("constructor: is not a known field [unknown-field]")

    const unknown = await client.callTool("preview_export", { kind: "widgets", brand: "CAR" })
    expect(unknown.isError).toBe(true)
    expect(textOf(unknown)).toMatch(
      /kind: must be one of customers, stock, movements, sell-out, invoices, orders/
    )
  })

  it("still answers the customer-only tool names of earlier versions, as customer exports", async () => {
    const client = await connect()
    const preview = await client.callTool("preview_customer_export", { brand: "CAR", posCodes: ["ES100"] })
    expect(preview.isError).toBeFalsy()
    expect(structured(preview)).toMatchObject({ kind: "customers", personalData: true })
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).not.toContain("preview_customer_export")
    // a kind's alias, in any case, is that kind
    const alias = await client.callTool("preview_export", {
      kind: " SellOut ",
      brand: "CAR",
      posCodes: ["ES100"]
    })
    expect(structured(alias)).toMatchObject({ kind: "sell-out" })
  })
})

describe("a task found afterwards for a start whose answer was lost", () => {
  it("does not count a colleague's export found in its place as its own: its download asks", async () => {
    const client = await connect()
    const shared = brand()
    // a colleague's invoices export of the same brand, moments before: its task type is unknown too
    const colleague = await startedElsewhere(sandbox, { brand: shared, posCodes: ["IT200"] }, "invoice")
    const args = { kind: "movements", brand: shared, posCodes: ["ES100"] }
    const confirmation = String(structured(await client.callTool("preview_export", args)).confirmation)
    const created = sandbox.tasksCreated()
    // the movements request is lost before the API created anything
    sandbox.faults.add({ route: "export-movements", fault: { kind: "reset" }, times: 1 })
    const started = await client.callTool("start_export", { ...args, confirmation })
    expect(started.isError).toBeFalsy()
    expect(sandbox.tasksCreated()).toBe(created)
    expect(structured(started)).toMatchObject({ asyncTaskId: colleague, reconciliation: "time-window" })
    expect(textOf(started)).toContain("downloading it will ask the user first")

    // consent was given to a movements export, not to the colleague's invoices: the download asks
    const task = await client.callTool("get_export_task", { asyncTaskId: colleague, waitSeconds: 0 })
    expect(structured(task)).toMatchObject({ startedHere: false, downloadReady: true })
    const refused = await client.callTool("download_export_file", { asyncTaskId: colleague })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("nothing was downloaded")
    expect(await readdir(dirs!.exportDir).catch(() => [])).toEqual([])
    const downloaded = await client.callTool("download_export_file", {
      asyncTaskId: colleague,
      confirmation: String(structured(task).downloadConfirmation)
    })
    expect(downloaded.isError).toBeFalsy()
  })

  it("asks before downloading a colleague's customer export found by its task type in its place", async () => {
    const client = await connect()
    const shared = brand()
    const colleague = await startedElsewhere(sandbox, { brand: shared, posCodes: ["IT200"] })
    const args = { brand: shared, posCodes: ["ES100"] }
    const confirmation = String(structured(await client.callTool("preview_export", args)).confirmation)
    sandbox.faults.add({ route: "export-customers", fault: { kind: "reset" }, times: 1 })
    const started = await client.callTool("start_export", { ...args, confirmation })
    expect(structured(started)).toMatchObject({ asyncTaskId: colleague, reconciliation: "task-type" })
    const refused = await client.callTool("download_export_file", { asyncTaskId: colleague })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("nothing was downloaded")
    expect(await readdir(dirs!.exportDir).catch(() => [])).toEqual([])
  })
})

describe("a lost start of a kind whose task type is unknown (movements)", () => {
  it("is reconciled to its own task, never to one the journal already knows", async () => {
    const shared = brand()
    // a movements export of the same brand, started a moment before by another server process
    // sharing the journal: a task of the window the reconciliation must not take
    const first = await connect()
    const earlier = await first.callTool("start_export", {
      kind: "movements",
      brand: shared,
      posCodes: ["ES100"],
      confirmation: String(
        structured(
          await first.callTool("preview_export", { kind: "movements", brand: shared, posCodes: ["ES100"] })
        ).confirmation
      )
    })
    expect(earlier.isError).toBeFalsy()
    await server!.close()
    server = undefined

    const client = await connect()
    const args = { kind: "movements", brand: shared, posCodes: ["IT200"] }
    const confirmation = String(structured(await client.callTool("preview_export", args)).confirmation)
    const created = sandbox.tasksCreated()
    sandbox.faults.add({ route: "export-movements", fault: Faults.createThenFail("reset") })
    const started = await client.callTool("start_export", { ...args, confirmation })
    expect(textOf(started)).toContain("found afterwards by brand and time window only")
    expect(started.isError).toBeFalsy()
    expect(sandbox.tasksCreated()).toBe(created + 1)
    expect(structured(started)).toMatchObject({ kind: "movements", reconciliation: "time-window" })
    expect(structured(started).asyncTaskId).not.toBe(structured(earlier).asyncTaskId)
    // the sandbox's task type of movements is not the API's known one: the kind comes from the journal
    const task = await client.callTool("get_export_task", {
      asyncTaskId: String(structured(started).asyncTaskId),
      waitSeconds: 0
    })
    expect(structured(task)).toMatchObject({ kind: "movements", type: "movement" })
    const newest = sandbox.tasks().at(-1)!
    expect(String(structured(started).asyncTaskId).replaceAll("-", "")).toBe(
      newest.asyncTaskId.replaceAll("-", "").toLowerCase()
    )
  })
})
