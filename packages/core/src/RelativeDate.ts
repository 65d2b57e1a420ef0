/**
 * Relative dates in filters: `today`, `yesterday`, `-30d`, `-2w`, `-6m`, `-1y`, `start-of-month`,
 * `start-of-year` for the four dates, and `this`, `next`, `+N` for birth months. A saved filter keeps
 * the expression; it is resolved when the export runs, against a given "now" and time zone, into the
 * plain values the API takes (`YYYY-MM-DD`, month numbers). Pure: the clock and the zone are
 * parameters.
 *
 * Month and year steps keep the day of the month when it exists and otherwise take the month's last
 * day: `-1m` from March 31 is February 28 (29 in a leap year), `-1y` from 2028-02-29 is 2027-02-28.
 *
 * @since 0.1.0
 */
import { DateTime, Either, type SchemaAST } from "effect"
import * as Field from "./Field.js"
import type * as FilterSpec from "./FilterSpec.js"
import type * as Validation from "./Validation.js"

/**
 * When and where "today" is: the instant, and the time zone (IANA name such as `Europe/Paris`, an
 * offset from UTC in minutes, or an Effect `DateTime.TimeZone`).
 *
 * @since 0.1.0
 */
export interface Clock {
  readonly now: Date | number
  readonly timeZone: string | number | DateTime.TimeZone
}

/**
 * The date fields of the customer filter, which take relative dates (see {@link fieldsOf} for any
 * export kind's).
 *
 * @since 0.1.0
 */
export const DATE_FIELDS: ReadonlyArray<string> = [
  "creationDateFrom",
  "creationDateTo",
  "transactionDateFrom",
  "transactionDateTo"
]

/**
 * The month-list fields of the customer filter, which take relative months.
 *
 * @since 0.1.0
 */
export const MONTH_FIELDS: ReadonlyArray<string> = ["birthdateMonths"]

/**
 * The fields of a filter that take relative expressions: its dates and its month lists.
 *
 * @since 0.1.0
 */
export interface RelativeFields {
  readonly dates: ReadonlyArray<string>
  readonly months: ReadonlyArray<string>
}

/** The rule of a list field's items (`month` for birth months), if any. */
const itemRule = (ast: SchemaAST.AST): unknown => {
  let node = ast
  while (node._tag === "Refinement") node = node.from
  return node._tag === "TupleType" ? node.rest[0]?.type.annotations[Field.RuleId] : undefined
}

/**
 * The fields of a filter specification that take relative expressions: every date field (`Date`
 * kind) and every list of months (items with the `month` rule). For the customer filter, these are
 * {@link DATE_FIELDS} and {@link MONTH_FIELDS}; for the other exports, `dateFrom` and `dateTo`.
 *
 * @since 0.1.0
 */
export const fieldsOf = <A>(spec: FilterSpec.FilterSpec<A>): RelativeFields => {
  const entries = Object.entries(spec.fields)
  return {
    dates: entries.filter(([, field]) => field.kind._tag === "Date").map(([name]) => name),
    months: entries
      .filter(([, field]) => field.kind._tag === "List" && itemRule(field.schema.ast) === "month")
      .map(([name]) => name)
  }
}

const CUSTOMER_FIELDS: RelativeFields = { dates: DATE_FIELDS, months: MONTH_FIELDS }

const relativeFields = <A>(spec: FilterSpec.FilterSpec<A> | undefined): RelativeFields =>
  spec === undefined ? CUSTOMER_FIELDS : fieldsOf(spec)

/**
 * The accepted forms of a relative date, as shown in error messages.
 *
 * @since 0.1.0
 */
export const DATE_FORMS =
  "YYYY-MM-DD, today, yesterday, -Nd, -Nw, -Nm, -Ny (days, weeks, months, years ago), start-of-month or start-of-year"

/**
 * The accepted forms of a relative birth month, as shown in error messages.
 *
 * @since 0.1.0
 */
export const MONTH_FORMS = "a month number 1-12, this, next or +N (N months after this one)"

const OFFSET = /^([+-])(\d{1,4})([dwmy])$/
const ABSOLUTE = /^\d{4}-\d{2}-\d{2}$/

const zoneOf = (zone: Clock["timeZone"]): DateTime.TimeZone | undefined => {
  if (typeof zone === "number") return DateTime.zoneMakeOffset(zone * 60_000)
  if (typeof zone === "string") {
    const named = DateTime.zoneMakeNamed(zone)
    return named._tag === "Some" ? named.value : undefined
  }
  return zone
}

const today = (clock: Clock): DateTime.Zoned | undefined => {
  const zone = zoneOf(clock.timeZone)
  return zone === undefined
    ? undefined
    : DateTime.startOf(DateTime.unsafeMakeZoned(clock.now, { timeZone: zone }), "day")
}

const UNKNOWN_ZONE = "cannot be resolved: the time zone is not known"

