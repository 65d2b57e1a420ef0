import { ExportFilter, Validation } from "@booster-export/core"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { filterFlags, flagOf, helpOf } from "../src/export/filter-flags.js"
import { formatFlagIssues, fromFlags, merge, parseRecord, withFlags } from "../src/export/filter-input.js"

describe("filter flags", () => {
  it("derive one flag per wire field, in kebab-case, singular for lists", () => {
    expect(filterFlags.map((f) => f.wire)).toEqual(Object.keys(ExportFilter.CustomerFilter.fields))
    const names = Object.fromEntries(filterFlags.map((f) => [f.wire, `--${f.flag}${f.repeated ? "…" : ""}`]))
    expect(names).toMatchObject({
      brand: "--brand",
      posCodes: "--pos-code…",
      locationCountryIds: "--location-country-id…",
      birthdateMonths: "--birthdate-month…",
      customerStatus: "--customer-status…",
      boosterCustomerIds: "--booster-customer-id…",
      saleRepresentativeEmails: "--sale-representative-email…",
      interests: "--interest…",
      hobbies: "--hobby…",
      productCollections: "--product-collection…",
      productCategories: "--product-category…",
      clientSpendingFrom: "--client-spending-from",
      canBeContactedByMaison: "--can-be-contacted-by-maison"
    })
  })

  it("document the wire field and an example, but never an example of personal data", () => {
    expect(helpOf(flagOf("interests")!)).toContain("Example: --interest Watches=CA-1")
    expect(helpOf(flagOf("productCategories")!)).toContain("Wire field: productCategories")
    expect(helpOf(flagOf("email")!)).not.toContain("Example")
  })
})

describe("nested filter syntax", () => {
  it("reads LABEL=ID for interests, hobbies and collections", () => {
    expect(parseRecord("interests", "Watches=CA-1")).toEqual({ interest: "Watches", sapInterestId: "CA-1" })
    expect(parseRecord("hobbies", "=ART")).toEqual({ sapHobbyId: "ART" })
    expect(parseRecord("hobbies", "Art")).toEqual({ hobby: "Art" })
    expect(parseRecord("productCollections", "Panthère=PAN")).toEqual({
      productCollection: "Panthère",
      sapProductCollectionId: "PAN"
    })
  })

  it("reads key=value pairs with short keys and escapes", () => {
    expect(parseRecord("productCategories", "grand=JEW,category=RNG-GLD")).toEqual({
      grandCategoryId: "JEW",
      categoryId: "RNG-GLD"
    })
    expect(parseRecord("productCategories", "JEW")).toEqual({ grandCategoryId: "JEW" })
    expect(parseRecord("interests", "label=Fine\\, rare,id=CA\\=1")).toEqual({
      interest: "Fine, rare",
      sapInterestId: "CA=1"
    })
  })

  it("keeps unknown keys so that validation names them", () => {
    const raw = { brand: "CAR", posCodes: ["ES100"], ...fromFlags({ productCategories: ["grnd=JEW"] }) }
    const result = Validation.validate(ExportFilter.CustomerFilter, raw)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      const text = formatFlagIssues(withFlags(result.left.issues))
      expect(text).toContain("--product-category (productCategories[0].grnd)")
      expect(text).toContain("is not a known field [unknown-field]")
      expect(text).toContain("--product-category (productCategories[0].grandCategoryId): is required")
    }
  })
})

describe("merging sources", () => {
  it("flags replace the file's fields; profile defaults fill brand and POS codes only when absent", () => {
    const file = { brand: "IWC", posCodes: ["IT100"], customerStatus: ["Client"] }
    expect(merge(file, { brand: "CAR" }, { brand: "JLC", posCodes: ["FR100"] })).toEqual({
      brand: "CAR",
      posCodes: ["IT100"],
      customerStatus: ["Client"]
    })
    expect(merge({}, {}, { brand: "JLC", posCodes: ["FR100"] })).toEqual({
      brand: "JLC",
      posCodes: ["FR100"]
    })
  })

  it("converts numbers and booleans, leaving unreadable text for validation to report", () => {
    expect(
      fromFlags({
        clientSpendingFrom: ["100.5"],
        canBeContactedByMaison: ["yes"],
        birthdateMonths: ["3", "x"]
      })
    ).toEqual({
      clientSpendingFrom: 100.5,
      canBeContactedByMaison: true,
      birthdateMonths: [3, "x"]
    })
  })
})

describe("comma lists", () => {
  it("split list flags at commas, as if repeated, with \\, for a comma inside a value", () => {
    expect(
      fromFlags({
        posCodes: ["IT100,FR100", "ES100"],
        customerStatus: ["Client, VIC"],
        birthdateMonths: ["3,next"],
        locationCountryIds: ["it\\,fr"]
      })
    ).toEqual({
      posCodes: ["IT100", "FR100", "ES100"],
      customerStatus: ["Client", "VIC"],
      birthdateMonths: [3, "next"],
      locationCountryIds: ["it,fr"]
    })
  })

  it("split nested flags into several items: LABEL=ID pairs, or a repeated key", () => {
    expect(fromFlags({ interests: ["Watches=CA-1,Jewels=CA-2"] }).interests).toEqual([
      { interest: "Watches", sapInterestId: "CA-1" },
      { interest: "Jewels", sapInterestId: "CA-2" }
    ])
    expect(fromFlags({ interests: ["label=Fine\\, rare,id=CA-1"] }).interests).toEqual([
      { interest: "Fine, rare", sapInterestId: "CA-1" }
    ])
    expect(fromFlags({ productCategories: ["grand=JEW,category=RNG,grand=WAT"] }).productCategories).toEqual([
      { grandCategoryId: "JEW", categoryId: "RNG" },
      { grandCategoryId: "WAT" }
    ])
    expect(fromFlags({ productCategories: ["grand=JEW,category=RNG-GLD"] }).productCategories).toEqual([
      { grandCategoryId: "JEW", categoryId: "RNG-GLD" }
    ])
  })

  it("say in the help how several values and a comma inside one are written", () => {
    expect(helpOf(flagOf("posCodes")!)).toContain("separate them with commas or repeat the flag")
    expect(helpOf(flagOf("interests")!)).toContain("write \\, for a comma inside a value")
    expect(helpOf(flagOf("brand")!)).not.toContain("commas")
  })
})
