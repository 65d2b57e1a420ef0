/**
 * The summary moved to `@booster-export/core` with a faster byte scanner; the scanner this server
 * used before is kept in `legacy/summarize.ts`. Both read the same files here and must give the
 * same counts, the same summaries and the same refusals.
 */
import { Summary, SummaryScanner } from "@booster-export/core"
import { Csv, Customers } from "@booster-export/sandbox"
import { describe, expect, it } from "vitest"
import * as Legacy from "./legacy/summarize.js"

const encoder = new TextEncoder()

type Outcome = Summary.Summary | { readonly refused: string }

const outcome = (read: () => Summary.Summary): Outcome => {
  try {
    return read()
  } catch (error) {
    if (error instanceof Legacy.UnrecognisedFile || error instanceof SummaryScanner.UnrecognisedFile) {
      return { refused: error.message }
    }
    throw error
  }
}

/** The file read by the scanner of before and by core's, cut at `cuts`, under `minimumGroupSize`. */
const both = (file: Uint8Array, cuts: ReadonlyArray<number>, minimumGroupSize: number) => {
  const bounds = [0, ...cuts, file.length]
  const pieces = bounds.slice(1).map((end, i) => file.subarray(bounds[i], end))
  const before = outcome(() => {
    const summarizer = new Legacy.Summarizer({ minimumGroupSize })
    for (const piece of pieces) summarizer.push(piece)
    return summarizer.finish()
  })
  const now = outcome(() => {
    const scanner = SummaryScanner.make()
    for (const piece of pieces) scanner.push(piece)
    return Summary.release(scanner.finish(), { minimumGroupSize })
  })
  return { before, now }
}

const chunked = (length: number, size: number) =>
  Array.from({ length: Math.ceil(length / size) - 1 }, (_, i) => (i + 1) * size)

const sandboxExport = (count: number, seed: number, brands: ReadonlyArray<string>) =>
  Csv.header + Array.from({ length: count }, (_, i) => Csv.row(Customers.generate(seed, i, brands))).join("")

/** Rows the sandbox never writes: the awkward corners of RFC 4180 and unreadable values. */
const awkward = (): string => {
  const customer = Csv.row(Customers.generate(5, 0, ["CAR"]))
  const variant = (changes: Record<string, string>, eol = "\r\n") => {
    const row = Csv.parse(Csv.header + customer)[1]!
    for (const [column, value] of Object.entries(changes)) row[Csv.columns.indexOf(column)] = value
    return row.map(Csv.field).join(",") + eol
  }
  return [
    variant({ customerStatus: 'Odd "quoted", status', locationCountryId: "" }),
    variant({ interests: 'Multi\r\nline (ML-1);  ; The "art de vivre" (CA-8) ;', hobbies: "" }, "\n"),
    variant({ clientSpending: "12.", creationDate: "2016", birthDate: "1980-13-01" }),
    variant({ clientSpending: "1234567890123456", creationDate: "20x6-01-01", birthDate: "" }),
    variant({ clientSpending: "-5", creationDate: "", birthDate: "21/02/1980" }, "\n"),
    "\r\n",
    "\n",
    variant({ posCode: "Zoë's café, Genève", productCollections: " ; ;" }),
    variant({ canBeContactedByMaison: "", customerStatus: "" })
  ].join("")
}

describe("the summary in core counts what the scanner of before counted", () => {
  it.each([
    [1, ["CAR"], 2_000],
    [7, ["CAR", "VCA"], 3_000],
    [42, ["VCA", "IWC"], 1_500]
  ] as const)("on a sandbox export (seed %i, brands %j, %i customers)", (seed, brands, count) => {
    const text = sandboxExport(count, seed, brands)
    const file = encoder.encode(text)
    for (const minimum of [1, 10]) {
      for (const size of [64 * 1024, 4093]) {
        const { before, now } = both(file, chunked(file.length, size), minimum)
        expect(now).toEqual(before)
        expect(now).toMatchObject({ rows: count })
      }
    }
  })

  it("on quoted commas, doubled quotes, line breaks in quotes, CRLF and LF, empty fields, blank lines and a byte order mark", () => {
    const text = `\ufeff${sandboxExport(300, 3, ["CAR"])}${awkward()}${sandboxExport(40, 4, ["CAR"]).slice(Csv.header.length)}`
    const file = encoder.encode(text)
    const { before, now } = both(file, [], 1)
    expect(now).toEqual(before)
    expect(now).toMatchObject({ rows: 300 + 7 + 40 })
    expect(JSON.stringify(now)).toContain("Multi\\r\\nline (ML-1)")
    expect(JSON.stringify(now)).toContain('Odd \\"quoted\\", status')
  })

  it("whatever the byte at which a small file is cut in two", () => {
    const file = encoder.encode(`\ufeff${sandboxExport(3, 8, ["CAR"])}${awkward()}`)
    const whole = both(file, [], 1)
    expect(whole.now).toEqual(whole.before)
    for (let cut = 0; cut <= file.length; cut++) {
      const { before, now } = both(file, [cut], 1)
      expect(now).toEqual(before)
      expect(now).toEqual(whole.now)
    }
  })

  it("on a file with some of the columns, and past the distinct-value cap", () => {
    const statuses = Array.from({ length: 10_050 }, (_, i) => `S${i},a${i}@x.example\r\n`).join("")
    const file = encoder.encode(`customerStatus,email\r\n${statuses}${"Client,c@x.example\r\n".repeat(20)}`)
    for (const minimum of [1, 5]) {
      const { before, now } = both(file, chunked(file.length, 1000), minimum)
      expect(now).toEqual(before)
    }
  })

  it("refusing the same files with the same words", () => {
    const header = Csv.header
    const good = Csv.row(Customers.generate(1, 0, ["CAR"]))
    for (const text of [
      "",
      '{"customers":[]}\n',
      "email,firstName\r\nann@example.com,Ann\r\n",
      `${header}${good}1,2,3\r\n`,
      `${header}"unclosed,quote\r\n`,
      `${header}${good}"closed"x,${good}`,
      "customerStatus\r\nClient\rProspect\r\n"
    ]) {
      const { before, now } = both(encoder.encode(text), [], 10)
      expect(now).toEqual(before)
      expect(now).toHaveProperty("refused")
    }
    for (const bytes of [
      new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]),
      new Uint8Array([0x1f, 0x8b, 8, 0]),
      new Uint8Array([0x41, 0, 0x42])
    ]) {
      const { before, now } = both(bytes, [], 10)
      expect(now).toEqual(before)
      expect(now).toHaveProperty("refused")
    }
    const long = encoder.encode(`customerStatus\r\n${"x".repeat(Legacy.MAX_ROW_BYTES + 10)}`)
    const { before, now } = both(long, chunked(long.length, 64 * 1024), 10)
    expect(now).toEqual(before)
    expect(now).toHaveProperty("refused")
  })
})
