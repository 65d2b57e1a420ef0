import { describe, expect, it } from "@effect/vitest"
import { afterAll, beforeAll } from "vitest"
import { Csv, Customers, Sandbox } from "../src/index.js"
import { runExport } from "./support.js"

const SEED = 21
const COUNT = 4000
const people = Array.from({ length: COUNT }, (_, i) => Customers.generate(SEED, i))
const ALL_POS = [...Customers.posCodes]
const BRAND = "VCA"
const ofBrand = people.filter((c) => c.brand === BRAND)
const sample = ofBrand[17]!

type C = Customers.Customer
type Case = {
  readonly name: string
  readonly filter: Record<string, unknown>
  readonly expected: (c: C) => boolean
}

const base = { brand: BRAND, posCodes: ALL_POS }
const lower = (s: string) => s.toLowerCase()

/** Straightforward restatement of the documented semantics, one field at a time. */
const cases: ReadonlyArray<Case> = [
  { name: "brand alone", filter: base, expected: (c) => c.brand === BRAND },
  {
    name: "posCodes, any of, case-insensitive",
    filter: { brand: "vca", posCodes: ["it100", "FR200", "JP300"] },
    expected: (c) => c.brand === BRAND && ["IT100", "FR200", "JP300"].includes(c.posCode)
  },
  {
    name: "searchKey over a first name with an accent",
    filter: { ...base, searchKey: "LÉA" },
    expected: (c) =>
      c.brand === BRAND && (lower(c.firstName).includes("léa") || lower(c.lastName).includes("léa"))
  },
  {
    name: "searchKey over part of a last name",
    filter: { ...base, searchKey: "brien" },
    expected: (c) => c.brand === BRAND && lower(c.lastName).includes("brien")
  },
  {
    name: "searchKey over the full name",
    filter: { ...base, searchKey: `${sample.firstName} ${sample.lastName}` },
    expected: (c) => c.brand === BRAND && c.firstName === sample.firstName && c.lastName === sample.lastName
  },
  {
    name: "searchKey over an email",
    filter: { ...base, searchKey: sample.email.toUpperCase() },
    expected: (c) => c.brand === BRAND && c.email.includes(sample.email)
  },
  {
    name: "searchKey over the phone without prefix",
    filter: { ...base, searchKey: sample.phoneNumber.slice(-9, -2) },
    expected: (c) =>
      c.brand === BRAND &&
      (c.phoneNumber.slice(c.phoneNumber.length - 9).includes(sample.phoneNumber.slice(-9, -2)) ||
        String(c.boosterCustomerId).includes(sample.phoneNumber.slice(-9, -2)) ||
        c.sapCrmId.includes(sample.phoneNumber.slice(-9, -2)))
  },
  {
    name: "searchKey over a Booster id",
    filter: { ...base, searchKey: String(sample.boosterCustomerId) },
    expected: (c) => c.brand === BRAND && c.boosterCustomerId === sample.boosterCustomerId
  },
  {
    name: "searchKey over a SAP CRM id",
    filter: { ...base, searchKey: sample.sapCrmId },
    expected: (c) => c.brand === BRAND && c.sapCrmId === sample.sapCrmId
  },
  {
    name: "phoneNumber exact, spacing ignored",
    filter: { ...base, phoneNumber: `${sample.phoneNumber.slice(0, 4)} ${sample.phoneNumber.slice(4)}` },
    expected: (c) => c.brand === BRAND && c.phoneNumber === sample.phoneNumber
  },
  {
    name: "phoneNumber is not a substring search",
    filter: { ...base, phoneNumber: sample.phoneNumber.slice(0, -1) },
    expected: () => false
  },
  {
    name: "email exact, case-insensitive",
    filter: { ...base, email: sample.email.toUpperCase() },
    expected: (c) => c.brand === BRAND && c.email === sample.email
  },
  {
    name: "locationCountryIds, any of",
    filter: { ...base, locationCountryIds: ["IT", "jp"] },
    expected: (c) => c.brand === BRAND && (c.locationCountryId === "it" || c.locationCountryId === "jp")
  },
  {
    name: "clientSpending range, inclusive",
    filter: { ...base, clientSpendingFrom: 100, clientSpendingTo: 5000 },
    expected: (c) => c.brand === BRAND && c.clientSpending >= 100 && c.clientSpending <= 5000
  },
  {
    name: "clientSpendingFrom alone",
    filter: { ...base, clientSpendingFrom: 20_000 },
    expected: (c) => c.brand === BRAND && c.clientSpending >= 20_000
  },
  {
    name: "clientSpendingTo 0 gives the prospects and zero spenders",
    filter: { ...base, clientSpendingTo: 0 },
    expected: (c) => c.brand === BRAND && c.clientSpending === 0
  },
  {
    name: "creationDate range, inclusive on both ends",
    filter: { ...base, creationDateFrom: sample.creationDate, creationDateTo: "2023-12-31" },
    expected: (c) =>
      c.brand === BRAND && c.creationDate >= sample.creationDate && c.creationDate <= "2023-12-31"
  },
  {
    name: "creationDate of a single day",
    filter: { ...base, creationDateFrom: sample.creationDate, creationDateTo: sample.creationDate },
    expected: (c) => c.brand === BRAND && c.creationDate === sample.creationDate
  },
  {
    name: "transactionDate range excludes customers without transactions",
    filter: { ...base, transactionDateFrom: "2023-01-01", transactionDateTo: "2024-06-30" },
    expected: (c) =>
      c.brand === BRAND &&
      c.lastTransactionDate !== undefined &&
      c.lastTransactionDate >= "2023-01-01" &&
      c.lastTransactionDate <= "2024-06-30"
  },
  {
    name: "canBeContactedByMaison true",
    filter: { ...base, canBeContactedByMaison: true },
    expected: (c) => c.brand === BRAND && c.canBeContactedByMaison
  },
  {
    name: "canBeContactedByMaison false",
    filter: { ...base, canBeContactedByMaison: false },
    expected: (c) => c.brand === BRAND && !c.canBeContactedByMaison
  },
  {
    name: "birthdateMonths, any of",
    filter: { ...base, birthdateMonths: [1, 12, 7] },
    expected: (c) => c.brand === BRAND && [1, 7, 12].includes(Number(c.birthDate.slice(5, 7)))
  },
  {
    name: "interests match on sapInterestId, whatever the label",
    filter: { ...base, interests: [{ interest: "anything", sapInterestId: "CA-3" }] },
    expected: (c) => c.brand === BRAND && c.interests.some((i) => i.sapInterestId === "CA-3")
  },
  {
    name: "hobbies by label when no id is given, or by id",
    filter: { ...base, hobbies: [{ hobby: "golf" }, { sapHobbyId: "sail" }] },
    expected: (c) => c.brand === BRAND && c.hobbies.some((h) => h.hobby === "Golf" || h.sapHobbyId === "SAIL")
  },
  {
    name: "hobbies: the id wins over a differing label",
    filter: { ...base, hobbies: [{ hobby: "Golf", sapHobbyId: "OPR" }] },
    expected: (c) => c.brand === BRAND && c.hobbies.some((h) => h.sapHobbyId === "OPR")
  },
  {
    name: "productCollections match on their SAP id",
    filter: {
      ...base,
      productCollections: [
        { productCollection: "x", sapProductCollectionId: "ALH" },
        { productCollection: "y", sapProductCollectionId: "PAN" }
      ]
    },
    expected: (c) =>
      c.brand === BRAND && c.productCollections.some((p) => ["ALH", "PAN"].includes(p.sapProductCollectionId))
  },
  {
    name: "customerStatus, any of, case-insensitive",
    filter: { ...base, customerStatus: ["prospect", "VIC"] },
    expected: (c) => c.brand === BRAND && (c.customerStatus === "Prospect" || c.customerStatus === "VIC")
  },
  {
    name: "boosterCustomerIds, any of",
    filter: {
      ...base,
      boosterCustomerIds: [ofBrand[1]!.boosterCustomerId, ofBrand[2]!.boosterCustomerId, 42]
    },
    expected: (c) =>
      c.brand === BRAND &&
      [ofBrand[1]!.boosterCustomerId, ofBrand[2]!.boosterCustomerId].includes(c.boosterCustomerId)
  },
  {
    name: "hasSapCrmError true",
    filter: { ...base, hasSapCrmError: true },
    expected: (c) => c.brand === BRAND && c.hasSapCrmError
  },
  {
    name: "productCategories by grand category",
    filter: { ...base, productCategories: [{ grandCategoryId: "WAT" }] },
    expected: (c) => c.brand === BRAND && c.productCategories.some((p) => p.grandCategoryId === "WAT")
  },
  {
    name: "productCategories: every id given must hold on the same category",
    filter: {
      ...base,
      productCategories: [{ grandCategoryId: "JEW", categoryId: "rng-gld", subCategoryId: "RNG-GLD-02" }]
    },
    expected: (c) =>
      c.brand === BRAND &&
      c.productCategories.some(
        (p) => p.grandCategoryId === "JEW" && p.categoryId === "RNG-GLD" && p.subCategoryId === "RNG-GLD-02"
      )
  },
  {
    name: "productCategories with a brand category of another brand match nobody",
    filter: { ...base, productCategories: [{ grandCategoryId: "JEW", brandCategoryId: "CAR-JEW" }] },
    expected: () => false
  },
  {
    name: "saleRepresentativeEmails, any of, case-insensitive",
    filter: { ...base, saleRepresentativeEmails: ["REP2.vca@maison.example", "rep5.vca@maison.example"] },
    expected: (c) =>
      c.brand === BRAND &&
      ["rep2.vca@maison.example", "rep5.vca@maison.example"].includes(c.saleRepresentativeEmail)
  },
  {
    name: "several fields together (and)",
    filter: {
      ...base,
      locationCountryIds: ["fr", "it", "es"],
      customerStatus: ["Client", "VIC"],
      clientSpendingFrom: 500,
      canBeContactedByMaison: true,
      interests: [
        { interest: "Watches", sapInterestId: "CA-1" },
        { interest: "Jewellery", sapInterestId: "CA-2" }
      ]
    },
    expected: (c) =>
      c.brand === BRAND &&
      ["fr", "it", "es"].includes(c.locationCountryId) &&
      ["Client", "VIC"].includes(c.customerStatus) &&
      c.clientSpending >= 500 &&
      c.canBeContactedByMaison &&
      c.interests.some((i) => i.sapInterestId === "CA-1" || i.sapInterestId === "CA-2")
  }
]

const mustMatchSome = new Set([
  "phoneNumber is not a substring search",
  "productCategories with a brand category of another brand match nobody"
])

describe("Filter semantics, checked against the generated data", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({ taskDurationMs: 0, customers: COUNT, seed: SEED })
  })
  afterAll(() => sb.close())

  it.each(cases)("$name", async ({ filter, expected, name }) => {
    const want = people.filter(expected).map((c) => String(c.boosterCustomerId))
    if (!mustMatchSome.has(name)) {
      expect(want.length).toBeGreaterThan(0)
      if (name !== "brand alone") expect(want.length).toBeLessThan(ofBrand.length)
    } else expect(want).toEqual([])
    const { task, rows, header } = await runExport(sb, filter)
    expect(header).toEqual(Csv.columns)
    expect(task.totalResults).toBe(want.length)
    expect(rows.map((row) => row[0])).toEqual(want)
  })
})
