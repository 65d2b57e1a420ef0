import { describe, expect, it } from "vitest"
import { DiscreteLaplace, PrivateSummary, Summary, SummaryScanner } from "../src/index.js"
import { bytes, countsOf, csvOf, type Row, rows } from "./exportFiles.js"

const K = PrivateSummary.DEFAULT_MAX_LIST_VALUES

const scan = (data: ReadonlyArray<Row>, columns?: ReadonlyArray<string>): SummaryScanner.Counts =>
  countsOf(bytes(csvOf(data, columns !== undefined ? { columns } : {})), 64 * 1024, { maxValuesPerRow: K })

const shownOf = (summary: PrivateSummary.PrivateSummary, name: string): Record<string, number> =>
  Object.fromEntries(
    (summary.dimensions.find((d) => d.name === name)?.groups ?? []).map((g) => [
      g.within !== undefined ? `${g.within}/${g.value}` : g.value,
      g.count
    ])
  )

/** A customer whose values are all her own, added to the rows of another export. */
const her: Row = {
  ...rows(1, 99)[0]!,
  posCode: "IT200",
  locationCountryId: "it",
  customerStatus: "VIC",
  canBeContactedByMaison: "false",
  creationDate: "2019-03-04",
  birthDate: "1980-07-21",
  clientSpending: "25000.00",
  interests: "Watches (CA-1)",
  hobbies: "Golf (GLF)",
  productCollections: ""
}

const population: ReadonlyArray<Row> = rows(5_000, 41).map(
  (row): Row => ({ ...row, posCode: row.posCode === "IT200" ? "ES100" : (row.posCode ?? "") })
)

