import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, ExportKind, Validation } from "../src/index.js"
import { minimal, siblings } from "./fixtures.js"

const spec = ExportFilter.CustomerExportRequest

const issuesOf = (input: unknown) => {
  const result = Validation.validate(spec, input)
  if (Either.isRight(result)) throw new Error("expected the input to be rejected")
  return result.left.issues.map(({ path, rule }) => `${path}:${rule}`)
}

const accepts = (patch: Record<string, unknown>) =>
  expect(Either.isRight(Validation.validate(spec, { ...minimal, ...patch }))).toBe(true)

const rejects = (patch: Record<string, unknown>, expected: string) =>
  expect(issuesOf({ ...minimal, ...patch })).toEqual([expected])

describe("required fields", () => {
  it("accepts the minimal request", () => accepts({}))

  it.each(["downloadRequestId", "brand", "posCodes"])("reports a missing %s", (name) => {
    const { [name as keyof typeof minimal]: _, ...rest } = minimal
    expect(issuesOf(rest)).toEqual([`${name}:required`])
  })

  it("requires at least one POS code", () => rejects({ posCodes: [] }, "posCodes:non-empty-list"))

  it.each(["downloadRequestId", "brand"])("refuses a blank %s", (name) =>
    rejects({ [name]: "   " }, `${name}:non-empty`)
  )

  it.each([".", "..", "...", " .. "])(
    "refuses a brand that is only dots (%j): it would change the route",
    (brand) => {
      rejects({ brand }, "brand:route-segment")
      const result = Validation.validate(spec, { ...minimal, brand })
      expect(Either.isLeft(result) && result.left.issues[0]?.message).toContain("only dots")
    }
  )

  it("accepts a brand with dots among other characters", () => accepts({ brand: "C.A.R" }))

  it("refuses a blank POS code inside the list", () =>
    rejects({ posCodes: ["ES100", " "] }, "posCodes[1]:non-empty"))
})

describe("text fields", () => {
  it.each(["searchKey", "phoneNumber"])("accepts and refuses %s", (name) => {
    accepts({ [name]: "Rossi" })
    rejects({ [name]: "" }, `${name}:non-empty`)
    rejects({ [name]: 42 }, `${name}:type`)
  })

  it("accepts a valid email and refuses an invalid one", () => {
    accepts({ email: "Anna.Rossi@Example.com" })
    rejects({ email: "anna.rossi@" }, "email:email")
    rejects({ email: "anna rossi@example.com" }, "email:email")
  })

  it("checks every sales representative email", () => {
    accepts({ saleRepresentativeEmails: ["a@b.it", "c@d.fr"] })
    rejects({ saleRepresentativeEmails: ["a@b.it", "nope"] }, "saleRepresentativeEmails[1]:email")
  })

  it("wants two-letter country ids", () => {
    accepts({ locationCountryIds: ["it", "FR"] })
    rejects({ locationCountryIds: ["ita"] }, "locationCountryIds[0]:country-id")
    rejects({ locationCountryIds: ["i1"] }, "locationCountryIds[0]:country-id")
  })

  it("accepts any customer status (open set) but not a blank one", () => {
    accepts({ customerStatus: ["Client", "Prospect", "VIP"] })
    rejects({ customerStatus: [""] }, "customerStatus[0]:non-empty")
  })
})

describe("dates", () => {
  it.each(["creationDateFrom", "creationDateTo", "transactionDateFrom", "transactionDateTo"])(
    "%s must be a real calendar date",
    (name) => {
      accepts({ [name]: "2024-02-29" })
      rejects({ [name]: "2023-02-30" }, `${name}:date`)
      rejects({ [name]: "2023-02-29" }, `${name}:date`)
      rejects({ [name]: "2023-13-01" }, `${name}:date`)
      rejects({ [name]: "01/02/2023" }, `${name}:date`)
      rejects({ [name]: "2023-1-1" }, `${name}:date`)
    }
  )

  it("wants each From on or before its To", () => {
    accepts({ creationDateFrom: "2022-01-01", creationDateTo: "2022-01-01" })
    rejects({ creationDateFrom: "2022-01-02", creationDateTo: "2022-01-01" }, "creationDateTo:range-order")
    rejects(
      { transactionDateFrom: "2024-01-01", transactionDateTo: "2023-12-31" },
      "transactionDateTo:range-order"
    )
  })
})

