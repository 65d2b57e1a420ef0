import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, ExportKind, Validation } from "../src/index.js"
import { example, siblings } from "./fixtures.js"

const describeInput = (input: unknown) => {
  const result = Validation.validate(ExportFilter.CustomerFilter, input)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return ExportKind.Customer.describe(result.right)
}

describe("describe", () => {
  it("gives a plain-English account of who would be exported", () => {
    const { downloadRequestId: _, ...filter } = example
    expect(describeInput(filter)).toBe(
      "Clients and prospects of CAR at 2 points of sale (ES100, IT200), in IT or FR, created 2022-01-01 to 2023-11-01, spending 100–50,000, who agreed to be contacted"
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

  it("reads like prose: acronym statuses are clients, countries in capitals, never a glued value", () => {
    expect(
      describeInput({
        brand: "CAR",
        posCodes: ["IT100", "FR100"],
        customerStatus: ["VIC"],
        locationCountryIds: ["it", "FR"]
      })
    ).toBe("VIC clients of CAR at 2 points of sale (IT100, FR100), in IT or FR")
    expect(describeInput({ brand: "CAR", posCodes: ["IT100"], customerStatus: ["Client", "VIC"] })).toBe(
      "Clients and VIC clients of CAR at 1 point of sale (IT100)"
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

describe("describe, for the other export kinds", () => {
  const describeAs = (name: keyof typeof siblings, patch: Record<string, unknown> = {}) => {
    const kind = ExportKind.byName(name)
    const { downloadRequestId: _, ...filter } = { ...siblings[name], ...patch }
    const given = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined))
    const result = Validation.validate(kind.filter, given)
    if (Either.isLeft(result)) throw new Error(result.left.message)
    return kind.describe(result.right)
  }
  const least = { brand: "IWC", posCodes: ["A1", "A2"] }
  const bare = (name: keyof typeof siblings) => {
    const kind = ExportKind.byName(name)
    return kind.describe(Either.getOrThrow(Validation.validate(kind.filter, least)))
  }

  it("stock: which items, where, since when and what the file includes", () => {
    expect(describeAs("stock")).toBe(
      "Consigned stock of CAR at 2 points of sale (ES100, IT200), of the article CRWSTA0030, in the cluster EU-SOUTH, " +
        "in the category WAT, that entered stock 2024-01-01 to 2024-06-30, with retail sales prices, with extra information, " +
        "leaving out points of sale not authorised for consignment"
    )
    expect(bare("stock")).toBe("Stock of IWC at 2 points of sale (A1, A2)")
    expect(describeAs("stock", { posCodes: undefined, type: "standard", dateTo: undefined })).toMatch(
      /^Standard stock of CAR \(no point of sale given\), .* that entered stock on or after 2024-01-01,/
    )
  })

  it("movements: types, period and order, and only that a search key is given", () => {
    expect(describeAs("movements")).toBe(
      "Stock movements of CAR at 1 point of sale (ES100), of the movement types 1 or 2, " +
        "matching a given article code or serial number, dated 2024-01-01 to 2024-03-31, oldest first"
    )
    expect(describeAs("movements")).not.toContain("SN123456")
    expect(describeAs("movements", { sortBy: "DateDESC", searchKey: undefined })).toMatch(/, newest first$/)
    expect(bare("movements")).toBe("Stock movements of IWC at 2 points of sale (A1, A2)")
  })

  it("sell-out: sales or returns, and warranty statuses in words, never the representatives' emails", () => {
    const text = describeAs("sell-out")
    expect(text).toBe(
      "Returns of CAR at 2 points of sale (ES100, IT200), of standard items, of 2 articles (CRWSTA0030, CRB4084600), " +
        "in the category RNG-GLD, dated 2024-01-01 to 2024-12-31, by 1 given sales representative, " +
        "whose warranty extension is activated or pending"
    )
    expect(text).not.toMatch(/anna|rossi|@/i)
    expect(describeAs("sell-out", { selloutType: "sellout" })).toMatch(/^Sales of CAR/)
    expect(bare("sell-out")).toBe("Sales and returns of IWC at 2 points of sale (A1, A2)")
  })

  it("invoices and orders: period, reason codes, order statuses in words and where orders ship", () => {
    expect(describeAs("invoices")).toBe(
      "Invoices of CAR at 2 points of sale (ES100, IT200), dated 2024-01-01 to 2024-12-31, " +
        "with the reason codes Y00 or Y06, in the category ACC"
    )
    expect(describeAs("orders")).toBe(
      "Orders of CAR at 1 point of sale (ES100), dated on or after 2024-01-01, that are shipped or partially shipped, " +
        "with the reason code Y00, in the category MEN, finally shipped to IT200"
    )
    expect(bare("invoices")).toBe("Invoices of IWC at 2 points of sale (A1, A2)")
    expect(bare("orders")).toBe("Orders of IWC at 2 points of sale (A1, A2)")
  })

  it("never glues values together, whatever is given", () => {
    for (const name of Object.keys(siblings) as Array<keyof typeof siblings>) {
      const text = describeAs(name)
      expect(text).not.toMatch(/\w,\w|\(\)|undefined|\[object/)
      expect(text).toMatch(/^[A-Z]/)
    }
  })
})
