import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, ExportKind, Validation } from "../src/index.js"
import { example } from "./fixtures.js"

const describeInput = (input: unknown) => {
  const result = Validation.validate(ExportFilter.CustomerFilter, input)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return ExportKind.Customer.describe(result.right)
}

describe("describe", () => {
  it("gives a plain-English account of who would be exported", () => {
    const { downloadRequestId: _, ...filter } = example
    expect(describeInput(filter)).toBe(
      "Clients and prospects of CAR at 2 points of sale (ES100, IT200), in it or fr, created 2022-01-01 to 2023-11-01, spending 100–50,000, who agreed to be contacted"
    )
  })

  it("covers every kind of criterion, one-sided ranges included", () => {
    expect(
      describeInput({
        brand: "IWC",
        posCodes: ["A1", "A2", "A3", "A4", "A5", "A6", "A7"],
        transactionDateFrom: "2023-01-01",
        creationDateTo: "2021-12-31",
        clientSpendingTo: 1000,
        birthdateMonths: [1, 12],
        interests: [{ interest: "Watches", sapInterestId: "CA-1" }],
        hobbies: [{ sapHobbyId: "ART" }],
        productCollections: [{ productCollection: "Portugieser", sapProductCollectionId: "POR" }],
        productCategories: [{ grandCategoryId: "WAT" }],
        hasSapCrmError: false,
        canBeContactedByMaison: false
      })
    ).toBe(
      "Customers of IWC at 7 points of sale (A1, A2, A3, A4, A5 and 2 more), created on or before 2021-12-31, " +
        "with a transaction on or after 2023-01-01, spending at most 1,000, born in January or December, " +
        "interested in Watches, with the hobby ART, who bought from Portugieser, who bought in the category WAT, " +
        "whose SAP CRM sync did not fail, who did not agree to be contacted"
    )
  })

  it("says that personal criteria exist without repeating them", () => {
    const text = describeInput({
      brand: "CAR",
      posCodes: ["ES100"],
      email: "anna.rossi@example.com",
      phoneNumber: "3391234567",
      searchKey: "Rossi",
      boosterCustomerIds: [1234567, 7654321],
      saleRepresentativeEmails: ["rep@shop.it"],
      clientSpendingFrom: 2500.5
    })
    expect(text).toBe(
      "Customers of CAR at 1 point of sale (ES100), spending at least 2,500.5, among 2 given customer ids, " +
        "served by 1 given sales representative, with a given email address, with a given phone number, matching a search key"
    )
    for (const value of ["anna", "rossi", "3391234567", "1234567", "rep@"])
      expect(text.toLowerCase()).not.toContain(value)
  })
})
