/**
 * Exact counts from the bytes of a customer export file: total rows and, for each summary
 * dimension, the number of rows by country, status, contact consent, creation year, birth month,
 * spending band, point of sale, and interest / hobby / product collection label. Nothing is shown
 * here and nothing is withheld: the counts are exact, and what may be released of them is decided
 * afterwards (`Summary.release`), off the scan.
 *
 * The recognised format is RFC 4180 CSV in UTF-8 whose header names columns as
 * {@link DIMENSIONS} does (the names `@booster-export/sandbox` writes); anything else — a zip, a
 * gzip, a binary file, a header without any of those columns, a malformed row, a row running on
 * past {@link MAX_ROW_BYTES} — is an {@link UnrecognisedFile} error, never a guess. Columns that are not
 * counted (names, emails, phones, ids, sales representatives) are stepped over, never decoded.
 *
 * The file is fed as `Uint8Array` chunks in order, from any source (a Node stream, a web stream, a
 * `Blob`'s chunks): no I/O here. Memory stays flat: one reused buffer for a row split across chunks, and
 * at most {@link MAX_DISTINCT_VALUES} distinct values per dimension.
 *
 * ```ts
 * const scanner = SummaryScanner.make()
 * for await (const chunk of source) scanner.push(chunk)
 * const counts = scanner.finish()   // { rows, dimensions: [{ dimension, groups, overflow, cappedRows }], missingColumns }
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import { PairTally, Tally } from "./internal/tally.js"

/**
 * At most this many bytes of an unfinished row are kept from one chunk for the next; a row that
 * needs more is refused: the file is not an export this scanner reads, and memory stays bounded.
 * The default of {@link ScanOptions.maxRowBytes}.
 *
 * @since 0.1.0
 */
export const MAX_ROW_BYTES = 1024 * 1024

/**
 * Distinct values kept per dimension; further values are counted together in
 * {@link DimensionCounts.overflow}.
 *
 * @since 0.1.0
 */
export const MAX_DISTINCT_VALUES = 10_000

/**
 * The file is not a CSV export this scanner recognises, or is malformed; the message says why,
 * naming a line number or a column, never a value.
 *
 * @since 0.1.0
 */
export class UnrecognisedFile extends Data.TaggedError("UnrecognisedFile")<{ readonly message: string }> {}

/**
 * How a column's values are grouped: by the `value` itself, by each label of a `;`-separated `list`,
 * by the `year` or the `month` of a `YYYY-MM-DD` date, or by `spending` band of a decimal amount.
 *
 * @since 0.1.0
 */
export type Grouping = "value" | "list" | "year" | "month" | "spending"

/**
 * A dimension of the summary and the column it is read from.
 *
 * @since 0.1.0
 */
export interface Dimension {
  /** The name in the summary, e.g. `country`. */
  readonly name: string
  /** The column header, as the sandbox writes it (matched ignoring case and surrounding spaces). */
  readonly column: string
  /** What the counts are by, for people. */
  readonly label: string
  readonly grouping: Grouping
  /**
   * The dimension this one nests in (a point of sale is in a country): when both columns are in the
   * file, the rows are also counted by pair ({@link DimensionCounts.nested}).
   */
  readonly within?: string
}

/**
 * The dimensions, in the order they are reported. Their columns are the recognised format.
 *
 * @since 0.1.0
 */
export const DIMENSIONS: ReadonlyArray<Dimension> = [
  { name: "country", column: "locationCountryId", label: "country", grouping: "value" },
  { name: "status", column: "customerStatus", label: "customer status", grouping: "value" },
  {
    name: "contactConsent",
    column: "canBeContactedByMaison",
    label: "consent to be contacted",
    grouping: "value"
  },
  { name: "creationYear", column: "creationDate", label: "year of creation", grouping: "year" },
  { name: "birthMonth", column: "birthDate", label: "month of birth", grouping: "month" },
  { name: "spendingBand", column: "clientSpending", label: "spending band", grouping: "spending" },
  { name: "pointOfSale", column: "posCode", label: "point of sale", grouping: "value", within: "country" },
  { name: "interest", column: "interests", label: "interest", grouping: "list" },
  { name: "hobby", column: "hobbies", label: "hobby", grouping: "list" },
  { name: "productCollection", column: "productCollections", label: "product collection", grouping: "list" }
]

