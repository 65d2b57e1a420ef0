import { describe, expect, it } from "@effect/vitest"
import { Csv, Customers } from "../src/index.js"

describe("Customers.generate", () => {
  it("is deterministic and random-access: customer i does not depend on the others", () => {
    const forward = Array.from({ length: 50 }, (_, i) => Customers.generate(3, i))
    const backward = Array.from({ length: 50 }, (_, i) => Customers.generate(3, 49 - i)).reverse()
    expect(backward).toEqual(forward)
    expect(Customers.generate(3, 999_999)).toEqual(Customers.generate(3, 999_999))
  })

  it("gives a different data set for a different seed", () => {
    const a = Array.from({ length: 20 }, (_, i) => Csv.row(Customers.generate(1, i)))
    const b = Array.from({ length: 20 }, (_, i) => Csv.row(Customers.generate(2, i)))
    expect(a.filter((row, i) => row === b[i])).toEqual([])
  })

  it("carries consistent, plausible attributes", () => {
    const people = Array.from({ length: 5000 }, (_, i) => Customers.generate(11, i))
    expect(new Set(people.map((c) => c.email)).size).toBe(people.length)
    expect(new Set(people.map((c) => c.boosterCustomerId)).size).toBe(people.length)
    expect(new Set(people.map((c) => c.sapCrmId)).size).toBe(people.length)
    for (const c of people) {
      expect(Customers.brands).toContain(c.brand)
      expect(c.posCode.slice(0, 2).toLowerCase()).toBe(c.locationCountryId)
      expect(c.phoneNumber.endsWith(c.phoneNational)).toBe(true)
      expect(c.email).toBe(c.email.toLowerCase())
      expect(c.birthMonth).toBe(Number(c.birthDate.slice(5, 7)))
      expect(c.creationDate >= "2015-01-01" && c.creationDate <= "2024-12-31").toBe(true)
      if (c.customerStatus === "Prospect") {
        expect(c.lastTransactionDate).toBeUndefined()
        expect(c.clientSpending).toBe(0)
      } else {
        expect(c.lastTransactionDate! >= c.creationDate).toBe(true)
      }
      for (const category of c.productCategories) {
        expect(category.brandCategoryId).toBe(`${c.brand}-${category.grandCategoryId}`)
      }
    }
    const statuses = new Set(people.map((c) => c.customerStatus))
    expect([...statuses].sort()).toEqual([...Customers.statuses].sort())
    expect(people.some((c) => c.hasSapCrmError)).toBe(true)
    expect(people.some((c) => c.interests.length === 0)).toBe(true)
    expect(people.some((c) => c.interests.length > 1)).toBe(true)
  })
})

describe("Csv", () => {
  it("quotes fields with commas, quotes and line breaks, and parses back to the same fields", () => {
    expect(Csv.field("plain")).toBe("plain")
    expect(Csv.field("a,b")).toBe('"a,b"')
    expect(Csv.field('say "hi"')).toBe('"say ""hi"""')
    expect(Csv.field("two\r\nlines")).toBe('"two\r\nlines"')
    expect(Csv.field("lone\nfeed")).toBe('"lone\nfeed"')
    expect(Csv.field("lone\rreturn")).toBe('"lone\rreturn"')
    expect(Csv.field("=1+2")).toBe("=1+2")
    const values = ["plain", "a,b", 'say "hi"', "two\r\nlines", "lone\nfeed", "Müller", ""]
    const line = `${values.map(Csv.field).join(",")}\r\n`
    expect(Csv.parse(line)).toEqual([values])
  })

  it("writes one CRLF line per customer with a value for every column, in UTF-8", () => {
    const people = Array.from({ length: 300 }, (_, i) => Customers.generate(5, i))
    const text = Csv.header + people.map(Csv.row).join("")
    const [header, ...rows] = Csv.parse(text)
    expect(header).toEqual(Csv.columns)
    expect(rows).toHaveLength(people.length)
    for (const [i, row] of rows.entries()) {
      const c = people[i]!
      expect(row).toHaveLength(Csv.columns.length)
      const get = (name: string) => row[Csv.columns.indexOf(name)]
      expect(get("boosterCustomerId")).toBe(String(c.boosterCustomerId))
      expect(get("lastName")).toBe(c.lastName)
      expect(get("interests")).toBe(c.interests.map((x) => `${x.interest} (${x.sapInterestId})`).join("; "))
    }
    expect(text).toContain('"Fine dining, wine (CA-3)')
    expect(Buffer.from(text, "utf8").toString("utf8")).toBe(text)
  })
})
