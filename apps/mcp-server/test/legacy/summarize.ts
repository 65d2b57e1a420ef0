/**
 * The summary as booster-mcp computed it before it moved to `@booster-export/core` (`Summary`,
 * `SummaryScanner`): kept unchanged as the reference the core scanner's counts are compared with
 * (test/summary-counts.test.ts) and timed against (bench/summary.ts). Not used by the server.
 *
 * Counts-only summary of a customer export file, read as a byte stream: total rows and counts by
 * country, status, contact consent, creation year, birth month, spending band, point of sale and
 * interest / hobby / product collection label. Personal columns (names, emails, phones, ids, sales
 * representatives) are never decoded. Groups smaller than the minimum group size are suppressed,
 * and when a dimension would have exactly one suppressed group the next-smallest is suppressed too,
 * so that no suppressed count can be derived from the total.
 *
 * The real API's file format is unknown: the file must be RFC 4180 CSV whose header names columns
 * the way the sandbox writes them (`@booster-export/sandbox` `Csv.columns`); anything else is an
 * {@link UnrecognisedFile} error, never a guess.
 *
 * Rows are read by a byte scanner rather than a general CSV parser: csv-parse took about sixty times
 * as long as counting the file's lines, the scanner stays within three times (see bench/summary.ts).
 * Memory stays flat: one chunk, the part of a row split across chunks, and the distinct values.
 */
import { Data } from "effect"

/** The smallest group size ever reported. */
export const MINIMUM_GROUP_SIZE_FLOOR = 5

/** The minimum group size when none is asked for. */
export const DEFAULT_MINIMUM_GROUP_SIZE = 10

/** A row (or header) longer than this is refused: the file is not an export this server reads. */
export const MAX_ROW_BYTES = 1024 * 1024

/** Distinct values kept per dimension; further values are counted together and never shown. */
export const MAX_DISTINCT_VALUES = 10_000

/** The file is not a CSV export this server recognises, or is malformed; the message says why. */
export class UnrecognisedFile extends Data.TaggedError("UnrecognisedFile")<{ readonly message: string }> {}

/** How a column's values are grouped. */
type Grouping = "value" | "list" | "year" | "month" | "spending"

/** A dimension of the summary and the column it is read from. */
export interface Dimension {
  /** The name in the summary, e.g. `country`. */
  readonly name: string
  /** The column header, as the sandbox writes it. */
  readonly column: string
  /** What the counts are by, for people. */
  readonly label: string
  readonly grouping: Grouping
}

/** The dimensions, in the order they are reported. */
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
  { name: "pointOfSale", column: "posCode", label: "point of sale", grouping: "value" },
  { name: "interest", column: "interests", label: "interest", grouping: "list" },
  { name: "hobby", column: "hobbies", label: "hobby", grouping: "list" },
  { name: "productCollection", column: "productCollections", label: "product collection", grouping: "list" }
]

/** Spending bands: lower bound included, upper bound excluded. */
export const SPENDING_BANDS: ReadonlyArray<{ readonly label: string; readonly below: number }> = [
  { label: "under 1,000", below: 1_000 },
  { label: "1,000 to 5,000", below: 5_000 },
  { label: "5,000 to 20,000", below: 20_000 },
  { label: "20,000 to 50,000", below: 50_000 },
  { label: "50,000 or more", below: Number.POSITIVE_INFINITY }
]