describe("PrivateSummary.release", () => {
  it("noises every count with scale Δ/ε, Δ counting k per list dimension, and its 95 % intervals hold", () => {
    const counts = scan(population)
    const first = PrivateSummary.release(counts, { epsilon: 1, minimumGroupSize: 10 })
    expect(first.sensitivity).toBe(1 + 7 + 3 * K)
    expect(first.noiseScale).toBe(17)
    expect(first.epsilon).toBe(1)
    expect(first.delta).toBe(1e-8)
    expect(first.margin).toBe(DiscreteLaplace.margin(17))
    expect(first.maxValuesPerRow).toBe(K)
    const exactMonths = Object.fromEntries(
      counts.dimensions.find((d) => d.dimension.name === "birthMonth")!.groups.map((g) => [g.value, g.count])
    )
    let inside = 0
    let checks = 0
    let moved = 0
    for (let i = 0; i < 300; i++) {
      const summary = PrivateSummary.release(counts, { epsilon: 1, minimumGroupSize: 10 })
      checks++
      if (summary.rowsLow <= counts.rows && counts.rows <= summary.rowsHigh) inside++
      if (summary.rows !== counts.rows) moved++
      for (const group of summary.dimensions.find((d) => d.name === "birthMonth")!.groups) {
        checks++
        expect(group.high - group.count).toBe(summary.margin)
        if (group.low <= exactMonths[group.value]! && exactMonths[group.value]! <= group.high) inside++
      }
    }
    const coverage = inside / checks
    const exact = 1 - 2 * DiscreteLaplace.tail(17, first.margin + 1)
    const sd = Math.sqrt((exact * (1 - exact)) / checks)
    expect(coverage).toBeGreaterThan(exact - 5 * sd)
    expect(coverage).toBeLessThan(exact + 5 * sd)
    expect(moved).toBeGreaterThan(280)
  })

  it("releases only the dimensions asked for, with less noise, and refuses unbounded lists and unknown names", () => {
    const counts = scan(population)
    const country = PrivateSummary.release(counts, {
      epsilon: 1,
      minimumGroupSize: 10,
      dimensions: ["country"]
    })
    expect(country.dimensions.map((d) => d.name)).toEqual(["country"])
    expect(country.sensitivity).toBe(2)
    expect(country.noiseScale).toBe(2)
    const half = PrivateSummary.release(counts, {
      epsilon: 0.5,
      minimumGroupSize: 10,
      dimensions: ["interest"]
    })
    expect(half.sensitivity).toBe(1 + K)
    expect(half.noiseScale).toBe((1 + K) / 0.5)
    expect(() =>
      PrivateSummary.release(counts, { epsilon: 1, minimumGroupSize: 10, dimensions: ["email"] })
    ).toThrow(RangeError)
    const unbounded = countsOf(bytes(csvOf(population.slice(0, 50))))
    expect(() => PrivateSummary.release(unbounded, { epsilon: 1, minimumGroupSize: 10 })).toThrow(/bounded/)
    expect(
      PrivateSummary.release(unbounded, { epsilon: 1, minimumGroupSize: 10, dimensions: ["status"] })
        .sensitivity
    ).toBe(2)
  })

  it("takes ε as an exact fraction of 10⁶ and refuses any other", () => {
    expect(PrivateSummary.epsilonFraction(0.1)).toEqual({ numerator: 1, denominator: 10 })
    expect(PrivateSummary.epsilonFraction(1.25)).toEqual({ numerator: 5, denominator: 4 })
    for (const bad of [0, -1, 1e-7, 0.1234567, Number.NaN, Number.POSITIVE_INFINITY, 1_001]) {
      expect(() => PrivateSummary.epsilonFraction(bad)).toThrow(RangeError)
    }
  })

  it("sets each open dimension's threshold so that groups one customer creates show with probability at most δ", () => {
    const dimensions = SummaryScanner.DIMENSIONS
    const delta = 1e-8
    const tau = PrivateSummary.thresholds(dimensions, { scale: 17, delta, maxValuesPerRow: K })
    expect([...tau.keys()]).toEqual(dimensions.filter((d) => !PrivateSummary.isFixed(d)).map((d) => d.name))
    let total = 0
    for (const dimension of dimensions.filter((d) => !PrivateSummary.isFixed(d))) {
      const c = dimension.grouping === "list" ? K : 1
      const t = tau.get(dimension.name)!
      // a customer adds at most c new groups of this dimension, each counted at most c
      total += c * DiscreteLaplace.tail(17, t - c)
      // the threshold is the smallest that holds
      expect(c * DiscreteLaplace.tail(17, t - 1 - c)).toBeGreaterThan(delta / tau.size)
    }
    expect(total).toBeLessThanOrEqual(delta)
  })

  it("never shows a group that only one customer brings, however often it is asked", () => {
    const counts = scan(population)
    const withHer = scan([
      ...population,
      { ...her, customerStatus: "Unique status", locationCountryId: "zz" }
    ])
    for (let i = 0; i < 2_000; i++) {
      const summary = PrivateSummary.release(withHer, { epsilon: 1, minimumGroupSize: 10 })
      expect(shownOf(summary, "status")["Unique status"]).toBeUndefined()
      expect(shownOf(summary, "country").zz).toBeUndefined()
    }
    expect(
      counts.dimensions.find((d) => d.dimension.name === "status")!.groups.map((g) => g.value)
    ).not.toContain("Unique status")
  })

  it("leaves an attacker who subtracts the summaries of two exports differing by one customer with noise, not her", () => {
    const without = scan(population)
    const withHer = scan([...population, her])
    const attributes: Record<string, string> = {
      status: "VIC",
      contactConsent: "false",
      creationYear: "2019",
      birthMonth: "July",
      spendingBand: "20,000 to 50,000",
      country: "it",
      interest: "Watches (CA-1)",
      hobby: "Golf (GLF)"
    }
    // exact counts do give her away: every group of hers is one more, every other the same
    const exactA = Summary.release(without, { minimumGroupSize: 10 })
    const exactB = Summary.release(withHer, { minimumGroupSize: 10 })
    for (const [name, value] of Object.entries(attributes)) {
      const a = Object.fromEntries(
        exactA.dimensions.find((d) => d.name === name)!.groups.map((g) => [g.value, g.count])
      )
      const b = Object.fromEntries(
        exactB.dimensions.find((d) => d.name === name)!.groups.map((g) => [g.value, g.count])
      )
      const differences = Object.keys(b).filter((group) => b[group] !== a[group])
      expect(differences).toEqual([value])
    }
    const trials = 1_500
    const noiseVariance = DiscreteLaplace.variance(17)
    let guessed = 0
    let guesses = 0
    let chance = 0
    const statusDifferences: Record<string, Array<number>> = {}
    for (let i = 0; i < trials; i++) {
      const a = PrivateSummary.release(without, { epsilon: 1, minimumGroupSize: 10 })
      const b = PrivateSummary.release(withHer, { epsilon: 1, minimumGroupSize: 10 })
      for (const [name, value] of Object.entries(attributes)) {
        const before = shownOf(a, name)
        const after = shownOf(b, name)
        const common = Object.keys(after).filter((group) => before[group] !== undefined)
        if (!common.includes(value)) continue
        const differences = common.map((group) => [group, after[group]! - before[group]!] as const)
        const guess = differences.reduce((best, next) => (next[1] > best[1] ? next : best))[0]
        guesses++
        chance += 1 / common.length
        if (guess === value) guessed++
        if (name === "status") {
          for (const [group, difference] of differences) {
            statusDifferences[group] = [...(statusDifferences[group] ?? []), difference]
          }
        }
      }
    }
    // each difference is her contribution (1 or 0) plus the difference of two independent noises
    for (const [group, differences] of Object.entries(statusDifferences)) {
      const n = differences.length
      const mean = differences.reduce((s, d) => s + d, 0) / n
      const variance = differences.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1)
      expect(Math.abs(mean - (group === "VIC" ? 1 : 0))).toBeLessThan(5 * Math.sqrt((2 * noiseVariance) / n))
      expect(Math.abs(variance / (2 * noiseVariance) - 1)).toBeLessThan(0.15)
    }
    // naming her group by the largest difference does no better than chance (within 4 points)
    expect(guesses).toBeGreaterThan(trials * 5)
    expect(guessed / guesses).toBeLessThan(chance / guesses + 0.04)
  })
})

