import { Either } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"
import { type ExportFilter, ExportKind, type WireFormat } from "../src/index.js"
import { minimal, siblings, testKey } from "./fixtures.js"

const prepare = (kind: ExportKind.Any, input: unknown, options: WireFormat.EncodeOptions = {}) => {
  const result = ExportKind.prepare(kind, input, { ...options, fingerprintKey: testKey })
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("the registry of export kinds", () => {
  it("lists the six exports of the API by command-line name, in the order of its pages", () => {
    expect(ExportKind.names).toEqual(["customers", "stock", "movements", "sell-out", "invoices", "orders"])
    expect(ExportKind.all.map((kind) => kind.operation)).toEqual([
      "ExportCustomer",
      "ExportStock",
      "ExportMovement",
      "ExportSellOut",
      "ExportInvoice",
      "ExportOrder"
    ])
    expect(ExportKind.all.map((kind) => `${kind.method} ${kind.path}`)).toEqual([
      "POST /customer/{brand}/export",
      "POST /stock/{brand}/export",
      "POST /stock/{brand}/movement/export",
      "POST /warranty/{brand}/export",
      "POST /invoice/{brand}/export",
      "POST /purchase/{brand}/export"
    ])
    for (const name of ExportKind.names) expect(ExportKind.kinds[name].name).toBe(name)
  })

  it("finds a kind by name or alias, trimmed and in any case; customer is still customers", () => {
    expect(ExportKind.byName("stock")).toBe(ExportKind.Stock)
    expect(ExportKind.byName("customer")).toBe(ExportKind.Customer)
    expect(ExportKind.byName(" Customers ")).toBe(ExportKind.Customer)
    expect(ExportKind.byName("SELL-OUT")).toBe(ExportKind.SellOut)
    expect(ExportKind.byName("sellout")).toBe(ExportKind.SellOut)
    expect(ExportKind.byName("order")).toBe(ExportKind.Order)
    expect(ExportKind.byName("purchases")).toBeUndefined()
    expect(ExportKind.byName("")).toBeUndefined()
    const names = ExportKind.all.flatMap((kind) => [kind.name, ...kind.aliases])
    expect(new Set(names).size).toBe(names.length)
  })

  it("gives callers the filter type of a kind, by name or by value", () => {
    expectTypeOf(ExportKind.byName("stock")).toEqualTypeOf<typeof ExportKind.Stock>()
    expectTypeOf(ExportKind.byName(ExportKind.names[0]!)).toEqualTypeOf<ExportKind.Any>()
    expectTypeOf(ExportKind.byName("anything" as string)).toEqualTypeOf<ExportKind.Any | undefined>()
    expectTypeOf<ExportKind.FilterOf<"stock">>().toEqualTypeOf<ExportFilter.StockFilter>()
    expectTypeOf<ExportKind.FilterOf<"orders">>().toEqualTypeOf<ExportFilter.OrderFilter>()
    expectTypeOf<ExportKind.FilterOf<typeof ExportKind.SellOut>>().toEqualTypeOf<ExportFilter.SellOutFilter>()
    expectTypeOf<ExportKind.RequestOf<"customers">>().toEqualTypeOf<ExportFilter.CustomerExportRequest>()
    expectTypeOf<ExportFilter.StockFilter["type"]>().toEqualTypeOf<"standard" | "consigned" | undefined>()
    expectTypeOf<ExportFilter.MovementFilter["sortBy"]>().toEqualTypeOf<"DateDESC" | "DateASC" | undefined>()
    expectTypeOf<ExportFilter.OrderFilter["status"]>().toEqualTypeOf<
      ReadonlyArray<"B" | "C" | "D" | "I" | "N" | "P" | "PS" | "R" | "X" | "Z"> | undefined
    >()
  })

  it("says which task type each export creates only where the API's examples suggest one", () => {
    expect(Object.fromEntries(ExportKind.all.map((kind) => [kind.name, kind.taskType]))).toEqual({
      customers: "crm",
      stock: "stock",
      movements: undefined,
      "sell-out": "sellout",
      invoices: undefined,
      orders: undefined
    })
  })

  it("reads a task's kind from its type only where that type is known; an import task has none", () => {
    expect(ExportKind.byTaskType("crm")).toBe(ExportKind.Customer)
    expect(ExportKind.byTaskType("stock")).toBe(ExportKind.Stock)
    expect(ExportKind.byTaskType("sellout")).toBe(ExportKind.SellOut)
    expect(ExportKind.byTaskType("import")).toBeUndefined()
    expect(ExportKind.byTaskType("")).toBeUndefined()
  })

  it("says which files carry personal data, and what, without any value", () => {
    expect(Object.fromEntries(ExportKind.all.map((kind) => [kind.name, kind.personalData.carries]))).toEqual({
      customers: true,
      stock: false,
      movements: true,
      "sell-out": true,
      invoices: true,
      orders: true
    })
    expect(ExportKind.Movement.personalData.what).toContain("createdBy")
    expect(ExportKind.SellOut.personalData.what).toContain("boosterCustomerId")
    expect(ExportKind.Order.personalData.what).toContain("customerReference")
    expect(ExportKind.Invoice.personalData.what).toMatch(/not documented/i)
    for (const kind of ExportKind.all) expect(kind.personalData.what).not.toMatch(/@|\d{4}/)
  })
})

describe("preparing an export of each kind", () => {
  it.each(ExportKind.names.filter((name) => name !== "customers"))(
    "%s: the route with the brand, the body in the API's names, a description and a fingerprint",
    (name) => {
      const kind = ExportKind.byName(name)
      const input = siblings[name as keyof typeof siblings]
      const prepared = prepare(kind, { ...input, brand: "C&A" })
      expect(prepared.path).toBe(kind.path.replace("{brand}", "C%26A"))
      expect(JSON.parse(prepared.body)).toEqual({ ...input, brand: "C&A" })
      expect(prepared.description).toMatch(/ of C&A /)
      expect(prepared.fingerprint).toBe(ExportKind.fingerprint(kind, testKey, prepared.request))
    }
  )

  it("sends every field under the API's own name, the order export's singular reasonCode included", () => {
    expect(Object.keys(JSON.parse(prepare(ExportKind.Order, siblings.orders).body))).toEqual([
      "downloadRequestId",
      "brand",
      "posCodes",
      "dateFrom",
      "status",
      "reasonCode",
      "productCategories",
      "finalShipTo"
    ])
    expect(JSON.parse(prepare(ExportKind.Invoice, siblings.invoices).body).reasonCodes).toEqual([
      "Y00",
      "Y06"
    ])
  })

  it("writes closed values as the API spells them, whatever the case they were given in", () => {
    const body = (kind: ExportKind.Any, input: object) => JSON.parse(prepare(kind, input).body)
    expect(body(ExportKind.Movement, { ...siblings.movements, sortBy: " dateasc " }).sortBy).toBe("DateASC")
    expect(body(ExportKind.Stock, { ...siblings.stock, type: "Consigned" }).type).toBe("consigned")
    expect(body(ExportKind.Order, { ...siblings.orders, status: ["ps", "P", "p"] }).status).toEqual([
      "PS",
      "P"
    ])
    expect(body(ExportKind.SellOut, { ...siblings["sell-out"], selloutType: "RETURN" }).selloutType).toBe(
      "return"
    )
  })

  it("writes every kind's dates in ServiceStack's WCF form on request", () => {
    for (const kind of ExportKind.all.slice(1)) {
      const input = siblings[kind.name as keyof typeof siblings]
      const body = prepare(kind, { ...input, dateFrom: "2022-01-01" }, { dateFormat: "wcf" }).body
      expect(body).toContain('"dateFrom":"\\/Date(1640995200000)\\/"')
    }
  })

  it("takes a stock export without POS codes, and no other kind", () => {
    expect(JSON.parse(prepare(ExportKind.Stock, { downloadRequestId: "r", brand: "CAR" }).body)).toEqual({
      downloadRequestId: "r",
      brand: "CAR"
    })
    for (const kind of ExportKind.all.filter((k) => k !== ExportKind.Stock)) {
      const result = ExportKind.prepare(
        kind,
        { downloadRequestId: "r", brand: "CAR" },
        { fingerprintKey: testKey }
      )
      expect(Either.isLeft(result) && result.left.issues).toEqual([
        { path: "posCodes", rule: "required", message: "is required" }
      ])
    }
  })

  it("prepares a customer export as before", () => {
    expect(prepare(ExportKind.Customer, minimal).path).toBe("/customer/CAR/export")
  })
})
