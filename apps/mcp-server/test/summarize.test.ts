import * as Journal from "@booster-export/journal/Journal"
import { Csv, Customers } from "@booster-export/sandbox"
import { FastCheck } from "effect"
import { describe, expect, it } from "vitest"
import {
  effectiveMinimum,
  Summarizer,
  type Summary,
  summarize,
  suppress,
  UnrecognisedFile
} from "../src/summary/summarize.js"

const PLANTED_EMAIL = "zebulon.plantedperson@example.net"
const PLANTED_NAME = "Zebulonplanted"
const PLANTED_PHONE = "+41799990001"
const PLANTED_REP = "secret.rep.planted@maison.example"

const customers = (count: number, seed = 7) =>
  Array.from({ length: count }, (_, index) => Customers.generate(seed, index, ["CAR"]))

const csvOf = (rows: ReadonlyArray<Customers.Customer>): string => Csv.header + rows.map(Csv.row).join("")

const bytes = (text: string) => new TextEncoder().encode(text)

const summaryOf = (text: string | Uint8Array, minimumGroupSize = 10, chunk = 64 * 1024): Promise<Summary> => {
  const all = typeof text === "string" ? bytes(text) : text
  async function* chunks() {
    for (let at = 0; at < all.length; at += chunk) yield all.subarray(at, at + chunk)
  }
  return summarize(chunks(), { minimumGroupSize, looksPersonal: Journal.looksPersonal })
}

const groupsOf = (summary: Summary, name: string) =>
  Object.fromEntries(summary.dimensions.find((d) => d.name === name)!.groups.map((g) => [g.value, g.count]))

/** Counts computed independently, with csv-parse over the same text. */
const oracle = (text: string, column: string): Record<string, number> => {
  const [header, ...rows] = Csv.parse(text)
  const index = header!.indexOf(column)
  const counts: Record<string, number> = {}
  for (const row of rows) counts[row[index]!] = (counts[row[index]!] ?? 0) + 1
  return counts
}

describe("summarize", () => {
  it("counts a sandbox export by every dimension, matching csv-parse's reading of the same file", async () => {
    const text = csvOf(customers(3_000))
    const summary = await summaryOf(text)
    expect(summary.rows).toBe(3_000)
    expect(summary.missingColumns).toEqual([])
    expect(summary.dimensions.map((d) => d.name)).toEqual([
      "country",
      "status",
      "contactConsent",
      "creationYear",
      "birthMonth",
      "spendingBand",
      "pointOfSale",
      "interest",
      "hobby",
      "productCollection"
    ])
    for (const [name, column] of [
      ["country", "locationCountryId"],
      ["status", "customerStatus"],
      ["pointOfSale", "posCode"],
      ["contactConsent", "canBeContactedByMaison"]
    ] as const) {
      const expected = Object.fromEntries(Object.entries(oracle(text, column)).filter(([, n]) => n >= 10))
      expect(groupsOf(summary, name)).toEqual(expected)
    }
    const interests = groupsOf(summary, "interest")
    expect(interests['The "art de vivre" (CA-8)']).toBeGreaterThan(10)
    expect(interests["Fine dining, wine (CA-3)"]).toBeGreaterThan(10)
    const months = groupsOf(summary, "birthMonth")
    expect(Object.values(months).reduce((a, b) => a + b, 0)).toBe(3_000)
    expect(Object.keys(months)).toContain("January")
    const bands = groupsOf(summary, "spendingBand")
    const spending = Csv.parse(text)
      .slice(1)
      .map((row) => Number(row[10]))
    expect(bands["under 1,000"]).toBe(spending.filter((s) => s < 1_000).length)
    expect(bands["50,000 or more"] ?? 0).toBe(spending.filter((s) => s >= 50_000).length)
    const years = groupsOf(summary, "creationYear")
    expect(Object.keys(years).every((year) => /^20\d\d$/.test(year))).toBe(true)
  })

  it("never lets a personal column or a planted personal value into the result", async () => {
    const planted = customers(400).map((c, i) =>
      i % 20 === 0
        ? {
            ...c,
            email: PLANTED_EMAIL,
            firstName: PLANTED_NAME,
            lastName: PLANTED_NAME,
            phoneNumber: PLANTED_PHONE,
            saleRepresentativeEmail: PLANTED_REP
          }
        : c
    )
    // twenty rows carry the same email as their status: a group above the minimum, still never shown
    const statusAbuse = planted.map((c, i) => (i % 20 === 0 ? { ...c, customerStatus: PLANTED_EMAIL } : c))
    const summary = await summaryOf(csvOf(statusAbuse), 5)
    const everything = JSON.stringify(summary)
    for (const value of [PLANTED_EMAIL, PLANTED_NAME, PLANTED_PHONE, PLANTED_REP, "@", "+41"]) {
      expect(everything).not.toContain(value)
    }
    expect(summary.dimensions.map((d) => d.column)).not.toEqual(
      expect.arrayContaining(["email", "firstName", "lastName", "phoneNumber", "saleRepresentativeEmail"])
    )
    expect(summary.dimensions.find((d) => d.name === "status")!.suppressedGroups).toBeGreaterThanOrEqual(1)
  })

  it("reads the same whatever the chunk boundaries", async () => {
    const text = csvOf(customers(300))
    const whole = await summaryOf(text, 5, text.length)
    await FastCheck.assert(
      FastCheck.asyncProperty(FastCheck.integer({ min: 1, max: 5_000 }), async (chunk) => {
        expect(await summaryOf(text, 5, chunk)).toEqual(whole)
      }),
      { numRuns: 25 }
    )
  })

  it("refuses what it does not recognise instead of guessing", async () => {
    const refused = async (content: string | Uint8Array) => {
      const error = await summaryOf(content).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(UnrecognisedFile)
      return (error as UnrecognisedFile).message
    }
    expect(await refused(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))).toContain("zip")
    expect(await refused(new Uint8Array([0x1f, 0x8b, 8, 0]))).toContain("gzip")
    expect(await refused('{"customers":[]}\n')).toContain("format is not one this server reads")
    expect(await refused(`${PLANTED_EMAIL},${PLANTED_NAME}\r\n`)).not.toContain(PLANTED_EMAIL)
    expect(await refused("")).toContain("empty")
    const short = `${Csv.header}${Csv.row(customers(1)[0]!)}1,2,3\r\n`
    expect(await refused(short)).toContain("line 3")
    expect(await refused(`${Csv.header}"unclosed,quote\r\n`)).toContain("not closed")
  })

  it("reads a file with only some of the columns and says which are missing", async () => {
    const summary = await summaryOf(
      `customerStatus,email\r\n${Array.from({ length: 12 }, (_, i) => `Client,a${i}@x.example\r\n`).join("")}`
    )
    expect(summary.rows).toBe(12)
    expect(groupsOf(summary, "status")).toEqual({ Client: 12 })
    expect(summary.missingColumns).toContain("locationCountryId")
  })
})

