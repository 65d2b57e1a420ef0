/**
 * The CSV the command line writes (`booster audit export --csv`): RFC 4180 through `csv-stringify`,
 * a header row, one line per row. Every cell is foreign text: it is cleaned with transport's
 * `Scrub.line` (escapes, control, bidirectional and invisible characters removed; tabs and line
 * breaks made one space), and a cell a spreadsheet would run as a formula — beginning with `=`,
 * `+`, `-` or `@`, also after spaces, tabs or a carriage return — is written with a leading `'`
 * (OWASP's rule against CSV injection), so that it opens as text.
 */
import * as Scrub from "@booster-export/transport/Scrub"
import { stringify as stringifyCsv } from "csv-stringify/sync"

/** A cell a spreadsheet reads as a formula, once cleaned (tabs and CRs are spaces by then). */
const FORMULA = /^\s*[=+\-@]/

/** A text cell as written: cleaned onto one line, then neutralised when it would be a formula. */
export const cell = (value: string): string => {
  const clean = Scrub.line(value)
  return FORMULA.test(clean) ? `'${clean}` : clean
}

/** `rows` as CSV with a header row of `columns`, in that order; absent cells are empty. */
export const stringify = (
  rows: ReadonlyArray<Readonly<Record<string, string | number | undefined>>>,
  columns: ReadonlyArray<string>
): string =>
  stringifyCsv(rows as Array<Record<string, string | number | undefined>>, {
    header: true,
    columns: [...columns],
    cast: { string: cell }
  })