const MONTHS = [
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

/** What stands for an empty cell. */
export const EMPTY = "(empty)"
/** What stands for a cell that cannot be read as a date or an amount. */
export const UNREADABLE = "(unreadable)"

/** One reported group. */
export interface Group {
  readonly value: string
  readonly count: number
}

/** The counts of one dimension. */
export interface DimensionSummary {
  readonly name: string
  readonly column: string
  readonly label: string
  /** True for interests, hobbies and collections: a customer may be in several groups. */
  readonly multiValued: boolean
  /** Groups of at least the minimum size, largest first. */
  readonly groups: ReadonlyArray<Group>
  /** How many groups were withheld (too small, or withheld so that a small one cannot be derived). */
  readonly suppressedGroups: number
}

/** The summary of a file. */
export interface Summary {
  /** Data rows (the header excluded). */
  readonly rows: number
  /** The minimum group size applied. */
  readonly minimumGroupSize: number
  readonly dimensions: ReadonlyArray<DimensionSummary>
  /** Dimensions whose column is not in the file. */
  readonly missingColumns: ReadonlyArray<string>
}

/** The minimum group size to apply for a requested one, and whether it was raised to the floor. */
export const effectiveMinimum = (
  requested: number | undefined
): { readonly minimumGroupSize: number; readonly raised: boolean } => {
  const asked = requested ?? DEFAULT_MINIMUM_GROUP_SIZE
  return asked < MINIMUM_GROUP_SIZE_FLOOR
    ? { minimumGroupSize: MINIMUM_GROUP_SIZE_FLOOR, raised: true }
    : { minimumGroupSize: asked, raised: false }
}

interface Bucket {
  readonly bytes: Uint8Array
  readonly hash: number
  count: number
  next: Bucket | undefined
}

/** Counts of distinct byte strings, hashed without decoding them (open hashing, chains). */
class Tally {
  private slots: Array<Bucket | undefined> = new Array<Bucket | undefined>(64).fill(undefined)
  distinct = 0
  overflow = 0

  add(buf: Uint8Array, start: number, end: number): void {
    let hash = 0x811c9dc5
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193)
    const length = end - start
    const slot = hash & (this.slots.length - 1)
    const head = this.slots[slot]
    for (let bucket = head; bucket !== undefined; bucket = bucket.next) {
      const bytes = bucket.bytes
      if (bytes.length === length) {
        let i = 0
        while (i < length && bytes[i] === buf[start + i]) i++
        if (i === length) {
          bucket.count++
          return
        }
      }
    }
    if (this.distinct >= MAX_DISTINCT_VALUES) {
      this.overflow++
      return
    }
    this.distinct++
    this.slots[slot] = { bytes: buf.slice(start, end), hash, count: 1, next: head }
    if (this.distinct > this.slots.length >> 1) this.grow()
  }

  private grow(): void {
    const slots = new Array<Bucket | undefined>(this.slots.length * 2).fill(undefined)
    for (const head of this.slots) {
      let bucket = head
      while (bucket !== undefined) {
        const next = bucket.next
        const slot = bucket.hash & (slots.length - 1)
        bucket.next = slots[slot]
        slots[slot] = bucket
        bucket = next
      }
    }
    this.slots = slots
  }

  /** Every value (UTF-8) and its count. */
  entries(): Array<Group> {
    const out: Array<Group> = []
    const decoder = new TextDecoder()
    for (const head of this.slots) {
      for (let bucket: Bucket | undefined = head; bucket !== undefined; bucket = bucket.next) {
        out.push({ value: decoder.decode(bucket.bytes), count: bucket.count })
      }
    }
    return out
  }
}

const SEMICOLON = 59
const SPACE = 32
const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 48 && byte <= 57

/** The counter of one dimension present in the file. */
class Counter {
  readonly values = new Tally()
  readonly fixed: Array<number>

  constructor(
    readonly dimension: Dimension,
    readonly index: number
  ) {
    this.fixed = new Array<number>(
      dimension.grouping === "month" ? 14 : dimension.grouping === "spending" ? SPENDING_BANDS.length + 2 : 0
    ).fill(0)
  }

  add(buf: Uint8Array, start: number, end: number): void {
    switch (this.dimension.grouping) {
      case "value":
        this.values.add(buf, start, end)
        return
      case "list":
        this.addList(buf, start, end)
        return
      case "year":
        if (start === end) this.values.add(buf, start, end)
        else if (
          end - start >= 4 &&
          isDigit(buf[start]) &&
          isDigit(buf[start + 3]) &&
          (end - start === 4 || buf[start + 4] === 45)
        ) {
          this.values.add(buf, start, start + 4)
        } else this.fixed[0] = (this.fixed[0] ?? 0) + 1
        return
      case "month":
        this.addMonth(buf, start, end)
        return
      case "spending":
        this.addSpending(buf, start, end)
        return
    }
  }

