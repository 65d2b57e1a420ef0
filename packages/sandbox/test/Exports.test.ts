import { ApiMetadata, ExportKind, Task } from "@booster-export/core"
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { afterAll, beforeAll } from "vitest"
import { Customers, Faults, Movements, Sandbox, SellOuts, Stock } from "../src/index.js"
import { get, post, requestId, runExport, type TaskJson } from "./support.js"

const least = (name: ExportKind.Name) =>
  name === "stock" ? { brand: "CAR" } : { brand: "CAR", posCodes: ["IT100", "FR200"] }

describe("the six export routes", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({
      taskDurationMs: 0,
      customers: 300,
      records: { stock: 600, movements: 600, "sell-out": 600, invoices: 600, orders: 600 }
    })
  })
  afterAll(() => sb.close())

  it.each(ExportKind.names)("%s: creates a task of the sandbox's type and serves its CSV", async (name) => {
    const { task, rows, header } = await runExport(sb, least(name), name)
    expect(task).toMatchObject({ type: Sandbox.TASK_TYPES[name], status: "COM", brand: "CAR" })
    expect(Schema.is(Task.ApiTask)(task)).toBe(true)
    expect(rows.length).toBe(task.totalResults)
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((row) => row.length === header.length)).toBe(true)
    const brandColumn = header.indexOf("brand")
    expect(rows.every((row) => row[brandColumn] === "CAR")).toBe(true)
  })

  it("gives the task types the API's examples suggest where it does, and says the others are its own", () => {
    for (const kind of ExportKind.all) {
      if (kind.taskType !== undefined)
        expect(Sandbox.TASK_TYPES[kind.name as ExportKind.Name]).toBe(kind.taskType)
    }
    expect(new Set(Object.values(Sandbox.TASK_TYPES)).size).toBe(ExportKind.all.length)
  })

  it("validates each route's body with core's schema: posCodes, closed values, the singular reasonCode", async () => {
    const errorsOf = async (name: ExportKind.Name, body: Record<string, unknown>) => {
      const reply = await post(sb, { downloadRequestId: requestId(), ...body }, { kind: name })
      expect(reply.status).toBe(400)
      return (reply.json as { responseStatus: { errors: Array<Record<string, string>> } }).responseStatus
        .errors
    }
    expect(await errorsOf("movements", { brand: "CAR" })).toEqual([
      { errorCode: "required", fieldName: "posCodes", message: "is required" }
    ])
    expect(await errorsOf("stock", { brand: "CAR", type: "all" })).toEqual([
      { errorCode: "choice", fieldName: "type", message: "must be one of standard, consigned" }
    ])
    expect(await errorsOf("orders", { ...least("orders"), reasonCodes: ["Y00"], status: ["Q"] })).toEqual([
      {
        errorCode: "choice",
        fieldName: "status[0]",
        message: "must be one of B, C, D, I, N, P, PS, R, X, Z"
      },
      {
        errorCode: "unknown-field",
        fieldName: "reasonCodes",
        message: "is not a known field — did you mean reasonCode?"
      }
    ])
    expect(await errorsOf("sell-out", { ...least("sell-out"), warrantyExtensionStatusIds: [7] })).toEqual([
      expect.objectContaining({ errorCode: "warranty-status", fieldName: "warrantyExtensionStatusIds[0]" })
    ])
    const customerFieldOnStock = await errorsOf("stock", { brand: "CAR", email: "someone@example.com" })
    expect(customerFieldOnStock).toEqual([
      expect.objectContaining({ errorCode: "unknown-field", fieldName: "email" })
    ])
  })

  it("reads /Date(ms)/ dates on every route", async () => {
    const iso = await runExport(
      sb,
      { ...least("invoices"), dateFrom: "2023-01-01", dateTo: "2023-12-31" },
      "invoices"
    )
    const wcf = await runExport(
      sb,
      {
        ...least("invoices"),
        dateFrom: `/Date(${Date.UTC(2023, 0, 1)})/`,
        dateTo: `/Date(${Date.UTC(2023, 11, 31)})/`
      },
      "invoices"
    )
    expect(wcf.task.totalResults).toBe(iso.task.totalResults)
  })

  it("refuses the wrong method and a body brand other than the route's on the new routes", async () => {
    const wrong = await get(sb, "/stock/CAR/movement/export")
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("POST")
    const mismatch = await post(
      sb,
      { downloadRequestId: requestId(), ...least("orders") },
      { kind: "orders", brand: "IWC" }
    )
    expect(mismatch.status).toBe(400)
    expect((await get(sb, "/purchase/CAR/export/extra")).status).toBe(404)
  })

  it("lists every kind's tasks through the same /tasks routes", async () => {
    const created = await post(
      sb,
      { downloadRequestId: requestId(), ...least("sell-out") },
      { kind: "sell-out" }
    )
    const { asyncTaskId } = created.json as { asyncTaskId: string }
    const list = (await get(sb, "/tasks")).json as Array<TaskJson>
    expect(new Set(list.map((task) => task.type))).toEqual(new Set(Object.values(Sandbox.TASK_TYPES)))
    expect(list.find((task) => task.asyncTaskId === asyncTaskId)?.type).toBe("sellout")
    expect(((await get(sb, `/tasks/${asyncTaskId}`)).json as TaskJson).type).toBe("sellout")
  })

  it("describes the six operations at /types/metadata, in step with core", async () => {
    const doc = ApiMetadata.decode((await get(sb, "/types/metadata", {})).text)!
    expect(doc.operations.map((op) => op.request.name)).toEqual([
      ...ExportKind.all.map((kind) => kind.operation),
      "GetTask",
      "GetTaskDetail"
    ])
    expect(ApiMetadata.compare(doc)).toEqual({ differences: [], notes: [] })
  })
})

