import { describe, expect, it } from "vitest"
import { ApiMetadata } from "../src/index.js"

type Doc = ApiMetadata.MetadataTypes
// biome-ignore lint/suspicious/noExplicitAny: the tests edit the document as plain JSON
const clone = (doc: Doc): { -readonly [K in keyof Doc]: any } => JSON.parse(JSON.stringify(doc))

/** The request members the API's ExportCustomer page lists (SearchCustomer's, then its own). */
const PAGE_MEMBERS = [
  "brand",
  "posCodes",
  "searchKey",
  "phoneNumber",
  "email",
  "locationCountryIds",
  "clientSpendingFrom",
  "clientSpendingTo",
  "creationDateFrom",
  "creationDateTo",
  "transactionDateFrom",
  "transactionDateTo",
  "canBeContactedByMaison",
  "birthdateMonths",
  "interests",
  "hobbies",
  "productCollections",
  "customerStatus",
  "boosterCustomerIds",
  "hasSapCrmError",
  "productCategories",
  "saleRepresentativeEmails"
]

describe("ApiMetadata.document", () => {
  const doc = ApiMetadata.document()
  const exportOp = doc.operations.find((op) => op.request.name === "ExportCustomer")!

  it("describes ExportCustomer as the API's page does: POST route, own id over SearchCustomer's members", () => {
    expect(exportOp.routes).toEqual([
      expect.objectContaining({ path: "/customer/{brand}/export", verbs: "POST" })
    ])
    expect(exportOp.request.inherits?.name).toBe("SearchCustomer")
    expect(exportOp.request.properties?.map((p) => p.name)).toEqual(["DownloadRequestId"])
    const base = doc.types?.find((t) => t.name === "SearchCustomer")
    expect(base?.properties?.map((p) => p.name.charAt(0).toLowerCase() + p.name.slice(1))).toEqual(
      PAGE_MEMBERS
    )
    const required = base?.properties?.filter((p) => p.isRequired).map((p) => p.name)
    expect(required).toEqual(["Brand", "PosCodes"])
    const interest = doc.types?.find((t) => t.name === "GetCustomerInterest")
    expect(interest?.properties?.map((p) => [p.name, p.isRequired === true])).toEqual([
      ["Interest", true],
      ["SapInterestId", true]
    ])
  })

  it("describes the six export operations with their routes, base types and flat requests", () => {
    const exports = doc.operations.filter((op) => op.request.name.startsWith("Export"))
    expect(exports.map((op) => [op.request.name, op.routes?.[0]?.path, op.request.inherits?.name])).toEqual([
      ["ExportCustomer", "/customer/{brand}/export", "SearchCustomer"],
      ["ExportStock", "/stock/{brand}/export", "StockRequest"],
      ["ExportMovement", "/stock/{brand}/movement/export", "MovementsRequest"],
      ["ExportSellOut", "/warranty/{brand}/export", undefined],
      ["ExportInvoice", "/invoice/{brand}/export", undefined],
      ["ExportOrder", "/purchase/{brand}/export", undefined]
    ])
    expect(exports.map((op) => op.routes?.[0]?.summary)).toEqual([
      "Export Customer Data",
      "Export Stock Data",
      "Export Stock Movement Data",
      "Export Sell-Out Data",
      "Export Invoice Data",
      "Export Order Data"
    ])
    const type = (name: string) => doc.types?.find((t) => t.name === name)
    const names = (props: ReadonlyArray<{ name: string }> | undefined) => props?.map((p) => p.name)
    expect(names(exports[1]!.request.properties)).toEqual(["ProductCategories", "DownloadRequestId"])
    expect(names(type("StockRequest")?.properties)).toEqual([
      "Brand",
      "PosCodes",
      "ArticleCodes",
      "IncludeExtraInfo",
      "ClusterIds",
      "IncludeConsignmentNotAuthorizedPOS",
      "IncludeRSP",
      "DateFrom",
      "DateTo",
      "Type"
    ])
    expect(
      type("StockRequest")
        ?.properties?.filter((p) => p.isRequired)
        .map((p) => p.name)
    ).toEqual(["Brand"])
    expect(names(exports[5]!.request.properties)).toContain("ReasonCode")
    expect(exports[5]!.request.properties?.find((p) => p.name === "Status")).toMatchObject({
      type: "List`1",
      genericArgs: ["String"]
    })
    expect(doc.types?.filter((t) => t.name === "ProductCategory")).toHaveLength(1)
  })

  it("is read back by decode and is in step with core", () => {
    const read = ApiMetadata.decode(JSON.stringify(doc))
    expect(read).toBeDefined()
    expect(ApiMetadata.compare(read!)).toEqual({ differences: [], notes: [] })
  })
})

