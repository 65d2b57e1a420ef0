import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ExportKind, WireFormat } from "../src/index.js"
import { example, minimal, testKey } from "./fixtures.js"

const prepare = (input: unknown, options?: WireFormat.EncodeOptions) => {
  const result = ExportKind.prepare(ExportKind.Customer, input, { ...options, fingerprintKey: testKey })
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("wire encoding", () => {
  it("writes the API's field names in documented order and omits absent fields", () => {
    const prepared = prepare({ ...example, posCodes: ["ES100", "IT200"] })
    expect(prepared.body).toBe(
      '{"downloadRequestId":"req-2","brand":"CAR","posCodes":["ES100","IT200"],"locationCountryIds":["it","fr"],' +
        '"clientSpendingFrom":100,"clientSpendingTo":50000,"creationDateFrom":"2022-01-01","creationDateTo":"2023-11-01",' +
        '"canBeContactedByMaison":true,"customerStatus":["Client","Prospect"]}'
    )
    expect(JSON.parse(prepare(minimal).body)).toEqual(minimal)
  })

  it("writes dates in ServiceStack's WCF form on request", () => {
    const body = prepare(
      { ...minimal, creationDateFrom: "2022-01-01", transactionDateTo: "1969-12-31", searchKey: "/Date(1)/" },
      { dateFormat: "wcf" }
    ).body
    expect(body).toContain('"creationDateFrom":"\\/Date(1640995200000)\\/"')
    expect(body).toContain('"transactionDateTo":"\\/Date(-86400000)\\/"')
    expect(body).toContain('"searchKey":"/Date(1)/"')
    expect(JSON.parse(body).creationDateFrom).toBe("/Date(1640995200000)/")
  })

  it("puts the brand into the route, URL-encoded", () => {
    expect(prepare(minimal).path).toBe("/customer/CAR/export")
    expect(prepare({ ...minimal, brand: "A/B C?" }).path).toBe("/customer/A%2FB%20C%3F/export")
    expect(prepare(minimal).method).toBe("POST")
  })

  it("fills route templates and refuses a missing parameter", () => {
    expect(WireFormat.route("/stock/{brand}/movement/export", { brand: "IWC" })).toBe(
      "/stock/IWC/movement/export"
    )
    expect(() => WireFormat.route("/x/{brand}", {})).toThrow("{brand}")
  })

  it("describes and fingerprints what it prepares", () => {
    const prepared = prepare(example)
    expect(prepared.description).toMatch(/^Clients and prospects of CAR/)
    expect(prepared.fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{64}$/)
  })
})