  private addList(buf: Uint8Array, start: number, end: number): void {
    let from = start
    while (from < end) {
      let to = from
      while (to < end && buf[to] !== SEMICOLON) to++
      let a = from
      let b = to
      while (a < b && buf[a] === SPACE) a++
      while (b > a && buf[b - 1] === SPACE) b--
      if (a < b) this.values.add(buf, a, b)
      from = to + 1
    }
  }

  /** `YYYY-MM-DD`: slot 0 empty, 1..12 the months, 13 unreadable. */
  private addMonth(buf: Uint8Array, start: number, end: number): void {
    let slot = 13
    if (start === end) slot = 0
    else if (
      end - start >= 7 &&
      buf[start + 4] === 45 &&
      isDigit(buf[start + 5]) &&
      isDigit(buf[start + 6])
    ) {
      const month = (buf[start + 5]! - 48) * 10 + (buf[start + 6]! - 48)
      if (month >= 1 && month <= 12) slot = month
    }
    this.fixed[slot] = (this.fixed[slot] ?? 0) + 1
  }

  /** A decimal amount: slot 0 empty, 1..n the bands, n + 1 unreadable. */
  private addSpending(buf: Uint8Array, start: number, end: number): void {
    const bands = SPENDING_BANDS.length
    let slot = bands + 1
    if (start === end) slot = 0
    else {
      let i = start
      let whole = 0
      let digits = 0
      while (i < end && isDigit(buf[i])) {
        whole = whole * 10 + (buf[i]! - 48)
        digits++
        i++
      }
      let ok = digits > 0 && digits <= 15
      if (ok && i < end) {
        if (buf[i] !== 46) ok = false
        else {
          i++
          while (i < end && isDigit(buf[i])) i++
          ok = i === end
        }
      }
      if (ok) {
        let band = 0
        while (whole >= SPENDING_BANDS[band]!.below) band++
        slot = band + 1
      }
    }
    this.fixed[slot] = (this.fixed[slot] ?? 0) + 1
  }

  /** Every group and its count, before suppression. */
  groups(): Array<Group> {
    const named = (labels: ReadonlyArray<string>): Array<Group> =>
      this.fixed.map((count, slot) => ({
        value: slot === 0 ? EMPTY : slot > labels.length ? UNREADABLE : labels[slot - 1]!,
        count
      }))
    switch (this.dimension.grouping) {
      case "month":
        return named(MONTHS)
      case "spending":
        return named(SPENDING_BANDS.map((band) => band.label))
      case "year":
        return [
          ...this.values.entries().map((group) => (group.value === "" ? { ...group, value: EMPTY } : group)),
          { value: UNREADABLE, count: this.fixed[0] ?? 0 }
        ]
      default:
        return this.values.entries().map((group) => (group.value === "" ? { ...group, value: EMPTY } : group))
    }
  }
}

/**
 * The groups of one dimension that may be shown: every group of at least `minimum`, except that
 * when exactly one group would be withheld the smallest shown one is withheld too. A value that
 * looks like an email address or a phone number is never shown. Values past
 * {@link MAX_DISTINCT_VALUES} count as one withheld group.
 */
export const suppress = (
  groups: ReadonlyArray<Group>,
  minimum: number,
  options: { readonly overflow?: number; readonly looksPersonal?: (value: string) => boolean } = {}
): { readonly groups: ReadonlyArray<Group>; readonly suppressedGroups: number } => {
  const present = groups.filter((group) => group.count > 0)
  const sorted = [...present].sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
  const shown = sorted.filter(
    (group) => group.count >= minimum && options.looksPersonal?.(group.value) !== true
  )
  let withheld = present.length - shown.length + ((options.overflow ?? 0) > 0 ? 1 : 0)
  if (withheld === 1 && shown.length > 0) {
    shown.pop()
    withheld++
  }
  return { groups: shown, suppressedGroups: withheld }
}