describe("spending", () => {
  it.each(["clientSpendingFrom", "clientSpendingTo"])("%s is a finite amount, zero or more", (name) => {
    accepts({ [name]: 0 })
    accepts({ [name]: 1234.5 })
    rejects({ [name]: -1 }, `${name}:non-negative`)
    rejects({ [name]: Number.POSITIVE_INFINITY }, `${name}:finite`)
    rejects({ [name]: "100" }, `${name}:type`)
  })

  it("wants From no higher than To", () => {
    accepts({ clientSpendingFrom: 100, clientSpendingTo: 100 })
    rejects({ clientSpendingFrom: 500, clientSpendingTo: 100 }, "clientSpendingTo:range-order")
  })
})

describe("numbers in lists", () => {
  it("birth months are whole numbers 1..12", () => {
    accepts({ birthdateMonths: [1, 12] })
    rejects({ birthdateMonths: [0] }, "birthdateMonths[0]:month")
    rejects({ birthdateMonths: [13] }, "birthdateMonths[0]:month")
    rejects({ birthdateMonths: [2.5] }, "birthdateMonths[0]:month")
  })

  it("Booster customer ids are positive safe integers", () => {
    accepts({ boosterCustomerIds: [1, 1234567, Number.MAX_SAFE_INTEGER] })
    rejects({ boosterCustomerIds: [0] }, "boosterCustomerIds[0]:positive-id")
    rejects({ boosterCustomerIds: [-5] }, "boosterCustomerIds[0]:positive-id")
    rejects({ boosterCustomerIds: [1.5] }, "boosterCustomerIds[0]:positive-id")
    rejects({ boosterCustomerIds: [Number.MAX_SAFE_INTEGER + 2] }, "boosterCustomerIds[0]:positive-id")
  })
})

describe("flags", () => {
  it.each(["canBeContactedByMaison", "hasSapCrmError"])("%s is true or false", (name) => {
    accepts({ [name]: true })
    accepts({ [name]: false })
    rejects({ [name]: "yes" }, `${name}:type`)
  })
})

describe("nested filters", () => {
  it("interests need both members", () => {
    accepts({ interests: [{ interest: "Watches", sapInterestId: "CA-1" }] })
    expect(
      issuesOf({
        ...minimal,
        interests: [{ interest: "Watches", sapInterestId: "CA-1" }, { interest: "Art" }]
      })
    ).toEqual(["interests[1].sapInterestId:required"])
    rejects({ interests: [{ sapInterestId: "CA-1" }] }, "interests[0].interest:required")
  })

  it("product collections need both members", () => {
    accepts({ productCollections: [{ productCollection: "Panthère", sapProductCollectionId: "PAN" }] })
    rejects(
      { productCollections: [{ productCollection: "Panthère" }] },
      "productCollections[0].sapProductCollectionId:required"
    )
  })

  it("product categories need grandCategoryId only", () => {
    accepts({ productCategories: [{ grandCategoryId: "JEW" }] })
    accepts({ productCategories: [{ grandCategoryId: "JEW", categoryId: "RNG", subCategoryId: "RNG-1" }] })
    rejects({ productCategories: [{ categoryId: "RNG" }] }, "productCategories[0].grandCategoryId:required")
  })

  it("hobbies may lack either member but not both", () => {
    accepts({ hobbies: [{ hobby: "Art" }, { sapHobbyId: "GOLF" }, { hobby: "Sailing", sapHobbyId: "SAIL" }] })
    rejects({ hobbies: [{}] }, "hobbies[0]:at-least-one-member")
  })

  it("refuses unknown members of a nested item, with a hint", () => {
    const result = Validation.validate(spec, {
      ...minimal,
      interests: [{ interest: "A", sapInterestID: "B" }]
    })
    expect(Either.isLeft(result) && result.left.issues).toEqual([
      {
        path: "interests[0].sapInterestID",
        rule: "unknown-field",
        message: "is not a known field — did you mean sapInterestId?"
      },
      { path: "interests[0].sapInterestId", rule: "required", message: "is required" }
    ])
  })
})

