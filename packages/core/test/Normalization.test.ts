import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, Validation } from "../src/index.js"

const valid = (input: unknown) => {
  const result = Validation.validate(ExportFilter.CustomerFilter, input)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("normalisation", () => {
  it("trims text, lower-cases emails and country ids, drops duplicates keeping order", () => {
    expect(
      valid({
        brand: " CAR ",
        posCodes: ["IT200", " ES100", "IT200 ", "ES100"],
        email: "  Anna.Rossi@Example.COM ",
        locationCountryIds: ["IT", "fr", "it"],
        birthdateMonths: [3, 1, 3],
        saleRepresentativeEmails: ["Rep@Shop.it", "rep@shop.it"],
        interests: [
          { interest: " Watches", sapInterestId: "CA-1" },
          { sapInterestId: "CA-1 ", interest: "Watches" }
        ],
        customerStatus: ["Client", "Client"]
      })
    ).toEqual({
      brand: "CAR",
      posCodes: ["IT200", "ES100"],
      email: "anna.rossi@example.com",
      locationCountryIds: ["it", "fr"],
      birthdateMonths: [3, 1],
      saleRepresentativeEmails: ["rep@shop.it"],
      interests: [{ interest: "Watches", sapInterestId: "CA-1" }],
      customerStatus: ["Client"]
    })
  })

  it("turns the same filter written two ways into the same value", () => {
    const a = valid({ brand: "CAR", posCodes: ["ES100"], email: "A@B.CO", clientSpendingFrom: -0 })
    const b = valid({ email: " a@b.co", posCodes: ["ES100", "ES100"], brand: "CAR ", clientSpendingFrom: 0 })
    expect(a).toEqual(b)
    expect(Object.is(a.clientSpendingFrom, 0)).toBe(true)
  })

  it("does not change the case of codes, brands or statuses", () => {
    expect(valid({ brand: "car", posCodes: ["es100"], customerStatus: ["client"] })).toEqual({
      brand: "car",
      posCodes: ["es100"],
      customerStatus: ["client"]
    })
  })

  it("leaves values of the wrong type for validation to report", () => {
    const result = Validation.validate(ExportFilter.CustomerFilter, { brand: 7, posCodes: [" ", 5] })
    expect(Either.isLeft(result) && result.left.issues.map((issue) => `${issue.path}:${issue.rule}`)).toEqual(
      ["brand:type", "posCodes[0]:non-empty", "posCodes[1]:type"]
    )
  })
})