describe("suppress", () => {
  const groups = (counts: Record<string, number>) =>
    Object.entries(counts).map(([value, count]) => ({ value, count }))

  it("withholds groups below the minimum and shows the rest, largest first", () => {
    expect(suppress(groups({ it: 40, fr: 3, es: 25, de: 2 }), 10)).toEqual({
      groups: [
        { value: "it", count: 40 },
        { value: "es", count: 25 }
      ],
      suppressedGroups: 2
    })
  })

  it("withholds the next-smallest group when exactly one is small, so the total does not give it away", () => {
    const shown = suppress(groups({ it: 40, fr: 3, es: 25, de: 12 }), 10)
    expect(shown.groups.map((g) => g.value)).toEqual(["it", "es"])
    expect(shown.suppressedGroups).toBe(2)
    // total 80 minus the shown 65 is 15: two groups together, neither recoverable
    expect(80 - shown.groups.reduce((sum, g) => sum + g.count, 0)).toBe(15)
  })

  it("shows everything when nothing is small", () => {
    expect(suppress(groups({ it: 40, es: 25 }), 10).suppressedGroups).toBe(0)
  })

  it("never shows a value that looks like an email or a phone number", () => {
    const shown = suppress(groups({ Client: 50, [PLANTED_EMAIL]: 30, [PLANTED_PHONE]: 30 }), 10, {
      looksPersonal: Journal.looksPersonal
    })
    expect(shown.groups).toEqual([{ value: "Client", count: 50 }])
  })

  it("counts values past the distinct-value cap as one withheld group", () => {
    const summarizer = new Summarizer({ minimumGroupSize: 5 })
    const rows = Array.from({ length: 10_050 }, (_, i) => `S${i}\r\n`).join("")
    summarizer.push(bytes(`customerStatus\r\n${rows}${"Client\r\n".repeat(20)}`))
    const status = summarizer.finish().dimensions[0]!
    expect(status.groups).toEqual([])
    expect(status.suppressedGroups).toBeGreaterThan(10_000)
  })
})

describe("effectiveMinimum", () => {
  it("defaults to 10 and raises anything below 5 to 5, saying so", () => {
    expect(effectiveMinimum(undefined)).toEqual({ minimumGroupSize: 10, raised: false })
    expect(effectiveMinimum(2)).toEqual({ minimumGroupSize: 5, raised: true })
    expect(effectiveMinimum(5)).toEqual({ minimumGroupSize: 5, raised: false })
    expect(effectiveMinimum(50)).toEqual({ minimumGroupSize: 50, raised: false })
  })
})