describe("control characters in text", () => {
  // a line erase: what a person confirms could be rewritten on their screen
  const ERASE = "\r\u001b[2K"
  const hostile = [
    ["a line erase", `Watches${ERASE}Nothing to see`],
    ["OSC 52 (write the clipboard)", "Watches\u001b]52;c;cm0gLXJmIH4K\u0007"],
    ["OSC 0 (window title)", "Watches\u001b]0;pwned\u001b\\"],
    ["a C1 CSI", "Watches\u009b2J"],
    ["a line feed", "Watches\nDeleted everything"],
    ["a tab", "Watches\tArt"],
    ["DEL", "Watches\u007f"],
    ["a right-to-left override", "Watches\u202eseirA"],
    ["an isolate", "Watches\u2066x\u2069"],
    ["a zero-width space", "Wat\u200bches"],
    ["a line separator", "Watches\u2028Art"],
    ["a Unicode tag", "Watches\u{e0041}"]
  ] as const

  it.each(hostile)("refuses %s in a label, naming the field and the rule", (_, label) => {
    const result = Validation.validate(spec, {
      ...minimal,
      interests: [{ interest: label, sapInterestId: "CA-1" }]
    })
    expect(Either.isLeft(result) && result.left.issues).toEqual([
      {
        path: "interests[0].interest",
        rule: "no-control-characters",
        message: expect.stringContaining("control")
      }
    ])
    // the refusal never repeats the value
    expect(JSON.stringify(Either.isLeft(result) && result.left.issues)).not.toContain("Watches")
  })

  it("refuses them in every kind of text field: free text, emails, POS codes, ids, the brand", () => {
    rejects({ searchKey: `Rossi${ERASE}` }, "searchKey:no-control-characters")
    rejects({ email: "anna\u001b]0;x\u0007@example.com" }, "email:no-control-characters")
    rejects({ posCodes: [`ES100${ERASE}`] }, "posCodes[0]:no-control-characters")
    rejects({ downloadRequestId: "id\u0000" }, "downloadRequestId:no-control-characters")
    rejects({ brand: "C\u001b[2KAR" }, "brand:no-control-characters")
    rejects(
      { hobbies: [{ hobby: "Art\u202e", sapHobbyId: "ART" }] },
      "hobbies[0].hobby:no-control-characters"
    )
    rejects(
      { productCollections: [{ productCollection: "Pan\u0085thère", sapProductCollectionId: "PAN" }] },
      "productCollections[0].productCollection:no-control-characters"
    )
  })

  it("keeps what people write: accents, other scripts, joiners, emoji, spaces", () => {
    accepts({ interests: [{ interest: "Panthère de Cartier", sapInterestId: "CA-1" }] })
    accepts({ searchKey: "محمد\u200cرضا" })
    accepts({ searchKey: "क्\u200dष" })
    accepts({ searchKey: "👩\u200d💻 Rossi" })
    accepts({ searchKey: "  Rossi  " })
  })

  it("refuses them in the other export kinds too", () => {
    const stock = ExportKind.byName("stock")
    const result = Validation.validate(stock.request, {
      brand: "CAR",
      downloadRequestId: "r",
      articleCodes: [`CRW${ERASE}`]
    })
    expect(Either.isLeft(result) && result.left.issues.map((i) => `${i.path}:${i.rule}`)).toContain(
      "articleCodes[0]:no-control-characters"
    )
  })
})

describe("unknown fields", () => {
  it("refuses a typo instead of silently widening the export", () => {
    const result = Validation.validate(spec, { downloadRequestId: "r", brand: "CAR", posCode: ["ES100"] })
    expect(Either.isLeft(result) && result.left.issues).toEqual([
      { path: "posCodes", rule: "required", message: "is required" },
      { path: "posCode", rule: "unknown-field", message: "is not a known field — did you mean posCodes?" }
    ])
  })

  it("gives no hint when nothing is close", () => {
    const result = Validation.validate(spec, { ...minimal, favouriteColour: "red" })
    expect(Either.isLeft(result) && result.left.issues[0]?.message).toBe("is not a known field")
  })

  it("suggests the closest known name", () => {
    expect(Validation.suggest("creationDate", ["creationDateFrom", "creationDateTo", "brand"])).toBe(
      "creationDateFrom"
    )
    expect(Validation.suggest("emial", ["email", "brand"])).toBe("email")
    expect(Validation.suggest("zzz", ["email", "brand"])).toBeUndefined()
  })
})