describe("ApiMetadata.compare", () => {
  it("names a field added, one removed and one retyped, in the request, nested types and the task", () => {
    const api = clone(ApiMetadata.document())
    const base = api.types.find((t: { name: string }) => t.name === "SearchCustomer")
    base.properties.push({ name: "LoyaltyTier", type: "String" })
    base.properties = base.properties.filter((p: { name: string }) => p.name !== "HasSapCrmError")
    Object.assign(
      base.properties.find((p: { name: string }) => p.name === "ClientSpendingFrom"),
      {
        type: "String",
        genericArgs: null
      }
    )
    const hobby = api.types.find((t: { name: string }) => t.name === "GetCustomerHobby")
    hobby.properties.push({ name: "Since", type: "DateTime" })
    const task = api.operations.find(
      (op: { request: { name: string } }) => op.request.name === "GetTaskDetail"
    ).response
    task.properties = task.properties.filter((p: { name: string }) => p.name !== "Percentage")
    const { differences } = ApiMetadata.compare(api)
    expect(differences).toEqual([
      { change: "added", field: "ExportCustomer.loyaltyTier", detail: "in the API, not in core" },
      {
        change: "changed",
        field: "ExportCustomer.clientSpendingFrom",
        detail: "type: string (API) vs number (core)"
      },
      { change: "added", field: "ExportCustomer.hobbies[].since", detail: "in the API, not in core" },
      { change: "removed", field: "ExportCustomer.hasSapCrmError", detail: "in core, not in the API" },
      { change: "removed", field: "Task.percentage", detail: "in core, not in the API" }
    ])
  })

  it("reports a moved route, a changed verb and a changed required flag", () => {
    const api = clone(ApiMetadata.document())
    const op = (name: string) =>
      api.operations.find((o: { request: { name: string } }) => o.request.name === name)
    op("ExportCustomer").routes = [{ path: "/customers/{brand}/export", verbs: "POST" }]
    op("GetTaskDetail").routes = [{ path: "/tasks/{asyncTaskId}", verbs: "POST" }]
    api.types
      .find((t: { name: string }) => t.name === "SearchCustomer")
      .properties.find((p: { name: string }) => p.name === "PosCodes").isRequired = false
    const fields = ApiMetadata.compare(api).differences.map((d) => `${d.change} ${d.field}`)
    expect(fields).toEqual([
      "changed ExportCustomer.route",
      "changed ExportCustomer.posCodes",
      "changed GetTaskDetail.verb"
    ])
  })

  it("treats wire-identical .NET types as equal and skips required flags a service never marks", () => {
    const api = clone(ApiMetadata.document())
    for (const type of [
      ...api.types,
      ...api.operations.flatMap((op: { request: unknown; response?: unknown }) => [op.request, op.response])
    ]) {
      for (const p of type?.properties ?? []) delete p.isRequired
    }
    const base = api.types.find((t: { name: string }) => t.name === "SearchCustomer")
    Object.assign(
      base.properties.find((p: { name: string }) => p.name === "BirthdateMonths"),
      {
        type: "Int64[]",
        genericArgs: null
      }
    )
    Object.assign(
      base.properties.find((p: { name: string }) => p.name === "ClientSpendingTo"),
      {
        type: "Decimal",
        genericArgs: null
      }
    )
    const result = ApiMetadata.compare(api)
    expect(result.differences).toEqual([])
    expect(result.notes).toContain(
      "ExportCustomer: the API's metadata marks no property required; required flags not compared"
    )
  })

  it("names a field renamed in another export: the order export's reason codes", () => {
    const api = clone(ApiMetadata.document())
    const order = api.operations.find(
      (op: { request: { name: string } }) => op.request.name === "ExportOrder"
    )
    order.request.properties.find((p: { name: string }) => p.name === "ReasonCode").name = "ReasonCodes"
    const stock = api.types.find((t: { name: string }) => t.name === "StockRequest")
    stock.properties = stock.properties.filter((p: { name: string }) => p.name !== "ClusterIds")
    expect(ApiMetadata.compare(api).differences).toEqual([
      { change: "removed", field: "ExportStock.clusterIds", detail: "in core, not in the API" },
      { change: "added", field: "ExportOrder.reasonCodes", detail: "in the API, not in core" },
      { change: "removed", field: "ExportOrder.reasonCode", detail: "in core, not in the API" }
    ])
  })

  it("reports an operation the API no longer has", () => {
    const api = clone(ApiMetadata.document())
    api.operations = api.operations.filter(
      (op: { request: { name: string } }) => op.request.name !== "GetTask"
    )
    expect(ApiMetadata.compare(api).differences).toEqual([
      { change: "removed", field: "GetTask", detail: "the operation is not in the API's metadata" }
    ])
  })

  it("refuses what is not a MetadataTypes document", () => {
    expect(ApiMetadata.decode("<html>")).toBeUndefined()
    expect(ApiMetadata.decode(JSON.stringify({ types: [] }))).toBeUndefined()
    expect(ApiMetadata.read("<html>")).toMatchObject({ _tag: "Left", left: { reason: "not-json" } })
    expect(ApiMetadata.read("{}")).toMatchObject({ _tag: "Left", left: { reason: "not-metadata" } })
  })
})

