/**
 * Customer export files for the summary's tests: RFC 4180 CSV with the columns the sandbox writes,
 * rows generated from a seed, with the awkward cases of the format — quoted fields holding commas,
 * doubled quotes and line breaks, empty fields, unreadable dates and amounts, lists with blank
 * labels — and an independent reading of them with csv-parse to compare counts with.
 */
import { parse } from "csv-parse/sync"
import { FastCheck as fc } from "effect"
import { SummaryScanner } from "../src/index.js"

/**
 * The columns of a customer export: the sandbox's, in another order, so that the summary is seen
 * to find its columns wherever they stand.
 */
export const COLUMNS: ReadonlyArray<string> = [
  ...["boosterCustomerId", "sapCrmId", "brand", "firstName", "lastName", "email", "phoneNumber"],
  ...["posCode", "locationCountryId", "customerStatus", "clientSpending", "creationDate", "birthDate"],
  ...["lastTransactionDate", "hasSapCrmError", "saleRepresentativeEmail", "canBeContactedByMaison"],
  ...["interests", "hobbies", "productCollections", "productCategories"]
]

/** One row: a value per column. */
export type Row = Readonly<Record<string, string>>

const label = fc.constantFrom(
  "Watches (CA-1)",
  "Fine dining, wine (CA-3)",
  'The "art de vivre" (CA-8)',
  "Golf (GLF)",
  "Multi\r\nline (ML-1)",
  "Zoë's café (ZC-1)",
  "  Padded  (PAD)",
  "",
  " "
)

