/**
 * The export file: RFC 4180 CSV in UTF-8 — a header row, then one CRLF-terminated line per
 * customer (or stock item, movement, sell-out, invoice or order line: see their modules); fields holding a comma, a double quote or a line break are quoted, quotes doubled.
 * Lists are written `label (id)` joined by `; `. Writing uses `csv-stringify`, reading `csv-parse`.
 *
 * @since 0.1.0
 */
import { type Options as ParseOptions, parse as parseCsv } from "csv-parse/sync"
import { type Options, stringify } from "csv-stringify/sync"
import type { Customer } from "./Customers.js"

/**
 * The column names, in order.
 *
 * @since 0.1.0
 */
export const columns: ReadonlyArray<string> = [
  "boosterCustomerId",
  "sapCrmId",
  "brand",
  "posCode",
  "firstName",
  "lastName",
  "email",
  "phoneNumber",
  "locationCountryId",
  "customerStatus",
  "clientSpending",
  "creationDate",
  "lastTransactionDate",
  "birthDate",
  "canBeContactedByMaison",
  "hasSapCrmError",
  "saleRepresentativeEmail",
  "interests",
  "hobbies",
  "productCollections",
  "productCategories"
]

/**
 * The MIME type the file is served with.
 *
 * @since 0.1.0
 */
export const contentType = "text/csv; charset=utf-8"

const WRITE: Options = { record_delimiter: "\r\n", quote_record_delimiter: true }
const READ: ParseOptions = { record_delimiter: "\r\n" }

/**
 * One CRLF-terminated line of fields, each quoted when RFC 4180 requires it (every export file of
 * the sandbox is written with it).
 *
 * @since 0.1.0
 */
export const line = (fields: ReadonlyArray<string>): string => stringify([fields], WRITE)

/**
 * A file layout: its columns in order, each with how a row fills it.
 *
 * @since 0.1.0
 */
export interface Layout<Row, Options = never> {
  /** The column names, in order. */
  readonly columns: ReadonlyArray<string>
  /** The header line, CRLF included. */
  readonly header: string
  /** The line of one row, CRLF included. */
  readonly row: (row: Row, options?: Options) => string
}

/**
 * Declares a file layout from its columns, each a name and the text of a row's cell (given the
 * options the export asked for), so that names and values cannot drift apart.
 *
 * @since 0.1.0
 */
export const layout = <Row, Options = never>(
  cells: ReadonlyArray<readonly [name: string, cell: (row: Row, options: Options | undefined) => string]>
): Layout<Row, Options> => {
  const columns = cells.map(([name]) => name)
  return {
    columns,
    header: line(columns),
    row: (row, options) => line(cells.map(([, cell]) => cell(row, options)))
  }
}

/**
 * One field, quoted when RFC 4180 requires it.
 *
 * @since 0.1.0
 */
export const field = (value: string): string => line([value]).slice(0, -2)

/**
 * The header line, CRLF included.
 *
 * @since 0.1.0
 */
export const header = line(columns)

const labelled = <A>(items: ReadonlyArray<A>, label: (item: A) => string): string =>
  items.map(label).join("; ")

/**
 * The line of one customer, CRLF included.
 *
 * @since 0.1.0
 */
export const row = (c: Customer): string =>
  line([
    String(c.boosterCustomerId),
    c.sapCrmId,
    c.brand,
    c.posCode,
    c.firstName,
    c.lastName,
    c.email,
    c.phoneNumber,
    c.locationCountryId,
    c.customerStatus,
    c.clientSpending.toFixed(2),
    c.creationDate,
    c.lastTransactionDate ?? "",
    c.birthDate,
    c.canBeContactedByMaison ? "true" : "false",
    c.hasSapCrmError ? "true" : "false",
    c.saleRepresentativeEmail,
    labelled(c.interests, (i) => `${i.interest} (${i.sapInterestId})`),
    labelled(c.hobbies, (h) => `${h.hobby} (${h.sapHobbyId})`),
    labelled(c.productCollections, (p) => `${p.productCollection} (${p.sapProductCollectionId})`),
    labelled(c.productCategories, (p) => p.subCategoryId)
  ])

/**
 * Parses RFC 4180 text into rows of fields (the header row included). For tests and tools reading
 * the file back; quoted fields may hold commas, quotes and line breaks. Throws on malformed text
 * (an unclosed quote, rows of differing lengths).
 *
 * @since 0.1.0
 */
export const parse = (text: string): Array<Array<string>> => parseCsv(text, READ)