/** Options of {@link Summarizer}. */
export interface SummarizeOptions {
  /** Groups smaller than this are withheld; see {@link effectiveMinimum}. */
  readonly minimumGroupSize: number
  /** True for a value that must never be shown (e.g. it looks like an email address). */
  readonly looksPersonal?: (value: string) => boolean
}

/**
 * Reads an export file chunk by chunk: `push` each chunk, then `finish`. Throws
 * {@link UnrecognisedFile} as soon as the file cannot be what this server understands.
 */
export class Summarizer {
  private carry: Uint8Array | undefined
  private columns = -1
  private counters: Array<Counter | undefined> = []
  private present: Array<Counter> = []
  private starts: Array<number> = []
  private ends: Array<number> = []
  private escaped: Array<boolean> = []
  private missing: Array<string> = []
  private rows = 0
  private line = 0
  private started = false

  constructor(private readonly options: SummarizeOptions) {}

  /** Reads one chunk of the file. */
  push(chunk: Uint8Array): void {
    if (!this.started) {
      this.started = true
      this.sniff(chunk)
    }
    let buf = chunk
    if (this.carry !== undefined) {
      const joined = new Uint8Array(this.carry.length + chunk.length)
      joined.set(this.carry)
      joined.set(chunk, this.carry.length)
      buf = joined
      this.carry = undefined
    }
    const used = this.scan(buf, false)
    if (used < buf.length) {
      if (buf.length - used > MAX_ROW_BYTES) {
        throw new UnrecognisedFile({
          message: `line ${this.line + 1} is longer than ${MAX_ROW_BYTES} bytes: not a CSV export this server reads`
        })
      }
      this.carry = buf.slice(used)
    }
  }

  /** Reads what is left and returns the summary. */
  finish(): Summary {
    if (this.carry !== undefined) {
      const rest = this.carry
      this.carry = undefined
      this.scan(rest, true)
    }
    if (this.columns < 0)
      throw new UnrecognisedFile({ message: "the file is empty: there is no header line" })
    const dimensions: Array<DimensionSummary> = []
    for (const counter of this.counters) {
      if (counter === undefined) continue
      const shown = suppress(counter.groups(), this.options.minimumGroupSize, {
        overflow: counter.values.overflow,
        ...(this.options.looksPersonal !== undefined ? { looksPersonal: this.options.looksPersonal } : {})
      })
      dimensions.push({
        name: counter.dimension.name,
        column: counter.dimension.column,
        label: counter.dimension.label,
        multiValued: counter.dimension.grouping === "list",
        groups: shown.groups,
        suppressedGroups: shown.suppressedGroups
      })
    }
    dimensions.sort(
      (a, b) =>
        DIMENSIONS.findIndex((d) => d.name === a.name) - DIMENSIONS.findIndex((d) => d.name === b.name)
    )
    return {
      rows: this.rows,
      minimumGroupSize: this.options.minimumGroupSize,
      dimensions,
      missingColumns: this.missing
    }
  }