describe("keys, faults and import tasks across the export routes", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({
      taskDurationMs: 0,
      customers: 100,
      records: { stock: 800, movements: 100, "sell-out": 100, invoices: 100, orders: 100 },
      importTasks: true,
      keys: [{ key: "key-all" }, { key: "key-it", brands: ["CAR"], posCodes: ["IT100", "IT200"] }]
    })
  })
  afterAll(() => sb.close())
  const as = (key: string) => ({ authorization: `Bearer ${key}` })

  it("keeps a restricted key to its POS: refused when named, the only ones when stock names none", async () => {
    const refused = await post(
      sb,
      { downloadRequestId: requestId(), brand: "CAR", posCodes: ["FR100"] },
      { kind: "orders", headers: as("key-it") }
    )
    expect(refused.status).toBe(403)
    const created = await post(
      sb,
      { downloadRequestId: requestId(), brand: "CAR" },
      { kind: "stock", headers: as("key-it") }
    )
    expect(created.status).toBe(200)
    const task = (
      await get(sb, `/tasks/${(created.json as { asyncTaskId: string }).asyncTaskId}`, as("key-it"))
    ).json as TaskJson
    const items = Array.from({ length: 800 }, (_, i) => Stock.generate(1, i)).filter(
      (s) =>
        s.brand === "CAR" &&
        ["IT100", "IT200"].includes(s.posCode) &&
        (s.type === "standard" || s.consignmentAuthorizedPos)
    )
    expect(task.totalResults).toBe(items.length)
    expect(items.length).toBeGreaterThan(0)
  })

  it("applies an export fault to every export route, and a kind's fault to its route only", async () => {
    sb.faults.add({ route: "export-stock", fault: { kind: "status", status: 503 }, times: 1 })
    const customers = await post(
      sb,
      { downloadRequestId: requestId(), ...least("customers") },
      { headers: as("key-all") }
    )
    expect(customers.status).toBe(200)
    const stock = await post(
      sb,
      { downloadRequestId: requestId(), brand: "CAR" },
      { kind: "stock", headers: as("key-all") }
    )
    expect(stock.status).toBe(503)
    sb.faults.script("export", [{ kind: "status", status: 502 }])
    const orders = await post(
      sb,
      { downloadRequestId: requestId(), ...least("orders") },
      { kind: "orders", headers: as("key-all") }
    )
    expect(orders.status).toBe(502)
    sb.faults.add({ route: "export-movements", fault: { kind: "task-error" } })
    const failing = await post(
      sb,
      { downloadRequestId: requestId(), ...least("movements") },
      { kind: "movements", headers: as("key-all") }
    )
    const task = (
      await get(sb, `/tasks/${(failing.json as { asyncTaskId: string }).asyncTaskId}`, as("key-all"))
    ).json as TaskJson
    expect(task.status).toBe("ERR")
  })

  it("parses the kinds' fault routes and keeps export:… meaning every export route", () => {
    expect(Faults.parse("export-sell-out:503x2,export:reset")).toEqual([
      { route: "export-sell-out", fault: { kind: "status", status: 503 }, times: 2, probability: 1 },
      { route: "export", fault: { kind: "reset" }, times: 1, probability: 1 }
    ])
    expect(() => Faults.parse("export-stock:truncate")).toThrow(/applies only to download/)
    expect(() => Faults.parse("export-sellout:503")).toThrow(/unknown route/)
    expect(Faults.parse("export-orders:create-then-fail=timeout")[0]!.route).toBe("export-orders")
  })

  it("lists an import task among each key's tasks when asked, never counted as an export", async () => {
    const list = (await get(sb, "/tasks", as("key-it"))).json as Array<TaskJson>
    const imports = list.filter((task) => task.type === Sandbox.IMPORT_TASK_TYPE)
    expect(imports).toHaveLength(1)
    expect(imports[0]).toMatchObject({ status: "COM", percentage: 100, brand: "CAR", totalFailed: 2 })
    expect(imports[0]!.signedDownloadUrl).toBeUndefined()
    expect(((await get(sb, `/tasks/${imports[0]!.asyncTaskId}`, as("key-it"))).json as TaskJson).type).toBe(
      "import"
    )
    expect((await get(sb, `/tasks/${imports[0]!.asyncTaskId}`, as("key-all"))).status).toBe(404)
    expect(sb.tasks().filter((task) => task.type === "import")).toHaveLength(2)
    expect(sb.tasks().length).toBe(sb.tasksCreated() + 2)
  })
})