/**
 * Spending bands of the whole part of the amount: lower bound included, `below` excluded.
 *
 * @since 0.1.0
 */
export const SPENDING_BANDS: ReadonlyArray<{ readonly label: string; readonly below: number }> = [
  { label: "under 1,000", below: 1_000 },
  { label: "1,000 to 5,000", below: 5_000 },
  { label: "5,000 to 20,000", below: 20_000 },
  { label: "20,000 to 50,000", below: 50_000 },
  { label: "50,000 or more", below: Number.POSITIVE_INFINITY }
]

const MONTHS: ReadonlyArray<string> = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

/**
 * The group of empty cells.
 *
 * @since 0.1.0
 */
export const EMPTY = "(empty)"

/**
 * The group of cells that cannot be read as a date or an amount.
 *
 * @since 0.1.0
 */
export const UNREADABLE = "(unreadable)"

/**
 * One group and its count.
 *
 * @since 0.1.0
 */
export interface Group {
  readonly value: string
  readonly count: number
}

/**
 * A group of a nested dimension within a group of the dimension it nests in: the rows whose point of
 * sale is `value` and whose country is `within`.
 *
 * @since 0.1.0
 */
export interface NestedGroup {
  readonly value: string
  readonly within: string
  readonly count: number
}

/**
 * The exact counts of one dimension.
 *
 * @since 0.1.0
 */
export interface DimensionCounts {
  readonly dimension: Dimension
  /**
   * Every group seen and its exact count, in no particular order; months and spending bands list
   * each of theirs (with {@link EMPTY} and {@link UNREADABLE}) even at 0.
   */
  readonly groups: ReadonlyArray<Group>
  /** Occurrences of values past {@link MAX_DISTINCT_VALUES}, counted together. */
  readonly overflow: number
  /** Rows that held more than {@link ScanOptions.maxValuesPerRow} values of this (list) dimension. */
  readonly cappedRows: number
  /**
   * For a dimension {@link Dimension.within} another whose column is in the file too: the rows by
   * pair of their two values, in no particular order; pairs with a value past
   * {@link MAX_DISTINCT_VALUES}, or past that many pairs, are counted in {@link nestedOverflow}.
   */
  readonly nested?: ReadonlyArray<NestedGroup>
  /** Rows of the nested pairs not kept (see {@link nested}). */
  readonly nestedOverflow?: number
}

/**
 * The exact counts of a file.
 *
 * @since 0.1.0
 */