describe("PrivateSummary's complementary rule", () => {
  /** Italy: IT100 700, IT200 500 and IT300 2 (withheld); France FR100 600; Spain ES100 3 only. */
  const nestedRows = (): ReadonlyArray<Row> => {
    const base = rows(1, 7)[0]!
    const make = (country: string, pos: string, n: number) =>
      Array.from({ length: n }, () => ({ ...base, locationCountryId: country, posCode: pos }))
    return [
      ...make("it", "IT100", 700),
      ...make("it", "IT200", 500),
      ...make("it", "IT300", 2),
      ...make("fr", "FR100", 600),
      ...make("es", "ES100", 3)
    ]
  }

  it("never lets a country minus its shown points of sale pin a withheld point of sale", () => {
    const counts = scan(nestedRows(), ["locationCountryId", "posCode", "customerStatus"])
    // the exact summary gives the withheld IT300 back: 1,202 in Italy minus 700 and 500 shown
    const exact = Summary.release(counts, { minimumGroupSize: 10 })
    const exactPos = Object.fromEntries(
      exact.dimensions.find((d) => d.name === "pointOfSale")!.groups.map((g) => [g.value, g.count])
    )
    const exactCountry = Object.fromEntries(
      exact.dimensions.find((d) => d.name === "country")!.groups.map((g) => [g.value, g.count])
    )
    expect(exactCountry.it! - exactPos.IT100! - exactPos.IT200!).toBe(2)

    let withheldByRule = 0
    for (let i = 0; i < 1_000; i++) {
      const summary = PrivateSummary.release(counts, {
        epsilon: 1,
        minimumGroupSize: 10,
        dimensions: ["country", "pointOfSale"]
      })
      const countries = shownOf(summary, "country")
      const pos = summary.dimensions.find((d) => d.name === "pointOfSale")!
      expect(pos.groups.every((g) => g.within !== undefined)).toBe(true)
      for (const group of pos.groups) expect(countries[group.within!]).toBeDefined()
      for (const [country, count] of Object.entries(countries)) {
        const rest = count - pos.groups.filter((g) => g.within === country).reduce((s, g) => s + g.count, 0)
        expect(rest < 1 || rest >= 10).toBe(true)
      }
      for (const dimension of summary.dimensions) {
        const rest = summary.rows - dimension.groups.reduce((s, g) => s + g.count, 0)
        expect(rest < 1 || rest >= 10).toBe(true)
      }
      if (countries.it !== undefined && pos.groups.filter((g) => g.within === "it").length < 2)
        withheldByRule++
      expect(pos.groups.map((g) => g.value)).not.toContain("IT300")
      expect(countries.es).toBeUndefined()
    }
    // the rule had work to do: without it Italy minus its two points of sale is 2 plus noise
    expect(withheldByRule).toBeGreaterThan(0)
  })

  it("withholds the smallest shown group when the total minus the shown ones would be one small group", () => {
    const data = Array.from({ length: 1_200 }, (_, i) => ({
      ...rows(1, 3)[0]!,
      customerStatus: i < 3 ? "Inactive" : i < 700 ? "Client" : "Prospect"
    }))
    const counts = scan(data, ["customerStatus"])
    let rule = 0
    for (let i = 0; i < 1_000; i++) {
      const summary = PrivateSummary.release(counts, { epsilon: 1, minimumGroupSize: 10 })
      const shown = summary.dimensions[0]!.groups
      const rest = summary.rows - shown.reduce((s, g) => s + g.count, 0)
      expect(rest < 1 || rest >= 10).toBe(true)
      if (shown.length < 2) rule++
    }
    expect(rule).toBeGreaterThan(0)
  })
})

describe("PrivateSummary withholds", () => {
  it("a value that looks personal, whatever its count", () => {
    const planted = population.map((row, i) =>
      i % 4 === 0 ? { ...row, customerStatus: "jane.doe@example.com" } : row
    )
    const summary = PrivateSummary.release(scan(planted), {
      epsilon: 1,
      minimumGroupSize: 10,
      looksPersonal: (value) => value.includes("@")
    })
    expect(JSON.stringify(summary)).not.toContain("@")
  })

  it("everything of a column with more distinct values than are counted", () => {
    const text = `customerStatus\r\n${Array.from({ length: 10_050 }, (_, i) => `S${i}\r\n`).join("")}${"Client\r\n".repeat(2_000)}`
    const summary = PrivateSummary.release(countsOf(bytes(text)), { epsilon: 1, minimumGroupSize: 10 })
    expect(summary.dimensions[0]).toMatchObject({ name: "status", groups: [], tooManyValues: true })
  })
})
