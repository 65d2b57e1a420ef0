/**
 * A scheduled export: what to export (an export kind and its filter, relative dates kept as written),
 * when (a cron expression in a time zone), where the file goes (a destination URI), and what to do
 * with runs missed while nothing was running (the catch-up policy). Pure: the due times, the run's
 * identity, its `downloadRequestId` and its file name are functions of the schedule and the due time,
 * never of the clock, so that a retried or caught-up run exports the same window to the same name.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { ExportKind, RelativeDate, Validation } from "@booster-export/core"
import cronstrue from "cronstrue"
import { Cron, DateTime, Either, Schema } from "effect"

/**
 * What to do with due times missed while no worker ran: `"none"` (run a due time only while it is
 * recent, see {@link NONE_GRACE_MS}), `"latest"` (run the latest missed one, skip the older ones;
 * the default) or `"all"` (run every missed one, oldest first, at most {@link MAX_CATCH_UP}).
 *
 * @since 0.1.0
 */
export const CatchUp = Schema.Literal("none", "latest", "all")

/**
 * See {@link CatchUp}.
 *
 * @since 0.1.0
 */
export type CatchUp = typeof CatchUp.Type

/**
 * How old a due time may be and still run under the `"none"` catch-up policy: 15 minutes.
 *
 * @since 0.1.0
 */
export const NONE_GRACE_MS = 15 * 60 * 1000

/**
 * The most due times one call considers for one schedule (the `"all"` policy's limit): 1,000.
 *
 * @since 0.1.0
 */
export const MAX_CATCH_UP = 1000

/**
 * A schedule as stored.
 *
 * - `id`: fixed at creation (a schedule removed and added again under the same name is another
 *   schedule, whose runs are its own);
 * - `filter`: the raw filter (wire shape), relative dates as written (`-7d`), resolved at each run
 *   against its due time;
 * - `destination`: a URI without credentials (`file:///…`, `sftp://user@host/…`, `s3://bucket/…`);
 * - `retentionDays`: how long delivered local files are kept (absent: kept).
 *
 * @since 0.1.0
 */
export const ExportSchedule = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  kind: Schema.String,
  filter: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  cron: Schema.String,
  timeZone: Schema.String,
  destination: Schema.String,
  purpose: Schema.optional(Schema.String),
  catchUp: CatchUp,
  retentionDays: Schema.optional(Schema.Number),
  paused: Schema.Boolean,
  createdAt: Schema.String
})

/**
 * See {@link ExportSchedule}.
 *
 * @since 0.1.0
 */
export type ExportSchedule = typeof ExportSchedule.Type

/** Names: a letter or digit, then letters, digits, `.`, `_`, `-`; at most 64 characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * True for a usable schedule name: a letter or digit, then letters, digits, `.`, `_` or `-`, at most
 * 64 characters (it becomes a folder of the destination).
 *
 * @since 0.1.0
 */
export const isName = (name: string): boolean => NAME.test(name)

/**
 * Parses a cron expression (five fields, or six with seconds; `MON`, `JAN`… accepted) in an IANA
 * time zone; `Left` with a message naming what is wrong.
 *
 * @since 0.1.0
 */
export const parseCron = (expression: string, timeZone: string): Either.Either<Cron.Cron, string> => {
  const zone = DateTime.zoneMakeNamed(timeZone)
  if (zone._tag === "None") return Either.left(`the time zone ${JSON.stringify(timeZone)} is not known`)
  return Either.mapLeft(
    Cron.parse(expression, zone.value),
    (error) => `the cron expression is not valid: ${error.message}`
  )
}

const cronOf = (schedule: Pick<ExportSchedule, "cron" | "timeZone">): Cron.Cron =>
  Either.getOrThrowWith(parseCron(schedule.cron, schedule.timeZone), (message) => new Error(message))

/**
 * The next `count` run times strictly after `after`.
 *
 * @since 0.1.0
 */
export const nextRuns = (
  schedule: Pick<ExportSchedule, "cron" | "timeZone">,
  after: Date,
  count: number
): ReadonlyArray<Date> => {
  const cron = cronOf(schedule)
  const out: Array<Date> = []
  let from = after
  while (out.length < count) {
    from = Cron.next(cron, from)
    out.push(from)
  }
  return out
}

/**
 * The due times in `(after, asOf]`, oldest first, at most {@link MAX_CATCH_UP} (the latest ones).
 *
 * @since 0.1.0
 */
export const dueTimes = (
  schedule: Pick<ExportSchedule, "cron" | "timeZone">,
  after: Date,
  asOf: Date
): ReadonlyArray<Date> => {
  const cron = cronOf(schedule)
  const out: Array<Date> = []
  let from = after
  for (;;) {
    const next = Cron.next(cron, from)
    if (next.getTime() > asOf.getTime()) break
    out.push(next)
    if (out.length > MAX_CATCH_UP) out.shift()
    from = next
  }
  return out
}

