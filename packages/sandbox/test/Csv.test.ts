import { SummaryScanner } from "@booster-export/core"
import { describe, expect, it } from "@effect/vitest"
import { Csv, Customers } from "../src/index.js"

const customers = (count: number, seed: number, brands: ReadonlyArray<string> = ["CAR"]) =>
  Array.from({ length: count }, (_, index) => Customers.generate(seed, index, brands))

const countsOf = (text: string): SummaryScanner.Counts => {
  const scanner = SummaryScanner.make()
  scanner.push(new TextEncoder().encode(text))
  return scanner.finish()
}

const groupsOf = (counts: SummaryScanner.Counts, name: string): Record<string, number> =>
  Object.fromEntries(
    counts.dimensions
      .find((d) => d.dimension.name === name)!
      .groups.filter((g) => g.count > 0)
      .map((g) => [g.value, g.count])
  )

/** Rows per value of a column, as csv-parse reads the file. */
const byValue = (text: string, column: string, key: (value: string) => string = (value) => value) => {
  const [header, ...rows] = Csv.parse(text)
  const index = header!.indexOf(column)
  const counts: Record<string, number> = {}
  for (const row of rows) counts[key(row[index]!)] = (counts[key(row[index]!)] ?? 0) + 1
  return counts
}

describe("Csv: the export file is the format core's summary reads", () => {
  it("has a column for every dimension of the summary", () => {
    for (const dimension of SummaryScanner.DIMENSIONS) expect(Csv.columns).toContain(dimension.column)
  })

  it.each([
    [7, ["CAR"]],
    [42, ["CAR", "VCA"]]
  ] as const)("is counted by core's summary as csv-parse reads it (seed %i, brands %j)", (seed, brands) => {
    const text = Csv.header + customers(3_000, seed, brands).map(Csv.row).join("")
    const counts = countsOf(text)
    expect(counts.rows).toBe(3_000)
    expect(counts.missingColumns).toEqual([])
    for (const [name, column] of [
      ["country", "locationCountryId"],
      ["status", "customerStatus"],
      ["pointOfSale", "posCode"],
      ["contactConsent", "canBeContactedByMaison"]
    ] as const) {
      expect(groupsOf(counts, name)).toEqual(byValue(text, column))
    }
    expect(groupsOf(counts, "creationYear")).toEqual(
      byValue(text, "creationDate", (date) => date.slice(0, 4))
    )
    const months = groupsOf(counts, "birthMonth")
    expect(Object.values(months).reduce((a, b) => a + b, 0)).toBe(3_000)
    expect(months.January).toBe(byValue(text, "birthDate", (date) => date.slice(5, 7))["01"])
    const bands = groupsOf(counts, "spendingBand")
    const spending = Csv.parse(text)
      .slice(1)
      .map((row) => Number(row[Csv.columns.indexOf("clientSpending")]))
    expect(bands["under 1,000"]).toBe(spending.filter((s) => s < 1_000).length)
    expect(bands["50,000 or more"] ?? 0).toBe(spending.filter((s) => s >= 50_000).length)
    const interests = groupsOf(counts, "interest")
    expect(interests['The "art de vivre" (CA-8)']).toBeGreaterThan(10)
    expect(interests["Fine dining, wine (CA-3)"]).toBeGreaterThan(10)
    const labels = Csv.parse(text)
      .slice(1)
      .flatMap((row) => row[Csv.columns.indexOf("interests")]!.split("; ").filter((label) => label !== ""))
    expect(Object.values(interests).reduce((a, b) => a + b, 0)).toBe(labels.length)
  })
})
