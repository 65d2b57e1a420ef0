import { describe, expect, it } from "vitest"
import { Summary, SummaryScanner } from "../src/index.js"
import { bytes, csvOf, oracle, type Row, rows } from "./exportFiles.js"

const PLANTED_EMAIL = "zebulon.plantedperson@example.net"
const PLANTED_NAME = "Zebulonplanted"
const PLANTED_PHONE = "+41799990001"
const PLANTED_REP = "secret.rep.planted@maison.example"

/** Email- or phone-like, by the rules of `@booster-export/journal`'s `Journal.looksPersonal`. */
const looksPersonal = (value: string): boolean =>
  /[^\s@]+@[^\s@]+\.[^\s@]+/.test(value) || /\+\s?\d[\d\s().-]{6,}\d/.test(value)

const summaryOf = (text: string, minimumGroupSize = 10): Promise<Summary.Summary> => {
  const file = bytes(text)
  async function* chunks() {
    for (let at = 0; at < file.length; at += 4096) yield file.subarray(at, at + 4096)
  }
  return Summary.summarize(chunks(), { minimumGroupSize, looksPersonal })
}

const groupsOf = (summary: Summary.Summary, name: string) =>
  Object.fromEntries(summary.dimensions.find((d) => d.name === name)!.groups.map((g) => [g.value, g.count]))

describe("Summary.summarize", () => {
  it("shows the groups of at least the minimum size of every dimension, largest first", async () => {
    const text = csvOf(rows(2_000, 17))
    const summary = await summaryOf(text)
    const exact = oracle(text)
    expect(summary.rows).toBe(2_000)
    expect(summary.minimumGroupSize).toBe(10)
    expect(summary.missingColumns).toEqual([])
    expect(summary.dimensions.map((d) => [d.name, d.column, d.multiValued])).toEqual(
      SummaryScanner.DIMENSIONS.map((d) => [d.name, d.column, d.grouping === "list"])
    )
    for (const dimension of summary.dimensions) {
      const shown = dimension.groups.map((g) => g.count)
      expect(shown).toEqual([...shown].sort((a, b) => b - a))
      for (const group of dimension.groups) {
        expect(group.count).toBeGreaterThanOrEqual(10)
        expect(group.count).toBe(exact[dimension.name]![group.value])
      }
    }
    expect(groupsOf(summary, "status")).toMatchObject({ Client: exact.status!.Client })
  })

  it("never lets a personal column or a planted personal value into the result", async () => {
    const planted: ReadonlyArray<Row> = rows(400, 2).map((row, i) =>
      i % 20 === 0
        ? {
            ...row,
            email: PLANTED_EMAIL,
            firstName: PLANTED_NAME,
            lastName: PLANTED_NAME,
            phoneNumber: PLANTED_PHONE,
            saleRepresentativeEmail: PLANTED_REP,
            // twenty rows carry the same email as their status: a group above the minimum, still never shown
            customerStatus: PLANTED_EMAIL,
            // and twenty the same phone number as their point of sale
            posCode: PLANTED_PHONE
          }
        : row
    )
    const summary = await summaryOf(csvOf(planted), 5)
    const everything = JSON.stringify(summary)
    for (const value of [PLANTED_EMAIL, PLANTED_NAME, PLANTED_PHONE, PLANTED_REP, "@", "+41"]) {
      expect(everything).not.toContain(value)
    }
    expect(summary.dimensions.map((d) => d.column)).not.toEqual(
      expect.arrayContaining(["email", "firstName", "lastName", "phoneNumber", "saleRepresentativeEmail"])
    )
    expect(summary.dimensions.find((d) => d.name === "status")!.suppressedGroups).toBeGreaterThanOrEqual(1)
  })

  it("reads a file with only some of the columns and says which are missing", async () => {
    const summary = await summaryOf(
      `customerStatus,email\r\n${Array.from({ length: 12 }, (_, i) => `Client,a${i}@x.example\r\n`).join("")}`
    )
    expect(summary.rows).toBe(12)
    expect(groupsOf(summary, "status")).toEqual({ Client: 12 })
    expect(summary.missingColumns).toContain("locationCountryId")
  })

  it("rejects a file it does not recognise with UnrecognisedFile", async () => {
    await expect(summaryOf('{"customers":[]}\n')).rejects.toBeInstanceOf(SummaryScanner.UnrecognisedFile)
  })

  it("stops reading when its signal aborts", async () => {
    const controller = new AbortController()
    async function* chunks() {
      yield bytes("customerStatus\r\nClient\r\n")
      controller.abort(new Error("stopped"))
      yield bytes("Client\r\n")
    }
    await expect(Summary.summarize(chunks(), { minimumGroupSize: 10 }, controller.signal)).rejects.toThrow(
      "stopped"
    )
  })

  it("counts values past the distinct-value cap as one withheld group", async () => {
    const values = Array.from({ length: 10_050 }, (_, i) => `S${i}\r\n`).join("")
    const summary = await summaryOf(`customerStatus\r\n${values}${"Client\r\n".repeat(20)}`, 5)
    const status = summary.dimensions[0]!
    expect(status.groups).toEqual([])
    expect(status.suppressedGroups).toBe(10_001)
  })
})