/**
 * The due times a call should run, and those it skips, under the schedule's catch-up policy.
 *
 * @since 0.1.0
 */
export const choose = (
  policy: CatchUp,
  due: ReadonlyArray<Date>,
  asOf: Date
): { readonly run: ReadonlyArray<Date>; readonly skip: ReadonlyArray<Date> } => {
  if (due.length === 0) return { run: [], skip: [] }
  if (policy === "all") return { run: due, skip: [] }
  const latest = due[due.length - 1]!
  const older = due.slice(0, -1)
  if (policy === "none" && asOf.getTime() - latest.getTime() > NONE_GRACE_MS) {
    return { run: [], skip: due }
  }
  return { run: [latest], skip: older }
}

/**
 * A due time as the run's key and in names: ISO-8601 in UTC to the second (`2026-03-30T05:00:00Z`).
 *
 * @since 0.1.0
 */
export const dueKey = (due: Date): string => `${due.toISOString().slice(0, 19)}Z`

/**
 * The identity of one run: the schedule's id and the due time. The engine runs each at most once.
 *
 * @since 0.1.0
 */
export const runKey = (schedule: Pick<ExportSchedule, "id">, due: Date): string =>
  `${schedule.id}/${dueKey(due)}`

/**
 * The `downloadRequestId` of a run, a UUID derived from the schedule's id and the due time: a
 * retried run sends the same id, so that the API and the journal see the same request.
 *
 * @since 0.1.0
 */
export const downloadRequestIdOf = (schedule: Pick<ExportSchedule, "id">, due: Date): string => {
  const hex = createHash("sha256")
    .update(`booster-export/schedule:${runKey(schedule, due)}`)
    .digest("hex")
  // the layout of a version-5 UUID (name-based), from a SHA-256 of the name
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * The delivered file's name under the destination: `{schedule}/{due time}/{kind}.csv`, the due time
 * as `2026-03-30T05-00-00Z` (no `:`, which some file systems refuse). No personal value can appear:
 * the schedule's name and kind are checked names.
 *
 * @since 0.1.0
 */
export const fileName = (schedule: Pick<ExportSchedule, "name" | "kind">, due: Date): string =>
  `${schedule.name}/${dueKey(due).replace(/:/g, "-")}/${schedule.kind}.csv`

/**
 * The schedule's export kind; `undefined` for a name this version does not know.
 *
 * @since 0.1.0
 */
export const kindOf = (schedule: Pick<ExportSchedule, "kind">): ExportKind.Any | undefined =>
  ExportKind.byName(schedule.kind)

/**
 * The filter a run sends: its relative dates resolved against the **due time** in the schedule's
 * time zone (never the clock), then validated against the kind's filter. `Left` with the issues.
 *
 * @since 0.1.0
 */
export const resolveAt = (
  schedule: Pick<ExportSchedule, "kind" | "filter" | "timeZone">,
  due: Date
): Either.Either<Record<string, unknown>, ReadonlyArray<Validation.Issue>> => {
  const kind = kindOf(schedule)
  if (kind === undefined) {
    return Either.left([{ path: "", rule: "kind", message: `the export kind ${schedule.kind} is not known` }])
  }
  return Either.flatMap(
    RelativeDate.resolveFilter(
      schedule.filter,
      { now: due.getTime(), timeZone: schedule.timeZone },
      kind.filter
    ),
    (resolved) =>
      Either.mapLeft(
        Validation.validate<Record<string, unknown>>(kind.filter, resolved),
        (error) => error.issues
      )
  )
}

/**
 * The cadence in plain English (`At 07:00 AM, only on Monday (Europe/Paris)`).
 *
 * @since 0.1.0
 */
export const describeCadence = (schedule: Pick<ExportSchedule, "cron" | "timeZone">): string => {
  let text: string
  try {
    text = cronstrue.toString(schedule.cron, { use24HourTimeFormat: true, verbose: false })
  } catch {
    text = schedule.cron
  }
  return `${text} (${schedule.timeZone})`
}

/**
 * The schedule in plain English: who is exported (the kind's description of the filter, never a
 * personal value; relative dates as written), when, and where to.
 *
 * @since 0.1.0
 */
export const describe = (schedule: ExportSchedule): string => {
  const kind = kindOf(schedule)
  let who: string
  try {
    who = kind !== undefined ? kind.describe(schedule.filter as never) : schedule.kind
  } catch {
    who = kind?.label ?? schedule.kind
  }
  return `${who}; ${describeCadence(schedule)}; to ${schedule.destination}`
}