export interface Counts {
  /** Data rows (the header and blank lines excluded). */
  readonly rows: number
  /** The dimensions whose column is in the file, in the order of {@link DIMENSIONS}. */
  readonly dimensions: ReadonlyArray<DimensionCounts>
  /** The columns of the dimensions the file does not have. */
  readonly missingColumns: ReadonlyArray<string>
  /**
   * At most this many values of a list dimension were counted per row
   * ({@link ScanOptions.maxValuesPerRow}; `Infinity` when unlimited).
   */
  readonly maxValuesPerRow: number
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface ScanOptions {
  /**
   * At most this many values of a multi-valued (list) dimension — interests, hobbies, product
   * collections — are counted per row, the first ones in the cell; an integer ≥ 1. Default:
   * unlimited (every value counts).
   */
  readonly maxValuesPerRow?: number
  /** At most this many bytes of an unfinished row are kept for the next chunk. Default {@link MAX_ROW_BYTES}. */
  readonly maxRowBytes?: number
}

/**
 * Reads a file chunk by chunk: `push` each chunk in order, then `finish`. Both throw
 * {@link UnrecognisedFile} as soon as the file cannot be a recognised export.
 *
 * @since 0.1.0
 */
export interface Scanner {
  /** Reads one chunk; the chunk may be reused by the caller once this returns. */
  readonly push: (chunk: Uint8Array) => void
  /** Reads what is left and returns the counts. */
  readonly finish: () => Counts
}

/**
 * A new {@link Scanner}.
 *
 * @throws RangeError when `maxValuesPerRow` or `maxRowBytes` is not a whole number ≥ 1.
 * @since 0.1.0
 */
export const make = (options: ScanOptions = {}): Scanner => {
  const cap = options.maxValuesPerRow ?? Number.POSITIVE_INFINITY
  const maxRowBytes = options.maxRowBytes ?? MAX_ROW_BYTES
  for (const [name, value] of [
    ["maxValuesPerRow", cap],
    ["maxRowBytes", maxRowBytes]
  ] as const) {
    if (!(value >= 1 && (Number.isInteger(value) || value === Number.POSITIVE_INFINITY)))
      throw new RangeError(`${name} must be a whole number of at least 1`)
  }
  const scanner = new ByteScanner(cap, maxRowBytes)
  return { push: (chunk) => scanner.push(chunk), finish: () => scanner.finish() }
}

/**
 * Reads a whole file given as an async iterable of byte chunks (a Node `fs.createReadStream`, a web
 * `ReadableStream` where it is async-iterable) and returns its exact counts. Rejects with {@link UnrecognisedFile} when
 * the file is not a recognised export, and with the signal's reason once `signal` aborts.
 *
 * @since 0.1.0
 */
export const scan = async (
  source: AsyncIterable<Uint8Array>,
  options: ScanOptions = {},
  signal?: AbortSignal
): Promise<Counts> => {
  const scanner = make(options)
  for await (const chunk of source) {
    signal?.throwIfAborted()
    scanner.push(chunk)
  }
  return scanner.finish()
}

/**
 * How each grouping is counted, as a number the counting switch compares cheaply. In the hot
 * methods below, byte values and these codes are local constants or literals: once bundled, a
 * module-level constant is read from memory again at every use.
 */
const GROUPING_CODES: Record<Grouping, number> = { value: 0, list: 1, year: 2, month: 3, spending: 4 }

/** Slots of the fixed groups: 0 empty, then the months or the bands, then unreadable. */
const FIXED_SLOTS: Record<Grouping, number> = {
  value: 0,
  list: 0,
  year: 1,
  month: MONTHS.length + 2,
  spending: SPENDING_BANDS.length + 2
}

/**
 * The scanner. A row is read in one pass over its bytes, keeping only the bounds of the counted
 * fields; it is counted once complete (a row cut by the end of a chunk is read again whole, from a
 * buffer reused for the whole file).
 */
class ByteScanner {
  private started = false
  /** Fields of the header; -1 before it is read. */
  private columns = -1
  /** Per field of the header: the counted dimension it feeds, or -1. */
  private counterOf = new Int32Array(0)
  private dimensions: Array<Dimension> = []
  private kinds = new Int32Array(0)
  private tallies: Array<Tally> = []
  private fixed: Array<Float64Array> = []
  private capped: Array<number> = []
  /** Per counted dimension: the entry number of the value of the row being counted (value groupings). */
  private rowEntries = new Int32Array(0)
  /** The dimension counted by pair within another, and that other; -1 when none. */
  private inner = -1
  private outer = -1
  private pairs = new PairTally(MAX_DISTINCT_VALUES)
  private starts = new Int32Array(0)
  private ends = new Int32Array(0)
  private escaped = new Uint8Array(0)
  private missing: Array<string> = []
  private rows = 0
  private line = 0
  private buffer = new Uint8Array(0)
  private carry = 0
  private unquoted = new Uint8Array(256)
  private readonly bandBounds = Float64Array.from(SPENDING_BANDS, (band) => band.below)