/**
 * True when the text is a relative date expression (not a plain `YYYY-MM-DD`).
 *
 * @since 0.1.0
 */
export const isRelativeDate = (text: string): boolean => {
  const t = text.trim().toLowerCase()
  return (
    t === "today" || t === "yesterday" || t === "start-of-month" || t === "start-of-year" || OFFSET.test(t)
  )
}

/**
 * Resolves a date expression to `YYYY-MM-DD` in the clock's time zone. A plain `YYYY-MM-DD` is
 * returned as written (its validity is checked by validation); anything else that is not a known
 * form is `Left` with the accepted forms.
 *
 * @since 0.1.0
 */
export const resolveDate = (text: string, clock: Clock): Either.Either<string, string> => {
  const t = text.trim().toLowerCase()
  if (ABSOLUTE.test(t)) return Either.right(t)
  if (!isRelativeDate(t)) return Either.left(`must be a date: ${DATE_FORMS}`)
  const day = today(clock)
  if (day === undefined) return Either.left(UNKNOWN_ZONE)
  const resolved = (() => {
    switch (t) {
      case "today":
        return day
      case "yesterday":
        return DateTime.subtract(day, { days: 1 })
      case "start-of-month":
        return DateTime.startOf(day, "month")
      case "start-of-year":
        return DateTime.startOf(day, "year")
    }
    const [, sign, amount, unit] = OFFSET.exec(t)!
    const n = Number(amount) * (sign === "-" ? -1 : 1)
    const parts =
      unit === "d" ? { days: n } : unit === "w" ? { weeks: n } : unit === "m" ? { months: n } : { years: n }
    return DateTime.add(day, parts)
  })()
  return Either.right(DateTime.formatIsoDate(resolved))
}

/**
 * The accepted forms of an age (how long ago), as shown in error messages: the units of a relative
 * date, without the sign, plus hours and minutes. `m` is months; minutes are spelled `min`.
 *
 * @since 0.1.0
 */
export const AGE_FORMS = "a number and a unit: 90min (minutes), 12h (hours), 30d, 2w, 6m (months), 1y"

/**
 * The accepted forms of a point in time, as shown in error messages.
 *
 * @since 0.1.0
 */
export const INSTANT_FORMS = `${DATE_FORMS}, -Nh or -Nmin (hours, minutes ago), or an ISO-8601 time`

const AGE = /^-?(\d{1,6})\s*(min|h|d|w|m|y)$/
const PRECISE_OFFSET = /^-(\d{1,6})\s*(min|h)$/
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}/

const step = (amount: number, unit: string) =>
  unit === "min"
    ? { minutes: amount }
    : unit === "h"
      ? { hours: amount }
      : unit === "d"
        ? { days: amount }
        : unit === "w"
          ? { weeks: amount }
          : unit === "m"
            ? { months: amount }
            : { years: amount }

/**
 * The instant an age ago (`30d`, `6m`, `12h`, `90min`…), in epoch milliseconds: the clock's "now"
 * moved back in its time zone, months and years by the calendar (`6m` on August 31 is February 28 or
 * 29). This is the grammar of relative dates, the sign optional: `m` is months, never minutes. A
 * bare number, or anything else, is `Left` with the accepted forms.
 *
 * @since 0.1.0
 */
export const resolveAge = (text: string, clock: Clock): Either.Either<number, string> => {
  const match = AGE.exec(text.trim().toLowerCase())
  if (match === null) return Either.left(`must be an age: ${AGE_FORMS}`)
  const zone = zoneOf(clock.timeZone)
  if (zone === undefined) return Either.left(UNKNOWN_ZONE)
  const now = DateTime.unsafeMakeZoned(clock.now, { timeZone: zone })
  return Either.right(DateTime.toEpochMillis(DateTime.subtract(now, step(Number(match[1]), match[2]!))))
}

/**
 * A point in time a person typed, in epoch milliseconds: a date (`YYYY-MM-DD` or a relative date as
 * {@link resolveDate} reads it: the start of that day in the clock's time zone), `-Nh` or `-Nmin`
 * (hours or minutes before now), or an ISO-8601 time (`2026-01-31T09:00:00Z`). Anything else is
 * `Left` with the accepted forms.
 *
 * @since 0.1.0
 */