describe("the synthetic data of the other exports", () => {
  it("is deterministic and random-access for every kind", () => {
    const forward = Array.from({ length: 40 }, (_, i) => SellOuts.generate(4, i, 50))
    const backward = Array.from({ length: 40 }, (_, i) => SellOuts.generate(4, 39 - i, 50)).reverse()
    expect(backward).toEqual(forward)
    expect(Stock.generate(4, 123_456)).toEqual(Stock.generate(4, 123_456))
    expect(Movements.generate(4, 99, 1000)).toEqual(Movements.generate(4, 99, 1000))
    expect(Stock.generate(5, 7)).not.toEqual(Stock.generate(4, 7))
  })

  it("links sell-outs to sandbox customers of the same brand, POS and sales representative", () => {
    const sales = Array.from({ length: 500 }, (_, i) => SellOuts.generate(9, i, 200))
    const linked = sales.filter((s) => s.boosterCustomerId !== undefined)
    expect(linked.length).toBeGreaterThan(300)
    expect(linked.length).toBeLessThan(sales.length)
    for (const sale of linked) {
      const customer = Customers.generate(9, sale.boosterCustomerId! - 1_000_001)
      expect(customer.brand).toBe(sale.brand)
      expect(customer.posCode).toBe(sale.posCode)
      expect(sale.saleRepresentativeEmails).toContain(customer.saleRepresentativeEmail)
      expect(sale.boosterCustomerId! - 1_000_001).toBeLessThan(200)
    }
    expect(sales.every((s) => s.quantity < 0 === (s.selloutType === "return"))).toBe(true)
    expect(new Set(sales.map((s) => s.warrantyExtensionStatusId))).toEqual(new Set([1, 2, 3, 4, 5, 6]))
    expect(
      Array.from({ length: 50 }, (_, i) => SellOuts.generate(9, i, 0)).every(
        (s) => s.boosterCustomerId === undefined
      )
    ).toBe(true)
  })

  it("dates movements in index order and names who created them", () => {
    const moves = Array.from({ length: 1000 }, (_, i) => Movements.generate(3, i, 1000))
    expect(moves.every((m, i) => i === 0 || moves[i - 1]!.movementDate <= m.movementDate)).toBe(true)
    expect(moves[0]!.movementDate).toBe("2023-01-01")
    expect(moves.every((m) => /^staff\d+\.[a-z]{3}@maison\.example$/.test(m.createdBy))).toBe(true)
    expect(moves.some((m) => m.comments !== "")).toBe(true)
    expect(new Set(moves.map((m) => m.serialNumber)).size).toBe(moves.length)
  })
})