  private sniff(chunk: Uint8Array): void {
    const at = (i: number) => chunk[i]
    if (at(0) === 0x50 && at(1) === 0x4b && at(2) === 3 && at(3) === 4) {
      throw new UnrecognisedFile({
        message: "the file is a zip archive; only CSV exports with a header line are read"
      })
    }
    if (at(0) === 0x1f && at(1) === 0x8b) {
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

  private header(buf: Uint8Array, bounds: ReadonlyArray<number>): void {
    const decoder = new TextDecoder()
    let first = 0
    if (buf[bounds[0]!] === 0xef && buf[bounds[0]! + 1] === 0xbb && buf[bounds[0]! + 2] === 0xbf) first = 3
    const names = []
    for (let i = 0; i < bounds.length; i += 2) {
      names.push(
        decoder
          .decode(buf.subarray(bounds[i]! + (i === 0 ? first : 0), bounds[i + 1]!))
          .trim()
          .toLowerCase()
      )
    }
    this.columns = names.length
    this.counters = new Array<Counter | undefined>(names.length).fill(undefined)
    for (const dimension of DIMENSIONS) {
      const index = names.indexOf(dimension.column.toLowerCase())
      if (index === -1) this.missing.push(dimension.column)
      else this.counters[index] = new Counter(dimension, index)
    }
    this.present = this.counters.filter((counter): counter is Counter => counter !== undefined)
    this.starts = new Array<number>(names.length).fill(0)
    this.ends = new Array<number>(names.length).fill(0)
    this.escaped = new Array<boolean>(names.length).fill(false)
    if (this.missing.length === DIMENSIONS.length) {
      throw new UnrecognisedFile({
        message:
          "the first line names none of the columns of a customer export (locationCountryId, customerStatus, clientSpending, …): the file's format is not one this server reads"
      })
    }
  }

  /** Reads whole rows of `buf`; returns where the first incomplete row starts (or `buf.length`). */
  private scan(buf: Uint8Array, final: boolean): number {
    const n = buf.length
    const bounds: Array<number> = []
    let p = 0
    while (p < n) {
      const rowStart = p
      let field = 0
      if (this.columns < 0) bounds.length = 0
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
              if (q + 1 < n && buf[q + 1] === QUOTE) {
                escaped = true
                q += 2
                continue
              }
              if (q + 1 >= n && !final) break
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
          while (i < n) {
            const c = buf[i]
            if (c === COMMA || c === CR || c === LF) break
            i++
          }
          if (i >= n && !final) return rowStart
          start = p
          end = i
          next = i
        }
        if (this.columns < 0) {
          bounds.push(start, end)
        } else if (field < this.columns) {
          this.starts[field] = start
          this.ends[field] = end
          this.escaped[field] = escaped
        }
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
        if (d === CR) {
          if (next + 1 >= n) {
            if (!final) return rowStart
            p = next + 1
          } else if (buf[next + 1] === LF) p = next + 2
          else this.malformed("a carriage return outside quotes is not followed by a line feed")
        } else if (d === LF) p = next + 1
        else this.malformed("a closing quote is followed by something other than a comma or a line end")
        break
      }
      if (this.columns < 0) {
        this.line++
        this.header(buf, bounds)
        continue
      }
      if (field === 1 && this.starts[0] === this.ends[0] && !this.escaped[0]) {
        this.line++
        continue
      }
      if (field !== this.columns) {
        this.malformed(`it has ${field} fields where the header has ${this.columns}`)
      }
      for (const counter of this.present) {
        const at = counter.index
        if (this.escaped[at]) {
          const unescaped = unquote(buf, this.starts[at]!, this.ends[at]!)
          counter.add(unescaped, 0, unescaped.length)
        } else counter.add(buf, this.starts[at]!, this.ends[at]!)
      }
      this.line++
      this.rows++
    }
    return n
  }

  private malformed(why: string): never {
    throw new UnrecognisedFile({ message: `line ${this.line + 1} is not well-formed CSV: ${why}` })
  }
}

const unquote = (buf: Uint8Array, start: number, end: number): Uint8Array => {
  const out = new Uint8Array(end - start)
  let o = 0
  for (let i = start; i < end; i++) {
    out[o++] = buf[i]!
    if (buf[i] === QUOTE && buf[i + 1] === QUOTE) i++
  }
  return out.subarray(0, o)
}

/**
 * Summarises a whole file given as a stream of byte chunks (e.g. `fs.createReadStream`). Rejects
 * with {@link UnrecognisedFile} when it is not an export this server reads.
 */
export const summarize = async (
  source: AsyncIterable<Uint8Array>,
  options: SummarizeOptions,
  signal?: AbortSignal
): Promise<Summary> => {
  const summarizer = new Summarizer(options)
  for await (const chunk of source) {
    signal?.throwIfAborted()
    summarizer.push(chunk)
  }
  return summarizer.finish()
}