export const resolveInstant = (text: string, clock: Clock): Either.Either<number, string> => {
  const t = text.trim().toLowerCase()
  const zone = zoneOf(clock.timeZone)
  if (zone === undefined) return Either.left(UNKNOWN_ZONE)
  const precise = PRECISE_OFFSET.exec(t)
  if (precise !== null) {
    const now = DateTime.unsafeMakeZoned(clock.now, { timeZone: zone })
    return Either.right(DateTime.toEpochMillis(DateTime.subtract(now, step(Number(precise[1]), precise[2]!))))
  }
  if (ISO_TIME.test(t)) {
    const at = Date.parse(text.trim())
    return Number.isFinite(at) ? Either.right(at) : Either.left(`must be a point in time: ${INSTANT_FORMS}`)
  }
  const day = resolveDate(t, clock)
  if (Either.isLeft(day)) return Either.left(`must be a point in time: ${INSTANT_FORMS}`)
  const parts = day.right.split("-").map(Number)
  const midnight = DateTime.makeZoned(
    { year: parts[0]!, month: parts[1]!, day: parts[2]!, hours: 0, minutes: 0, seconds: 0, millis: 0 },
    { timeZone: zone, adjustForTimeZone: true }
  )
  return midnight._tag === "Some" && /^\d{4}-\d{2}-\d{2}$/.test(day.right) && isRealDate(day.right)
    ? Either.right(DateTime.toEpochMillis(midnight.value))
    : Either.left(`must be a point in time: ${INSTANT_FORMS}`)
}

const isRealDate = (text: string): boolean => {
  const [year, month, day] = text.split("-").map(Number)
  const date = new Date(Date.UTC(year!, month! - 1, day!))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day
}

/**
 * Resolves a birth-month expression (`this`, `next`, `+N`, or a number) to a month number 1..12,
 * wrapping around December (`next` in December is 1).
 *
 * @since 0.1.0
 */
export const resolveMonth = (value: unknown, clock: Clock): Either.Either<unknown, string> => {
  if (typeof value === "number") return Either.right(value)
  if (typeof value !== "string") return Either.right(value)
  const t = value.trim().toLowerCase()
  if (/^\d{1,2}$/.test(t)) return Either.right(Number(t))
  const step = t === "this" ? 0 : t === "next" ? 1 : /^\+\d{1,3}$/.test(t) ? Number(t.slice(1)) : undefined
  if (step === undefined) return Either.left(`must be ${MONTH_FORMS}`)
  const day = today(clock)
  if (day === undefined) return Either.left(UNKNOWN_ZONE)
  const month = DateTime.getPart(day, "month")
  return Either.right(((month - 1 + step) % 12) + 1)
}

/**
 * True when a filter (wire shape) holds a relative expression in a date or birth-month field of
 * `spec` (default: the customer filter's).
 *
 * @since 0.1.0
 */
export const hasRelative = <A = unknown>(
  filter: Readonly<Record<string, unknown>>,
  spec?: FilterSpec.FilterSpec<A>
): boolean => {
  const fields = relativeFields(spec)
  return (
    fields.dates.some((field) => typeof filter[field] === "string" && isRelativeDate(filter[field])) ||
    fields.months.some(
      (field) =>
        Array.isArray(filter[field]) &&
        filter[field].some((v: unknown) => typeof v === "string" && !/^\s*\d{1,2}\s*$/.test(v))
    )
  )
}

/**
 * Resolves every relative expression of a filter (wire shape) against the clock: date fields become
 * `YYYY-MM-DD`, birth months become numbers. Values of other types are left for validation to
 * judge. Every expression that is not understood is reported, by field path, with the accepted
 * forms (rule `relative-date` or `relative-month`). The fields are those of `spec` (see
 * {@link fieldsOf}), by default the customer filter's: pass the kind's filter for the other exports
 * (`resolveFilter(raw, clock, ExportKind.Stock.filter)`).
 *
 * @since 0.1.0
 */
export const resolveFilter = <A = unknown>(
  filter: Readonly<Record<string, unknown>>,
  clock: Clock,
  spec?: FilterSpec.FilterSpec<A>
): Either.Either<Record<string, unknown>, ReadonlyArray<Validation.Issue>> => {
  const { dates, months } = relativeFields(spec)
  // the clock is read only when an expression needs it: reading a time zone costs milliseconds
  if (hasRelative(filter, spec) && zoneOf(clock.timeZone) === undefined) {
    return Either.left([{ path: "", rule: "time-zone", message: "the time zone is not known" }])
  }
  const out: Record<string, unknown> = { ...filter }
  const issues: Array<Validation.Issue> = []
  for (const field of dates) {
    const value = filter[field]
    if (typeof value !== "string" || value.trim() === "") continue
    Either.match(resolveDate(value, clock), {
      onLeft: (message) => {
        if (ABSOLUTE.test(value.trim()) || /^\d/.test(value.trim())) return
        issues.push({ path: field, rule: "relative-date", message })
      },
      onRight: (date) => {
        out[field] = date
      }
    })
  }
  for (const field of months) {
    const value = filter[field]
    if (!Array.isArray(value)) continue
    out[field] = value.map((item: unknown, i) =>
      Either.match(resolveMonth(item, clock), {
        onLeft: (message) => {
          issues.push({ path: `${field}[${i}]`, rule: "relative-month", message })
          return item
        },
        onRight: (month) => month
      })
    )
  }
  return issues.length > 0 ? Either.left(issues) : Either.right(out)
}