  constructor(
    private readonly cap: number,
    private readonly maxRowBytes: number
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    if (!this.started) {
      this.started = true
      sniff(chunk)
    }
    // a plain Uint8Array view (not a Node Buffer): every byte read below then sees one kind of array
    const buf = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)
    const from = this.carry > 0 ? this.finishCarriedRow(buf) : 0
    if (from < 0) return
    const used = this.readRows(buf, false, from)
    if (used < buf.length) this.keep(buf.subarray(used))
  }

  /**
   * Reads the row begun at the end of the previous chunk, copying into the reused buffer only the
   * start of `buf` it needs: up to the first line feed, and while the row is not done (the line feed
   * was within quotes), up to the next one but at least twice as far, so that no byte is read more
   * than a few times. Returns where the first row not read starts in `buf`, or -1 when the row does
   * not end in `buf` (all of `buf` is then kept for the next chunk).
   */
  private finishCarriedRow(buf: Uint8Array): number {
    const carried = this.carry
    let end = 0
    for (;;) {
      const lf = buf.indexOf(10, end)
      end = lf === -1 ? buf.length : Math.max(lf + 1, Math.min(buf.length, 2 * end))
      this.reserve(carried + end)
      this.buffer.set(buf.subarray(0, end), carried)
      const used = this.readRows(this.buffer.subarray(0, carried + end), false, 0)
      if (used > 0) {
        this.carry = 0
        return used - carried
      }
      if (end === buf.length) {
        this.carry = carried + end
        this.checkCarry()
        return -1
      }
    }
  }

  /** Keeps the start of an unfinished row for the next chunk. */
  private keep(rest: Uint8Array): void {
    this.carry = 0
    this.reserve(rest.length)
    this.buffer.set(rest)
    this.carry = rest.length
    this.checkCarry()
  }

  private checkCarry(): void {
    if (this.carry > this.maxRowBytes) {
      throw new UnrecognisedFile({
        message: `line ${this.line + 1} is longer than ${this.maxRowBytes} bytes: not a CSV export this server reads`
      })
    }
  }

  finish(): Counts {
    if (this.carry > 0) {
      const rest = this.buffer.subarray(0, this.carry)
      this.carry = 0
      this.readRows(rest, true, 0)
    }
    if (this.columns < 0)
      throw new UnrecognisedFile({ message: "the file is empty: there is no header line" })
    const dimensions: Array<DimensionCounts> = []
    for (let c = 0; c < this.dimensions.length; c++) {
      dimensions.push({
        dimension: this.dimensions[c]!,
        groups: this.groups(c),
        overflow: this.tallies[c]!.overflow,
        cappedRows: this.capped[c]!
      })
    }
    if (this.inner >= 0) {
      const outer = this.tallies[this.outer]!.entries()
      const inner = this.tallies[this.inner]!.entries()
      const named = (value: string) => (value === "" ? EMPTY : value)
      const pairs = this.pairs.entries()
      dimensions[this.inner] = {
        ...dimensions[this.inner]!,
        nested: pairs.map((pair) => ({
          value: named(inner[pair.inner]!.value),
          within: named(outer[pair.outer]!.value),
          count: pair.count
        })),
        nestedOverflow: this.rows - pairs.reduce((sum, pair) => sum + pair.count, 0)
      }
    }
    return { rows: this.rows, dimensions, missingColumns: this.missing, maxValuesPerRow: this.cap }
  }

  /** Makes the reused buffer hold at least `size` bytes, keeping the carried ones. */
  private reserve(size: number): void {
    if (this.buffer.length >= size) return
    const bigger = new Uint8Array(Math.max(size, this.buffer.length * 2))
    bigger.set(this.buffer.subarray(0, this.carry))
    this.buffer = bigger
  }