describe("Summary.suppress", () => {
  const groups = (counts: Record<string, number>) =>
    Object.entries(counts).map(([value, count]) => ({ value, count }))

  it("withholds groups below the minimum and shows the rest, largest first", () => {
    expect(Summary.suppress(groups({ it: 40, fr: 3, es: 25, de: 2 }), 10)).toEqual({
      groups: [
        { value: "it", count: 40 },
        { value: "es", count: 25 }
      ],
      suppressedGroups: 2
    })
  })

  it("withholds the next-smallest group when exactly one is small, so the total does not give it away", () => {
    const shown = Summary.suppress(groups({ it: 40, fr: 3, es: 25, de: 12 }), 10)
    expect(shown.groups.map((g) => g.value)).toEqual(["it", "es"])
    expect(shown.suppressedGroups).toBe(2)
    // total 80 minus the shown 65 is 15: two groups together, neither recoverable
    expect(80 - shown.groups.reduce((sum, g) => sum + g.count, 0)).toBe(15)
  })

  it("shows everything when nothing is small, and leaves out empty groups", () => {
    expect(Summary.suppress(groups({ it: 40, es: 25, fr: 0 }), 10)).toEqual({
      groups: [
        { value: "it", count: 40 },
        { value: "es", count: 25 }
      ],
      suppressedGroups: 0
    })
  })

  it("never shows a value that looks like an email or a phone number", () => {
    const shown = Summary.suppress(groups({ Client: 50, [PLANTED_EMAIL]: 30, [PLANTED_PHONE]: 30 }), 10, {
      looksPersonal
    })
    expect(shown.groups).toEqual([{ value: "Client", count: 50 }])
  })

  it("counts an overflow as one more withheld group", () => {
    expect(Summary.suppress(groups({ it: 40, es: 25, fr: 20 }), 10, { overflow: 3 })).toEqual({
      groups: [
        { value: "it", count: 40 },
        { value: "es", count: 25 }
      ],
      suppressedGroups: 2
    })
  })
})

describe("Summary.effectiveMinimum", () => {
  it("defaults to 10 and raises anything below 5 to 5, saying so", () => {
    expect(Summary.effectiveMinimum(undefined)).toEqual({ minimumGroupSize: 10, raised: false })
    expect(Summary.effectiveMinimum(2)).toEqual({ minimumGroupSize: 5, raised: true })
    expect(Summary.effectiveMinimum(5)).toEqual({ minimumGroupSize: 5, raised: false })
    expect(Summary.effectiveMinimum(50)).toEqual({ minimumGroupSize: 50, raised: false })
  })
})

describe("Summary.release", () => {
  it("applies the minimum to exact counts given by the scanner, leaving them unchanged", () => {
    const scanner = SummaryScanner.make()
    scanner.push(
      bytes(`customerStatus\r\n${"Client\r\n".repeat(12)}${"VIC\r\n".repeat(3)}${"Prospect\r\n".repeat(11)}`)
    )
    const counts = scanner.finish()
    expect(Summary.release(counts, { minimumGroupSize: 10 })).toEqual({
      rows: 26,
      minimumGroupSize: 10,
      dimensions: [
        {
          name: "status",
          column: "customerStatus",
          label: "customer status",
          multiValued: false,
          groups: [{ value: "Client", count: 12 }],
          suppressedGroups: 2
        }
      ],
      missingColumns: SummaryScanner.DIMENSIONS.map((d) => d.column).filter((c) => c !== "customerStatus")
    })
    expect(counts.dimensions[0]!.groups).toEqual([
      { value: "Client", count: 12 },
      { value: "VIC", count: 3 },
      { value: "Prospect", count: 11 }
    ])
  })
})
