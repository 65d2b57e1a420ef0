import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { SummaryScanner } from "../src/index.js"
import {
  bytes,
  COLUMNS,
  countsOf,
  csvOf,
  monthName,
  nestedOf,
  nestedOracle,
  oracle,
  rows,
  tableOf
} from "./exportFiles.js"

const refusal = (file: string | Uint8Array, options: SummaryScanner.ScanOptions = {}): string => {
  try {
    countsOf(typeof file === "string" ? bytes(file) : file, 64 * 1024, options)
  } catch (error) {
    expect(error).toBeInstanceOf(SummaryScanner.UnrecognisedFile)
    return (error as SummaryScanner.UnrecognisedFile).message
  }
  throw new Error("the file was read")
}

describe("SummaryScanner", () => {
  it.each([
    ["CRLF", { eol: "\r\n" }],
    ["LF", { eol: "\n" }],
    ["a byte order mark", { bom: true }]
  ] as const)("counts every dimension of a file with %s as csv-parse reads it", (_, options) => {
    const text = csvOf(rows(1_500, 11), options)
    const counts = countsOf(bytes(text))
    expect(counts.rows).toBe(1_500)
    expect(counts.missingColumns).toEqual([])
    expect(counts.dimensions.map((d) => d.dimension.name)).toEqual(
      SummaryScanner.DIMENSIONS.map((d) => d.name)
    )
    expect(tableOf(counts)).toEqual(oracle(text))
    const interests = tableOf(counts).interest!
    expect(interests['The "art de vivre" (CA-8)']).toBeGreaterThan(0)
    expect(interests["Fine dining, wine (CA-3)"]).toBeGreaterThan(0)
    expect(interests["Multi\r\nline (ML-1)"]).toBeGreaterThan(0)
  })

  it("counts the rows by point of sale within country, as csv-parse reads them", () => {
    const data = rows(1_200, 23).map((row, i) => (i % 7 === 0 ? { ...row, posCode: "IT200" } : row))
    const text = csvOf(data)
    const counts = countsOf(bytes(text), 4093)
    const pos = counts.dimensions.find((d) => d.dimension.name === "pointOfSale")!
    expect(nestedOf(counts)).toEqual(nestedOracle(text))
    expect(pos.nestedOverflow).toBe(0)
    expect(pos.nested!.reduce((sum, g) => sum + g.count, 0)).toBe(counts.rows)
    // a point of sale may have customers in several countries: each pair is its own group
    expect(pos.nested!.filter((g) => g.value === "IT200").length).toBeGreaterThan(1)
    expect(counts.maxValuesPerRow).toBe(Number.POSITIVE_INFINITY)
    const alone = countsOf(bytes(csvOf(data, { columns: ["posCode", "customerStatus"] })))
    expect(alone.dimensions.find((d) => d.dimension.name === "pointOfSale")!.nested).toBeUndefined()
  })

  it("gives months and spending bands every group, at 0 when no row is in it", () => {
    const counts = countsOf(bytes(csvOf(rows(3, 5), { columns: ["birthDate", "clientSpending"] })))
    const groups = (name: string) => counts.dimensions.find((d) => d.dimension.name === name)!.groups
    expect(groups("birthMonth").map((g) => g.value)).toEqual([
      SummaryScanner.EMPTY,
      ...Array.from({ length: 12 }, (_, i) => monthName(i + 1)),
      SummaryScanner.UNREADABLE
    ])
    expect(groups("spendingBand").map((g) => g.value)).toEqual([
      SummaryScanner.EMPTY,
      ...SummaryScanner.SPENDING_BANDS.map((band) => band.label),
      SummaryScanner.UNREADABLE
    ])
    expect(groups("birthMonth").reduce((sum, g) => sum + g.count, 0)).toBe(3)
  })

  it("reads the same whatever the chunk boundaries", () => {
    const file = bytes(csvOf(rows(200, 3)))
    const whole = countsOf(file, file.length)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), (chunk) => {
        expect(countsOf(file, chunk)).toEqual(whole)
      }),
      { numRuns: 25 }
    )
  })

  it("reads the same when a small file with a byte order mark is cut in two at any byte, or fed byte by byte", () => {
    const text = csvOf(rows(6, 9), { bom: true })
    const file = bytes(text)
    const whole = countsOf(file, file.length)
    expect(tableOf(whole)).toEqual(oracle(text))
    for (let cut = 0; cut <= file.length; cut++) {
      const scanner = SummaryScanner.make()
      scanner.push(file.subarray(0, cut))
      scanner.push(file.subarray(cut))
      expect(scanner.finish()).toEqual(whole)
    }
    expect(countsOf(file, 1)).toEqual(whole)
  })

  it("reads rows many chunks long, with line breaks in their quoted fields", () => {
    const long = (n: number) => Array.from({ length: n }, (_, i) => `Label, ${i} (L-${i})`).join("; ")
    const data = rows(40, 13).map((row, i) =>
      i % 3 === 0 ? { ...row, interests: long(400 + i * 20), hobbies: `${"Line\n".repeat(i * 50)}(L)` } : row
    )
    const text = csvOf(data)
    const file = bytes(text)
    expect(tableOf(countsOf(file, file.length))).toEqual(oracle(text))
    for (const chunk of [1000, 4097, 7000]) expect(countsOf(file, chunk)).toEqual(countsOf(file, file.length))
  })

  it("skips blank lines and reads a last line without a line end", () => {
    const text = "customerStatus,posCode\r\nClient,ES100\r\n\r\n\nProspect,IT200"
    expect(tableOf(countsOf(bytes(text)))).toMatchObject({
      rows: { rows: 2 },
      status: { Client: 1, Prospect: 1 },
      pointOfSale: { ES100: 1, IT200: 1 }
    })
  })

  it("counts at most maxValuesPerRow labels of a list per row, the first ones, and says how many rows had more", () => {
    const text = csvOf(rows(800, 21))
    for (const cap of [1, 2]) {
      const counts = countsOf(bytes(text), 64 * 1024, { maxValuesPerRow: cap })
      expect(tableOf(counts)).toEqual(oracle(text, cap))
      const labels = (cell: string) => cell.split(";").filter((part) => part.trim() !== "").length
      for (const [name, column] of [
        ["interest", "interests"],
        ["hobby", "hobbies"],
        ["productCollection", "productCollections"]
      ] as const) {
        expect(counts.dimensions.find((d) => d.dimension.name === name)!.cappedRows).toBe(
          rows(800, 21).filter((row) => labels(row[column]!) > cap).length
        )
      }
    }
    const unlimited = countsOf(bytes(text))
    expect(tableOf(unlimited)).toEqual(oracle(text))
    expect(unlimited.dimensions.every((d) => d.cappedRows === 0)).toBe(true)
  })

  it("refuses a cap or a row bound that is not a whole number of at least 1", () => {
    expect(() => SummaryScanner.make({ maxValuesPerRow: 0 })).toThrow(RangeError)
    expect(() => SummaryScanner.make({ maxValuesPerRow: 1.5 })).toThrow(RangeError)
    expect(() => SummaryScanner.make({ maxRowBytes: Number.NaN })).toThrow(RangeError)
  })

  it("counts values past the distinct-value cap together", () => {
    const values = Array.from({ length: SummaryScanner.MAX_DISTINCT_VALUES + 50 }, (_, i) => `S${i}\r\n`)
    const counts = countsOf(bytes(`customerStatus\r\n${values.join("")}${"S0\r\n".repeat(3)}`))
    const status = counts.dimensions[0]!
    expect(status.groups).toHaveLength(SummaryScanner.MAX_DISTINCT_VALUES)
    expect(status.groups.find((g) => g.value === "S0")!.count).toBe(4)
    expect(status.overflow).toBe(50)
  })

  it("counts exactly values that share their length, first, middle and last bytes", () => {
    // all alike at the bytes a value is first hashed from: the table must hash every byte instead
    const alike = Array.from(
      { length: 3_000 },
      (_, i) => `AA${String(i).padStart(4, "0")}M${String(i * 7).padStart(5, "0")}ZZ`
    )
    const counts = countsOf(bytes(`posCode\n${[...alike, ...alike.slice(0, 1_000)].join("\n")}\n`))
    const groups = counts.dimensions[0]!.groups
    expect(groups).toHaveLength(3_000)
    expect(groups.filter((g) => g.count === 2)).toHaveLength(1_000)
    expect(groups.filter((g) => g.count === 1)).toHaveLength(2_000)
  })

  it("reads a file with only some of the columns, matched ignoring case and spaces, and names the others", () => {
    const counts = countsOf(
      bytes(
        ` CustomerStatus ,email\r\n${Array.from({ length: 12 }, (_, i) => `Client,a${i}@x.example\r\n`).join("")}`
      )
    )
    expect(counts.rows).toBe(12)
    expect(tableOf(counts)).toEqual({ rows: { rows: 12 }, status: { Client: 12 } })
    expect(counts.missingColumns).toEqual(
      SummaryScanner.DIMENSIONS.map((d) => d.column).filter((column) => column !== "customerStatus")
    )
  })

  it("refuses what it does not recognise, saying why and naming no value", () => {
    const header = `${COLUMNS.join(",")}\r\n`
    const good = csvOf(rows(1, 4)).slice(header.length)
    expect(refusal(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))).toContain("zip")
    expect(refusal(new Uint8Array([0x1f, 0x8b, 8, 0]))).toContain("gzip")
    expect(refusal(new Uint8Array([0x41, 0x2c, 0, 0x42]))).toContain("binary")
    expect(refusal('{"customers":[]}\n')).toContain("format is not one this server reads")
    expect(refusal("zebulon@example.net,Zebulon\r\n")).not.toContain("zebulon")
    expect(refusal("")).toContain("empty")
    expect(refusal(`${header}${good}1,2,3\r\n`)).toBe(
      "line 3 is not well-formed CSV: it has 3 fields where the header has 21"
    )
    expect(refusal(`${header}"unclosed,quote\r\n`)).toBe(
      "line 2 is not well-formed CSV: a quoted field is not closed"
    )
    expect(refusal(`${header}${good}"closed"x,${good}`)).toContain(
      "line 3 is not well-formed CSV: a closing quote is followed by something other than a comma or a line end"
    )
    expect(refusal(`customerStatus\r\nClient\rProspect\r\n`)).toBe(
      "line 2 is not well-formed CSV: a carriage return outside quotes is not followed by a line feed"
    )
    expect(refusal(`customerStatus\r\n${"x".repeat(300)}`, { maxRowBytes: 100 })).toBe(
      "line 2 is longer than 100 bytes: not a CSV export this server reads"
    )
  })
})