  private groups(c: number): Array<Group> {
    const fixed = this.fixed[c]!
    const named = (labels: ReadonlyArray<string>): Array<Group> =>
      Array.from(fixed, (count, slot) => ({
        value: slot === 0 ? EMPTY : slot > labels.length ? UNREADABLE : labels[slot - 1]!,
        count
      }))
    const values = () =>
      this.tallies[c]!.entries().map((group) => (group.value === "" ? { ...group, value: EMPTY } : group))
    switch (this.dimensions[c]!.grouping) {
      case "month":
        return named(MONTHS)
      case "spending":
        return named(SPENDING_BANDS.map((band) => band.label))
      case "year":
        return [...values(), { value: UNREADABLE, count: fixed[0]! }]
      default:
        return values()
    }
  }

  private header(buf: Uint8Array, bounds: ReadonlyArray<number>): void {
    const decoder = new TextDecoder()
    const first =
      buf[bounds[0]!] === 0xef && buf[bounds[0]! + 1] === 0xbb && buf[bounds[0]! + 2] === 0xbf ? 3 : 0
    const names: Array<string> = []
    for (let i = 0; i < bounds.length; i += 2) {
      names.push(
        decoder
          .decode(buf.subarray(bounds[i]! + (i === 0 ? first : 0), bounds[i + 1]!))
          .trim()
          .toLowerCase()
      )
    }
    this.columns = names.length
    this.counterOf = new Int32Array(names.length).fill(-1)
    for (const dimension of DIMENSIONS) {
      const index = names.indexOf(dimension.column.toLowerCase())
      if (index === -1) {
        this.missing.push(dimension.column)
        continue
      }
      this.counterOf[index] = this.dimensions.length
      this.dimensions.push(dimension)
      this.tallies.push(new Tally(MAX_DISTINCT_VALUES))
      this.fixed.push(new Float64Array(FIXED_SLOTS[dimension.grouping]))
      this.capped.push(0)
    }
    if (this.dimensions.length === 0) {
      throw new UnrecognisedFile({
        message:
          "the first line names none of the columns of a customer export (locationCountryId, customerStatus, clientSpending, …): the file's format is not one this server reads"
      })
    }
    this.kinds = Int32Array.from(this.dimensions, (dimension) => GROUPING_CODES[dimension.grouping])
    this.rowEntries = new Int32Array(this.dimensions.length)
    for (let c = 0; c < this.dimensions.length; c++) {
      const within = this.dimensions[c]!.within
      const outer = this.dimensions.findIndex((dimension) => dimension.name === within)
      if (within !== undefined && outer >= 0 && this.dimensions[outer]!.grouping === "value") {
        this.inner = c
        this.outer = outer
      }
    }
    this.starts = new Int32Array(this.dimensions.length)
    this.ends = new Int32Array(this.dimensions.length)
    this.escaped = new Uint8Array(this.dimensions.length)
  }

