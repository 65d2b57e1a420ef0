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
    api.operations[0].routes = [{ path: "/customers/{brand}/export", verbs: "POST" }]
    api.operations[2].routes = [{ path: "/tasks/{asyncTaskId}", verbs: "POST" }]
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
  })
})
