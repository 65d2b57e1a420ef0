/**
 * The export file: RFC 4180 CSV in UTF-8 — a header row, then one CRLF-terminated line per
 * customer; fields holding a comma, a double quote or a line break are quoted, quotes doubled.
 * Lists are written `label (id)` joined by `; `.
 *
 * @since 0.1.0
 */
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

const NEEDS_QUOTES = /[",\r\n]/

/**
 * One field, quoted when RFC 4180 requires it.
 *
 * @since 0.1.0
 */
export const field = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value

/**
 * The header line, CRLF included.
 *
 * @since 0.1.0
 */
export const header = `${columns.join(",")}\r\n`

/**
 * The line of one customer, CRLF included.
 *
 * @since 0.1.0
 */
export const row = (c: Customer): string => {
  const fields = [
    String(c.boosterCustomerId),
    c.sapCrmId,
    c.brand,
    c.posCode,
    field(c.firstName),
    field(c.lastName),
    field(c.email),
    c.phoneNumber,
    c.locationCountryId,
    field(c.customerStatus),
    c.clientSpending.toFixed(2),
    c.creationDate,
    c.lastTransactionDate ?? "",
    c.birthDate,
    c.canBeContactedByMaison ? "true" : "false",
    c.hasSapCrmError ? "true" : "false",
    field(c.saleRepresentativeEmail),
    field(c.interests.map((i) => `${i.interest} (${i.sapInterestId})`).join("; ")),
    field(c.hobbies.map((h) => `${h.hobby} (${h.sapHobbyId})`).join("; ")),
    field(c.productCollections.map((p) => `${p.productCollection} (${p.sapProductCollectionId})`).join("; ")),
    field(c.productCategories.map((p) => p.subCategoryId).join("; "))
  ]
  return `${fields.join(",")}\r\n`
}

/**
 * Parses RFC 4180 text into rows of fields (the header row included). For tests and tools reading
 * the file back; quoted fields may hold commas, quotes and line breaks.
 *
 * @since 0.1.0
 */
export const parse = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let fields: Array<string> = []
  let current = ""
  let quoted = false
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          current += '"'
          i += 2
          continue
        }
        quoted = false
      } else current += ch
      i++
      continue
    }
    if (ch === '"') quoted = true
    else if (ch === ",") {
      fields.push(current)
      current = ""
    } else if (ch === "\r" && text[i + 1] === "\n") {
      fields.push(current)
      rows.push(fields)
      fields = []
      current = ""
      i++
    } else current += ch
    i++
  }
  if (current !== "" || fields.length > 0) {
    fields.push(current)
    rows.push(fields)
  }
  return rows
}