describe("type names nested without end", () => {
  const DEPTH = 20_000
  /** core's document with one property's type nested `depth` times, as `build` writes it. */
  const nestedDoc = (build: (depth: number) => { type: string; genericArgs?: Array<string> }) => {
    const api = clone(ApiMetadata.document())
    const base = api.types.find((type: { name: string }) => type.name === "SearchCustomer")
    base.properties.push({ name: "Deep", ...build(DEPTH) })
    return api
  }
  const shapes: ReadonlyArray<[string, (depth: number) => { type: string; genericArgs?: Array<string> }]> = [
    ["List<List<…>>", (d) => ({ type: `${"List<".repeat(d)}String${">".repeat(d)}` })],
    ["String[][]…", (d) => ({ type: `String${"[]".repeat(d)}` })],
    [
      "Nullable`1 of List<…>",
      (d) => ({ type: "Nullable`1", genericArgs: [`${"List<".repeat(d)}Int32${">".repeat(d)}`] })
    ]
  ]

  it.each(shapes)("%s is refused by read with a clear error, not a stack overflow", (_, build) => {
    const text = JSON.stringify(nestedDoc(build))
    const read = ApiMetadata.read(text)
    expect(read._tag).toBe("Left")
    if (read._tag === "Left") {
      expect(read.left.reason).toBe("too-deep")
      expect(read.left.message).toContain(`${ApiMetadata.MAX_TYPE_DEPTH} levels`)
    }
    expect(ApiMetadata.decode(text)).toBeUndefined()
  })

  it.each(shapes)("%s is compared without a stack overflow when given to compare directly", (_, build) => {
    const { differences } = ApiMetadata.compare(nestedDoc(build))
    expect(differences).toEqual([
      { change: "added", field: "ExportCustomer.deep", detail: "in the API, not in core" }
    ])
    expect(ApiMetadata.jsonType(build(DEPTH).type, build(DEPTH).genericArgs)).toContain(
      `deeper than ${ApiMetadata.MAX_TYPE_DEPTH}`
    )
  })

  it("reads a document whose types nest as deep as the bound", () => {
    const depth = ApiMetadata.MAX_TYPE_DEPTH
    const api = nestedDoc(() => ({ type: `${"List<".repeat(depth - 1)}String${">".repeat(depth - 1)}` }))
    expect(ApiMetadata.read(JSON.stringify(api))._tag).toBe("Right")
    expect(ApiMetadata.jsonType(`${"List<".repeat(3)}String${">".repeat(3)}`)).toBe(
      "array<array<array<string>>>"
    )
  })
})