const date = fc.oneof(
  fc
    .date({ min: new Date("1930-01-01"), max: new Date("2030-12-31"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom("", "2016", "2016-13-01", "2016-00-10", "21/02/2016", "20x6-02-21", "2016-1", "n/a")
)

const row: fc.Arbitrary<Row> = fc.record({
  boosterCustomerId: fc.integer({ min: 1_000_001, max: 9_999_999 }).map(String),
  sapCrmId: fc.stringMatching(/^[0-9]{10}$/),
  brand: fc.constantFrom("CAR", "VCA"),
  posCode: fc.constantFrom("ES100", "IT200", "FR100", "ES300"),
  firstName: fc.constantFrom("Ann", "Zoë", "Jean, Jr.", 'Bob "the" Builder'),
  lastName: fc.constantFrom("Martin", "O'Brien", "Núñez", "Line\nBreak"),
  email: fc.stringMatching(/^[a-z]{1,8}\.[a-z]{1,8}@mail\.example$/),
  phoneNumber: fc.stringMatching(/^\+[1-9][0-9]{9,11}$/),
  locationCountryId: fc.constantFrom("it", "es", "fr", "", "Italy, north"),
  customerStatus: fc.constantFrom("Client", "Prospect", "VIC", "Inactive", 'Odd "quoted" status', ""),
  clientSpending: fc.oneof(
    fc.integer({ min: 0, max: 9_999_999 }).map((cents) => (cents / 100).toFixed(2)),
    fc.integer({ min: 0, max: 99_999 }).map(String),
    fc.constantFrom("", "12.", "-5.00", "1e3", "n/a", "1234567890123456", "123456789012345.5")
  ),
  creationDate: date,
  lastTransactionDate: date,
  birthDate: date,
  canBeContactedByMaison: fc.constantFrom("true", "false", ""),
  hasSapCrmError: fc.constantFrom("true", "false"),
  saleRepresentativeEmail: fc.constantFrom("rep1.car@maison.example", "rep2.car@maison.example"),
  interests: fc.array(label, { maxLength: 4 }).map((labels) => labels.join("; ")),
  hobbies: fc.array(label, { maxLength: 3 }).map((labels) => labels.join(";")),
  productCollections: fc.array(label, { maxLength: 3 }).map((labels) => labels.join(" ; ")),
  productCategories: fc.constantFrom("", "LTH-SLV-02; BRC-GLD-02")
})

/** `count` rows, the same for the same seed. */
export const rows = (count: number, seed: number): ReadonlyArray<Row> =>
  count === 0 ? [] : fc.sample(row, { seed, numRuns: count })

/** A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export const field = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value

/** The text of an export file of `data` under `columns`. */
export const csvOf = (
  data: ReadonlyArray<Row>,
  options: {
    readonly columns?: ReadonlyArray<string>
    readonly eol?: "\r\n" | "\n"
    readonly bom?: boolean
  } = {}
): string => {
  const columns = options.columns ?? COLUMNS
  const eol = options.eol ?? "\r\n"
  const lines = [columns, ...data.map((r) => columns.map((column) => r[column] ?? ""))].map(
    (fields) => fields.map(field).join(",") + eol
  )
  return (options.bom === true ? "\ufeff" : "") + lines.join("")
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** The counts of `file`, fed in chunks of `chunk` bytes. */
export const countsOf = (
  file: Uint8Array,
  chunk = 64 * 1024,
  options: SummaryScanner.ScanOptions = {}
): SummaryScanner.Counts => {
  const scanner = SummaryScanner.make(options)
  for (let at = 0; at < file.length; at += chunk) scanner.push(file.subarray(at, at + chunk))
  return scanner.finish()
}

/** Per dimension name, its groups with a count above 0 as `{value: count}`, plus `rows`. */
export const tableOf = (counts: SummaryScanner.Counts): Record<string, Record<string, number>> => ({
  rows: { rows: counts.rows },
  ...Object.fromEntries(
    counts.dimensions.map((d) => [
      d.dimension.name,
      Object.fromEntries(d.groups.filter((g) => g.count > 0).map((g) => [g.value, g.count]))
    ])
  )
})

/** The English name of month `month` (1 to 12), from the platform's calendar. */
export const monthName = (month: number): string =>
  new Intl.DateTimeFormat("en", { month: "long", timeZone: "UTC" }).format(Date.UTC(2000, month - 1, 1))

/** What one cell counts as, read with string functions (the scanner's rules, written another way). */
const groupsOfCell = (grouping: SummaryScanner.Grouping, cell: string, cap: number): Array<string> => {
  if (grouping === "list") {
    return cell
      .split(";")
      .map((part) => part.replace(/^ +| +$/g, ""))
      .filter((part) => part !== "")
      .slice(0, cap)
  }
  if (cell === "") return [SummaryScanner.EMPTY]
  switch (grouping) {
    case "value":
      return [cell]
    case "year":
      return [/^[0-9]..[0-9](-|$)/.test(cell) ? cell.slice(0, 4) : SummaryScanner.UNREADABLE]
    case "month": {
      const month = /^....-([0-9][0-9])/.exec(cell)
      const index = month === null ? 0 : Number(month[1])
      return [index >= 1 && index <= 12 ? monthName(index) : SummaryScanner.UNREADABLE]
    }
    case "spending": {
      const amount = /^([0-9]{1,15})(\.[0-9]*)?$/.exec(cell)
      if (amount === null) return [SummaryScanner.UNREADABLE]
      const whole = Number(amount[1])
      return [SummaryScanner.SPENDING_BANDS.find((band) => whole < band.below)!.label]
    }
  }
}

/**
 * The counts csv-parse's reading of `text` gives, as {@link tableOf} shows them; at most `cap`
 * labels of a list per row.
 */
export const oracle = (
  text: string,
  cap = Number.POSITIVE_INFINITY
): Record<string, Record<string, number>> => {
  const [header, ...records] = parse(text, { bom: true, skip_empty_lines: true }) as Array<Array<string>>
  const table: Record<string, Record<string, number>> = { rows: { rows: records.length } }
  for (const dimension of SummaryScanner.DIMENSIONS) {
    const index = header!.indexOf(dimension.column)
    if (index === -1) continue
    const counts: Record<string, number> = {}
    for (const record of records) {
      for (const group of groupsOfCell(dimension.grouping, record[index]!, cap)) {
        counts[group] = (counts[group] ?? 0) + 1
      }
    }
    table[dimension.name] = counts
  }
  return table
}

/**
 * The rows of `text` by pair of point of sale and country, as csv-parse reads it: `{ "country/pos": n }`
 * (empty cells as `SummaryScanner.EMPTY`).
 */
export const nestedOracle = (text: string): Record<string, number> => {
  const [header, ...records] = parse(text, { bom: true, skip_empty_lines: true }) as Array<Array<string>>
  const country = header!.indexOf("locationCountryId")
  const pos = header!.indexOf("posCode")
  const counts: Record<string, number> = {}
  const named = (cell: string) => (cell === "" ? SummaryScanner.EMPTY : cell)
  for (const record of records) {
    const key = `${named(record[country]!)}/${named(record[pos]!)}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** The nested pairs of `counts` as {@link nestedOracle} shows them. */
export const nestedOf = (counts: SummaryScanner.Counts): Record<string, number> =>
  Object.fromEntries(
    (counts.dimensions.find((d) => d.dimension.name === "pointOfSale")?.nested ?? []).map((g) => [
      `${g.within}/${g.value}`,
      g.count
    ])
  )