  /**
   * Reads the whole rows of `buf` from `from`; returns where the first row not read starts
   * (`buf.length` when there is none). With `final`, the end of `buf` ends the last row.
   */
  private readRows(buf: Uint8Array, final: boolean, from: number): number {
    // byte values as local constants: once bundled, a module-level one is read again at every use
    const QUOTE = 34
    const COMMA = 44
    const CR = 13
    const LF = 10
    const n = buf.length
    const columns = this.columns
    const counterOf = this.counterOf
    const starts = this.starts
    const ends = this.ends
    const escapedFields = this.escaped
    const bounds: Array<number> | undefined = columns < 0 ? [] : undefined
    let p = from
    while (p < n) {
      const rowStart = p
      let field = 0
      let blank = false
      for (;;) {
        let start: number
        let end: number
        let next: number
        let escaped = false
        if (p < n && buf[p] === QUOTE) {
          let q = p + 1
          let close = -1
          while (q < n) {
            if (buf[q] === QUOTE) {
              if (q + 1 < n) {
                if (buf[q + 1] === QUOTE) {
                  escaped = true
                  q += 2
                  continue
                }
              } else if (!final) break
              close = q
              break
            }
            q++
          }
          if (close === -1) {
            if (final) this.malformed("a quoted field is not closed")
            return rowStart
          }
          start = p + 1
          end = close
          next = close + 1
        } else {
          let i = p
          // four bytes a turn, then one by one: the loop's own checks are paid once for four bytes
          for (; i + 3 < n; i += 4) {
            const c0 = buf[i]!
            if (c0 <= COMMA && (c0 === COMMA || c0 === LF || c0 === CR)) break
            const c1 = buf[i + 1]!
            if (c1 <= COMMA && (c1 === COMMA || c1 === LF || c1 === CR)) {
              i += 1
              break
            }
            const c2 = buf[i + 2]!
            if (c2 <= COMMA && (c2 === COMMA || c2 === LF || c2 === CR)) {
              i += 2
              break
            }
            const c3 = buf[i + 3]!
            if (c3 <= COMMA && (c3 === COMMA || c3 === LF || c3 === CR)) {
              i += 3
              break
            }
          }
          while (i < n) {
            const c = buf[i]!
            if (c <= COMMA && (c === COMMA || c === LF || c === CR)) break
            i++
          }
          if (i >= n && !final) return rowStart
          start = p
          end = i
          next = i
        }
        if (bounds !== undefined) bounds.push(start, end)
        else if (field < columns) {
          const counter = counterOf[field]!
          if (counter >= 0) {
            starts[counter] = start
            ends[counter] = end
            escapedFields[counter] = escaped ? 1 : 0
          }
        }
        if (field === 0) blank = start === end && !escaped
        field++
        if (next >= n) {
          p = next
          break
        }
        const d = buf[next]
        if (d === COMMA) {
          p = next + 1
          continue
        }
        if (d === LF) p = next + 1
        else if (d === CR) {
          if (next + 1 >= n) {
            if (!final) return rowStart
            p = next + 1
          } else if (buf[next + 1] === LF) p = next + 2
          else this.malformed("a carriage return outside quotes is not followed by a line feed")
        } else this.malformed("a closing quote is followed by something other than a comma or a line end")
        break
      }
      if (bounds !== undefined) {
        this.line++
        this.header(buf, bounds)
        return this.readRows(buf, final, p)
      }
      if (field !== columns && !(field === 1 && blank)) {
        this.malformed(`it has ${field} fields where the header has ${columns}`)
      }
      this.line++
      if (field === 1 && blank) continue
      this.count(buf)
      this.rows++
    }
    return n
  }

  /** Counts the fields of the row just read. */
  private count(buf: Uint8Array): void {
    const kinds = this.kinds
    for (let c = 0; c < kinds.length; c++) {
      let source = buf
      let start = this.starts[c]!
      let end = this.ends[c]!
      if (this.escaped[c] === 1) {
        end = this.unquote(buf, start, end)
        source = this.unquoted
        start = 0
      }
      switch (kinds[c]) {
        case 0: // value
          this.rowEntries[c] = this.tallies[c]!.add(source, start, end)
          break
        case 1: // list
          this.countList(c, source, start, end)
          break
        case 2: // year
          this.countYear(c, source, start, end)
          break
        case 3: // month
          this.countMonth(c, source, start, end)
          break
        default: // spending
          this.countSpending(c, source, start, end)
      }
    }
    if (this.inner >= 0) this.pairs.add(this.rowEntries[this.outer]!, this.rowEntries[this.inner]!)
  }

  /** Each `;`-separated label, spaces around it trimmed, empty labels skipped; at most `cap` of them. */
  private countList(c: number, buf: Uint8Array, start: number, end: number): void {
    const SEMICOLON = 59
    const SPACE = 32
    const tally = this.tallies[c]!
    let taken = 0
    let from = start
    while (from < end) {
      let to = from
      while (
        to + 3 < end &&
        buf[to] !== SEMICOLON &&
        buf[to + 1] !== SEMICOLON &&
        buf[to + 2] !== SEMICOLON &&
        buf[to + 3] !== SEMICOLON
      )
        to += 4
      while (to < end && buf[to] !== SEMICOLON) to++
      let a = from
      let b = to
      while (a < b && buf[a] === SPACE) a++
      while (b > a && buf[b - 1] === SPACE) b--
      if (a < b) {
        if (taken === this.cap) {
          this.capped[c]!++
          return
        }
        tally.add(buf, a, b)
        taken++
      }
      from = to + 1
    }
  }