describe("the structured error", () => {
  const messy = {
    downloadRequestId: "",
    posCodes: [],
    email: "Anna.Rossi@",
    phoneNumber: 3391234567,
    searchKey: "",
    creationDateFrom: "2023-02-30",
    clientSpendingFrom: 9,
    clientSpendingTo: 1,
    interests: [{ interest: "Watches" }],
    posCode: "ES100"
  }

  it("lists every problem at once, the range order included", () => {
    expect(issuesOf(messy)).toEqual([
      "downloadRequestId:non-empty",
      "brand:required",
      "posCodes:non-empty-list",
      "searchKey:non-empty",
      "phoneNumber:type",
      "email:email",
      "clientSpendingTo:range-order",
      "creationDateFrom:date",
      "interests[0].sapInterestId:required",
      "posCode:unknown-field"
    ])
  })

  it("never repeats the values it refuses", () => {
    const result = Validation.validate(spec, messy)
    const text = Either.isLeft(result) ? `${result.left.message}\n${JSON.stringify(result.left)}` : ""
    expect(text).toContain("email: must be a valid email address [email]")
    for (const value of ["Anna", "Rossi", "3391234567", "ES100", "2023-02-30"])
      expect(text).not.toContain(value)
  })

  it("has a JSON form with a tag and the issues", () => {
    const result = Validation.validate(spec, { ...minimal, brand: "" })
    expect(Either.isLeft(result) && JSON.parse(JSON.stringify(result.left))).toEqual({
      _tag: "ValidationError",
      issues: [{ path: "brand", rule: "non-empty", message: "must not be empty or blank" }]
    })
  })

  it("has a human form naming each field and rule", () => {
    const result = Validation.validate(spec, { ...minimal, brand: "", birthdateMonths: [14] })
    expect(Either.isLeft(result) && result.left.message).toBe(
      [
        "2 problems in the export filter:",
        "  - brand: must not be empty or blank [non-empty]",
        "  - birthdateMonths[0]: must be a whole month number from 1 to 12 [month]"
      ].join("\n")
    )
  })

  it.each([null, 42, "text", [], [minimal], true])("refuses a body that is not an object (%j)", (input) => {
    expect(issuesOf(input)).toEqual([":type"])
  })

  it("reports wrong container types by field", () => {
    expect(issuesOf({ ...minimal, posCodes: "ES100", interests: {}, hobbies: [42] })).toEqual([
      "posCodes:type",
      "interests:type",
      "hobbies[0]:type"
    ])
  })
})

describe("the filter without downloadRequestId", () => {
  it("does not require it, and refuses it as unknown", () => {
    const { downloadRequestId: _, ...filter } = minimal
    expect(Either.isRight(Validation.validate(ExportFilter.CustomerFilter, filter))).toBe(true)
    const result = Validation.validate(ExportFilter.CustomerFilter, minimal)
    expect(Either.isLeft(result) && result.left.issues.map((issue) => issue.rule)).toEqual(["unknown-field"])
  })
})

describe("unknown member names that could be personal data", () => {
  it("does not repeat a member name that is not a field name", () => {
    const result = Validation.validate(spec, {
      ...minimal,
      "jane.doe@example.com": true,
      interests: [{ interest: "A", sapInterestId: "B", "+41 79 555 12 12": 1 }]
    })
    const text = Either.isLeft(result) ? JSON.stringify(result.left) + result.left.message : ""
    expect(Either.isLeft(result) && result.left.issues.map((issue) => issue.path)).toEqual([
      "interests[0].(unknown member)",
      "(unknown member)"
    ])
    expect(text).not.toContain("jane")
    expect(text).not.toContain("555")
  })
})

describe("the other export kinds", () => {
  type Sibling = keyof typeof siblings
  /** The example request of a kind with `patch` applied; an `undefined` in it removes the field. */
  const issuesAs = (name: Sibling, patch: Record<string, unknown>) => {
    const input = Object.fromEntries(
      Object.entries({ ...siblings[name], ...patch }).filter(([, value]) => value !== undefined)
    )
    const result = Validation.validate(ExportKind.byName(name).request, input)
    return Either.isRight(result) ? [] : result.left.issues
  }
  const rules = (name: Sibling, patch: Record<string, unknown>) =>
    issuesAs(name, patch).map(({ path, rule }) => `${path}:${rule}`)

  it.each(Object.keys(siblings) as Array<Sibling>)("%s: accepts the example request", (name) =>
    expect(rules(name, {})).toEqual([])
  )

  it.each(["movements", "sell-out", "invoices", "orders"] as const)("%s: requires POS codes", (name) => {
    expect(rules(name, { posCodes: undefined })).toEqual(["posCodes:required"])
    expect(rules(name, { posCodes: [] })).toEqual(["posCodes:non-empty-list"])
  })

  it("stock: takes POS codes as optional, but not an empty code", () => {
    expect(rules("stock", { posCodes: undefined })).toEqual([])
    expect(rules("stock", { posCodes: [] })).toEqual([])
    expect(rules("stock", { posCodes: [" "] })).toEqual(["posCodes[0]:non-empty"])
  })

  it.each(Object.keys(siblings) as Array<Sibling>)(
    "%s: checks both dates as calendar dates, in order",
    (name) => {
      expect(rules(name, { dateFrom: "2024-02-30" })).toEqual(["dateFrom:date"])
      expect(rules(name, { dateFrom: "2025-01-01", dateTo: "2024-12-31" })).toEqual(["dateTo:range-order"])
      expect(issuesAs(name, { dateFrom: "2025-01-01", dateTo: "2024-12-31" })[0]?.message).toBe(
        "must not be before dateFrom"
      )
    }
  )

  it("refuses a value outside a closed set, naming the field and the allowed values", () => {
    expect(issuesAs("stock", { type: "consignment" })).toEqual([
      { path: "type", rule: "choice", message: "must be one of standard, consigned" }
    ])
    expect(issuesAs("movements", { sortBy: "newest" })).toEqual([
      { path: "sortBy", rule: "choice", message: "must be one of DateDESC, DateASC" }
    ])
    expect(issuesAs("sell-out", { selloutType: "sale", type: 1 })).toEqual([
      { path: "selloutType", rule: "choice", message: "must be one of sellout, return" },
      { path: "type", rule: "choice", message: "must be one of standard, consigned" }
    ])
    expect(issuesAs("orders", { status: ["P", "Q", null] })).toEqual([
      { path: "status[1]", rule: "choice", message: "must be one of B, C, D, I, N, P, PS, R, X, Z" },
      { path: "status[2]", rule: "choice", message: "must be one of B, C, D, I, N, P, PS, R, X, Z" }
    ])
    expect(JSON.stringify(issuesAs("orders", { status: ["secret-value"] }))).not.toContain("secret")
  })

  it("reads the order statuses I and N as two, where the API's page runs them together", () => {
    expect(rules("orders", { status: ["I", "N"] })).toEqual([])
    expect(rules("orders", { status: ["IN"] })).toEqual(["status[0]:choice"])
  })

  it("takes the order export's reason codes under their singular name, and the invoice's under the plural", () => {
    expect(issuesAs("orders", { reasonCode: undefined, reasonCodes: ["Y00"] })).toEqual([
      {
        path: "reasonCodes",
        rule: "unknown-field",
        message: "is not a known field — did you mean reasonCode?"
      }
    ])
    expect(issuesAs("invoices", { reasonCodes: undefined, reasonCode: ["Y00"] })).toEqual([
      {
        path: "reasonCode",
        rule: "unknown-field",
        message: "is not a known field — did you mean reasonCodes?"
      }
    ])
    expect(rules("orders", { reasonCode: [""] })).toEqual(["reasonCode[0]:non-empty"])
  })

  it("accepts warranty extension statuses 1 to 6 (the sale-detail page's 5 and 6 too), no other", () => {
    expect(rules("sell-out", { warrantyExtensionStatusIds: [1, 2, 3, 4, 5, 6] })).toEqual([])
    expect(rules("sell-out", { warrantyExtensionStatusIds: [0, 7, 2.5] })).toEqual([
      "warrantyExtensionStatusIds[0]:warranty-status",
      "warrantyExtensionStatusIds[1]:warranty-status",
      "warrantyExtensionStatusIds[2]:warranty-status"
    ])
  })

  it("checks the sales representatives' emails of sell-outs without repeating them", () => {
    const issues = issuesAs("sell-out", { saleRepresentativeEmails: ["not an email"] })
    expect(issues.map(({ path, rule }) => `${path}:${rule}`)).toEqual(["saleRepresentativeEmails[0]:email"])
    expect(JSON.stringify(issues)).not.toContain("not an email")
  })

  it("checks movement type ids as whole numbers and stock flags as booleans", () => {
    expect(rules("movements", { movementTypeIds: [0, 12] })).toEqual([])
    expect(rules("movements", { movementTypeIds: [-1, 1.5] })).toEqual([
      "movementTypeIds[0]:id",
      "movementTypeIds[1]:id"
    ])
    expect(rules("stock", { includeRSP: "yes", includeExtraInfo: 1 })).toEqual([
      "includeExtraInfo:type",
      "includeRSP:type"
    ])
  })

  it("refuses a field of another kind, with a hint when one is close", () => {
    expect(rules("stock", { creationDateFrom: "2024-01-01" })).toEqual(["creationDateFrom:unknown-field"])
    expect(issuesAs("invoices", { status: ["P"] })[0]?.rule).toBe("unknown-field")
    expect(issuesAs("movements", { sortby: "DateASC" })[0]?.message).toContain("did you mean sortBy?")
  })
})