  /** The first four bytes when they look like a year (`YYYY` or `YYYY-…`); slot 0 counts the others. */
  private countYear(c: number, buf: Uint8Array, start: number, end: number): void {
    const length = end - start
    if (length === 0) this.tallies[c]!.add(buf, start, end)
    else if (
      length >= 4 &&
      isDigit(buf[start]!) &&
      isDigit(buf[start + 3]!) &&
      (length === 4 || buf[start + 4] === 45) // -
    ) {
      this.tallies[c]!.add(buf, start, start + 4)
    } else this.fixed[c]![0]!++
  }

  /** `YYYY-MM-DD`: slot 0 empty, 1..12 the months, 13 unreadable. */
  private countMonth(c: number, buf: Uint8Array, start: number, end: number): void {
    let slot = 13
    if (start === end) slot = 0
    else if (
      end - start >= 7 &&
      buf[start + 4] === 45 && // -
      isDigit(buf[start + 5]!) &&
      isDigit(buf[start + 6]!)
    ) {
      const month = (buf[start + 5]! - 48) * 10 + (buf[start + 6]! - 48)
      if (month >= 1 && month <= 12) slot = month
    }
    this.fixed[c]![slot]!++
  }

  /** A decimal amount (`123` or `123.45`): slot 0 empty, 1..n the bands, n + 1 unreadable. */
  private countSpending(c: number, buf: Uint8Array, start: number, end: number): void {
    const bounds = this.bandBounds
    let slot = bounds.length + 1
    if (start === end) slot = 0
    else {
      let i = start
      let whole = 0
      while (i < end && isDigit(buf[i]!)) {
        whole = whole * 10 + (buf[i]! - 48)
        i++
      }
      const digits = i - start
      let ok = digits > 0 && digits <= 15
      if (ok && i < end) {
        if (buf[i] !== 46)
          ok = false // .
        else {
          i++
          while (i < end && isDigit(buf[i]!)) i++
          ok = i === end
        }
      }
      if (ok) {
        let band = 0
        while (whole >= bounds[band]!) band++
        slot = band + 1
      }
    }
    this.fixed[c]![slot]!++
  }

  /**
   * Writes the bytes of a quoted field with its doubled quotes made single at the start of
   * `unquoted`, a buffer reused for every field (the tallies copy what they keep); returns their number.
   */
  private unquote(buf: Uint8Array, start: number, end: number): number {
    const QUOTE = 34
    if (this.unquoted.length < end - start)
      this.unquoted = new Uint8Array(Math.max(end - start, 2 * this.unquoted.length))
    const out = this.unquoted
    let o = 0
    for (let i = start; i < end; i++) {
      const byte = buf[i]!
      out[o++] = byte
      if (byte === QUOTE) i++
    }
    return o
  }

  private malformed(why: string): never {
    throw new UnrecognisedFile({ message: `line ${this.line + 1} is not well-formed CSV: ${why}` })
  }
}

const isDigit = (byte: number): boolean => byte >= 48 && byte <= 57

/** Refuses, by their first bytes, files that are plainly not CSV: zip, gzip, binary. */
const sniff = (chunk: Uint8Array): void => {
  if (chunk[0] === 0x50 && chunk[1] === 0x4b && chunk[2] === 3 && chunk[3] === 4) {
    throw new UnrecognisedFile({
      message: "the file is a zip archive; only CSV exports with a header line are read"
    })
  }
  if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
    throw new UnrecognisedFile({
      message: "the file is gzip-compressed; only CSV exports with a header line are read"
    })
  }
  const probe = Math.min(chunk.length, 4096)
  for (let i = 0; i < probe; i++) {
    if (chunk[i] === 0) {
      throw new UnrecognisedFile({ message: "the file is binary, not a CSV export with a header line" })
    }
  }
}
